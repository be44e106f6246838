import BackendAPI
import Foundation
import Testing
@testable import ChargeKit

/// The diff of a resolved profile against fabricated charger configurations, and the
/// verification of an apply.
@Suite struct ProfilePlanTests {
    static let profileText = """
        {
          "name": "plan",
          "settings": {
            "heartbeatInterval": 300,
            "meterValueSampleInterval": 60,
            "meterValuesSampledData": ["Energy.Active.Import.Register", "Voltage"],
            "authorizeRemoteTxRequests": true,
            "localPreAuthorize": true,
            "connectionTimeout": 60,
            "webSocketPingInterval": 30,
            "authorizationKey": { "secret": { "env": "AK" } }
          },
          "ocpp16": { "ResetRetries": "2" }
        }
        """
    static let key = "0123456789abcdef-test"

    func resolved(_ charger: ChargerIdentity = alfen16) throws -> ResolvedProfile {
        try memoryLoader(["/mem/plan.json": Self.profileText], environment: ["AK": Self.key]).load("plan.json").resolve(for: charger)
    }

    static let current16 = Configuration(ocppVersion: .v16, items: [
        item16("heartbeatinterval", "300"),                                 // ok, whatever the key's case
        item16("MeterValueSampleInterval", "30"),                           // set
        item16("MeterValuesSampledData", "Voltage, Energy.Active.Import.Register"), // ok in another order
        item16("AuthorizeRemoteTxRequests", "false", readonly: true),      // read-only mismatch
        item16("LocalPreAuthorize", "TRUE", readonly: true),               // read-only but equal: ok
        item16("AuthorizationKey", nil),                                    // write-only
        item16("ResetRetries", "3"),                                        // set (raw)
    ], unknownKeys: ["ConnectionTimeOut"])                                  // unsupported; WebSocketPingInterval not reported at all

    func row(_ plan: ConfigurationPlan, _ key: String) -> String {
        guard let row = plan.rows.first(where: { $0.key == key }) else { return "missing" }
        return "\(row.setting ?? "-") | \(row.key) | \(row.current ?? "-") | \(row.desired) | \(row.action.label)"
    }

