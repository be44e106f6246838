import Foundation
import JSON
import Testing

/// Numbers: literal text kept, exact integers, equality by value.
@Suite struct NumberTests {
    func number(_ text: String) throws -> JSONNumber {
        try #require(try JSONValue(parsing: text).numberValue)
    }

    @Test func literalTextIsKept() throws {
        for text in ["0", "-0", "30", "1.50", "1e3", "1E+3", "-2.5e-10", "0.000", "123456789012345678901234567890"] {
            #expect(try number(text).text == text)
            #expect(try JSONValue(parsing: text).text() == text)
        }
    }

    @Test func canonicalTextFromSwiftNumbers() {
        #expect(JSONNumber(300).text == "300")
        #expect(JSONNumber(-7 as Int64).text == "-7")
        #expect(JSONNumber(UInt64.max).text == "18446744073709551615")
        #expect(JSONNumber(230.4).text == "230.4")
        #expect(JSONNumber(230.0).text == "230")
        #expect(JSONNumber(-0.0).text == "0")
        #expect(JSONNumber(1843225.0).text == "1843225")
        #expect(JSONNumber(1e-5).text == "1e-05")
        #expect(JSONNumber(9_007_199_254_740_992.0).text == "9007199254740992")
        #expect(JSONNumber(1e300).text == "1e+300")
        #expect(JSONNumber(.nan).text == "null")
        #expect(JSONNumber(.infinity).text == "null")
        #expect(!JSONNumber(.nan).isFinite)
        #expect(JSONNumber(text: "1.50")?.text == "1.50")
        for bad in ["", "+1", "01", "1.", ".5", "1e", "0x10", "NaN", " 1", "1 ", "--1"] {
            #expect(JSONNumber(text: bad) == nil, "\(bad)")
        }
    }

    @Test func integersAreExactBeyondTwoToThe53() throws {
        #expect(try number("9007199254740993").int64 == 9_007_199_254_740_993)
        #expect(try number("9223372036854775807").int64 == .max)
        #expect(try number("-9223372036854775808").int64 == .min)
        #expect(try number("9223372036854775808").int64 == nil)
        #expect(try number("9223372036854775808").uint64 == 9_223_372_036_854_775_808)
        #expect(try number("18446744073709551616").uint64 == nil)
        #expect(try number("9223372036854775808").double == 9_223_372_036_854_775_808)
        #expect(try number("9007199254740993") != number("9007199254740992"))
        #expect(try number("123456789012345678901234567890") != number("123456789012345678901234567891"))
        #expect(try number("-1").uint64 == nil)
        #expect(try number("-0").uint64 == 0)
    }

    @Test func integerAccessorsGoByValue() throws {
        #expect(try number("3.0").int == 3)
        #expect(try number("3e2").int == 300)
        #expect(try number("300e-2").int == 3)
        #expect(try number("-0.0").int == 0)
        #expect(try number("3.5").int == nil)
        #expect(try number("1e400").int == nil)
        #expect(try number("1e400").double == .infinity)
        #expect(try number("3.0").isInteger)
        #expect(try !number("3.0").isIntegerLiteral)
        #expect(try number("3").isIntegerLiteral)
        #expect(try !number("3.5").isInteger)
        #expect(JSONNumber(2.5).int == nil)
        #expect(JSONNumber(2.0).int == 2)
        #expect(JSONNumber(9_223_372_036_854_775_808.0).int64 == nil)
        #expect(try number("0.1").double == 0.1)
        #expect(try number("229.7").double == 229.7)
    }

    @Test func equalityAndHashingGoByValue() throws {
        let ones = [JSONNumber(1), JSONNumber(1.0), try number("1"), try number("1.0"), try number("1e0"), try number("10e-1"), try number("0.1e1")]
        for a in ones {
            for b in ones {
                #expect(a == b, "\(a) == \(b)")
                #expect(a.hashValue == b.hashValue, "hash \(a), \(b)")
            }
        }
        #expect(Set(ones).count == 1)
        #expect(try number("0.1") == JSONNumber(0.1))
        #expect(try number("0.10") == number("0.1"))
        #expect(try number("0.10").hashValue == JSONNumber(0.1).hashValue)
        #expect(try number("-0") == JSONNumber(0))
        #expect(try number("1e300") == JSONNumber(1e300))
        #expect(try number("1.5") != JSONNumber(1))
        #expect(JSONNumber(1) != JSONNumber(-1))
        #expect(JSONNumber(.nan) == JSONNumber(.nan))
        // The value of a number is the decimal its text spells, not the nearest double.
        #expect(try number("1.0000000000000001") != JSONNumber(1))
        #expect(Set<JSONValue>([1, 1.0, "1", true]).count == 3)
    }
}

