import JSON
import Testing

/// RFC 8785 and its test vectors (Appendix B numbers, the section 3.2.3 sorting example).
@Suite struct JSONCanonicalTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (Double(bitPattern: 1), "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992, "9007199254740992"), (9007199254740994, "9007199254740994"), (2.9514790517935283e+20, "295147905179352830000"),
        (1e21, "1e+21"), (1e20, "100000000000000000000"), (0.000001, "0.000001"), (1e-7, "1e-7"), (123.456, "123.456"),
        (333333333.3333332, "333333333.3333332"), (-5e-7, "-5e-7"), (4.5, "4.5"), (0.5, "0.5"), (1.5e-5, "0.000015"),
    ])
    func numbersAreWrittenTheECMAScriptWay(value: Double, text: String) {
        #expect(JSONCanonical.ecmaScript(value) == text)
    }

    @Test func membersSortByUTF16AndNothingElseMoves() throws {
        let value = try JSONParser.parse(Array(#"{"\u20ac": "Euro", "\r": "CR", "\ufb33": "Hebrew", "1": "One", "\ud83d\ude00": "Smiley", "\u0080": "Control", "\u00f6": "Umlaut", "b": [1.0, 2e1, "\u007f\u001f"]}"#.utf8))
        let text = String(decoding: JSONCanonical.utf8(value), as: UTF8.self)
        #expect(text == "{\"\\r\":\"CR\",\"1\":\"One\",\"b\":[1,20,\"\u{7f}\\u001f\"],\"\u{80}\":\"Control\",\"ö\":\"Umlaut\",\"€\":\"Euro\",\"😀\":\"Smiley\",\"\u{fb33}\":\"Hebrew\"}")
    }
}
