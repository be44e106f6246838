import BackendAPI
import ChargeKit
import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit sim --ocpp-log`: a commissioning walk driven through the HTTP API on a 1.6 and
/// a 2.0.1 charger, then every logged frame checked against the official OCPP schemas.
@Suite struct EndToEndFramesTests {
    static let validator = packageRoot.appendingPathComponent("Tests/ChargeKitSimTests/validate_frames.py").path

    @Test func aCommissioningWalkLogsOnlySchemaValidFrames() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.root + "/frames.jsonl"
        let sim = try await SimUnderTest.start(["--chargers", "12", "--speed", "100", "--ocpp-log", log], sandbox: sandbox)
        do {
            let client = try BackendClient(configuration: BackendConfiguration(baseURL: sim.url, token: "demo-operator"))
            defer { client.shutdown() }
            let chargers = try await Self.awaitFleet(client, count: 12)
            let v16 = try #require(chargers.first { $0.ocppVersion == .v16 }?.id)
            let v201 = try #require(chargers.first { $0.ocppVersion == .v201 }?.id)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.walk(client, v16, .v16) }
                group.addTask { try await Self.walk(client, v201, .v201) }
                try await group.waitForAll()
            }
        } catch {
            _ = await sim.stop()
            throw error
        }
        let ending = await sim.stop()
        #expect(ending.status == 0 && !ending.killed, "\(ending.stderr)")
        let result = try await runTool("python3", [Self.validator, log])
        if result.status == 2 {
            Issue.record("validate_frames.py cannot run (pip install ocpp jsonschema): \(result.output)")
            return
        }
        #expect(result.status == 0, "frames fail the official schemas:\n\(result.output.suffix(4000))")
        #expect(result.output.contains(" 0 failed"))
        for action in ["BootNotification", "ChangeConfiguration", "SetVariables", "Reset", "RemoteStartTransaction",
                       "RequestStartTransaction", "MeterValues", "TransactionEvent", "UpdateFirmware", "FirmwareStatusNotification"] {
            #expect(result.output.contains(action), "the log covers \(action)")
        }
    }

    static func awaitFleet(_ client: BackendClient, count: Int) async throws -> [ChargerSummary] {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let all = try await client.allChargers()
            if all.count == count, all.allSatisfy({ $0.connected && $0.ocppVersion != nil }) { return all }
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The first event of `types` from `charger` after `cursor` that satisfies `predicate`.
    static func awaitEvent(_ client: BackendClient, _ charger: String, _ types: [String], after cursor: String,
                           where predicate: (Event) -> Bool = { _ in true }) async throws -> Event {
        var after = cursor
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            let batch = try await client.chargerEvents(charger, EventQuery(types: types, after: after, wait: 20))
            if let event = batch.events.first(where: predicate) { return event }
            after = batch.cursor
        }
        Issue.record("no \(types) from \(charger)")
        throw CancellationError()
    }

    static func walk(_ client: BackendClient, _ id: String, _ version: BackendAPI.OCPPVersion) async throws {
        let v16 = version == .v16
        // Configuration.
        let changes = v16
            ? [BackendAPI.ConfigurationChange(key: "HeartbeatInterval", value: "120"), .init(key: "MeterValueSampleInterval", value: "10")]
            : [BackendAPI.ConfigurationChange(key: "OCPPCommCtrlr.HeartbeatInterval", value: "120"),
               .init(key: "SampledDataCtrlr.TxUpdatedInterval", value: "10")]
        let applied = try await client.changeConfiguration(id, changes)
        #expect(applied.results.allSatisfy { $0.status == .accepted || $0.status == .rebootRequired }, "\(applied)")
        _ = try await client.configuration(id, keys: changes.map(\.key))

        // Reset: a new boot.
        var cursor = try await client.chargerEvents(id, EventQuery(after: EventFeed.latest)).cursor
        let reset = try await client.command(id, action: "Reset", payload: ["type": .string(v16 ? "Soft" : "Immediate")])
        #expect(reset.response["status"] == "Accepted")
        let boot = try await awaitEvent(client, id, ["BootNotification"], after: cursor)
        cursor = try await awaitOnline(client, id, after: String(format: "c_%016llx", boot.seq))

        // Remote start, meter values while charging, remote stop.
        let start = v16
            ? try await client.command(id, action: "RemoteStartTransaction", payload: ["connectorId": 1, "idTag": "E2E-0001"])
            : try await client.command(id, action: "RequestStartTransaction",
                                       payload: ["idToken": ["idToken": "E2E-0001", "type": "ISO14443"], "remoteStartId": 7, "evseId": 1])
        #expect(start.response["status"] == "Accepted")
        let sample = try await awaitEvent(client, id, [v16 ? "MeterValues" : "TransactionEvent"], after: cursor) { event in
            event.payload["meterValue"] != nil && (v16 ? event.payload["transactionId"] != nil : event.payload["eventType"] == "Updated")
        }
        let stopped = v16
            ? try await client.command(id, action: "RemoteStopTransaction", payload: ["transactionId": sample.payload["transactionId"] ?? 0])
            : try await client.command(id, action: "RequestStopTransaction",
                                       payload: ["transactionId": sample.payload["transactionInfo"]?["transactionId"] ?? ""])
        #expect(stopped.response["status"] == "Accepted")
        _ = try await awaitEvent(client, id, [v16 ? "StopTransaction" : "TransactionEvent"], after: cursor) { event in
            v16 || event.payload["eventType"] == "Ended"
        }

        // Firmware: the newer catalogue version, until the charger boots with it.
        let charger = try await client.charger(id)
        let model = try #require(charger.model)
        let newest = try await client.firmwareCatalogue(model: model).items.max { a, b in
            a.version.compare(b.version, options: .numeric) == .orderedAscending
        }
        let target = try #require(newest)
        #expect(target.version != charger.firmwareVersion)
        let job = try await client.startFirmwareUpdate(id, FirmwareUpdateRequest(firmwareId: target.id, retries: 1, retryIntervalSeconds: 10),
                                                       idempotencyKey: UUID().uuidString)
        let deadline = ContinuousClock.now + .seconds(90)
        var current = job
        while current.active, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            current = try await client.firmwareUpdate(job.id)
        }
        #expect(current.state == .booted && current.timeline.last?.firmwareVersion == target.version, "\(current.timeline)")
        #expect(try await client.charger(id).firmwareVersion == target.version)
    }

    /// Waits until the charger is connected again after a boot; answers a cursor to go on from.
    static func awaitOnline(_ client: BackendClient, _ id: String, after cursor: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let charger = try await client.charger(id)
            if charger.connected, !charger.connectors.isEmpty { return cursor }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(id) did not come back")
        throw CancellationError()
    }
}
