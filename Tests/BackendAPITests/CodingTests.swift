import BackendAPI
import Foundation
import JSON
import Testing

private func json(_ text: String) -> Data { Data(text.utf8) }
private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

// MARK: - JSONValue

// JSONValue itself is tested in JSONTests; here, what BackendAPI adds to it.
@Test func jsonValueConversionsSpellAsTheAPIDoes() throws {
    let payload: JSONObject = ["type": "Soft", "evse": ["id": 1, "connectorId": nil], "flags": [true, 2.5]]
    #expect(payload["evse"]?["connectorId"]?.isNull == true)
    struct Reset: Codable, Equatable { var type: String }
    #expect(try JSONValue.object(payload).decode(as: Reset.self) == Reset(type: "Soft"))
    #expect(try JSONValue(encoding: Reset(type: "Hard")) == ["type": "Hard"])
    #expect(JSONValue.object(["b": 1, "a": [nil]]).description == #"{"a":[null],"b":1}"#)
    // Dates as the API's timestamps, both ways.
    struct Stamped: Codable, Equatable { var at: Date }
    let stamped = Stamped(at: Date(timeIntervalSince1970: 1_741_944_413.512))
    #expect(try JSONValue(encoding: stamped) == ["at": "2025-03-14T09:26:53.512Z"])
    #expect(try JSONValue(encoding: stamped).decode(as: Stamped.self) == stamped)
    // Free-form payloads keep exact integers through the wire encoding.
    let big: JSONValue = ["id": 9_007_199_254_740_993]
    #expect(try JSONCoding.decode(JSONValue.self, from: JSONCoding.encode(big)) == big)
    #expect(text(try JSONCoding.encode(big)) == #"{"id":9007199254740993}"#)
}

// MARK: - Dates

@Test(arguments: [
    ("2025-03-14T09:26:53Z", 1_741_944_413.0),
    ("2025-03-14T09:26:53.512Z", 1_741_944_413.512),
    ("2025-03-14T09:26:53.5Z", 1_741_944_413.5),
    ("2025-03-14T09:26:53.123456789Z", 1_741_944_413.123456789),
    ("2025-03-14t09:26:53z", 1_741_944_413.0),
    ("2025-03-14T10:26:53+01:00", 1_741_944_413.0),
    ("2025-03-14T04:56:53.25-04:30", 1_741_944_413.25),
    ("1970-01-01T00:00:00Z", 0.0),
    ("1969-12-31T23:59:59.5Z", -0.5),
    ("2024-02-29T12:00:00Z", 1_709_208_000.0),
    ("2000-03-01T00:00:00Z", 951_868_800.0),
])
func timestampsParseWithAndWithoutFractions(text: String, seconds: Double) throws {
    let date = try #require(Timestamp.parse(text), "\(text) does not parse")
    #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6, "\(text) → \(date.timeIntervalSince1970)")
}

@Test(arguments: [
    "", "2025-03-14", "2025-03-14T09:26:53", "2025-03-14 09:26:53Z", "2025-03-14T09:26:53.Z",
    "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-04-31T00:00:00Z", "2025-03-14T24:00:00Z",
    "2025-03-14T09:60:00Z", "2025-03-14T09:26:53+0100", "2025-03-14T09:26:53Zjunk", "25-03-14T09:26:53Z",
    "2025-03-14T09:26:53+01", "２025-03-14T09:26:53Z",
])
func malformedTimestampsAreRejected(text: String) {
    #expect(Timestamp.parse(text) == nil, "\(text) should not parse")
}

@Test func timestampsFormatInUTCWithMillisecondsOnlyWhenNeeded() {
    #expect(Timestamp.format(Date(timeIntervalSince1970: 1_741_944_413)) == "2025-03-14T09:26:53Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 1_741_944_413.512)) == "2025-03-14T09:26:53.512Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 1_741_944_413.5)) == "2025-03-14T09:26:53.500Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 1_741_944_413.9996)) == "2025-03-14T09:26:54Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    #expect(Timestamp.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
}

@Test func everyMillisecondOfADayRoundTrips() throws {
    // Formatting then parsing gives back the same millisecond, across a day and leap days.
    for base in [0.0, 951_782_400, 1_741_944_413, 4_102_444_800] {
        for step in stride(from: 0.0, to: 86_400, by: 3_599.937) {
            let date = Date(timeIntervalSince1970: base + step)
            let parsed = try #require(Timestamp.parse(Timestamp.format(date)))
            #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.0005)
        }
    }
}

