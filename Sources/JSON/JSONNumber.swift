/// A JSON number, kept as it was written.
///
/// A parsed number keeps its literal text (`30`, `0.50`, `1e3`), so a document written back
/// spells its numbers as the user did. A number made from an `Int` or a `Double` has the
/// canonical text: integers as digits, integral doubles within the `Int64` range without a
/// fraction (`230`), other doubles in their shortest round-tripping form (`229.7`, `1e-05`).
///
/// The value of a number is the decimal value of its text. Integers are exact over the whole
/// `Int64` range, beyond 2^53 (`int64`, `int`); `double` is the nearest `Double`. Equality and
/// hashing go by value: `1`, `1.0` and `1e0` are equal, `0.1` and `0.10` too.
public struct JSONNumber: Sendable {
    @usableFromInline
    enum Storage: Sendable {
        /// An integer whose text is exactly `String(value)`.
        case int(Int64)
        /// A number made from a `Double`; NaN and infinities (which JSON cannot express) are
        /// written as `null`.
        case double(Double)
        /// Valid JSON number text that is not the canonical spelling of an `Int64`.
        case literal(String)
    }

    @usableFromInline
    var storage: Storage

    @inlinable
    init(storage: Storage) { self.storage = storage }

    @inlinable
    public init(_ value: Int) { storage = .int(Int64(value)) }

    @inlinable
    public init(_ value: Int64) { storage = .int(value) }

    /// Any integer; values beyond the `Int64` range keep all their digits.
    public init(_ value: some BinaryInteger) {
        if let exact = Int64(exactly: value) {
            storage = .int(exact)
        } else {
            storage = .literal(String(value))
        }
    }

    /// A double. NaN and infinities cannot be written as JSON numbers: they are written as
    /// `null` (use `isFinite` to refuse them first).
    @inlinable
    public init(_ value: Double) { storage = .double(value) }

    /// The number that `text` spells; nil when `text` is not a JSON number (RFC 8259 §6:
    /// no leading `+`, no leading zeros, digits on both sides of `.`, no `NaN`).
    public init?(text: String) {
        var text = text
        let valid = text.withUTF8 { JSONNumber.isValidLiteral($0) }
        guard valid else { return nil }
        self = JSONNumber(validLiteral: text)
    }

    /// From text already checked against the grammar.
    init(validLiteral text: String) {
        if let value = Int64(text), String(value) == text {
            storage = .int(value)
        } else {
            storage = .literal(text)
        }
    }

    static func isValidLiteral(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerDigits = digits()
        guard integerDigits > 0 else { return false }
        if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") { return false }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }

    // MARK: Text

    /// The number as it is written in JSON: the parsed literal, or the canonical text. A
    /// non-finite double is `null`.
    public var text: String {
        switch storage {
        case .int(let value): return String(value)
        case .double(let value): return Self.canonicalText(value)
        case .literal(let text): return text
        }
    }

    static func canonicalText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if let integer = Self.exactInt64(value) { return String(integer) }
        return value.description  // shortest round-tripping form: 229.7, 1e-05, 1.5e+20
    }

    /// The `Int64` equal to an integral double, when there is one.
    @inlinable
    static func exactInt64(_ value: Double) -> Int64? {
        guard value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0,
              value.rounded(.towardZero) == value else { return nil }
        return Int64(value)
    }

    // MARK: Values

    /// Whether the number is finite (only a number made from a NaN or infinite `Double` is not).
    public var isFinite: Bool {
        if case .double(let value) = storage { return value.isFinite }
        return true
    }

    /// The number as an `Int64`, when it is an integer (whatever its spelling: `3`, `3.0`,
    /// `3e0`) within range; exact.
    @inlinable
    public var int64: Int64? {
        switch storage {
        case .int(let value): return value
        case .double(let value): return Self.exactInt64(value)
        case .literal(let text): return DecimalText(text).int64
        }
    }

    /// The number as an `Int`, when it is an integer within range; exact.
    @inlinable
    public var int: Int? {
        if case .int(let value) = storage { return Int(exactly: value) }
        return int64.flatMap { Int(exactly: $0) }
    }

