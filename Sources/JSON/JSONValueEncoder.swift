import Foundation

/// Encodes `Encodable` values straight to `JSONValue`, without a detour through text.
///
/// - Object members come out in the order the type encodes them (a synthesized `Codable`
///   type: declaration order); writers can sort them (`jsonText`).
/// - Optional properties that are nil are left out (synthesized `encodeIfPresent`); an
///   explicit `encodeNil` writes `null`.
/// - `JSONValue` properties pass through untouched, so a type can carry free-form data.
/// - Integers are exact; a `Double` or `Float` that is NaN or infinite is an error.
/// - `Date` follows `dateEncodingStrategy`; `URL` is its absolute string; `Data` is Base64
///   (as `JSONEncoder` does).
public struct JSONValueEncoder: Sendable {
    public enum DateEncodingStrategy: Sendable {
        /// `Date`'s own `Codable` (seconds since 2001-01-01 as a number), like `JSONEncoder`.
        case deferredToDate
        case secondsSince1970
        case millisecondsSince1970
        /// Whatever the closure makes of the date, e.g. `.string(Timestamp.format(date))`.
        case custom(@Sendable (Date) throws -> JSONValue)
    }

    public var dateEncodingStrategy: DateEncodingStrategy
    public var userInfo: [CodingUserInfoKey: any Sendable]

    public init(dateEncodingStrategy: DateEncodingStrategy = .deferredToDate,
                userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.dateEncodingStrategy = dateEncodingStrategy
        self.userInfo = userInfo
    }

    /// The JSON value of `value`. A value that encodes nothing is `null`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        if T.self == JSONValue.self, let json = value as? JSONValue { return json }
        let root = EncodingNode(context: EncodingContext(self), parent: nil, parentPosition: 0, isObject: false)
        root.elements.append(.value(.null))
        try NodeEncoder(node: root, position: 0).encodeGeneric(value)
        return root.elements[0].materialize()
    }
}

final class EncodingContext {
    let options: JSONValueEncoder
    init(_ options: JSONValueEncoder) { self.options = options }
}

/// A value under construction: a finished value, or a container still being filled.
enum EncodingSlot {
    case value(JSONValue)
    case node(EncodingNode)

    func materialize() -> JSONValue {
        switch self {
        case .value(let value): return value
        case .node(let node): return node.materialize()
        }
    }
}

/// An object or array being encoded. Scalars go straight into its slots; only nested
/// containers get a node of their own.
final class EncodingNode {
    let context: EncodingContext
    /// For coding paths: the container holding this one and the position in it.
    let parent: EncodingNode?
    let parentPosition: Int
    var isObject: Bool
    var members: [(key: String, slot: EncodingSlot)] = []
    var elements: [EncodingSlot] = []

    init(context: EncodingContext, parent: EncodingNode?, parentPosition: Int, isObject: Bool) {
        self.context = context
        self.parent = parent
        self.parentPosition = parentPosition
        self.isObject = isObject
    }

    func materialize() -> JSONValue {
        if isObject {
            var object = JSONObject()
            object.members.reserveCapacity(members.count)
            for (key, slot) in members {
                let value = slot.materialize()
                if object.position(of: key) == nil {
                    object.appendUnique(key, value)
                } else {
                    object[key] = value  // encoded twice: the last one wins
                }
            }
            return .object(object)
        }
        return .array(elements.map { $0.materialize() })
    }

    /// The key or index of `position` in this container.
    func codingKey(at position: Int) -> any CodingKey {
        isObject ? AnyCodingKey(stringValue: members[position].key) : AnyCodingKey(intValue: position)
    }

    /// The path to this container.
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: EncodingNode? = self
        while let current = node, let parent = current.parent {
            // The root's single slot has no key.
            if parent.parent != nil || parent.isObject { path.append(parent.codingKey(at: current.parentPosition)) }
            node = parent
        }
        return path.reversed()
    }

    func store(_ slot: EncodingSlot, at position: Int) {
        if isObject { members[position].slot = slot } else { elements[position] = slot }
    }

    func slot(at position: Int) -> EncodingSlot {
        isObject ? members[position].slot : elements[position]
    }

    /// The container node in the slot at `position`, made (or remade) one of the kind asked for.
    func container(at position: Int, isObject: Bool) -> EncodingNode {
        if case .node(let existing) = slot(at: position), existing.isObject == isObject { return existing }
        let child = EncodingNode(context: context, parent: self, parentPosition: position, isObject: isObject)
        store(.node(child), at: position)
        return child
    }

    func appendMember(_ key: String, _ slot: EncodingSlot) -> Int {
        members.append((key, slot))
        return members.count - 1
    }

    func appendElement(_ slot: EncodingSlot) -> Int {
        elements.append(slot)
        return elements.count - 1
    }
}

/// The encoder for one slot.
struct NodeEncoder: Encoder, SingleValueEncodingContainer {
    let node: EncodingNode
    let position: Int

