import BackendAPI
import Foundation
import JSON
import Testing
@testable import ChargeKit

/// The judgements of the state-reading checks, on charger states the simulator does not
/// produce on its own (stale heartbeats, drifting clocks, bad voltages, unapproved firmware).
@Suite struct QAEvaluationTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func charger(connected: Bool = true, heartbeat: Date? = now, offset: Double? = 0.2,
                        connectors: [Connector] = [], firmware: String? = "1.2.3") -> Charger {
        Charger(id: "CP-1", vendor: "V", model: "M", serialNumber: "S1", firmwareVersion: firmware, ocppVersion: .v16,
                connected: connected, siteId: "SITE-01", lastHeartbeatAt: heartbeat,
                lastBoot: BootInfo(at: now.addingTimeInterval(-3600), status: .accepted), connectors: connectors,
                site: SiteRef(id: "SITE-01", name: "One"), clockOffsetSeconds: offset)
    }

    @Test func identityComparesWhatTheInstallerExpects() {
        #expect(QAEvaluation.identity(Self.charger(), QAOptions()).status == .pass)
        let wrong = QAEvaluation.identity(Self.charger(), QAOptions(expectedSerial: "S2", expectedModel: "M"))
        #expect(wrong.status == .fail && wrong.message == "serial S1 (expected S2)")
        var rejected = Self.charger()
        rejected.lastBoot?.status = .pending
        #expect(QAEvaluation.identity(rejected, QAOptions()).message == "the last BootNotification was answered Pending")
        #expect(QAEvaluation.identity(Self.charger(firmware: nil), QAOptions()).message == "the BootNotification lacks firmware version")
    }

    @Test func aHeartbeatOlderThanTwiceTheIntervalFails() {
        let fresh = QAEvaluation.connection(Self.charger(heartbeat: Self.now.addingTimeInterval(-500)), heartbeatInterval: 300, now: Self.now)
        #expect(fresh.status == .pass)
        let stale = QAEvaluation.connection(Self.charger(heartbeat: Self.now.addingTimeInterval(-601)), heartbeatInterval: 300, now: Self.now)
        #expect(stale.status == .fail && stale.message.hasPrefix("last heartbeat 601 s ago"))
        #expect(QAEvaluation.connection(Self.charger(connected: false), heartbeatInterval: 300, now: Self.now).status == .fail)
        #expect(QAEvaluation.connection(Self.charger(), heartbeatInterval: 0, now: Self.now).status == .warn)
    }

    @Test func clockDriftHasALimit() {
        #expect(QAEvaluation.clock(Self.charger(offset: -4.9), limit: 5).status == .pass)
        let late = QAEvaluation.clock(Self.charger(offset: -7.25), limit: 5)
        #expect(late.status == .fail && late.message == "the charger's clock is 7.2 s behind the backend's (limit 5.0 s)")
        #expect(QAEvaluation.clock(Self.charger(offset: nil), limit: 5).status == .error)
    }

    @Test func connectorsNeedOneStatusEachAndNoError() {
        let at = Self.now
        let ok = [0, 1, 2].map { Connector(connectorId: $0, status: .available, errorCode: "NoError", updatedAt: at) }
        #expect(QAEvaluation.connectors(Self.charger(connectors: ok), numberOfConnectors: 2, expected: .available).status == .pass)
        let missing = QAEvaluation.connectors(Self.charger(connectors: Array(ok.prefix(2))), numberOfConnectors: 2, expected: .available)
        #expect(missing.status == .fail && missing.message == "no status for connector 2")
        var occupied = ok
        occupied[1] = Connector(connectorId: 1, status: .preparing, errorCode: "NoError", updatedAt: at)
        #expect(QAEvaluation.connectors(Self.charger(connectors: occupied), numberOfConnectors: 2, expected: .available).message
                == "connector 1 Preparing, expected Available")
        #expect(QAEvaluation.connectors(Self.charger(connectors: occupied), numberOfConnectors: 2, expected: .preparing).status == .fail,
                "connector 2 is Available, not the Preparing asked for")
    }

    @Test func firmwareIsJudgedAgainstTheApprovedCatalogue() {
        func entry(_ version: String, approved: Bool, at offset: Double) -> Firmware {
            Firmware(id: version, version: version, models: ["M"], size: 1, sha256: String(repeating: "0", count: 64), approved: approved,
                     uploadedAt: Self.now.addingTimeInterval(offset), signed: false)
        }
        let catalogue = [entry("1.2.3", approved: true, at: -100), entry("1.3.0", approved: true, at: -10), entry("1.4.0", approved: false, at: 0)]
        #expect(QAEvaluation.firmware(Self.charger(firmware: "1.3.0"), catalogue: catalogue, expected: nil).status == .pass)
        #expect(QAEvaluation.firmware(Self.charger(firmware: "1.2.3"), catalogue: catalogue, expected: nil).status == .warn)
        let unapproved = QAEvaluation.firmware(Self.charger(firmware: "1.4.0"), catalogue: catalogue, expected: nil)
        #expect(unapproved.status == .fail && unapproved.message == "runs 1.4.0, which is not approved for M (newest approved: 1.3.0)")
        #expect(QAEvaluation.firmware(Self.charger(firmware: "1.2.3"), catalogue: [], expected: "1.2.3").status == .pass)
        #expect(QAEvaluation.firmware(Self.charger(firmware: "1.2.3"), catalogue: [], expected: nil).status == .error)
    }

    @Test func meterValuesOfBothVersionsAreParsedAndJudged() {
        let v16: JSONObject = ["connectorId": 1, "meterValue": [["timestamp": "2026-12-03T08:00:00Z", "sampledValue": [
            ["value": "12345", "context": "Trigger"],
            ["value": "231.4", "measurand": "Voltage", "phase": "L1-N", "unit": "V", "context": "Trigger"],
            ["value": "0.2", "measurand": "Energy.Active.Import.Register", "unit": "kWh", "phase": "L1"],
        ]]]]
        let samples = MeterSample.parse(v16)
        #expect(samples.map(\.measurand) == ["Energy.Active.Import.Register", "Voltage", "Energy.Active.Import.Register"])
        #expect(samples[1].phase == "L1" && samples[2].value == 200 && MeterSample.energyWh(samples) == 12345)
        let v201: JSONObject = ["evseId": 1, "meterValue": [["timestamp": "2026-12-03T08:00:00Z", "sampledValue": [
            ["value": 0.2275, "measurand": "Voltage", "phase": "L2-N", "unitOfMeasure": ["unit": "V", "multiplier": 3]],
        ]]]]
        #expect(MeterSample.parse(v201).first?.value == 227.5)

        let range = 207.0...253.0
        let fine = QAEvaluation.meter(samples: [1: samples], previousEnergy: [1: 12000], voltageRange: range, maximumCurrent: nil, ocppVersion: .v16)
        #expect(fine.status == .pass)
        let back = QAEvaluation.meter(samples: [1: samples], previousEnergy: [1: 13000], voltageRange: range, maximumCurrent: nil, ocppVersion: .v16)
        #expect(back.status == .fail && back.message == "connector 1 energy register went back from 13000.0 to 12345.0 Wh")
        let low = [MeterSample(measurand: "Voltage", phase: "L3", value: 198.2)]
        #expect(QAEvaluation.meter(samples: [2: low], previousEnergy: [:], voltageRange: range, maximumCurrent: nil, ocppVersion: .v16).message
                == "connector 2 L3 voltage 198.2 V outside 207–253 V")
        let energyOnly = [MeterSample(measurand: MeterSample.energy, value: 5)]
        let warn = QAEvaluation.meter(samples: [1: energyOnly], previousEnergy: [:], voltageRange: range, maximumCurrent: nil, ocppVersion: .v201)
        #expect(warn.status == .warn && warn.remedy == "Add Voltage to AlignedDataCtrlr.Measurands.")
        let mismatch = [MeterSample(measurand: "Voltage", phase: "L1", value: 230), MeterSample(measurand: "Current.Import", phase: "L1", value: 10),
                        MeterSample(measurand: "Power.Active.Import", value: 7400)]
        #expect(QAEvaluation.meter(samples: [1: mismatch], previousEnergy: [:], voltageRange: range, maximumCurrent: nil, ocppVersion: .v16).status == .fail)
    }

    @Test func theVerdictFailsOnFailAndErrorOnly() {
        func report(_ statuses: [QACheckStatus]) -> QAReport {
            QAReport(charger: "CP-1", startedAt: Self.now, finishedAt: Self.now,
                     checks: statuses.map { QACheckResult(id: .identity, status: $0, message: "") })
        }
        #expect(report([.pass, .warn, .skip]).verdict == .pass)
        #expect(report([.pass, .error]).verdict == .fail)
        #expect(report([.fail]).run.verdict == .fail)
    }
}