    /// The number as a `UInt64`, when it is a non-negative integer within range; exact.
    public var uint64: UInt64? {
        switch storage {
        case .int(let value): return UInt64(exactly: value)
        case .double(let value): return UInt64(exactly: value)
        case .literal(let text): return DecimalText(text).uint64
        }
    }

    /// The nearest `Double` (infinite when the literal is beyond the `Double` range).
    @inlinable
    public var double: Double {
        switch storage {
        case .int(let value): return Double(value)
        case .double(let value): return value
        case .literal(let text): return Double(text) ?? .nan
        }
    }

    /// Whether the value is an integer (`3`, `3.0`, `3e2`), of any size.
    public var isInteger: Bool {
        switch storage {
        case .int: return true
        case .double(let value): return value.isFinite && value.rounded(.towardZero) == value
        case .literal(let text): return DecimalText(text).exponent >= 0
        }
    }

    /// Whether the text is an integer literal (digits only, no fraction or exponent): what
    /// a schema's `integer` type means on the wire.
    public var isIntegerLiteral: Bool {
        switch storage {
        case .int: return true
        case .double(let value): return Self.exactInt64(value) != nil
        case .literal(let text): return !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
        }
    }
}

// MARK: - Equality by value

extension JSONNumber: Hashable {
    public static func == (a: JSONNumber, b: JSONNumber) -> Bool {
        switch (a.storage, b.storage) {
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return exactInt64(y) == x
        default: return a.decimalText == b.decimalText
        }
    }

    public func hash(into hasher: inout Hasher) {
        if let integer = int64 {
            hasher.combine(integer)
        } else {
            hasher.combine(decimalText)
        }
    }

    /// The exact decimal value of the text.
    var decimalText: DecimalText {
        switch storage {
        case .int(let value): return DecimalText(String(value))
        case .double(let value): return DecimalText(Self.canonicalText(value))
        case .literal(let text): return DecimalText(text)
        }
    }

    /// A number's text reduced to sign, significant digits and exponent (value =
    /// digits × 10^exponent), so that equal values compare equal whatever their spelling.
    @usableFromInline
    struct DecimalText: Hashable {
        var negative = false
        /// Without leading or trailing zeros; empty for zero.
        var digits: [UInt8] = []
        var exponent = 0

        /// `text` is valid JSON number text (or `null`, which gives a NaN-like marker).
        @usableFromInline
        init(_ text: String) {
            var sawPoint = false
            var fractionDigits = 0
            var explicitExponent = 0
            var exponentNegative = false
            var inExponent = false
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "-"):
                    if inExponent { exponentNegative = true } else { negative = true }
                case UInt8(ascii: "+"): break
                case UInt8(ascii: "."): sawPoint = true
                case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let digit = byte - UInt8(ascii: "0")
                    if inExponent {
                        // Saturate: exponents beyond a billion only meet numbers that fit nothing.
                        explicitExponent = min(explicitExponent * 10 + Int(digit), 1_000_000_000)
                    } else {
                        if sawPoint { fractionDigits += 1 }
                        if digit != 0 || !digits.isEmpty { digits.append(digit) }
                    }
                default:
                    // "null": a non-finite double. Give it a value no number text has.
                    digits = [10]
                    return
                }
            }
            exponent = (exponentNegative ? -explicitExponent : explicitExponent) - fractionDigits
            while let last = digits.last, last == 0 {
                digits.removeLast()
                exponent += 1
            }
            if digits.isEmpty {
                negative = false
                exponent = 0
            }
        }

        @usableFromInline
        var uint64Magnitude: UInt64? {
            guard exponent >= 0, digits.count + exponent <= 20 else { return nil }
            var value: UInt64 = 0
            for digit in digits + Array(repeating: 0, count: exponent) {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
                guard !overflow1, !overflow2 else { return nil }
                value = sum
            }
            return value
        }

        @usableFromInline
        var int64: Int64? {
            guard let magnitude = uint64Magnitude else { return nil }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            return Int64(exactly: magnitude)
        }

        var uint64: UInt64? {
            guard let magnitude = uint64Magnitude else { return nil }
            if negative { return magnitude == 0 ? 0 : nil }
            return magnitude
        }
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
    public init(floatLiteral value: Double) { self.init(value) }
}

extension JSONNumber: CustomStringConvertible {
    public var description: String { text }
}