@Test func datesInBodiesDecodeWithOrWithoutFractionsAndReencodeCanonically() throws {
    let receipts = try JSONCoding.decode([QARunReceipt].self, from: json("""
        [{"id":"a","receivedAt":"2025-03-14T09:15:03Z"},
         {"id":"b","receivedAt":"2025-03-14T09:15:03.250Z"},
         {"id":"c","receivedAt":"2025-03-14T10:15:03.250000+01:00"}]
        """))
    #expect(receipts[1].receivedAt.timeIntervalSince(receipts[0].receivedAt) == 0.25)
    #expect(receipts[2].receivedAt == receipts[1].receivedAt)
    #expect(text(try JSONCoding.encode(receipts)) == #"[{"id":"a","receivedAt":"2025-03-14T09:15:03Z"},{"id":"b","receivedAt":"2025-03-14T09:15:03.250Z"},{"id":"c","receivedAt":"2025-03-14T09:15:03.250Z"}]"#)
}

@Test func aMalformedDateIsADecodingError() {
    #expect(throws: DecodingError.self) {
        try JSONCoding.decode(QARunReceipt.self, from: json(#"{"id":"a","receivedAt":"yesterday"}"#))
    }
}

// MARK: - Open vocabularies

@Test func unknownEnumValuesDecodeAndEncodeUnchanged() throws {
    let step = try JSONCoding.decode(FirmwareUpdateStep.self, from: json(
        #"{"at":"2025-03-14T12:00:00Z","source":"operator","status":"InstallPostponed"}"#))
    #expect(step.status == .unknown("InstallPostponed"))
    #expect(!step.status.isKnown)
    #expect(step.source == .unknown("operator"))
    #expect(text(try JSONCoding.encode(step)) == #"{"at":"2025-03-14T12:00:00Z","source":"operator","status":"InstallPostponed"}"#)

    let identity = try JSONCoding.decode(Identity.self, from: json(
        #"{"user":"u","name":"N","role":"auditor","sites":[],"allSites":false}"#))
    #expect(identity.role == .unknown("auditor"))
    #expect(OCPPVersion(rawValue: "2.1") == .unknown("2.1"))
}

@Test func knownEnumValuesMapToTheirCases() {
    #expect(ConnectorStatus(rawValue: "SuspendedEVSE") == .suspendedEVSE)
    #expect(ConfigurationChangeStatus(rawValue: "NotSupportedAttributeType") == .notSupportedAttributeType)
    #expect(QACheckStatus(rawValue: "WARN") == .warn)
    #expect(OCPPVersion(rawValue: "2.0.1") == .v201)
    #expect(Role(rawValue: "operator") == .operator)
    #expect(FirmwareUpdateStatus.installRebooting.rawValue == "InstallRebooting")
    #expect(ConnectorStatus(rawValue: "available") == .unknown("available"), "wire values are case-sensitive")
    #expect("\(Mutability.writeOnly)" == "WriteOnly")
}

@Test func everyKnownCaseHasADistinctRawValueThatMapsBack() {
    func check<E: OpenEnum>(_ type: E.Type) {
        let raws = E.allKnown.map(\.rawValue)
        #expect(Set(raws).count == raws.count, "\(E.self) repeats a raw value")
        for value in E.allKnown { #expect(E(rawValue: value.rawValue) == value) }
    }
    check(OCPPVersion.self)
    check(Role.self)
    check(RegistrationStatus.self)
    check(ConnectorStatus.self)
    check(Mutability.self)
    check(ConfigurationChangeStatus.self)
    check(FirmwareUploadState.self)
    check(FirmwareUpdateStatus.self)
    check(FirmwareUpdateStepSource.self)
    check(InspectionKind.self)
    check(Verdict.self)
    check(ItemResult.self)
    check(AttachmentKind.self)
    check(QACheckStatus.self)
    check(ProblemType.self)
}

// MARK: - Problem

@Test func problemKeepsTypedAndUnknownExtensionMembers() throws {
    let source = """
        {"type":"https://chargekit.dev/problems/ocpp-call-error","title":"The charger answered with an error",
         "status":502,"detail":"NotImplemented","instance":"/v1/problems/1","chargerId":"BE-ANT-0042",
         "ocppErrorCode":"NotImplemented","ocppErrorDescription":"nope","ocppErrorDetails":{"hint":[1,2]},
         "traceId":"abc123","nested":{"x":null}}
        """
    let problem = try JSONCoding.decode(Problem.self, from: json(source))
    #expect(problem.type == .ocppCallError)
    #expect(problem.status == 502)
    #expect(problem.chargerId == "BE-ANT-0042")
    #expect(problem.ocppErrorDetails?["hint"] == [1, 2])
    #expect(problem.extensions == ["traceId": "abc123", "nested": ["x": nil]])
    let again = try JSONCoding.decode(JSONValue.self, from: try JSONCoding.encode(problem))
    #expect(again == (try JSONCoding.decode(JSONValue.self, from: json(source))))
}

@Test func problemWithValidationErrorsAndPartialResults() throws {
    let problem = Problem(type: .chargerTimeout, status: 504, chargerId: "BE-ANT-0042",
                          results: [ConfigurationChangeResult(key: "HeartbeatInterval", status: .accepted)])
    let decoded = try JSONCoding.decode(Problem.self, from: try JSONCoding.encode(problem))
    #expect(decoded == problem)
    #expect(decoded.results?.first?.status == .accepted)

    let validation = Problem(type: .validation, status: 422,
                             errors: [FieldError(field: "/changes/1/key", message: "duplicate")])
    #expect(text(try JSONCoding.encode(validation)) ==
            #"{"errors":[{"field":"/changes/1/key","message":"duplicate"}],"status":422,"type":"https://chargekit.dev/problems/validation"}"#)
}

@Test func problemTypesHaveTheirStatusTitleAndURI() throws {
    let offline = Problem(.chargerOffline, detail: "not connected")
    #expect(offline.status == 409)
    #expect(offline.title == "Charger offline")
    #expect(ProblemType.chargerOffline.rawValue == "https://chargekit.dev/problems/charger-offline")
    #expect(ProblemType(rawValue: "https://chargekit.dev/problems/rate-limited") == .rateLimited)
    #expect(ProblemType(rawValue: "https://example.com/p/other") == .unknown("https://example.com/p/other"))
    #expect(ProblemType(rawValue: "https://example.com/p/other").defaultStatus == nil)
    for type in ProblemType.allKnown where type != .aboutBlank {
        #expect(type.rawValue.hasPrefix(ProblemType.baseURI))
        #expect(type.defaultStatus != nil && type.defaultTitle != nil, "\(type)")
    }
    let bare = try JSONCoding.decode(Problem.self, from: json(#"{"status":500}"#))
    #expect(bare.type == nil)
    #expect(bare.effectiveType == .aboutBlank)
}

// MARK: - Required nulls and explicit nulls

@Test func lastPageWritesNextCursorNull() throws {
    let page = SitePage(items: [Site(id: "s", name: "S")])
    #expect(text(try JSONCoding.encode(page)) == #"{"items":[{"id":"s","name":"S"}],"nextCursor":null}"#)
    #expect(page.isLast)
    let decoded = try JSONCoding.decode(ChargerPage.self, from: json(#"{"items":[],"nextCursor":"abc"}"#))
    #expect(decoded.nextCursor == "abc")
    #expect(!decoded.isLast)
}

@Test func undisclosedConfigurationValueIsWrittenAsNull() throws {
    let item = ConfigurationItem(key: "AuthorizationKey", value: nil, readonly: false)
    #expect(text(try JSONCoding.encode(item)) == #"{"key":"AuthorizationKey","readonly":false,"value":null}"#)
}

@Test func chargerPatchWritesNullToRemoveATechnicalKey() throws {
    let patch = ChargerPatch(technical: ["rcdType": "B", "temporaryNote": nil])
    #expect(text(try JSONCoding.encode(patch)) == #"{"technical":{"rcdType":"B","temporaryNote":null}}"#)
    let decoded = try JSONCoding.decode(ChargerPatch.self, from: json(#"{"technical":{"x":null}}"#))
    #expect(decoded.technical?.keys.contains("x") == true)
    #expect(decoded == ChargerPatch(technical: ["x": nil]))
}

@Test func encodingIsDeterministic() throws {
    // Same value, same bytes: what an Idempotency-Key replay is compared on.
    let run = QARun(id: "0b7e4c1d-5a2f-4e8b-b6d3-9f1a2c3e4d5f", chargerId: "BE-ANT-0042",
                    startedAt: Date(timeIntervalSince1970: 1_741_943_400),
                    finishedAt: Date(timeIntervalSince1970: 1_741_943_682.318), verdict: .pass,
                    tool: ToolInfo(name: "chargekit", version: "0.4.0"),
                    checks: [QACheck(id: "x", status: .pass, measured: ["b": 1, "a": 2, "c": [3]], durationMs: 5)])
    let first = try JSONCoding.encode(run)
    for _ in 0..<20 { #expect(try JSONCoding.encode(run) == first) }
    #expect(text(first).contains(#""measured":{"a":2,"b":1,"c":[3]}"#))
    #expect(!text(first).contains("\\/"))
}

// MARK: - The project's own JSON for bodies

/// `decodeBody` is what the client reads answers with: the values `decode` (JSONDecoder)
/// reads, free-form payloads and dates included.
@Test func bodiesDecodeWithTheProjectsJSONAsJSONDecoderReadsThem() throws {
    let body = json("""
        {"cursor":"c_0000000000000002","events":[
         {"seq":1,"chargerId":"CP-0001","ocppVersion":"1.6","type":"MeterValues","receivedAt":"2025-03-14T09:15:03Z",
          "payload":{"connectorId":1,"meterValue":[{"timestamp":"2025-03-14T09:15:02.5Z","sampledValue":[{"value":"230.1"}]}]}},
         {"seq":2,"chargerId":"CP-0002","ocppVersion":"2.0.1","type":"BootNotification",
          "receivedAt":"2025-03-14T10:15:03.250000+01:00","chargerTime":"2025-03-14T09:15:04.250Z",
          "payload":{"reason":"PowerUp","n":[1,2.5,-3e2,true,null,{}]}}]}
        """)
    let fast = try JSONCoding.decodeBody(EventBatch.self, from: body)
    #expect(fast == (try JSONCoding.decode(EventBatch.self, from: body)))
    #expect(fast.events[1].payload["n"]?[2]?.doubleValue == -300)
    // A UTF-8 byte order mark is allowed, as JSONDecoder allows it.
    #expect(try JSONCoding.decodeBody(QARunReceipt.self, from: Data([0xEF, 0xBB, 0xBF]) + json(#"{"id":"a","receivedAt":"2025-03-14T09:15:03Z"}"#)).id == "a")
}

@Test func bodyDecodingErrorsAreDecodingErrorsOrSyntaxErrors() {
    #expect(throws: DecodingError.self) {
        try JSONCoding.decodeBody(QARunReceipt.self, from: json(#"{"id":"a","receivedAt":"yesterday"}"#))
    }
    #expect(throws: DecodingError.self) {
        try JSONCoding.decodeBody(QARunReceipt.self, from: json(#"{"id":"a","receivedAt":12}"#))
    }
    #expect(throws: DecodingError.self) { try JSONCoding.decodeBody(QARunReceipt.self, from: json(#"{"id":"a"}"#)) }
    // Stricter than JSONDecoder in one way: a duplicate key is not silently the last one.
    #expect(throws: JSONSyntaxError.self) {
        try JSONCoding.decodeBody(QARunReceipt.self, from: json(#"{"id":"a","id":"b","receivedAt":"2025-03-14T09:15:03Z"}"#))
    }
}

/// `write` (the simulator's answers and records) is the same JSON as `encode`: keys sorted,
/// slashes as they are, dates as timestamps; it reads back as the same value.
@Test func writtenBodiesAreTheJSONOfEncode() throws {
    let run = QARun(id: "q/1", chargerId: "CP-0001", startedAt: Date(timeIntervalSince1970: 1_790_000_000.25),
                    finishedAt: Date(timeIntervalSince1970: 1_790_000_012), verdict: .pass,
                    tool: ToolInfo(name: "chargekit", version: "1.0"), firmwareVersion: "1.2.3",
                    checks: [QACheck(id: "meter", status: .pass, measured: ["voltage": [230.5, 229], "note": "a/b"],
                                     durationMs: 40)])
    let written = try JSONCoding.write(run)
    #expect(try JSONValue(parsing: written) == (try JSONValue(parsing: try JSONCoding.encode(run))))
    #expect(try JSONCoding.decode(QARun.self, from: written) == run)
    #expect(text(written).contains(#""id":"q/1""#) && text(written).contains(#""startedAt":"2026-09-21T"#))
}