    @Test func everyDiffAction() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: Self.current16)
        #expect(plan.rows.map { row(plan, $0.key) } == [
            "heartbeatInterval | HeartbeatInterval | 300 | 300 | ok",
            "meterValueSampleInterval | MeterValueSampleInterval | 30 | 60 | set",
            "meterValuesSampledData | MeterValuesSampledData | Voltage, Energy.Active.Import.Register | Energy.Active.Import.Register,Voltage | ok",
            "connectionTimeout | ConnectionTimeOut | - | 60 | unsupported",
            "authorizeRemoteTxRequests | AuthorizeRemoteTxRequests | false | true | read-only mismatch",
            "localPreAuthorize | LocalPreAuthorize | TRUE | true | ok",
            "webSocketPingInterval | WebSocketPingInterval | - | 30 | unsupported",
            "authorizationKey | AuthorizationKey | - | (secret) | write-only",
            "- | ResetRetries | 3 | 2 | set",
        ])
        #expect(plan.changes.map(\.description) == ["MeterValueSampleInterval=60", "AuthorizationKey=(secret)", "ResetRetries=2"])
        #expect(plan.changeRequest() == ConfigurationChangeRequest(changes: [
            ConfigurationChange(key: "MeterValueSampleInterval", value: "60"),
            ConfigurationChange(key: "AuthorizationKey", value: Self.key),
            ConfigurationChange(key: "ResetRetries", value: "2"),
        ]))
        #expect(plan.securityProfileChange == nil)
        #expect(!plan.isUpToDate)
        #expect(plan.rows.first { $0.key == "AuthorizeRemoteTxRequests" }?.note == "the charger reports this key read-only")
        #expect(plan.rows.first { $0.key == "ConnectionTimeOut" }?.note == "the charger does not know this key")
    }

    @Test func theJSONDiffIsAnArrayOfRows() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: Self.current16)
        let rows = Array(plan.rows.filter { ["HeartbeatInterval", "AuthorizationKey", "ResetRetries"].contains($0.key) })
        let json = try JSONSerialization.jsonObject(with: try JSONCoding.encode(rows)) as? [[String: Any]]
        #expect(json?.count == 3)
        #expect(json?[0]["setting"] as? String == "heartbeatInterval")
        #expect(json?[0]["key"] as? String == "HeartbeatInterval")
        #expect(json?[0]["current"] as? String == "300")
        #expect(json?[0]["desired"] as? String == "300")
        #expect(json?[0]["action"] as? String == "ok")
        #expect(json?[0]["note"] == nil)
        #expect(json?[1]["current"] is NSNull)
        #expect(json?[1]["desired"] as? String == "(secret)")
        #expect(json?[1]["action"] as? String == "writeOnly")
        #expect(json?[2]["setting"] is NSNull)
        #expect(Set(json?[0].keys.map { $0 } ?? []) == ["setting", "key", "current", "desired", "action"])
    }

    @Test func twoPointOhOneUsesTheReportedMutability() throws {
        let current = Configuration(ocppVersion: .v201, items: [
            item201("OCPPCommCtrlr.HeartbeatInterval", "300"),
            item201("SampledDataCtrlr.TxUpdatedInterval", "60"),
            item201("SampledDataCtrlr.TxUpdatedMeasurands", "Energy.Active.Import.Register,Voltage"),
            item201("TxCtrlr.EVConnectionTimeOut", "120"),
            item201("AuthCtrlr.AuthorizeRemoteStart", "true", .readOnly),
            item201("AuthCtrlr.LocalPreAuthorize", "false"),
            item201("OCPPCommCtrlr.WebSocketPingInterval", "30"),
            item201("SecurityCtrlr.BasicAuthPassword", nil, .writeOnly),
        ], unknownKeys: [])
        let plan = ConfigurationPlan(profile: try resolved(zaptecPro), current: current)
        // A read-only variable that already has the value is fine; the 1.6 override is not for 2.0.1.
        #expect(plan.rows.map(\.action) == [.ok, .ok, .ok, .set, .ok, .set, .ok, .writeOnly])
        #expect(!plan.rows.contains { $0.key == "ResetRetries" })
        #expect(plan.changes.map(\.description) == ["TxCtrlr.EVConnectionTimeOut=60", "AuthCtrlr.LocalPreAuthorize=true",
                                                    "SecurityCtrlr.BasicAuthPassword=(secret)"])
    }

    @Test func aChargerThatRunsTheProfileIsUpToDate() throws {
        let profile = try memoryLoader(["/mem/p.json": #"{"name": "p", "settings": {"heartbeatInterval": 300, "localPreAuthorize": false}}"#])
            .load("p.json").resolve(for: alfen16)
        let plan = ConfigurationPlan(profile: profile, current: Configuration(ocppVersion: .v16, items: [
            item16("HeartbeatInterval", "300"), item16("LocalPreAuthorize", "False"),
        ]))
        #expect(plan.isUpToDate)
        #expect(plan.changes.isEmpty)
        #expect(plan.changeRequest().changes.isEmpty)
    }

    @Test func theResetCommandSuitsTheVersion() throws {
        let empty16 = Configuration(ocppVersion: .v16, items: [])
        #expect(ConfigurationPlan(profile: try resolved(), current: empty16).resetCommand
            == CommandRequest(action: "Reset", payload: ["type": "Soft"]))
        #expect(ConfigurationPlan(profile: try resolved(zaptecPro), current: Configuration(ocppVersion: .v201, items: [])).resetCommand
            == CommandRequest(action: "Reset", payload: ["type": "OnIdle"]))
    }

    // MARK: Verification

    func outcomes(_ report: ApplyReport) -> [String] {
        report.outcomes.map { "\($0.key): \($0.result.rawValue)\($0.status.map { " (\($0))" } ?? "")\($0.current.map { " now \($0)" } ?? "")" }
    }

    static let answers: [ConfigurationChangeResult] = [
        ConfigurationChangeResult(key: "MeterValueSampleInterval", status: .accepted),
        ConfigurationChangeResult(key: "AuthorizationKey", status: .accepted),
        ConfigurationChangeResult(key: "ResetRetries", status: .rebootRequired),
    ]

    static let reread = Configuration(ocppVersion: .v16, items: [
        item16("HeartbeatInterval", "300"), item16("MeterValueSampleInterval", "60"),
        item16("MeterValuesSampledData", "Energy.Active.Import.Register,Voltage"),
        item16("AuthorizeRemoteTxRequests", "false", readonly: true), item16("LocalPreAuthorize", "true", readonly: true),
        item16("AuthorizationKey", nil), item16("ResetRetries", "3"),
    ], unknownKeys: ["ConnectionTimeOut", "WebSocketPingInterval"])

    @Test func verifiesEveryReadableKeyAndWaitsForTheReboot() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: Self.current16)
        let report = plan.verify(results: Self.answers, reread: Self.reread)
        #expect(outcomes(report) == [
            "HeartbeatInterval: verified now 300",
            "MeterValueSampleInterval: verified (Accepted) now 60",
            "MeterValuesSampledData: verified now Energy.Active.Import.Register,Voltage",
            "ConnectionTimeOut: notApplied",
            "AuthorizeRemoteTxRequests: notApplied now false",
            "LocalPreAuthorize: verified now true",
            "WebSocketPingInterval: notApplied",
            "AuthorizationKey: writeOnlyAccepted (Accepted)",
            "ResetRetries: rebootPending (RebootRequired) now 3",
        ])
        #expect(report.needsReset)
        #expect(!report.succeeded)

        var rebooted = Self.reread
        rebooted.items[6] = item16("ResetRetries", "2")
        let after = plan.verify(results: Self.answers, reread: rebooted, afterReboot: true)
        #expect(after.outcomes.last?.result == .verified)
        #expect(!after.needsReset)
    }

    @Test func refusalsLostAnswersAndValuesThatDidNotStick() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: Self.current16)
        let report = plan.verify(results: [
            ConfigurationChangeResult(key: "MeterValueSampleInterval", status: .accepted),
            ConfigurationChangeResult(key: "AuthorizationKey", status: .rejected, statusInfo: StatusInfo(reasonCode: "InvalidValue")),
        ], reread: Configuration(ocppVersion: .v16, items: [item16("MeterValueSampleInterval", "30")]))
        #expect(outcomes(report) == [
            "HeartbeatInterval: notVerified",
            "MeterValueSampleInterval: notVerified (Accepted) now 30",
            "MeterValuesSampledData: notVerified",
            "ConnectionTimeOut: notApplied",
            "AuthorizeRemoteTxRequests: notApplied",
            "LocalPreAuthorize: notVerified",
            "WebSocketPingInterval: notApplied",
            "AuthorizationKey: rejected (Rejected)",
            "ResetRetries: noAnswer",
        ])
        #expect(report.outcomes.first { $0.key == "AuthorizationKey" }?.statusInfo == StatusInfo(reasonCode: "InvalidValue"))
        #expect(!report.needsReset)
    }

    @Test(arguments: [ConfigurationChangeStatus.notSupported, .unknownVariable, .unknownComponent, .notSupportedAttributeType, .unknown("Weird")])
    func everyOtherStatusIsARefusal(_ status: ConfigurationChangeStatus) throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: Self.current16)
        let report = plan.verify(results: [ConfigurationChangeResult(key: "MeterValueSampleInterval", status: status)], reread: Self.reread)
        #expect(report.outcomes.first { $0.key == "MeterValueSampleInterval" }?.result == .rejected)
    }

    @Test func aProfileTheChargerRunsVerifiesCompletely() throws {
        let profile = try memoryLoader(["/mem/p.json": #"{"name": "p", "settings": {"heartbeatInterval": 300, "localPreAuthorize": false}}"#])
            .load("p.json").resolve(for: alfen16)
        let before = Configuration(ocppVersion: .v16, items: [item16("HeartbeatInterval", "600"), item16("LocalPreAuthorize", "false")])
        let plan = ConfigurationPlan(profile: profile, current: before)
        let after = Configuration(ocppVersion: .v16, items: [item16("HeartbeatInterval", "300"), item16("LocalPreAuthorize", "false")])
        let report = plan.verify(results: [ConfigurationChangeResult(key: "HEARTBEATINTERVAL", status: .accepted)], reread: after)
        #expect(report.succeeded)
        let json = String(decoding: try JSONCoding.encode(report), as: UTF8.self)
        #expect(json.contains("\"needsReset\":false"))
        #expect(json.contains("\"succeeded\":true"))
        #expect(json.contains("\"result\":\"verified\""))
    }
}
