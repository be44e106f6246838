import JSON

/// A JSON file chargekit reads from the user (a profile, a checklist template, an answers
/// file), parsed, with the means to say where any of its fields is written.
struct LocatedDocument {
    /// The path as the loader names it in messages.
    let file: String
    let bytes: [UInt8]
    let value: JSONValue
    let locations: [JSONPath: TextLocation]

    /// Parses `bytes` as a document of user input: a byte order mark is allowed (editors save
    /// one), nesting is bounded. A syntax error says its line and column.
    static func parse(_ bytes: [UInt8], file: String, maximumDepth: Int = 32) throws(JSONSyntaxError) -> LocatedDocument {
        let parsed = try JSONParser.parseWithLocations(bytes, options: JSONParser.Options(maximumDepth: maximumDepth, allowsByteOrderMark: true))
        return LocatedDocument(file: file, bytes: bytes, value: parsed.value, locations: parsed.locations)
    }

    /// The origin of the field at `path`: for an object member the start of its key (where
    /// the field is written), for an array element the start of the element.
    func origin(_ path: JSONPath) -> DocumentOrigin {
        DocumentOrigin(file: file, location: location(of: path), field: path.description)
    }

    func location(of path: JSONPath) -> TextLocation? {
        guard let valueLocation = locations[path] else { return nil }
        guard case .key = path.components.last, let valueOffset = offset(of: valueLocation),
              let keyOffset = keyStart(before: valueOffset) else { return valueLocation }
        return TextLocation(offset: keyOffset, in: bytes)
    }

    /// The byte offset of a line and column (columns count Unicode scalars).
    private func offset(of location: TextLocation) -> Int? {
        var index = 0
        var line = 1
        while line < location.line {
            guard let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            index = newline + 1
            line += 1
        }
        var column = 1
        while column < location.column, index < bytes.count {
            index += 1
            while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }
            column += 1
        }
        return index
    }

    /// The offset of the opening quote of the key whose value starts at `valueOffset`: back
    /// over whitespace, the colon, whitespace, to the string that ends there.
    private func keyStart(before valueOffset: Int) -> Int? {
        var index = valueOffset - 1
        func skipWhitespace() {
            while index >= 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index -= 1 }
        }
        skipWhitespace()
        guard index >= 0, bytes[index] == UInt8(ascii: ":") else { return nil }
        index -= 1
        skipWhitespace()
        guard index >= 0, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index -= 1
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "\"") {
                var backslashes = 0
                var before = index - 1
                while before >= 0, bytes[before] == UInt8(ascii: "\\") {
                    backslashes += 1
                    before -= 1
                }
                if backslashes % 2 == 0 { return index }
            }
            index -= 1
        }
        return nil
    }
}
