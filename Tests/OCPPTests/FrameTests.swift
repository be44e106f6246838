import Foundation
import JSON
import Testing
@testable import OCPP

@Suite struct FrameTests {
    @Test func roundTripsAllThreeKinds() throws {
        let frames: [OCPPFrame] = [
            .call(messageId: "19223201", action: "BootNotification", payload: ["chargePointVendor": "VendorX", "chargePointModel": "SingleSocketCharger"]),
            .callResult(messageId: "19223201", payload: ["status": "Accepted", "currentTime": "2013-02-01T20:53:32.486Z", "interval": 300]),
            .callError(messageId: "162376037", code: "NotSupported", description: "SetDisplayMessageRequest not implemented", details: [:]),
        ]
        for frame in frames {
            #expect(try OCPPFrame(text: frame.text) == frame)
        }
        #expect(frames[0].text == #"[2,"19223201","BootNotification",{"chargePointModel":"SingleSocketCharger","chargePointVendor":"VendorX"}]"#)
        #expect(frames[2].text == #"[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]"#)
    }

    @Test(arguments: [
        ("not json", nil as String?),
        ("{}", nil),
        ("[]", nil),
        ("[\"2\",\"a\",\"X\",{}]", nil),
        ("[5,\"a\",{}]", "a"),
        ("[2,7,\"X\",{}]", nil),
        ("[2,\"\",\"X\",{}]", nil),
        ("[2,\"0123456789012345678901234567890123456\",\"X\",{}]", nil),
        ("[2,\"a\",\"X\"]", "a"),
        ("[2,\"a\",\"X\",[]]", "a"),
        ("[2,\"a\",\"\",{}]", "a"),
        ("[3,\"a\",{},1]", "a"),
        ("[3,\"a\",\"x\"]", "a"),
        ("[4,\"a\",\"Code\",\"text\"]", "a"),
        ("[4,\"a\",1,\"text\",{}]", "a"),
        ("[4,\"a\",\"Code\",null,{}]", "a"),
    ])
    func rejectsMalformedFrames(_ text: String, _ id: String?) {
        do {
            _ = try OCPPFrame(text: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.messageId == id)
        }
    }

    @Test func errorCodesAreSpelledPerVersion() {
        #expect(OCPPErrorCode.formatViolation.wireName(for: .v16) == "FormationViolation")
        #expect(OCPPErrorCode.formatViolation.wireName(for: .v201) == "FormatViolation")
        #expect(OCPPErrorCode.occurrenceConstraintViolation.wireName(for: .v16) == "OccurenceConstraintViolation")
        #expect(OCPPErrorCode.occurrenceConstraintViolation.wireName(for: .v201) == "OccurrenceConstraintViolation")
        #expect(OCPPErrorCode(wireName: "OccurenceConstraintViolation") == .occurrenceConstraintViolation)
        #expect(OCPPErrorCode(wireName: "FormationViolation") == .formatViolation)
        #expect(OCPPErrorCode.messageTypeNotSupported.wireName(for: .v16) == "ProtocolError")
    }
}

@Suite struct PayloadTests {
    @Test func encodesSchemaFieldNamesAndLeavesOutNil() throws {
        let req = V16.StatusNotificationRequest(connectorId: 1, errorCode: .groundFailure, status: .faulted,
                                                timestamp: OCPPDateTime(Date(timeIntervalSince1970: 1_700_000_000.5)), info: "RCD")
        #expect(try OCPPFrame.payload(encoding: req).jsonText
                == #"{"connectorId":1,"errorCode":"GroundFailure","info":"RCD","status":"Faulted","timestamp":"2023-11-14T22:13:20.500Z"}"#)
        #expect(try OCPPFrame.payload(encoding: V16.HeartbeatRequest()) == .emptyObject)
        #expect(try OCPPFrame.payload(encoding: V201.ClearCacheRequest()) == .emptyObject)
        let boot = V201.BootNotificationRequest(chargingStation: .init(vendorName: "Zaptec", model: "Pro"), reason: .powerUp)
        #expect(try OCPPFrame.payload(encoding: boot).jsonText == #"{"chargingStation":{"model":"Pro","vendorName":"Zaptec"},"reason":"PowerUp"}"#)
    }

