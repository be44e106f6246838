import Foundation
import JSON
import Testing

/// The strict parser: what it accepts, what it refuses, and where it says the problem is.
@Suite struct ParserTests {
    func parse(_ text: String, _ options: JSONParser.Options = JSONParser.Options()) throws -> JSONValue {
        try JSONValue(parsing: text, options: options)
    }

    func failure(_ text: String, _ options: JSONParser.Options = JSONParser.Options()) -> JSONSyntaxError? {
        do {
            _ = try JSONValue(parsing: text, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKindKeepingOrderAndNumberText() throws {
        let value = try parse(#"{"z": 1.50, "a": [true, false, null, -0, 1e-3], "s": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(object.keys == ["z", "a", "s"])
        #expect(object["z"]?.numberValue?.text == "1.50")
        #expect(object["a"] == [true, false, nil, 0, 0.001])
        #expect(object["a"]?[3]?.numberValue?.text == "-0")
        #expect(object["a"]?[4]?.numberValue?.text == "1e-3")
        #expect(object["s"] == .string("\"\\/\u{08}\u{0C}\n\r\té😀"))
    }

    @Test func parsesScalarsAtTheTopAndSurroundingWhitespace() throws {
        #expect(try parse(" \t\r\n42 \n") == 42)
        #expect(try parse("\"x\"") == "x")
        #expect(try parse("null") == nil)
        #expect(try parse("true") == true)
        #expect(try parse("[]") == [])
        #expect(try parse("{}") == .emptyObject)
    }

    @Test func bytesDataAndStringGiveTheSameValue() throws {
        let text = #"{"a":[1,2.5,"é"],"b":{"c":null}}"#
        let fromString = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: Array(text.utf8)) == fromString)
        #expect(try JSONValue(parsing: Data(text.utf8)) == fromString)
        #expect(try JSONValue(parsing: Array(text.utf8)[...]) == fromString)
        #expect(try JSONParser.parse(text.utf8) == fromString)
    }

    @Test func errorsAreLocated() {
        let cases: [(String, Int, Int, Int, String)] = [
            ("", 0, 1, 1, "unexpected end of file, expected a value"),
            ("{\n  \"a\": 1,\n}", 12, 3, 1, "unexpected character '}', expected a string key"),
            ("{\"a\" 1}", 5, 1, 6, "unexpected character '1', expected ':'"),
            ("{\"a\": tru}", 9, 1, 10, "unexpected character '}', expected 'true'"),
            ("[1 2]", 3, 1, 4, "unexpected character '2', expected ',' or ']'"),
            ("{\"é\": x}", 7, 1, 7, "unexpected character 'x', expected a value"),
            ("{\"a\": 1} x", 9, 1, 10, "unexpected character 'x' after the document"),
            ("{\"a\": 01}", 7, 1, 8, "leading zero in a number"),
            ("{\"a\": \"x}", 6, 1, 7, "unterminated string"),
            ("{\"a\": \"\\q\"}", 7, 1, 8, "invalid escape sequence"),
            ("{\"a\": 1, \"a\": 2}", 9, 1, 10, "duplicate key \"a\""),
            ("// comment\n{}", 0, 1, 1, "unexpected character '/', expected a value"),
            ("{\"a\": \"\u{01}\"}", 7, 1, 8, "control character in a string (escape it)"),
            ("\"\\ud800\"", 1, 1, 2, "unpaired surrogate in \\u escape"),
            ("[1,]", 3, 1, 4, "unexpected character ']', expected a value"),
            ("{\"a\": 1,}", 8, 1, 9, "unexpected character '}', expected a string key"),
            ("\u{FEFF}{}", 0, 1, 1, "unexpected byte 0xEF, expected a value"),
        ]
        for (text, offset, line, column, reason) in cases {
            let error = failure(text)
            #expect(error?.offset == offset, "\(text)")
            #expect(error?.location == TextLocation(line: line, column: column), "\(text)")
            #expect(error?.reason == reason, "\(text)")
        }
        #expect(failure("[1,\n 2,]")?.description == "invalid JSON at 2:4 (byte 7): unexpected character ']', expected a value")
    }

    @Test(arguments: [
        "[", "{\"a\":}", "[1,]", "[1,,2]", "{\"a\":1,}", "{,}", "01", "-01", "+1", ".5", "1.", "1.e3", "1e", "1e+", "-",
        "NaN", "Infinity", "-Infinity", "nul", "True", "'a'", "{'a':1}", "{a:1}", "{1:2}", "[1] x", "[1] [2]",
        "\"abc", "\"\u{01}\"", "\"a\tb\"", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\"", "/* c */ 1", "[1] // c", "\u{00A0}1",
    ])
    func rejects(_ text: String) {
        #expect(failure(text) != nil, "accepted \(text)")
    }

    @Test func surrogatePairsAndEscapesDecode() throws {
        #expect(try parse(#""\ud83d\ude00""#) == "😀")
        #expect(try parse(#""\uD83D\uDE00""#) == "😀")
        #expect(try parse(#""\u0000""#) == "\u{0}")
        #expect(try parse(#""a\/b""#) == "a/b")
        // DEL and non-ASCII need no escape.
        #expect(try parse("\"\u{7F}é\"") == "\u{7F}é")
    }

    @Test func invalidUTF8InAStringIsAnError() {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0x61, 0xC3, 0x22], [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]] {
            do {
                _ = try JSONValue(parsing: bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(error.reason == "invalid UTF-8 in a string")
            }
        }
    }

    @Test func duplicateKeysAreRefusedAtEveryLevel() {
        #expect(failure(#"{"a": {"b": 1, "b": 1}}"#)?.reason == "duplicate key \"b\"")
        // The same key spelled with an escape is the same key.
        #expect(failure(#"{"a": 1, "\u0061": 2}"#)?.reason == "duplicate key \"a\"")
        // Past the size where objects get an index, too.
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        #expect(failure("{\(many), \"k7\": 0}")?.reason == "duplicate key \"k7\"")
        #expect(failure(#"[{"a": 1}, {"a": 2}]"#) == nil)
    }

    @Test func depthIsLimited() throws {
        let limit = JSONParser.Options().maximumDepth
        #expect(limit == 64)
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(failure(deepest) == nil)
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(failure(tooDeep)?.reason == "nested too deeply")
        #expect(failure(String(repeating: "{\"a\":", count: 100))?.reason == "nested too deeply")
        // Hostile input: no stack overflow, an error.
        #expect(failure(String(repeating: "[", count: 100_000))?.reason == "nested too deeply")
        #expect(failure(tooDeep, JSONParser.Options(maximumDepth: 100)) == nil)
    }

    @Test func byteOrderMarkOnlyWhenAllowed() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{}".utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: bytes) }
        #expect(try JSONValue(parsing: bytes, options: JSONParser.Options(allowsByteOrderMark: true)) == .emptyObject)
    }
}

