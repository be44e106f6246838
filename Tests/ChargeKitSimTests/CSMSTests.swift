import Foundation
import JSON
import OCPP
import Testing
@testable import ChargeKitSim

@Suite struct BatchingTests {
    /// Counts the CALLs of an action the CSMS sent, with their item counts.
    func sentCalls(_ frames: FrameCollector, _ action: String) -> [JSONValue] {
        frames.all.compactMap { e in
            guard e.direction == .csmsToCharger, case .call(_, let a, let payload)? = try? OCPPFrame(text: e.frame), a == action else { return nil }
            return payload
        }
    }

    @Test func v201GetAndSetVariablesHonourItemsPerMessage() async throws {
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-Z", zaptec)], hook: frames.hook)  // ItemsPerMessage 4 / 4
        await sim.start()
        #expect(await awaitBoot(sim, "CP-Z"))
        let keys = ["OCPPCommCtrlr.HeartbeatInterval", "OCPPCommCtrlr.WebSocketPingInterval", "SampledDataCtrlr.TxUpdatedInterval",
                    "SampledDataCtrlr.TxUpdatedMeasurands", "AlignedDataCtrlr.Interval", "AlignedDataCtrlr.Measurands",
                    "TxCtrlr.EVConnectionTimeOut", "AuthCtrlr.AuthorizeRemoteStart", "EVSE.SupplyPhases@1", "EVSE.Power@2"]
        let reading = try await sim.csms.getConfiguration("CP-Z", keys: keys)
        #expect(reading.values.count == 9)
        #expect(reading.unknownKeys == ["EVSE.Power@2"], "no EVSE 2 on this station")
        #expect(reading.values.first { $0.key == "EVSE.SupplyPhases@1" }?.value == "3")
        let gets = sentCalls(frames, "GetVariables")
        #expect(gets.allSatisfy { ($0["getVariableData"]?.arrayValue?.count ?? 99) <= 4 })
        #expect(gets.count == 2 + 3)  // ItemsPerMessage and BytesPerMessage, then 4 + 4 + 2

        let changes = (0..<6).map { ConfigurationChange(key: "OCPPCommCtrlr.HeartbeatInterval", value: String(100 + $0)) }
        let results = try await sim.csms.changeConfiguration("CP-Z", changes)
        #expect(results.allSatisfy { $0.status == .accepted })
        let sets = sentCalls(frames, "SetVariables")
        #expect(sets.map { $0["setVariableData"]?.arrayValue?.count ?? 0 } == [4, 2])

        // Asked directly with too many items, the station answers with a CALLERROR.
        let five = (0..<5).map { _ in ["component": ["name": "OCPPCommCtrlr"], "variable": ["name": "HeartbeatInterval"]] as JSONValue }
        do {
            _ = try await sim.csms.send("CP-Z", action: "GetVariables", payload: ["getVariableData": .array(five)])
            Issue.record("5 items accepted with ItemsPerMessage 4")
        } catch {
            #expect(error.ocppErrorCode == .occurrenceConstraintViolation)
        }
        await sim.stop()
    }

