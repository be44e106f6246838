import Foundation

/// A 1-based line and column in a text (columns count Unicode scalars, as editors do).
public struct TextLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The location of byte `offset` in UTF-8 text.
    public init(offset: Int, in bytes: some Sequence<UInt8>) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        self.init(line: line, column: column)
    }

    public static func < (a: TextLocation, b: TextLocation) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// Why a text is not JSON: what is wrong, at which byte and where that is.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Byte offset into the UTF-8 text.
    public let offset: Int
    public let location: TextLocation
    /// What is wrong: "unexpected character '}', expected a string key", "duplicate key \"a\""…
    public let reason: String

    public init(offset: Int, location: TextLocation, reason: String) {
        self.offset = offset
        self.location = location
        self.reason = reason
    }

    /// `invalid JSON at 3:1 (byte 14): unexpected character '}', expected a string key`.
    public var description: String { "invalid JSON at \(location) (byte \(offset)): \(reason)" }
}

/// Where a value sits in a document: keys and indexes from the top, printed as people write
/// them (`settings.heartbeatInterval`, `items[2].id`, `headers["Content-Type"]`).
public struct JSONPath: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public enum Component: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)

        public init(stringLiteral value: String) { self = .key(value) }
        public init(integerLiteral value: Int) { self = .index(value) }
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }
    public init(arrayLiteral components: Component...) { self.components = components }

    /// The document itself.
    public static var root: JSONPath { JSONPath() }

    public var isRoot: Bool { components.isEmpty }

    public func appending(key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    public func appending(index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }

    /// The value at this path in `value`, if there is one.
    public func value(in value: JSONValue) -> JSONValue? {
        var current = value
        for component in components {
            switch component {
            case .key(let key): guard let next = current[key] else { return nil }; current = next
            case .index(let index): guard let next = current[index] else { return nil }; current = next
            }
        }
        return current
    }

    /// `settings.heartbeatInterval`, `items[2].id`; keys that are not plain words in
    /// brackets as JSON strings (`labels["a.b"]`); the root is the empty string.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
                    switch byte {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                         UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
                    default: false
                    }
                }
                if plain {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    text += "["
                    JSONWriter.appendString(key, to: &text)
                    text += "]"
                }
            }
        }
        return text
    }

    /// Document order for sibling indexes, then by key text.
    public static func < (a: JSONPath, b: JSONPath) -> Bool {
        for (x, y) in zip(a.components, b.components) where x != y {
            switch (x, y) {
            case (.index(let i), .index(let j)): return i < j
            case (.key(let k), .key(let l)): return k < l
            case (.index, .key): return true
            case (.key, .index): return false
            }
        }
        return a.components.count < b.components.count
    }
}

/// A strict RFC 8259 parser.
///
/// No comments, no trailing commas, no leading zeros or `+`, no unescaped control characters
/// in strings, no lone surrogates in `\u` escapes, no invalid UTF-8, no duplicate keys in an
/// object (a config file or profile must not silently take the last), nothing after the
/// value but whitespace, and nesting at most `maximumDepth` deep (a hostile frame must not
/// exhaust the stack). Every error names its byte offset, line and column.
public enum JSONParser {
    public struct Options: Sendable, Hashable {
        /// How many arrays and objects may nest; deeper is an error.
        public var maximumDepth: Int
        /// Whether a leading UTF-8 byte order mark is skipped (files written by some editors
        /// have one) rather than an error.
        public var allowsByteOrderMark: Bool

        public init(maximumDepth: Int = 64, allowsByteOrderMark: Bool = false) {
            self.maximumDepth = maximumDepth
            self.allowsByteOrderMark = allowsByteOrderMark
        }
    }

    /// Parses one JSON text in UTF-8.
    public static func parse(_ bytes: some Collection<UInt8>, options: Options = Options()) throws(JSONSyntaxError) -> JSONValue {
        try withBuffer(bytes) { (buffer) throws(JSONSyntaxError) -> JSONValue in
            var core = Core(bytes: buffer, options: options, recordsLocations: false)
            return try core.parseDocument()
        }
    }

    /// Parses one JSON text and says where every value in it starts, by path: the root is
    /// `JSONPath.root`, a member `settings.heartbeatInterval`, an element `items[2]`.
    public static func parseWithLocations(_ bytes: some Collection<UInt8>, options: Options = Options())
        throws(JSONSyntaxError) -> (value: JSONValue, locations: [JSONPath: TextLocation])
    {
        try withBuffer(bytes) { (buffer) throws(JSONSyntaxError) -> (value: JSONValue, locations: [JSONPath: TextLocation]) in
            var core = Core(bytes: buffer, options: options, recordsLocations: true)
            let value = try core.parseDocument()
            // Values are met in document order, so one pass over the text locates them all.
            var locations: [JSONPath: TextLocation] = [:]
            locations.reserveCapacity(core.recorded.count)
            var line = 1
            var column = 1
            var position = 0
            for (path, offset) in core.recorded {
                while position < offset {
                    let byte = buffer[position]
                    if byte == UInt8(ascii: "\n") {
                        line += 1
                        column = 1
                    } else if byte & 0xC0 != 0x80 {
                        column += 1
                    }
                    position += 1
                }
                locations[path] = TextLocation(line: line, column: column)
            }
            return (value, locations)
        }
    }

