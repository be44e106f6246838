/// Codable bridge between payload structs and `OCPPJSON`, without a detour through text.
///
/// Optional properties that are nil are left out (the schemas never want an explicit null).
/// `OCPPJSON` properties pass through untouched, so a payload can carry free-form data
/// (2.0.1 DataTransfer `data`, charging profiles).
public enum OCPPJSONCoder {
    public static func encode<T: Encodable>(_ value: T) throws -> OCPPJSON {
        if let json = value as? OCPPJSON { return json }
        let root = EncodingNode()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.materialize()
    }

    /// Encodes a payload: the result is always an object (a struct without properties gives `{}`).
    public static func encodePayload<T: Encodable>(_ value: T) throws -> OCPPJSON {
        let json = try encode(value)
        if case .null = json { return .emptyObject }
        return json
    }

    public static func decode<T: Decodable>(_ type: T.Type, from json: OCPPJSON) throws -> T {
        if let same = json as? T { return same }
        return try T(from: ValueDecoder(value: json, codingPath: []))
    }
}

// MARK: - Encoding

final class EncodingNode {
    enum Kind { case value, object, array }
    var kind = Kind.value
    var value = OCPPJSON.null
    var object: [String: EncodingNode] = [:]
    var array: [EncodingNode] = []

    func materialize() -> OCPPJSON {
        switch kind {
        case .value: return value
        case .object:
            var members: [String: OCPPJSON] = [:]
            members.reserveCapacity(object.count)
            for (k, v) in object { members[k] = v.materialize() }
            return .object(members)
        case .array: return .array(array.map { $0.materialize() })
        }
    }

    func becomeObject() {
        if kind != .object { kind = .object; object = [:] }
    }

    func becomeArray() {
        if kind != .array { kind = .array; array = [] }
    }

    func set(_ json: OCPPJSON) {
        kind = .value
        value = json
    }
}

struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(KeyedNodeEncoder<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return UnkeyedNodeEncoder(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeEncoder(node: node, codingPath: codingPath)
    }
}

func encodeIntoNode<T: Encodable>(_ value: T, node: EncodingNode, codingPath: [any CodingKey]) throws {
    if let json = value as? OCPPJSON {
        node.set(json)
    } else {
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }
}

func checkedDouble(_ value: Double, _ codingPath: [any CodingKey]) throws -> OCPPJSON {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "JSON has no NaN or infinity"))
    }
    return .double(value)
}

func integerJSON<T: BinaryInteger>(_ value: T, _ codingPath: [any CodingKey]) throws -> OCPPJSON {
    guard let i = Int(exactly: value) else {
        throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "integer out of range"))
    }
    return .int(i)
}