    @Test func v201BatchesStayWithinBytesPerMessage() async throws {
        let small = ChargerModel(vendor: "Test", model: "Tiny", version: .v201, connectorCounts: [1], phases: 3, isDC: false,
                                 maxPowerW: 11_000, firmwareVersions: ["1.0"], serialPrefix: "T", serialDigits: 4,
                                 itemsPerMessageGet: 50, itemsPerMessageSet: 50,
                                 defaults: ["DeviceDataCtrlr.BytesPerMessage[SetVariables]": "600",
                                            "DeviceDataCtrlr.BytesPerMessage[GetVariables]": "600"])
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-T", small)], hook: frames.hook)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-T"))
        let name = String(repeating: "N", count: 45)
        let changes = (0..<8).map { ConfigurationChange(key: "SecurityCtrlr.OrganizationName", value: name + String($0)) }
        let results = try await sim.csms.changeConfiguration("CP-T", changes)
        #expect(results.allSatisfy { $0.status == .accepted })
        let sets = frames.all.filter { $0.direction == .csmsToCharger && $0.frame.contains("SetVariables") }
        #expect(sets.count > 1)
        #expect(sets.allSatisfy { $0.frame.utf8.count <= 600 })
        // Sent directly, an over-long request gets a FormatViolation (B06.FR.17 / B05).
        let items = (0..<8).map { _ in
            ["component": ["name": "SecurityCtrlr"], "variable": ["name": "OrganizationName"], "attributeValue": .string(name)] as JSONValue
        }
        do {
            _ = try await sim.csms.send("CP-T", action: "SetVariables", payload: ["setVariableData": .array(items)])
            Issue.record("an over-long SetVariables was accepted")
        } catch {
            #expect(error.ocppErrorCode == .formatViolation)
        }
        await sim.stop()
    }

    @Test func v16GetConfigurationSplitsAtMaxKeys() async throws {
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-A", abb)], hook: frames.hook)  // GetConfigurationMaxKeys 10
        await sim.start()
        #expect(await awaitBoot(sim, "CP-A"))
        let keys = Keys(.v16).readSet
        let reading = try await sim.csms.getConfiguration("CP-A", keys: keys)
        #expect(reading.values.count == keys.count - 1)
        let calls = sentCalls(frames, "GetConfiguration")
        #expect(calls.allSatisfy { ($0["key"]?.arrayValue?.count ?? 0) <= 10 })
        #expect(calls.count == 1 + 3)
        // Everything: no keys.
        let all = try await sim.csms.getConfiguration("CP-A")
        #expect(all.values.contains { $0.key == "NumberOfConnectors" && $0.readonly == true })
        #expect(!all.values.contains { $0.key == "AuthorizationKey" }, "write-only keys are never listed")
        #expect(all.values.contains { $0.key == "AuthorizeRemoteTxRequests" && $0.readonly == true }, "read-only on this model")
        await sim.stop()
    }

    @Test func writeOnlyKeysAreNeverReturned() async throws {
        let sim = makeSimulation([spec("CP-1", alfen), spec("CP-2", kempower)])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        #expect(await awaitBoot(sim, "CP-2"))
        let secret = "s3cret-s3cret-s3cret"
        #expect(try await sim.csms.changeConfiguration("CP-1", [ConfigurationChange(key: "AuthorizationKey", value: secret)]).first?.status == .accepted)
        #expect(try await sim.csms.changeConfiguration("CP-2", [ConfigurationChange(key: "SecurityCtrlr.BasicAuthPassword", value: secret)]).first?.status == .accepted)
        let r1 = try await sim.csms.getConfiguration("CP-1", keys: ["AuthorizationKey"])
        #expect(r1.values.isEmpty)
        let r2 = try await sim.csms.getConfiguration("CP-2", keys: ["SecurityCtrlr.BasicAuthPassword"])
        #expect(r2.values.first?.value == nil)
        #expect(r2.values.first?.status == "Rejected")
        // Too short a password is rejected.
        #expect(try await sim.csms.changeConfiguration("CP-2", [ConfigurationChange(key: "SecurityCtrlr.BasicAuthPassword", value: "short")]).first?.status == .rejected)
        #expect(await sim.inspect("CP-1")?.configuration["AuthorizationKey"] == secret)
        await sim.stop()
    }

    @Test func valueValidation() async throws {
        let sim = makeSimulation([spec("CP-1", alfen)])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        let results = try await sim.csms.changeConfiguration("CP-1", [
            ConfigurationChange(key: "MeterValuesSampledData", value: "Energy.Active.Import.Register,Voltage"),
            ConfigurationChange(key: "MeterValuesSampledData", value: "Energy.Active.Import.Register,RPM"),
            ConfigurationChange(key: "AuthorizeRemoteTxRequests", value: "maybe"),
            ConfigurationChange(key: "AuthorizeRemoteTxRequests", value: "TRUE"),
            ConfigurationChange(key: "HeartbeatInterval", value: "999999"),
            ConfigurationChange(key: "ConnectorPhaseRotation", value: "0.RST,1.TSR"),
            ConfigurationChange(key: "ConnectorPhaseRotation", value: "1.XYZ"),
            ConfigurationChange(key: "SecurityProfile", value: "1"),
            ConfigurationChange(key: "SecurityProfile", value: "0"),
        ])
        #expect(results.map(\.status) == [.accepted, .rejected, .rejected, .accepted, .rejected, .accepted, .rejected, .accepted, .rejected])
        await sim.stop()
    }
}

@Suite struct EventLogTests {
    func event(_ log: EventLog, _ charger: String, _ type: String) {
        log.append(chargerId: charger, type: type, receivedAt: Date(), chargerTime: nil, payload: [:])
    }