/// Objects: ordered, keys unique, equality ignoring order.
@Suite struct ObjectTests {
    @Test func keepsInsertionOrderAndPositions() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        object["b"] = "one"
        #expect(object.keys == ["b", "a", "c"])
        #expect(object.values == ["one", 2, 3])
        #expect(object["b"] == "one")
        #expect(object["missing"] == nil)
        #expect(object.removeValue(forKey: "b") == "one")
        #expect(object.removeValue(forKey: "b") == nil)
        object["a"] = nil
        #expect(object.keys == ["c"])
        #expect(object.updateValue(4, forKey: "c") == 3)
        #expect(object.updateValue(5, forKey: "d") == nil)
        #expect(object.map(\.key) == ["c", "d"])
        #expect(object.count == 2)
        #expect(object.position(of: "d") == 1)
        #expect(object.sortedMembers.map(\.key) == ["c", "d"])
    }

    @Test func repeatedLiteralKeysKeepTheFirstPositionAndTheLastValue() {
        let object: JSONObject = ["a": 1, "b": 2, "a": 3]
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
        #expect(JSONObject([("x", 1), ("x", 2)]) == ["x": 2])
    }

    @Test func equalityAndHashingIgnoreOrder() {
        let ab: JSONObject = ["a": 1, "b": [true, nil]]
        let ba: JSONObject = ["b": [true, nil], "a": 1.0]
        #expect(ab == ba)
        #expect(ab.hashValue == ba.hashValue)
        #expect(JSONValue.object(ab) == .object(ba))
        #expect(ab != ["a": 1, "b": [true]])
        #expect(ab != ["a": 1, "c": [true, nil]])
        #expect(ab != ["a": 1])
        #expect(JSONObject() == [:])
        // Arrays keep order.
        #expect(JSONValue.array([1, 2]) != [2, 1])
    }

    @Test func largeObjectsStayCorrect() {
        var object = JSONObject()
        for i in 0..<100 { object["k\(i)"] = JSONValue(i) }
        #expect(object.count == 100)
        #expect(object["k57"] == 57)
        for i in stride(from: 0, to: 100, by: 2) { object["k\(i)"] = nil }
        #expect(object.count == 50)
        #expect(object["k56"] == nil)
        #expect(object["k57"] == 57)
        #expect(object.keys.first == "k1")
        #expect(object.position(of: "k99") == 49)
        object["k99"] = "last"
        object["new"] = true
        #expect(object.keys.suffix(2) == ["k99", "new"])
        while object.count > 3 { object.removeValue(forKey: object.keys[0]) }
        #expect(object.keys == ["k97", "k99", "new"])
        #expect(object["k99"] == "last")
        var reversed = JSONObject()
        for (key, value) in object.reversed() { reversed[key] = value }
        #expect(reversed == object)
    }
}

/// Accessors, literals and description.
@Suite struct ValueAccessTests {
    @Test func accessorsAndSubscripts() throws {
        let value = try JSONValue(parsing: #"{"a":null,"b":true,"c":false,"d":42,"e":-0.25,"f":"x\"y","g":[1,"two",[],{}],"h":{"i":{"j":1e300}}}"#)
        #expect(value["a"] == .null)
        #expect(value["a"]?.isNull == true)
        #expect(value["b"]?.boolValue == true)
        #expect(value["c"]?.boolValue == false)
        #expect(value["d"]?.intValue == 42)
        #expect(value["d"]?.int64Value == 42)
        #expect(value["e"]?.doubleValue == -0.25)
        #expect(value["e"]?.intValue == nil)
        #expect(value["f"]?.stringValue == "x\"y")
        #expect(value["g"]?[1]?.stringValue == "two")
        #expect(value["g"]?[9] == nil)
        #expect(value["g"]?[-1] == nil)
        #expect(value["g"]?.arrayValue?.count == 4)
        #expect(value["h"]?["i"]?["j"]?.doubleValue == 1e300)
        #expect(value["h"]?.objectValue?.keys == ["i"])
        #expect(value["missing"] == nil)
        #expect(value[0] == nil)
        #expect(value["d"]?["x"] == nil)
        #expect(value["d"]?.stringValue == nil)
        #expect(value["f"]?.intValue == nil)
        #expect(value.kindDescription == "an object")
        #expect(["null", "a boolean", "a number", "a string", "an array", "an object"]
                == ([nil, true, 1, "s", [], [:]] as [JSONValue]).map(\.kindDescription))
    }

    @Test func literalsAndInitializers() {
        let value: JSONValue = ["type": "Soft", "evse": ["id": 1, "connectorId": nil], "flags": [true, 2.5]]
        #expect(value["evse"]?["connectorId"]?.isNull == true)
        #expect(value["flags"] == .array([.bool(true), .number(JSONNumber(2.5))]))
        #expect(JSONValue(true) == true)
        #expect(JSONValue(3) == 3)
        #expect(JSONValue(2.5) == 2.5)
        #expect(JSONValue("x") == "x")
        #expect(JSONValue.emptyObject == .object([:]))
    }

    @Test func descriptionIsCompactTextWithSortedKeys() {
        let value: JSONValue = ["b": 1, "a": [nil, "x"]]
        #expect(value.description == #"{"a":[null,"x"],"b":1}"#)
        #expect("\(value)" == value.jsonText)
        #expect((["z": 1, "y": 2] as JSONObject).description == #"{"y":2,"z":1}"#)
        #expect(JSONNumber(2.5).description == "2.5")
    }
}