    var codingPath: [any CodingKey] {
        var path = node.codingPath
        if node.parent != nil || node.isObject { path.append(node.codingKey(at: position)) }
        return path
    }

    var userInfo: [CodingUserInfoKey: Any] { node.context.options.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedNodeEncoder<Key>(node: node.container(at: position, isObject: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        UnkeyedNodeEncoder(node: node.container(at: position, isObject: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func set(_ value: JSONValue) { node.store(.value(value), at: position) }

    func encodeNil() throws { set(.null) }
    func encode(_ value: Bool) throws { set(.bool(value)) }
    func encode(_ value: String) throws { set(.string(value)) }
    func encode(_ value: Double) throws { set(try checkedDouble(value)) }
    func encode(_ value: Float) throws { set(try checkedDouble(Double(value))) }
    func encode(_ value: Int) throws { set(.number(JSONNumber(value))) }
    func encode(_ value: Int8) throws { set(.number(JSONNumber(Int(value)))) }
    func encode(_ value: Int16) throws { set(.number(JSONNumber(Int(value)))) }
    func encode(_ value: Int32) throws { set(.number(JSONNumber(Int(value)))) }
    func encode(_ value: Int64) throws { set(.number(JSONNumber(value))) }
    func encode(_ value: UInt) throws { set(.number(JSONNumber(value))) }
    func encode(_ value: UInt8) throws { set(.number(JSONNumber(Int(value)))) }
    func encode(_ value: UInt16) throws { set(.number(JSONNumber(Int(value)))) }
    func encode(_ value: UInt32) throws { set(.number(JSONNumber(Int(value)))) }
    func encode(_ value: UInt64) throws { set(.number(JSONNumber(value))) }
    func encode<T: Encodable>(_ value: T) throws { try encodeGeneric(value) }

    func checkedDouble(_ value: Double) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no NaN or infinity"))
        }
        return .number(JSONNumber(value))
    }

    /// Encodes any value into this slot; the types JSON has an opinion on first.
    func encodeGeneric<T: Encodable>(_ value: T) throws {
        if T.self == JSONValue.self, let json = value as? JSONValue {
            set(json)
        } else if T.self == Date.self, let date = value as? Date {
            switch node.context.options.dateEncodingStrategy {
            case .deferredToDate: try date.encode(to: self)
            case .secondsSince1970: try encode(date.timeIntervalSince1970)
            case .millisecondsSince1970: try encode(date.timeIntervalSince1970 * 1000)
            case .custom(let body): set(try body(date))
            }
        } else if T.self == URL.self, let url = value as? URL {
            set(.string(url.absoluteString))
        } else if T.self == Data.self, let data = value as? Data {
            set(.string(data.base64EncodedString()))
        } else {
            try value.encode(to: self)
        }
    }
}

struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode

    var codingPath: [any CodingKey] { node.codingPath }

    @inline(__always)
    private func put(_ value: JSONValue, _ key: Key) { _ = node.appendMember(key.stringValue, .value(value)) }

    private func slot(_ key: Key) -> NodeEncoder {
        NodeEncoder(node: node, position: node.appendMember(key.stringValue, .value(.null)))
    }

    private func checkedDouble(_ value: Double, _ key: Key) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [key], debugDescription: "JSON has no NaN or infinity"))
        }
        return .number(JSONNumber(value))
    }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try checkedDouble(value, key), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try checkedDouble(Double(value), key), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.number(JSONNumber(Int(value))), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.number(JSONNumber(Int(value))), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.number(JSONNumber(Int(value))), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.number(JSONNumber(Int(value))), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.number(JSONNumber(Int(value))), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.number(JSONNumber(Int(value))), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.number(JSONNumber(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try slot(key).encodeGeneric(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        slot(key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        slot(key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node, position: node.appendMember("super", .value(.null)))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { slot(key) }
}

struct UnkeyedNodeEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode

    var codingPath: [any CodingKey] { node.codingPath }
    var count: Int { node.elements.count }

    @inline(__always)
    private func put(_ value: JSONValue) { _ = node.appendElement(.value(value)) }

    private func slot() -> NodeEncoder {
        NodeEncoder(node: node, position: node.appendElement(.value(.null)))
    }

    private func checkedDouble(_ value: Double) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath + [AnyCodingKey(intValue: count)],
                                                          debugDescription: "JSON has no NaN or infinity"))
        }
        return .number(JSONNumber(value))
    }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(try checkedDouble(value)) }
    mutating func encode(_ value: Float) throws { put(try checkedDouble(Double(value))) }
    mutating func encode(_ value: Int) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: Int8) throws { put(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: Int16) throws { put(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: Int32) throws { put(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: Int64) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt) throws { put(.number(JSONNumber(value))) }
    mutating func encode(_ value: UInt8) throws { put(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: UInt16) throws { put(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: UInt32) throws { put(.number(JSONNumber(Int(value)))) }
    mutating func encode(_ value: UInt64) throws { put(.number(JSONNumber(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot().encodeGeneric(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        slot().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        slot().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { slot() }
}
