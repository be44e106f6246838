import Foundation

/// Decodes `Decodable` values straight from `JSONValue`, without a detour through text.
///
/// - A missing key and `null` both read as nil for optionals; a missing required property is
///   `DecodingError.keyNotFound`, a value of the wrong JSON type `typeMismatch`, an integer
///   that does not fit the type `dataCorrupted`.
/// - Integers are exact (`Int64`, `UInt64` over their whole range); `3.0` and `3e0` are the
///   integer 3, `3.5` is no integer.
/// - `JSONValue` properties take the value as it is.
/// - `Date` follows `dateDecodingStrategy`; `URL` reads a string; `Data` reads Base64.
public struct JSONValueDecoder: Sendable {
    public enum DateDecodingStrategy: Sendable {
        /// `Date`'s own `Codable` (seconds since 2001-01-01 as a number), like `JSONDecoder`.
        case deferredToDate
        case secondsSince1970
        case millisecondsSince1970
        /// The closure reads the date from the value; an error it throws becomes
        /// `DecodingError.dataCorrupted` at the value's coding path.
        case custom(@Sendable (JSONValue) throws -> Date)
    }

    public var dateDecodingStrategy: DateDecodingStrategy
    public var userInfo: [CodingUserInfoKey: any Sendable]

    public init(dateDecodingStrategy: DateDecodingStrategy = .deferredToDate,
                userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.dateDecodingStrategy = dateDecodingStrategy
        self.userInfo = userInfo
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if T.self == JSONValue.self, let same = value as? T { return same }
        return try ValueDecoder(value: value, options: self, parent: nil, key: nil).decodeGeneric(type)
    }
}

/// The decoder of one value; also a link of the coding path (built only when asked for).
final class ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let options: JSONValueDecoder
    let parent: ValueDecoder?
    let key: (any CodingKey)?

    init(value: JSONValue, options: JSONValueDecoder, parent: ValueDecoder?, key: (any CodingKey)?) {
        self.value = value
        self.options = options
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var link: ValueDecoder? = self
        while let current = link {
            if let key = current.key { path.append(key) }
            link = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func child(_ value: JSONValue, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, options: options, parent: self, key: key)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let object) = value else {
            throw DecodingError.typeMismatch(JSONObject.self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.kindDescription)"))
        }
        return KeyedDecodingContainer(KeyedValueDecoder<Key>(object: object, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw DecodingError.typeMismatch([JSONValue].self, .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.kindDescription)"))
        }
        return UnkeyedValueDecoder(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single value

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try Scalar.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalar.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalar.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Scalar.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalar.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalar.integer(type, value, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeGeneric(type) }

    /// Decodes this value as `type`; the types JSON has an opinion on first.
    func decodeGeneric<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self, let same = value as? T { return same }
        if T.self == Date.self, let date = try decodeDate() as? T { return date }
        if T.self == URL.self {
            let text = try Scalar.string(value, codingPath)
            guard let url = URL(string: text) as? T else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\"\(text)\" is not a URL"))
            }
            return url
        }
        if T.self == Data.self {
            let text = try Scalar.string(value, codingPath)
            guard let data = Data(base64Encoded: text) as? T else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not Base64"))
            }
            return data
        }
        return try T(from: self)
    }

    private func decodeDate() throws -> Date {
        switch options.dateDecodingStrategy {
        case .deferredToDate: return try Date(from: self)
        case .secondsSince1970: return Date(timeIntervalSince1970: try Scalar.double(value, codingPath))
        case .millisecondsSince1970: return Date(timeIntervalSince1970: try Scalar.double(value, codingPath) / 1000)
        case .custom(let body):
            do {
                return try body(value)
            } catch let error as DecodingError {
                throw error
            } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(error)", underlyingError: error))
            }
        }
    }
}

/// Scalars out of values, with the errors `JSONValueDecoder` documents.
enum Scalar {
    static func mismatch<T>(_ type: T.Type, _ what: String, _ value: JSONValue, _ codingPath: [any CodingKey]) -> DecodingError {
        .typeMismatch(T.self, .init(codingPath: codingPath, debugDescription: "expected \(what), found \(value.kindDescription)"))
    }

    @inline(__always)
    static func bool(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, "a boolean", value, codingPath()) }
        return flag
    }

    @inline(__always)
    static func string(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, "a string", value, codingPath()) }
        return text
    }

    @inline(__always)
    static func double(_ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(Double.self, "a number", value, codingPath()) }
        return number.double
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> T {
        guard case .number(let number) = value else { throw mismatch(T.self, "an integer", value, codingPath()) }
        if case .int(let integer) = number.storage {
            // An integer literal that does not fit the type: a value out of range.
            guard let result = T(exactly: integer) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath(), debugDescription: "\(integer) does not fit \(T.self)"))
            }
            return result
        }
        if let integer = number.int64, let result = T(exactly: integer) { return result }
        if let integer = number.uint64, let result = T(exactly: integer) { return result }
        throw DecodingError.typeMismatch(T.self, .init(codingPath: codingPath(), debugDescription: "expected \(T.self), found \(number.text)"))
    }
}

struct KeyedValueDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: JSONObject
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { object.members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { object.position(of: key.stringValue) != nil }

    @inline(__always)
    private func value(_ key: Key) throws -> JSONValue {
        guard let position = object.position(of: key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "required property \"\(key.stringValue)\" is missing"))
        }
        return object.members[position].value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let position = object.position(of: key.stringValue) else { return true }
        return object.members[position].value.isNull
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalar.bool(value(key), codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalar.string(value(key), codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalar.double(value(key), codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try Scalar.double(value(key), codingPath + [key])) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Scalar.integer(type, value(key), codingPath + [key]) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.child(value(key), key).decodeGeneric(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(value(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(value(key), key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(object["super"] ?? .null, AnyCodingKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(object[key.stringValue] ?? .null, key)
    }
}

struct UnkeyedValueDecoder: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: ValueDecoder
    var currentIndex = 0

    init(elements: [JSONValue], decoder: ValueDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, AnyCodingKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath + [AnyCodingKey(intValue: currentIndex)],
                                                            debugDescription: "the array has no more elements"))
        }
        let key = AnyCodingKey(intValue: currentIndex)
        let value = elements[currentIndex]
        currentIndex += 1
        return (value, key)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if elements[currentIndex].isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (v, k) = try next(type); return try Scalar.bool(v, codingPath + [k]) }
    mutating func decode(_ type: String.Type) throws -> String { let (v, k) = try next(type); return try Scalar.string(v, codingPath + [k]) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (v, k) = try next(type); return try Scalar.double(v, codingPath + [k]) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (v, k) = try next(type); return Float(try Scalar.double(v, codingPath + [k])) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (v, k) = try next(type); return try Scalar.integer(type, v, codingPath + [k]) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, k) = try next(type)
        return try decoder.child(v, k).decodeGeneric(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, k) = try next(JSONObject.self)
        return try decoder.child(v, k).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, k) = try next([JSONValue].self)
        return try decoder.child(v, k).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, k) = try next(JSONValue.self)
        return decoder.child(v, k)
    }
}