    static func withBuffer<Result>(_ bytes: some Collection<UInt8>,
                                   _ body: (UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> Result) throws(JSONSyntaxError) -> Result {
        let outcome: Swift.Result<Result, JSONSyntaxError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Swift.Result { () throws(JSONSyntaxError) -> Result in try body(buffer) }
        }
        if let outcome { return try outcome.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Swift.Result { () throws(JSONSyntaxError) -> Result in try body(buffer) }
        }.get()
    }

    struct Core {
        let bytes: UnsafeBufferPointer<UInt8>
        let options: Options
        var index = 0
        var depth = 0
        let recordsLocations: Bool
        /// With `recordsLocations`: the path being parsed and where each value started.
        var path: [JSONPath.Component] = []
        var recorded: [(JSONPath, Int)] = []

        init(bytes: UnsafeBufferPointer<UInt8>, options: Options, recordsLocations: Bool) {
            self.bytes = bytes
            self.options = options
            self.recordsLocations = recordsLocations
        }

        mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
            index = 0
            if options.allowsByteOrderMark, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                index = 3
            }
            skipWhitespace()
            let value = try parseValue()
            skipWhitespace()
            if index < bytes.count { throw error("unexpected \(describeCurrent()) after the document") }
            return value
        }

        @inline(__always)
        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        @inline(__always)
        func peek(_ byte: UInt8) -> Bool {
            index < bytes.count && bytes[index] == byte
        }

        mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
            guard index < bytes.count else { throw error("unexpected end of file, expected a value") }
            if recordsLocations { recorded.append((JSONPath(path), index)) }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject()
            case UInt8(ascii: "["): return try parseArray()
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected \(describeCurrent()), expected a value")
            }
        }

        mutating func enter() throws(JSONSyntaxError) {
            depth += 1
            if depth > options.maximumDepth { throw error("nested too deeply") }
        }

        mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
            try enter()
            index += 1
            var object = JSONObject()
            skipWhitespace()
            if peek(UInt8(ascii: "}")) {
                index += 1
                depth -= 1
                return .object(object)
            }
            while true {
                skipWhitespace()
                guard peek(UInt8(ascii: "\"")) else { throw error("unexpected \(describeCurrent()), expected a string key") }
                let keyOffset = index
                let key = try parseString()
                if object.position(of: key) != nil {
                    throw error("duplicate key \"\(key)\"", at: keyOffset)
                }
                skipWhitespace()
                guard peek(UInt8(ascii: ":")) else { throw error("unexpected \(describeCurrent()), expected ':'") }
                index += 1
                skipWhitespace()
                if recordsLocations { path.append(.key(key)) }
                let value = try parseValue()
                if recordsLocations { path.removeLast() }
                object.appendUnique(key, value)
                skipWhitespace()
                if peek(UInt8(ascii: ",")) {
                    index += 1
                    continue
                }
                if peek(UInt8(ascii: "}")) {
                    index += 1
                    depth -= 1
                    return .object(object)
                }
                throw error("unexpected \(describeCurrent()), expected ',' or '}'")
            }
        }

        mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
            try enter()
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek(UInt8(ascii: "]")) {
                index += 1
                depth -= 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                if recordsLocations { path.append(.index(elements.count)) }
                elements.append(try parseValue())
                if recordsLocations { path.removeLast() }
                skipWhitespace()
                if peek(UInt8(ascii: ",")) {
                    index += 1
                    continue
                }
                if peek(UInt8(ascii: "]")) {
                    index += 1
                    depth -= 1
                    return .array(elements)
                }
                throw error("unexpected \(describeCurrent()), expected ',' or ']'")
            }
        }

        /// The string starting at the opening quote under `index`.
        mutating func parseString() throws(JSONSyntaxError) -> String {
            let start = index
            index += 1
            var runStart = index
            // Fast path: no escapes, and for pure ASCII no UTF-8 validation either.
            var allBits: UInt8 = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
                    let text = allBits < 0x80 ? String(decoding: run, as: UTF8.self) : try validated(runStart, index)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("control character in a string (escape it)") }
                allBits |= byte
                index += 1
            }
            var utf8: [UInt8] = []
            utf8.reserveCapacity(index - runStart + 16)
            while true {
                guard index < bytes.count else { throw error("unterminated string", at: start) }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    if runStart < index {
                        let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
                        guard String(validating: run, as: UTF8.self) != nil else {
                            throw error("invalid UTF-8 in a string", at: runStart)
                        }
                        utf8.append(contentsOf: run)
                    }
                    if byte == UInt8(ascii: "\"") {
                        index += 1
                        return String(decoding: utf8, as: UTF8.self)
                    }
                    index += 1
                    guard index < bytes.count else { throw error("unexpected end of file in an escape") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                    case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                    case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        let scalar = try parseUnicodeEscape()
                        utf8.append(contentsOf: scalar.utf8)
                    default:
                        index -= 2
                        throw error("invalid escape sequence")
                    }
                    runStart = index
                    continue
                }
                if byte < 0x20 { throw error("control character in a string (escape it)") }
                index += 1
            }
        }

        func validated(_ start: Int, _ end: Int) throws(JSONSyntaxError) -> String {
            guard start < end else { return "" }
            guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self) else {
                throw error("invalid UTF-8 in a string", at: start)
            }
            return text
        }

        /// After `\u`: four hex digits, and for a high surrogate the `\u` low surrogate after it.
        mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
            let escapeStart = index - 2
            let first = try parseHex4()
            if (0xD800...0xDBFF).contains(first) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired surrogate in \\u escape", at: escapeStart)
                }
                index += 2
                let second = try parseHex4()
                guard (0xDC00...0xDFFF).contains(second),
                      let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)) else {
                    throw error("invalid surrogate pair in \\u escape", at: escapeStart)
                }
                return scalar
            }
            guard let scalar = Unicode.Scalar(first) else {
                throw error("unpaired surrogate in \\u escape", at: escapeStart)
            }
            return scalar
        }

        mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard index < bytes.count else { throw error("expected four hex digits in \\u escape") }
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error("expected four hex digits in \\u escape")
                }
                value = value * 16 + digit
                index += 1
            }
            return value
        }

        @inline(__always)
        func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

        mutating func parseNumber() throws(JSONSyntaxError) -> JSONNumber {
            let start = index
            let negative = peek(UInt8(ascii: "-"))
            if negative { index += 1 }
            var magnitude: UInt64 = 0
            let digitsStart = index
            if peek(UInt8(ascii: "0")) {
                index += 1
                if index < bytes.count, isDigit(bytes[index]) { throw error("leading zero in a number") }
            } else {
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit") }
                while index < bytes.count, isDigit(bytes[index]) {
                    // Wraps past 19 digits; only used below when there are at most 18.
                    magnitude = magnitude &* 10 &+ UInt64(bytes[index] &- UInt8(ascii: "0"))
                    index += 1
                }
            }
            let integerDigits = index - digitsStart
            var isInteger = true
            if peek(UInt8(ascii: ".")) {
                isInteger = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit after '.'") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                isInteger = false
                index += 1
                if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
                guard index < bytes.count, isDigit(bytes[index]) else { throw error("expected a digit in the exponent") }
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            }
            // The common case, a plain integer of up to 18 digits: no text kept, its digits are
            // its canonical spelling. "-0" is not ("0" is), so it keeps its text.
            if isInteger, integerDigits <= 18, !(negative && magnitude == 0) {
                return JSONNumber(storage: .int(negative ? -Int64(magnitude) : Int64(magnitude)))
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            return JSONNumber(validLiteral: text)
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
            let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            for byte in expected {
                guard index < bytes.count, bytes[index] == byte else {
                    throw error("unexpected \(describeCurrent()), expected '\(literal)'")
                }
                index += 1
            }
        }

        func describeCurrent() -> String {
            guard index < bytes.count else { return "end of file" }
            let byte = bytes[index]
            if byte >= 0x21 && byte < 0x7F { return "character '\(Character(Unicode.Scalar(byte)))'" }
            let hex = String(byte, radix: 16, uppercase: true)
            return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
        }

        func error(_ reason: String, at offset: Int? = nil) -> JSONSyntaxError {
            let offset = offset ?? index
            return JSONSyntaxError(offset: offset, location: TextLocation(offset: offset, in: bytes), reason: reason)
        }
    }
}

extension JSONObject {
    /// Appends a member whose key the caller knows is new.
    @inlinable
    mutating func appendUnique(_ key: String, _ value: JSONValue) {
        members.append((key, value))
        if index != nil {
            index?[key] = members.count - 1
        } else if members.count > Self.indexThreshold {
            rebuildIndex()
        }
    }
}

extension JSONValue {
    /// Parses one JSON text (strict RFC 8259, see `JSONParser`).
    public init(parsing text: String, options: JSONParser.Options = JSONParser.Options()) throws(JSONSyntaxError) {
        self = try JSONParser.parse(text.utf8, options: options)
    }

    /// Parses one JSON text in UTF-8 (`[UInt8]`, `Data`, a slice…).
    public init(parsing bytes: some Collection<UInt8>, options: JSONParser.Options = JSONParser.Options()) throws(JSONSyntaxError) {
        self = try JSONParser.parse(bytes, options: options)
    }
}
