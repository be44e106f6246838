/// Any JSON value.
///
/// One type for every JSON use in chargekit: config files (member order and number
/// spellings survive a rewrite), backend API payloads, and OCPP frames.
///
/// - Numbers are `JSONNumber`s: the literal text as parsed, exact integers over the `Int64`
///   range, equality by value (`1 == 1.0`).
/// - Objects are `JSONObject`s: ordered, keys unique, equality ignoring order.
/// - `null` is a value of its own, distinct from an absent member.
///
/// Text: `JSONValue(parsing:)` (strict RFC 8259), `jsonText` (compact, keys sorted),
/// `formatted()` (pretty, keys in order), `text(_:)` for the other combinations.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// An empty object, `{}`.
    public static var emptyObject: JSONValue { .object(JSONObject()) }
}

// MARK: - Accessors

extension JSONValue {
    /// The member `key` of an object; nil when absent or when this is not an object.
    @inlinable
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    @inlinable
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    @inlinable
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    @inlinable
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    @inlinable
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as the nearest `Double`.
    @inlinable
    public var doubleValue: Double? {
        if case .number(let value) = self { return value.double }
        return nil
    }

    /// The number as an `Int` when it is an integer (`3`, `3.0`) that fits; exact.
    @inlinable
    public var intValue: Int? {
        if case .number(let value) = self { return value.int }
        return nil
    }

    /// The number as an `Int64` when it is an integer that fits; exact.
    @inlinable
    public var int64Value: Int64? {
        if case .number(let value) = self { return value.int64 }
        return nil
    }

    @inlinable
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    @inlinable
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    @inlinable
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// A phrase for messages: "null", "a boolean", "a number", "a string", "an array",
    /// "an object".
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

// MARK: - Construction

extension JSONValue {
    @inlinable
    public init(_ value: Bool) { self = .bool(value) }

    @inlinable
    public init(_ value: Int) { self = .number(JSONNumber(value)) }

    /// NaN and infinities are written as `null` (JSON has no such numbers).
    @inlinable
    public init(_ value: Double) { self = .number(JSONNumber(value)) }

    @inlinable
    public init(_ value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = .number(JSONNumber(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// A repeated key keeps its first position and its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text, keys sorted (`jsonText`).
    public var description: String { jsonText }
}