/// `parseWithLocations`: where every value starts, by path.
@Suite struct LocationTests {
    @Test func everyValueIsLocatedByPath() throws {
        let text = """
            {
              "settings": {"heartbeatInterval": 30, "name": "é😀x"},
              "items": [
                {"id": 1},
                {"id": "two"}, [true]
              ]
            }
            """
        let (value, locations) = try JSONParser.parseWithLocations(Array(text.utf8))
        #expect(value == (try JSONValue(parsing: text)))
        #expect(locations[.root] == TextLocation(line: 1, column: 1))
        #expect(locations[["settings"]] == TextLocation(line: 2, column: 15))
        #expect(locations[["settings", "heartbeatInterval"]] == TextLocation(line: 2, column: 37))
        #expect(locations[["settings", "name"]] == TextLocation(line: 2, column: 49))
        #expect(locations[["items"]] == TextLocation(line: 3, column: 12))
        #expect(locations[["items", 0]] == TextLocation(line: 4, column: 5))
        #expect(locations[["items", 0, "id"]] == TextLocation(line: 4, column: 12))
        #expect(locations[["items", 1, "id"]] == TextLocation(line: 5, column: 12))
        #expect(locations[["items", 2]] == TextLocation(line: 5, column: 20))
        #expect(locations[["items", 2, 0]] == TextLocation(line: 5, column: 21))
        #expect(locations.count == 11)
        // Every path located leads to a value.
        for path in locations.keys { #expect(path.value(in: value) != nil, "\(path)") }
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let (_, locations) = try JSONParser.parseWithLocations(Array(#"{"é😀": "ü", "b": 1}"#.utf8))
        #expect(locations[["é😀"]] == TextLocation(line: 1, column: 8))
        #expect(locations[["b"]] == TextLocation(line: 1, column: 18))
    }

    @Test func errorsAreThrownAsWithoutLocations() {
        #expect(throws: JSONSyntaxError(offset: 8, location: TextLocation(line: 1, column: 9), reason: "unexpected character ']', expected a value")) {
            _ = try JSONParser.parseWithLocations(Array(#"{"a":[1,]}"#.utf8))
        }
    }

    @Test func pathsPrintAsPeopleWriteThem() {
        #expect(JSONPath.root.description == "")
        #expect(JSONPath.root.isRoot)
        #expect((["settings", "heartbeatInterval"] as JSONPath).description == "settings.heartbeatInterval")
        #expect((["items", 2, "id"] as JSONPath).description == "items[2].id")
        #expect(([3, 0] as JSONPath).description == "[3][0]")
        #expect((["token-file"] as JSONPath).description == "token-file")
        #expect((["labels", "a.b", "c d", ""] as JSONPath).description == #"labels["a.b"]["c d"][""]"#)
        #expect((["q\"uote"] as JSONPath).description == #"["q\"uote"]"#)
        #expect(JSONPath.root.appending(key: "items").appending(index: 1) == ["items", 1])
        #expect((["a", 1] as JSONPath) < ["a", 2])
        #expect((["a", 2] as JSONPath) < ["a", 10])
        #expect((["a"] as JSONPath) < ["a", 0])
    }
}