    @Test func longPollWakesOnAMatchingEventOnly() async throws {
        let log = EventLog(capacity: 100)
        event(log, "CP-1", "Heartbeat")
        let cursor = log.latestSeq
        let started = ContinuousClock.now
        // A wait far longer than a loaded machine stalls this test (over 30 s has been seen),
        // so waking on the event is told apart from running out the wait.
        async let page = log.events(after: cursor, chargers: ["CP-2", "CP-3"], types: ["BootNotification"], wait: .seconds(300))
        try await Task.sleep(for: .milliseconds(50))
        event(log, "CP-2", "Heartbeat")          // wrong type
        event(log, "CP-9", "BootNotification")   // wrong charger
        try await Task.sleep(for: .milliseconds(50))
        event(log, "CP-3", "BootNotification")
        let result = await page
        #expect(result.events.map(\.chargerId) == ["CP-3"])
        #expect(result.cursor == log.latestSeq)
        // Woke on the event, long before the 300 s wait ran out.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func longPollTimesOutEmpty() async {
        let log = EventLog(capacity: 100)
        let started = ContinuousClock.now
        let page = await log.events(after: log.latestSeq, chargers: ["CP-1"], wait: .milliseconds(100))
        #expect(page.events.isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(100))
    }

    @Test func returnsImmediatelyWhenEventsExistAndPagesWithTheCursor() async {
        let log = EventLog(capacity: 100)
        for i in 0..<10 { event(log, "CP-\(i % 2)", "StatusNotification") }
        let first = await log.events(after: nil, chargers: ["CP-1"], limit: 3, wait: .seconds(5))
        #expect(first.events.map(\.seq) == [2, 4, 6])
        let second = await log.events(after: first.cursor, chargers: ["CP-1"], limit: 3, wait: .seconds(5))
        #expect(second.events.map(\.seq) == [8, 10])
    }

    @Test func cancellationEndsTheWait() async {
        let log = EventLog(capacity: 10)
        let started = ContinuousClock.now
        let task = Task { await log.events(after: 0, wait: .seconds(300)) }
        try? await Task.sleep(for: .milliseconds(30))
        task.cancel()
        let page = await task.value
        #expect(page.events.isEmpty)
        // Far sooner than the 300 s wait; a loaded machine has stalled this test over 30 s.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func ringKeepsTheNewestAndFlagsTheGap() async {
        let log = EventLog(capacity: 5)
        for _ in 0..<12 { event(log, "CP-1", "Heartbeat") }
        #expect(log.count == 5)
        let page = await log.events(after: 2)
        #expect(page.events.map(\.seq) == [8, 9, 10, 11, 12])
        #expect(page.truncated)
    }

    @Test func manyWaitersOneEventEach() async {
        let log = EventLog(capacity: 1000)
        let ids = (1...50).map { "CP-\($0)" }
        await withTaskGroup(of: Int.self) { group in
            for id in ids {
                group.addTask { await log.events(after: 0, chargers: [id], wait: .seconds(5)).events.count }
            }
            try? await Task.sleep(for: .milliseconds(50))
            for id in ids { event(log, id, "BootNotification") }
            var total = 0
            for await n in group { total += n }
            #expect(total == 50)
        }
    }
}

@Suite struct WireLatencyTests {
    /// With a round trip configured, a CALL to a charger and its answer take at least that
    /// long in real time, whatever the speed, and frames keep their order.
    @Test func aCallTakesTheRoundTripAndFramesKeepTheirOrder() async throws {
        let sim = makeSimulation([spec("CP-A", alfen), spec("CP-Z", zaptec)], speed: 200, latency: 0.2)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-A"))
        #expect(await awaitBoot(sim, "CP-Z"))
        for id in ["CP-A", "CP-Z"] {
            let start = ContinuousClock.now
            let reading = try await sim.csms.getConfiguration(id)
            let took = ContinuousClock.now - start
            #expect(!reading.values.isEmpty)
            #expect(took >= .milliseconds(200), "\(id): \(took)")
        }
        // Many CALLs at once: every answer is matched to its CALL, none lost on the delayed wire.
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await sim.csms.getConfiguration("CP-A", keys: ["HeartbeatInterval"]).values.count }
            }
            for try await count in group { #expect(count == 1) }
        }
        await sim.stop()
    }
}
