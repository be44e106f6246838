import Foundation
import JSON
import Testing

/// `JSONValue` inside other coders (JSONEncoder/JSONDecoder).
@Suite struct FoundationCodingTests {
    func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    @Test func roundTripsEveryKind() throws {
        let source = #"{"a":null,"b":true,"c":false,"d":42,"e":-0.25,"f":"x\"y","g":[1,"two",[],{}],"h":{"i":{"j":1e300}}}"#
        let value = try decode(JSONValue.self, source)
        #expect(value == (try JSONValue(parsing: source)))
        #expect(try decode(JSONValue.self, try encode(value)) == value)
        #expect(value["h"]?["i"]?["j"]?.doubleValue == 1e300)
    }

    @Test func keepsBooleansAndNumbersApart() throws {
        #expect(try decode([JSONValue].self, "[true, 1, 0, false, 1.0]") == [true, 1, 0, false, 1])
        #expect(try decode(JSONValue.self, "[true, 1]")[0]?.boolValue == true)
        #expect(try decode(JSONValue.self, "[true, 1]")[1]?.boolValue == nil)
    }

    @Test func writesIntegersWithoutAFractionAndExactly() throws {
        let value: JSONValue = ["connectorId": 1, "energy": 1843225.0, "voltage": 231.4, "big": 9_007_199_254_740_993,
                                "parsed": try JSONValue(parsing: "1.0e3"), "huge": try JSONValue(parsing: "18446744073709551615")]
        #expect(try encode(value) == #"{"big":9007199254740993,"connectorId":1,"energy":1843225,"huge":18446744073709551615,"parsed":1000,"voltage":231.4}"#)
        #expect(try decode(JSONValue.self, "9007199254740993").int64Value == 9_007_199_254_740_993)
    }

    @Test func objectsFromOtherDecodersComeSorted() throws {
        let value = try decode(JSONValue.self, #"{"b":1,"c":2,"a":3}"#)
        #expect(value.objectValue?.keys == ["a", "b", "c"])
        #expect(try decode(JSONObject.self, #"{"b":1,"a":{"y":[]}}"#) == ["a": ["y": []], "b": 1])
        #expect(try encode((["b": 1, "a": 2] as JSONObject)) == #"{"a":2,"b":1}"#)
    }

    @Test func embedsInCodableTypes() throws {
        struct Command: Codable, Equatable {
            var action: String
            var payload: JSONObject
            var extra: JSONValue?
        }
        let command = Command(action: "Reset", payload: ["type": "Soft", "evse": ["id": 1]], extra: nil)
        let text = try encode(command)
        #expect(text == #"{"action":"Reset","payload":{"evse":{"id":1},"type":"Soft"}}"#)
        #expect(try decode(Command.self, text) == command)
        #expect(try decode(Command.self, #"{"action":"X","payload":{},"extra":null}"#).extra == nil)
    }
}

/// `JSONValueEncoder` / `JSONValueDecoder`: Codable types straight to and from `JSONValue`.
@Suite struct DirectCodingTests {
    enum Status: String, Codable, Equatable { case accepted = "Accepted", rejected = "Rejected" }
    enum Level: Int, Codable, Equatable { case low = 1, high = 3 }

    struct Sample: Codable, Equatable {
        var value: Double
        var unit: String?
        var status: Status
        var level: Level?
    }

    struct Payload: Codable, Equatable {
        var id: Int
        var big: Int64
        var unsigned: UInt64
        var small: UInt8
        var ratio: Float
        var on: Bool
        var name: String
        var note: String?
        var samples: [Sample]
        var grid: [[Int]]
        var tags: [String: Int]
        var free: JSONValue?
        var nothing: JSONValue
        var when: Date
        var link: URL
        var blob: Data
    }

    let payload = Payload(
        id: 7, big: 9_007_199_254_740_993, unsigned: .max, small: 255, ratio: 0.5, on: true, name: "é\"x", note: nil,
        samples: [Sample(value: 229.7, unit: "V", status: .accepted, level: .high), Sample(value: 16, unit: nil, status: .rejected, level: nil)],
        grid: [[1, 2], [], [3]], tags: ["a": 1], free: ["any": [1, "two", nil]], nothing: nil,
        when: Date(timeIntervalSince1970: 1_741_944_413.5), link: URL(string: "https://example.com/a?b=c")!,
        blob: Data([0, 1, 254, 255]))

