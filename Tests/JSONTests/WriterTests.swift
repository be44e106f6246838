import JSON
import Testing

/// The writer: layouts, key order, escaping.
@Suite struct WriterTests {
    let value: JSONValue = ["b": "x\ny", "a": [1, [:], []], "e": [], "c": ["z": nil, "y": 1.50]]

    @Test func compactKeepsOrSortsKeys() {
        #expect(value.text() == #"{"b":"x\ny","a":[1,{},[]],"e":[],"c":{"z":null,"y":1.5}}"#)
        #expect(value.text(.sortedKeys) == #"{"a":[1,{},[]],"b":"x\ny","c":{"y":1.5,"z":null},"e":[]}"#)
        #expect(value.jsonText == value.text(.sortedKeys))
    }

    @Test func prettyUsesTwoSpacesAndKeepsOrder() {
        let pretty = """
            {
              "b": "x\\ny",
              "a": [
                1,
                {},
                []
              ],
              "e": [],
              "c": {
                "z": null,
                "y": 1.5
              }
            }

            """
        #expect(value.formatted() == pretty)
        #expect(value.text(.prettyPrinted) + "\n" == pretty)
        #expect(value.text([.prettyPrinted, .sortedKeys]).hasPrefix("{\n  \"a\": [\n    1,"))
        #expect(JSONValue.string("\u{01}").formatted() == "\"\\u0001\"\n")
        #expect(JSONValue(3).formatted() == "3\n")
    }

    @Test func formattedTextRoundTripsExactly() throws {
        let text = "{\n  \"b\": \"x\\ny\",\n  \"a\": [\n    1.50,\n    {},\n    -0,\n    1E+3\n  ],\n  \"e\": []\n}\n"
        #expect(try JSONValue(parsing: text).formatted() == text)
    }

    @Test func sortedKeysSortsObjectsOfAnySize() throws {
        var object = JSONObject()
        for i in 0..<40 { object["k\(i * 7 % 40)"] = JSONValue(i) }
        let sorted = try JSONValue(parsing: JSONValue.object(object).text(.sortedKeys))
        #expect(sorted.objectValue?.keys == object.keys.sorted())
        #expect(sorted == .object(object))
        #expect(JSONValue.object(["é": 1, "e": 2, "Z": 3, "": 4]).jsonText == #"{"":4,"Z":3,"e":2,"é":1}"#)
    }

    @Test func escapesOnlyWhatJSONRequires() throws {
        let text = "q\" b\\ s/ n\n r\r t\t b\u{08} f\u{0C} nul\u{0} us\u{1F} del\u{7F} é 😀 \u{2028}"
        #expect(JSONValue.string(text).text()
                == #""q\" b\\ s/ n\n r\r t\t b\b f\f nul\u0000 us\u001f del\u007f é 😀 "# + "\u{2028}\"")
        #expect((["a/b": "é"] as JSONValue).text() == #"{"a/b":"é"}"#)
        // Whatever is written reads back the same.
        #expect(try JSONValue(parsing: JSONValue.string(text).text()) == .string(text))
    }

    @Test func numbersAreWrittenAsTheirText() throws {
        #expect(JSONValue(300).jsonText == "300")
        #expect(JSONValue(230.4).jsonText == "230.4")
        #expect(JSONValue(230.0).jsonText == "230")
        #expect(JSONValue(Double.nan).jsonText == "null")
        #expect(JSONValue(-Double.infinity).jsonText == "null")
        #expect(JSONValue.number(JSONNumber(Int64.min)).jsonText == "-9223372036854775808")
        #expect(try JSONValue(parsing: "[1e3,1.50,-0]").jsonText == "[1e3,1.50,-0]")
    }

    @Test func utf8BytesMatchTheText() {
        #expect(JSONWriter.utf8(value, options: .sortedKeys) == Array(value.jsonText.utf8))
        #expect(JSONWriter.text(value) == value.text())
    }
}