struct KeyedNodeEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    var codingPath: [any CodingKey]

    private func child(_ key: Key) -> EncodingNode {
        let child = EncodingNode()
        node.object[key.stringValue] = child
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(.bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(.string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set(try checkedDouble(value, codingPath + [key])) }
    mutating func encode(_ value: Float, forKey key: Key) throws { child(key).set(try checkedDouble(Double(value), codingPath + [key])) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(.int(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { child(key).set(.int(Int(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { child(key).set(.int(Int(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { child(key).set(.int(Int(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).set(try integerJSON(value, codingPath + [key])) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { child(key).set(try integerJSON(value, codingPath + [key])) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { child(key).set(.int(Int(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { child(key).set(.int(Int(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { child(key).set(.int(Int(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { child(key).set(try integerJSON(value, codingPath + [key])) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encodeIntoNode(value, node: child(key), codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let c = child(key)
        c.becomeObject()
        return KeyedEncodingContainer(KeyedNodeEncoder<NestedKey>(node: c, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let c = child(key)
        c.becomeArray()
        return UnkeyedNodeEncoder(node: c, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: child(Key(stringValue: "super") ?? fallbackKey()), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: child(key), codingPath: codingPath + [key]) }

    private func fallbackKey() -> Key {
        // Only reached for key types that cannot represent "super"; encode under the first
        // integer key instead. Never used by the OCPP payloads.
        if let k = Key(intValue: 0) { return k }
        preconditionFailure("superEncoder() needs a key type that accepts \"super\" or 0")
    }
}

struct UnkeyedNodeEncoder: UnkeyedEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey]
    var count: Int { node.array.count }

    private func next() -> EncodingNode {
        let child = EncodingNode()
        node.array.append(child)
        return child
    }

    private var indexKey: AnyCodingKey { AnyCodingKey(intValue: count) }

    mutating func encodeNil() throws { next().set(.null) }
    mutating func encode(_ value: Bool) throws { next().set(.bool(value)) }
    mutating func encode(_ value: String) throws { next().set(.string(value)) }
    mutating func encode(_ value: Double) throws { next().set(try checkedDouble(value, codingPath + [indexKey])) }
    mutating func encode(_ value: Float) throws { next().set(try checkedDouble(Double(value), codingPath + [indexKey])) }
    mutating func encode(_ value: Int) throws { next().set(.int(value)) }
    mutating func encode(_ value: Int8) throws { next().set(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { next().set(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { next().set(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { next().set(try integerJSON(value, codingPath + [indexKey])) }
    mutating func encode(_ value: UInt) throws { next().set(try integerJSON(value, codingPath + [indexKey])) }
    mutating func encode(_ value: UInt8) throws { next().set(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { next().set(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { next().set(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { next().set(try integerJSON(value, codingPath + [indexKey])) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [indexKey]
        try encodeIntoNode(value, node: next(), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = codingPath + [indexKey]
        let c = next()
        c.becomeObject()
        return KeyedEncodingContainer(KeyedNodeEncoder<NestedKey>(node: c, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = codingPath + [indexKey]
        let c = next()
        c.becomeArray()
        return UnkeyedNodeEncoder(node: c, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let path = codingPath + [indexKey]
        return NodeEncoder(node: next(), codingPath: path)
    }
}

struct SingleNodeEncoder: SingleValueEncodingContainer {
    let node: EncodingNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode(_ value: Bool) throws { node.set(.bool(value)) }
    mutating func encode(_ value: String) throws { node.set(.string(value)) }
    mutating func encode(_ value: Double) throws { node.set(try checkedDouble(value, codingPath)) }
    mutating func encode(_ value: Float) throws { node.set(try checkedDouble(Double(value), codingPath)) }
    mutating func encode(_ value: Int) throws { node.set(.int(value)) }
    mutating func encode(_ value: Int8) throws { node.set(.int(Int(value))) }
    mutating func encode(_ value: Int16) throws { node.set(.int(Int(value))) }
    mutating func encode(_ value: Int32) throws { node.set(.int(Int(value))) }
    mutating func encode(_ value: Int64) throws { node.set(try integerJSON(value, codingPath)) }
    mutating func encode(_ value: UInt) throws { node.set(try integerJSON(value, codingPath)) }
    mutating func encode(_ value: UInt8) throws { node.set(.int(Int(value))) }
    mutating func encode(_ value: UInt16) throws { node.set(.int(Int(value))) }
    mutating func encode(_ value: UInt32) throws { node.set(.int(Int(value))) }
    mutating func encode(_ value: UInt64) throws { node.set(try integerJSON(value, codingPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encodeIntoNode(value, node: node, codingPath: codingPath) }
}

// MARK: - Decoding

struct ValueDecoder: Decoder {
    let value: OCPPJSON
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: OCPPJSON].self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.kindName)"))
        }
        return KeyedDecodingContainer(KeyedValueDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch([OCPPJSON].self, .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.kindName)"))
        }
        return UnkeyedValueDecoder(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueDecoder(value: value, codingPath: codingPath)
    }
}

extension OCPPJSON {
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

func decodeScalar<T>(_ type: T.Type, from value: OCPPJSON, codingPath: [any CodingKey]) throws -> T {
    func mismatch() -> DecodingError {
        .typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "expected \(T.self), found \(value.kindName)"))
    }
    switch type {
    case is Bool.Type:
        guard case .bool(let b) = value, let r = b as? T else { throw mismatch() }
        return r
    case is String.Type:
        guard case .string(let s) = value, let r = s as? T else { throw mismatch() }
        return r
    case is Double.Type:
        guard let d = value.doubleValue, let r = d as? T else { throw mismatch() }
        return r
    case is Float.Type:
        guard let d = value.doubleValue, let r = Float(d) as? T else { throw mismatch() }
        return r
    default:
        throw mismatch()
    }
}

func decodeInteger<T: FixedWidthInteger>(_ type: T.Type, from value: OCPPJSON, codingPath: [any CodingKey]) throws -> T {
    switch value {
    case .int(let i):
        guard let r = T(exactly: i) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(i) does not fit \(T.self)"))
        }
        return r
    case .double(let d):
        guard let r = T(exactly: d) else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "expected an integer, found \(d)"))
        }
        return r
    default:
        throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "expected an integer, found \(value.kindName)"))
    }
}

func decodeGeneric<T: Decodable>(_ type: T.Type, from value: OCPPJSON, codingPath: [any CodingKey]) throws -> T {
    if let same = value as? T { return same }
    return try T(from: ValueDecoder(value: value, codingPath: codingPath))
}

struct KeyedValueDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: OCPPJSON]
    var codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func value(_ key: Key) throws -> OCPPJSON {
        guard let v = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required property \"\(key.stringValue)\" is missing"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let v = members[key.stringValue] else { return true }
        if case .null = v { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeScalar(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeScalar(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeScalar(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeScalar(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeInteger(type, from: value(key), codingPath: codingPath + [key]) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeGeneric(type, from: value(key), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: members["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

struct UnkeyedValueDecoder: UnkeyedDecodingContainer {
    let items: [OCPPJSON]
    var codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [OCPPJSON], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next<T>(_ type: T.Type) throws -> (OCPPJSON, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath, debugDescription: "array has no more elements"))
        }
        let path = codingPath + [AnyCodingKey(intValue: currentIndex)]
        let v = items[currentIndex]
        currentIndex += 1
        return (v, path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if case .null = items[currentIndex] { currentIndex += 1; return true }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, p) = try next(type); return try decodeScalar(type, from: v, codingPath: p) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, p) = try next(type); return try decodeScalar(type, from: v, codingPath: p) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, p) = try next(type); return try decodeScalar(type, from: v, codingPath: p) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, p) = try next(type); return try decodeScalar(type, from: v, codingPath: p) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, p) = try next(type); return try decodeInteger(type, from: v, codingPath: p) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, p) = try next(type)
        return try decodeGeneric(type, from: v, codingPath: p)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next([String: OCPPJSON].self)
        return try ValueDecoder(value: v, codingPath: p).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, p) = try next([OCPPJSON].self)
        return try ValueDecoder(value: v, codingPath: p).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, p) = try next(OCPPJSON.self)
        return ValueDecoder(value: v, codingPath: p)
    }
}

struct SingleValueDecoder: SingleValueDecodingContainer {
    let value: OCPPJSON
    var codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try decodeScalar(type, from: value, codingPath: codingPath) }
    func decode(_ type: String.Type) throws -> String { try decodeScalar(type, from: value, codingPath: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try decodeScalar(type, from: value, codingPath: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try decodeScalar(type, from: value, codingPath: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeInteger(type, from: value, codingPath: codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeGeneric(type, from: value, codingPath: codingPath) }
}

// OCPPJSON itself is Codable so it can sit inside payload structs, and so other encoders
// (JSONEncoder in tests or tools) can carry it too.
extension OCPPJSON: Codable {
    public init(from decoder: any Decoder) throws {
        if let direct = decoder as? ValueDecoder {
            self = direct.value
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([OCPPJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: OCPPJSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