    @Test func decodesAndReportsWhatIsWrong() throws {
        let ok = try JSONValueDecoder().decode(V16.ChangeConfigurationResponse.self, from: ["status": "RebootRequired"])
        #expect(ok.status == .rebootRequired)
        #expect(OCPPErrorCode(decodingError: catchError { try JSONValueDecoder().decode(V16.ChangeConfigurationRequest.self, from: ["key": "A"]) })
                == .occurrenceConstraintViolation)
        #expect(OCPPErrorCode(decodingError: catchError { try JSONValueDecoder().decode(V16.ChangeConfigurationRequest.self, from: ["key": 1, "value": "x"]) })
                == .typeConstraintViolation)
        #expect(OCPPErrorCode(decodingError: catchError { try JSONValueDecoder().decode(V16.ResetRequest.self, from: ["type": "Medium"]) })
                == .propertyConstraintViolation)
        #expect(OCPPErrorCode(decodingError: catchError { try JSONValueDecoder().decode(V16.StartTransactionRequest.self, from: [
            "connectorId": 1, "idTag": "x", "meterStart": 0, "timestamp": "yesterday"]) }) == .propertyConstraintViolation)
        // 2.0.1 sampled values are numbers, 1.6 strings.
        let mv = try JSONValueDecoder().decode(V201.SampledValue.self, from: ["value": 230])
        #expect(mv.value == 230)
        // Free-form data passes through.
        let dt = try JSONValueDecoder().decode(V201.DataTransferRequest.self, from: ["vendorId": "v", "data": ["a": [1, 2]]])
        #expect(dt.data == ["a": [1, 2]])
    }

    func catchError(_ body: () throws -> Any) -> any Error {
        do {
            _ = try body()
            return CancellationError()
        } catch {
            return error
        }
    }
}

@Suite struct DateTimeTests {
    @Test func writesUTCWithMilliseconds() {
        #expect(OCPPDateTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(OCPPDateTime.format(Date(timeIntervalSince1970: 951_825_600.123)) == "2000-02-29T12:00:00.123Z")
        #expect(OCPPDateTime.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
    }

    @Test func readsRFC3339() throws {
        #expect(OCPPDateTime.parse("2024-03-01T10:00:00Z") == Date(timeIntervalSince1970: 1_709_287_200))
        #expect(OCPPDateTime.parse("2024-03-01T11:00:00.5+01:00") == Date(timeIntervalSince1970: 1_709_287_200.5))
        #expect(OCPPDateTime.parse("2024-03-01t10:00:00z") != nil)
        for bad in ["2024-03-01 10:00:00Z", "2024-02-30T10:00:00Z", "2024-03-01T10:00:00", "2024-03-01T25:00:00Z", "2024-03-01T10:00:00.Z", ""] {
            #expect(OCPPDateTime.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct VariableKeyTests {
    @Test(arguments: [
        ("OCPPCommCtrlr.HeartbeatInterval", "OCPPCommCtrlr", nil as String?, "HeartbeatInterval", nil as String?, nil as Int?, nil as Int?),
        ("DeviceDataCtrlr.ItemsPerMessage[GetVariables]", "DeviceDataCtrlr", nil, "ItemsPerMessage", "GetVariables", nil, nil),
        ("EVSE.Power@2", "EVSE", nil, "Power", nil, 2, nil),
        ("Connector[Main].Problem@1:2", "Connector", "Main", "Problem", nil, 1, 2),
    ])
    func parses(_ text: String, _ component: String, _ ci: String?, _ variable: String, _ vi: String?, _ evse: Int?, _ connector: Int?) throws {
        let key = try #require(V201.VariableKey(parsing: text))
        #expect(key.component == component && key.componentInstance == ci && key.variable == variable)
        #expect(key.variableInstance == vi && key.evseId == evse && key.connectorId == connector)
        #expect(key.description == text)
    }

    @Test(arguments: ["HeartbeatInterval", ".X", "A.", "A.B[", "A.B[]", "A.B@x", "A.B@1:y", "A.B.C", "A[x.B"])
    func rejects(_ text: String) {
        #expect(V201.VariableKey(parsing: text) == nil)
    }
}
