/// Writes JSON text: compact or pretty (two-space indent, for files people edit), object
/// keys in their stored order or sorted (deterministic bytes for OCPP frames and
/// comparisons).
///
/// Strings escape `"`, `\` and control characters (`\n`, `\t`… or `\u001f`; also DEL as
/// `\u007f`), and nothing else: `/` stays `/` and non-ASCII is written as UTF-8. Numbers are
/// written as their text (the parsed literal or the canonical form); a non-finite double,
/// which JSON cannot express, as `null`.
public enum JSONWriter {
    public struct Options: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Newlines and two-space indentation, `"key": value`.
        public static let prettyPrinted = Options(rawValue: 1 << 0)
        /// Object keys in ascending order rather than as stored.
        public static let sortedKeys = Options(rawValue: 1 << 1)
    }

    /// The UTF-8 text of `value`.
    public static func utf8(_ value: JSONValue, options: Options = []) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(value, options: options, indent: 0, to: &output)
        return output
    }

    /// The text of `value`.
    public static func text(_ value: JSONValue, options: Options = []) -> String {
        String(decoding: utf8(value, options: options), as: UTF8.self)
    }

    static func write(_ value: JSONValue, options: Options, indent: Int, to output: inout [UInt8]) {
        switch value {
        case .null: append("null", to: &output)
        case .bool(let flag): append(flag ? "true" : "false", to: &output)
        case .number(let number): appendNumber(number, to: &output)
        case .string(let text): appendString(text, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else { append("[]", to: &output); return }
            output.append(UInt8(ascii: "["))
            let pretty = options.contains(.prettyPrinted)
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1, to: &output) }
                write(element, options: options, indent: indent + 1, to: &output)
            }
            if pretty { newline(indent, to: &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else { append("{}", to: &output); return }
            output.append(UInt8(ascii: "{"))
            let pretty = options.contains(.prettyPrinted)
            let members = object.members
            func writeMember(_ position: Int, _ member: JSONObject.Member) {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { newline(indent + 1, to: &output) }
                appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                write(member.value, options: options, indent: indent + 1, to: &output)
            }
            if options.contains(.sortedKeys) {
                // Sort positions, not members: no copy of the members, and on the stack for
                // objects of ordinary size.
                withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
                    for position in 0..<members.count {
                        // Insertion sort: objects are small, and often nearly sorted already.
                        var slot = position
                        while slot > 0, members[position].key < members[order[slot - 1]].key {
                            order[slot] = order[slot - 1]
                            slot -= 1
                        }
                        order[slot] = position
                    }
                    for rank in 0..<members.count { writeMember(rank, members[order[rank]]) }
                }
            } else {
                for (position, member) in members.enumerated() { writeMember(position, member) }
            }
            if pretty { newline(indent, to: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func newline(_ indent: Int, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<indent {
            output.append(UInt8(ascii: " "))
            output.append(UInt8(ascii: " "))
        }
    }

    @inline(__always)
    static func append(_ literal: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    static func appendNumber(_ number: JSONNumber, to output: inout [UInt8]) {
        switch number.storage {
        case .int(let value): appendInteger(value, to: &output)
        case .double(let value):
            if let integer = JSONNumber.exactInt64(value) {
                appendInteger(integer, to: &output)
            } else {
                output.append(contentsOf: JSONNumber.canonicalText(value).utf8)
            }
        case .literal(let text): output.append(contentsOf: text.utf8)
        }
    }

    static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold any UInt64.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F
    }

    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let done: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where needsEscape(byte) { return false }
            output.append(contentsOf: utf8)
            return true
        }
        if done != true {
            for byte in text.utf8 {
                guard needsEscape(byte) else {
                    output.append(byte)
                    continue
                }
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                default:
                    output.append(UInt8(ascii: "u"))
                    output.append(UInt8(ascii: "0"))
                    output.append(UInt8(ascii: "0"))
                    output.append(hexDigit(byte >> 4))
                    output.append(hexDigit(byte & 0xF))
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Appends `text` as a JSON string literal to a `String`.
    static func appendString(_ text: String, to output: inout String) {
        var bytes: [UInt8] = []
        appendString(text, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }
}

extension JSONValue {
    /// Compact text with object keys sorted: the same value (whatever its member order)
    /// always gives the same text. What goes into an OCPP frame and `description`.
    public var jsonText: String { JSONWriter.text(self, options: .sortedKeys) }

    /// The text written with `options` (default: compact, keys as stored).
    public func text(_ options: JSONWriter.Options = []) -> String {
        JSONWriter.text(self, options: options)
    }

    /// Pretty text (two-space indent, keys in their stored order) with a final newline:
    /// for files people edit.
    public func formatted() -> String {
        JSONWriter.text(self, options: .prettyPrinted) + "\n"
    }
}