    @Test func roundTripsAndKeepsDeclarationOrder() throws {
        let json = try JSONValueEncoder().encode(payload)
        #expect(json.objectValue?.keys == ["id", "big", "unsigned", "small", "ratio", "on", "name", "samples", "grid", "tags",
                                           "free", "nothing", "when", "link", "blob"])
        #expect(json["note"] == nil)
        #expect(json["nothing"] == .null)
        #expect(json["big"]?.int64Value == 9_007_199_254_740_993)
        #expect(json["unsigned"]?.numberValue?.text == "18446744073709551615")
        #expect(json["samples"]?[0] == ["value": 229.7, "unit": "V", "status": "Accepted", "level": 3])
        #expect(json["samples"]?[1] == ["value": 16, "status": "Rejected"])
        #expect(json["grid"] == [[1, 2], [], [3]])
        #expect(json["free"] == ["any": [1, "two", nil]])
        #expect(json["link"] == "https://example.com/a?b=c")
        #expect(json["blob"] == "AAH+/w==")
        #expect(json["when"] == JSONValue(1_741_944_413.5 - 978_307_200))  // Date's own Codable
        #expect(try JSONValueDecoder().decode(Payload.self, from: json) == payload)
        // Through text and back as well.
        #expect(try JSONValueDecoder().decode(Payload.self, from: JSONValue(parsing: json.jsonText)) == payload)
    }

    @Test func agreesWithJSONEncoder() throws {
        struct Plain: Codable, Equatable {
            var a: Int
            var b: [Double]
            var c: String?
            var d: [String: [Bool]]
        }
        let plain = Plain(a: 1, b: [0.1, 2, 1e-7], c: nil, d: ["x": [true]])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let viaFoundation = try JSONValue(parsing: String(decoding: try encoder.encode(plain), as: UTF8.self))
        #expect(try JSONValueEncoder().encode(plain) == viaFoundation)
    }

    @Test func dateStrategies() throws {
        struct Stamped: Codable, Equatable { var at: Date; var maybe: Date? }
        let stamped = Stamped(at: Date(timeIntervalSince1970: 1_700_000_000.25), maybe: nil)
        let seconds = try JSONValueEncoder(dateEncodingStrategy: .secondsSince1970).encode(stamped)
        #expect(seconds == ["at": 1_700_000_000.25])
        #expect(try JSONValueDecoder(dateDecodingStrategy: .secondsSince1970).decode(Stamped.self, from: seconds) == stamped)
        let millis = try JSONValueEncoder(dateEncodingStrategy: .millisecondsSince1970).encode(stamped)
        #expect(millis == ["at": 1_700_000_000_250])
        #expect(try JSONValueDecoder(dateDecodingStrategy: .millisecondsSince1970).decode(Stamped.self, from: millis) == stamped)

        let custom = JSONValueEncoder(dateEncodingStrategy: .custom { .string("t\(Int($0.timeIntervalSince1970))") })
        #expect(try custom.encode(stamped) == ["at": "t1700000000"])
        let reader = JSONValueDecoder(dateDecodingStrategy: .custom { value in
            guard let text = value.stringValue, let seconds = Double(text.dropFirst()) else { throw CancellationError() }
            return Date(timeIntervalSince1970: seconds)
        })
        #expect(try reader.decode(Stamped.self, from: ["at": "t5", "maybe": "t6"]) == Stamped(at: Date(timeIntervalSince1970: 5), maybe: Date(timeIntervalSince1970: 6)))
        do {
            _ = try reader.decode(Stamped.self, from: ["at": 5])
            Issue.record("decoded a bad date")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.map(\.stringValue) == ["at"])
        }
    }

    @Test func optionalsMissingAndNullAreNil() throws {
        struct Opt: Codable, Equatable { var a: Int?; var b: [Int?] }
        #expect(try JSONValueDecoder().decode(Opt.self, from: ["b": [1, nil]]) == Opt(a: nil, b: [1, nil]))
        #expect(try JSONValueDecoder().decode(Opt.self, from: ["a": nil, "b": []]) == Opt(a: nil, b: []))
        #expect(try JSONValueEncoder().encode(Opt(a: nil, b: [nil, 2])) == ["b": [nil, 2]])
        #expect(try JSONValueDecoder().decode(Int?.self, from: nil) == nil)
    }

    @Test func numbersDecodeByValue() throws {
        struct N: Codable { var i: Int; var d: Double; var u: UInt64 }
        let n = try JSONValueDecoder().decode(N.self, from: JSONValue(parsing: #"{"i": 3.0e0, "d": 7, "u": 18446744073709551615}"#))
        #expect(n.i == 3 && n.d == 7 && n.u == .max)
    }

    @Test func errorsSayWhatAndWhere() throws {
        struct Item: Codable { var id: Int; var kind: Status }
        struct List: Codable { var items: [Item] }
        let decoder = JSONValueDecoder()
        func failure(_ json: JSONValue) -> DecodingError? {
            let result = Result { try decoder.decode(List.self, from: json) }
            guard case .failure(let thrown) = result else { return nil }
            return thrown as? DecodingError
        }
        func path(_ error: DecodingError?) -> [String] {
            switch error {
            case .keyNotFound(let key, let context)?: return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } + [key.stringValue]
            case .typeMismatch(_, let context)?, .dataCorrupted(let context)?, .valueNotFound(_, let context)?:
                return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            default: return []
            }
        }
        let ok: JSONValue = ["id": 1, "kind": "Accepted"]
        var e = failure(["items": [ok, ok, ["kind": "Accepted"]]])
        guard case .keyNotFound? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(path(e) == ["items", "2", "id"])
        e = failure(["items": [ok, ["id": "1", "kind": "Accepted"]]])
        guard case .typeMismatch? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(path(e) == ["items", "1", "id"])
        e = failure(["items": [["id": 1.5, "kind": "Accepted"]]])
        guard case .typeMismatch? = e else { Issue.record("\(String(describing: e))"); return }
        e = failure(["items": [["id": 1, "kind": "Maybe"]]])
        guard case .dataCorrupted? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(path(e) == ["items", "0", "kind"])
        e = failure(["items": "none"])
        guard case .typeMismatch? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(path(e) == ["items"])
        e = failure([:])
        guard case .keyNotFound? = e else { Issue.record("\(String(describing: e))"); return }

        struct Byte: Codable { var b: UInt8 }
        #expect(throws: DecodingError.self) { try decoder.decode(Byte.self, from: ["b": 256]) }
        do {
            _ = try decoder.decode(Byte.self, from: ["b": 300])
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.codingPath.map(\.stringValue) == ["b"])
        }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Float.infinity]) }
    }

    @Test func jsonValuesPassThroughUntouched() throws {
        let value = try JSONValue(parsing: #"{"n": 1.50, "z": 1, "a": [1e3]}"#)
        #expect(try JSONValueEncoder().encode(value).text() == #"{"n":1.50,"z":1,"a":[1e3]}"#)
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: value).text() == value.text())
        struct Holder: Codable { var data: JSONValue }
        #expect(try JSONValueEncoder().encode(Holder(data: value))["data"]?.text() == value.text())
        #expect(try JSONValueDecoder().decode(Holder.self, from: ["data": value]).data.text() == value.text())
        #expect(try JSONValueDecoder().decode([String: JSONValue].self, from: value)["n"]?.numberValue?.text == "1.50")
    }

    @Test func customCodingShapes() throws {
        // Hand-written Codable: nested containers, explicit nil, super encoders, single values.
        class Base: Codable {
            var base: Int
            init(base: Int) { self.base = base }
        }
        final class Derived: Base, @unchecked Sendable {
            var extra: [String]
            init(base: Int, extra: [String]) {
                self.extra = extra
                super.init(base: base)
            }
            enum Key: String, CodingKey { case extra, nested, list, explicitNil }
            required init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Key.self)
                extra = try container.decode([String].self, forKey: .extra)
                let nested = try container.nestedContainer(keyedBy: Key.self, forKey: .nested)
                _ = try nested.decodeNil(forKey: .explicitNil)
                var list = try container.nestedUnkeyedContainer(forKey: .list)
                _ = try list.decode(Int.self)
                try super.init(from: container.superDecoder())
            }
            override func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(extra, forKey: .extra)
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: .nested)
                try nested.encodeNil(forKey: .explicitNil)
                var list = container.nestedUnkeyedContainer(forKey: .list)
                try list.encode(1)
                var inner = list.nestedUnkeyedContainer()
                try inner.encode("deep")
                try super.encode(to: container.superEncoder())
            }
        }
        let json = try JSONValueEncoder().encode(Derived(base: 5, extra: ["x"]))
        #expect(json == ["extra": ["x"], "nested": ["explicitNil": nil], "list": [1, ["deep"]], "super": ["base": 5]])
        let back = try JSONValueDecoder().decode(Derived.self, from: json)
        #expect(back.base == 5 && back.extra == ["x"])

        struct Empty: Codable {}
        #expect(try JSONValueEncoder().encode(Empty()) == .emptyObject)
        struct Silent: Encodable { func encode(to encoder: any Encoder) throws {} }
        #expect(try JSONValueEncoder().encode(Silent()) == .null)
        #expect(try JSONValueEncoder().encode("top") == "top")
        #expect(try JSONValueEncoder().encode([1, 2]) == [1, 2])
        #expect(try JSONValueDecoder().decode([[String]].self, from: [["a"], []]) == [["a"], []])
    }

    @Test func userInfoReachesTheTypes() throws {
        let key = try #require(CodingUserInfoKey(rawValue: "unit"))
        struct Reads: Codable {
            var unit: String
            init(unit: String) { self.unit = unit }
            init(from decoder: any Decoder) throws { unit = decoder.userInfo[CodingUserInfoKey(rawValue: "unit")!] as? String ?? "" }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(encoder.userInfo[CodingUserInfoKey(rawValue: "unit")!] as? String ?? "")
            }
        }
        #expect(try JSONValueEncoder(userInfo: [key: "kWh"]).encode(Reads(unit: "")) == "kWh")
        #expect(try JSONValueDecoder(userInfo: [key: "W"]).decode(Reads.self, from: nil).unit == "W")
    }
}
