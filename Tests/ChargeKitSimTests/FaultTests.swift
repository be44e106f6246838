import Checksum
import Foundation
import JSON
import OCPP
import Testing
@testable import ChargeKitSim

@Suite struct FaultTests {
    @Test func offlineChargerNeverConnectsAndOperationsSayOffline() async throws {
        let sim = makeSimulation([spec("CP-OFF", alfen, faults: [.offline]), spec("CP-ON", alfen)])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-ON"))
        await simSleep(sim, 20)
        let view = try #require(await sim.csms.charger("CP-OFF"))
        #expect(!view.connected)
        #expect(view.bootCount == 0)
        #expect(view.site == "SITE-01")
        await #expect(throws: CSMSError.offline("CP-OFF")) { _ = try await sim.csms.getConfiguration("CP-OFF", keys: ["HeartbeatInterval"]) }
        await #expect(throws: CSMSError.unknownCharger("CP-NOPE")) { _ = try await sim.csms.send("CP-NOPE", action: "Reset", payload: ["type": "Soft"]) }
        await sim.stop()
    }

    @Test(arguments: [alfen, zaptec])
    func faultedConnectorReportsItsError(_ model: ChargerModel) async throws {
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-F", model, connectors: 2, faults: [.connectorFaulted])], hook: frames.hook)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-F"))
        #expect(await awaitEvent(sim, "CP-F", "StatusNotification") { e in
            (e.payload["status"] ?? e.payload["connectorStatus"]) == "Faulted"
        } != nil)
        if model.version == .v201 { #expect(await awaitEvent(sim, "CP-F", "NotifyEvent") != nil) }
        let connectors = try #require(await sim.csms.charger("CP-F")).connectors
        let faulted = try #require(connectors.first { $0.connectorId == 2 })
        #expect(faulted.status == "Faulted")
        #expect(faulted.errorCode == "GroundFailure")
        #expect(faulted.info?.contains("RCD") == true)
        if model.version == .v16 { #expect(faulted.vendorErrorCode == "E-GF-30") }
        #expect(connectors.first { $0.connectorId == 1 }?.status == "Available")
        // No remote start on a faulted connector.
        let payload: JSONValue = model.version == .v16 ? ["idTag": "T1", "connectorId": 2]
            : ["idToken": ["idToken": "T1", "type": "ISO14443"], "remoteStartId": 1, "evseId": 2]
        let r = try await sim.csms.send("CP-F", action: model.version == .v16 ? "RemoteStartTransaction" : "RequestStartTransaction", payload: payload)
        #expect(r["status"] == "Rejected")
        await sim.stop()
        try await expectSchemaValid(frames, mustCover: model.version == .v16 ? ["StatusNotification"] : ["NotifyEvent"])
    }

    @Test(arguments: [alfen, zaptec])
    func configRejectedRejectsWritableKeys(_ model: ChargerModel) async throws {
        let sim = makeSimulation([spec("CP-R", model, faults: [.configRejected])])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-R"))
        let k = Keys(model.version)
        let results = try await sim.csms.changeConfiguration("CP-R", [
            ConfigurationChange(key: k.heartbeat, value: "30"), ConfigurationChange(key: k.unknown, value: "1"),
        ])
        #expect(results.map(\.status) == [.rejected, k.unknownStatus])
        #expect(try await sim.csms.getConfiguration("CP-R", keys: [k.heartbeat]).values.first?.value == "60")
        await sim.stop()
    }

    @Test func slowChargerAnswersLateAndTimesOutAShortWait() async throws {
        // Speed 10: 2-5 sim seconds late = 200-500 ms real, far beyond the 20 ms wait below
        // even when a loaded machine fires that timer late.
        let sim = makeSimulation([spec("CP-S", alfen, faults: [.slow])], speed: 10)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-S"))
        let t0 = sim.clock.elapsed
        _ = try await sim.csms.getConfiguration("CP-S", keys: ["HeartbeatInterval"])
        // Two calls (GetConfigurationMaxKeys, then the keys), each 2-5 s late.
        #expect(sim.clock.elapsed - t0 >= 4)
        await #expect(throws: CSMSError.timeout(chargerId: "CP-S", action: "ClearCache", after: .milliseconds(20))) {
            _ = try await sim.csms.send("CP-S", action: "ClearCache", payload: [:], timeout: .milliseconds(20))
        }
        await sim.stop()
    }

    @Test func unknownActionIsACallError() async throws {
        let sim = makeSimulation([spec("CP-1", alfen), spec("CP-2", zaptec)])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        #expect(await awaitBoot(sim, "CP-2"))
        for id in ["CP-1", "CP-2"] {
            do {
                _ = try await sim.csms.send(id, action: "NoSuchAction", payload: [:])
                Issue.record("NoSuchAction answered")
            } catch {
                #expect(error.ocppErrorCode == .notImplemented)
            }
        }
        // A typed request of the wrong version is refused before it is sent.
        await #expect(throws: CSMSError.versionMismatch(chargerId: "CP-1", charger: .v16, request: .v201)) {
            _ = try await sim.csms.call("CP-1", V201.ClearCacheRequest())
        }
        // A payload that misses a required field: the charger says so.
        do {
            _ = try await sim.csms.send("CP-1", action: "ChangeConfiguration", payload: ["key": "HeartbeatInterval"])
            Issue.record("invalid payload answered")
        } catch {
            #expect(error.ocppErrorCode == .occurrenceConstraintViolation)
            if case .callError(_, _, let code, _, _) = error { #expect(code == "OccurenceConstraintViolation") }  // 1.6 spelling
        }
        await sim.stop()
    }

    @Test func resetWhileTransactionEndsItAndRebootsWithReason() async throws {
        let sim = makeSimulation([spec("CP-1", alfen), spec("CP-2", zaptec)])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        #expect(await awaitBoot(sim, "CP-2"))
        _ = try await sim.csms.send("CP-1", action: "RemoteStartTransaction", payload: ["idTag": "T1"])
        _ = try await sim.csms.send("CP-2", action: "RequestStartTransaction",
                                    payload: ["idToken": ["idToken": "T1", "type": "Central"], "remoteStartId": 7])
        #expect(await awaitEvent(sim, "CP-1", "StatusNotification") { $0.payload["status"] == "Charging" } != nil)
        #expect(await awaitEvent(sim, "CP-2", "TransactionEvent") { $0.payload["eventType"] == "Started" } != nil)
        let cursor = sim.csms.eventLog.latestSeq
        // 2.0.1 OnIdle during a transaction: Scheduled, not now.
        #expect(try await sim.csms.send("CP-2", action: "Reset", payload: ["type": "OnIdle"])["status"] == "Scheduled")
        #expect(try await sim.csms.send("CP-1", action: "Reset", payload: ["type": "Hard"])["status"] == "Accepted")
        let stop = try #require(await awaitEvent(sim, "CP-1", "StopTransaction", after: cursor))
        #expect(stop.payload["reason"] == "HardReset")
        #expect(await awaitEvent(sim, "CP-1", "BootNotification", after: cursor) != nil)
        // The scheduled reset happens once the transaction is stopped.
        let tx = try #require(await sim.csms.charger("CP-2")?.connectors.first { $0.transactionId != nil }?.transactionId)
        _ = try await sim.csms.send("CP-2", action: "RequestStopTransaction", payload: ["transactionId": .string(tx)])
        let boot = try #require(await awaitEvent(sim, "CP-2", "BootNotification", after: cursor))
        #expect(boot.payload["reason"] == "RemoteReset")
        await sim.stop()
    }

    @Test func clockDriftShowsInChargerTimestamps() async throws {
        let frames = FrameCollector()
        // An hour of drift: at speed 20 a loaded machine's delivery delay of seconds is a minute
        // or more of sim time, which a 90 s drift could not be told apart from.
        let sim = makeSimulation([spec("CP-D", alfen, drift: 3600)], speed: 20, hook: frames.hook)
        await sim.start()
        let e = try #require(await awaitEvent(sim, "CP-D", "StatusNotification"))
        await sim.stop()
        // At the sender, the charger's timestamp is its clock: sim time + 3600 s.
        let sent = try #require(frames.all.first { $0.direction == .chargerToCSMS && $0.frame.contains("StatusNotification") })
        let stamp = try #require(OCPPFrame(text: sent.frame).callPayload?["timestamp"]?.stringValue.flatMap(OCPPDateTime.parse))
        #expect(abs(stamp.timeIntervalSince(sent.time) - 3600) < 0.5)
        // The CSMS sees that minus the delivery delay (up to 90 s of real time allowed).
        let offset = try #require(e.chargerTime?.timeIntervalSince(e.receivedAt))
        #expect(offset > 1800 && offset < 3600.5)
        let view = try #require(await sim.csms.charger("CP-D"))
        #expect((view.clockOffsetSeconds ?? 0) > 1800)
    }
}

extension OCPPFrame {
    var callPayload: JSONValue? {
        if case .call(_, _, let payload) = self { return payload }
        return nil
    }
}

@Suite struct FirmwareTests {
    static let image = Data((0..<1000).map { UInt8(truncatingIfNeeded: $0) })

    func url(_ version: String, sha: String? = nil) -> String {
        FirmwareLocation.make(base: "https://fw.test/images/a.bin", version: version, sha256: sha ?? SHA256.hex(Self.image))
    }

    func statuses(_ sim: Simulation, _ id: String, after: UInt64, until terminal: Set<String>) async -> [String] {
        var seen: [String] = []
        var cursor = after
        while true {
            guard let e = await awaitEvent(sim, id, "FirmwareStatusNotification", after: cursor, timeout: .seconds(60)) else { return seen + ["<timeout>"] }
            cursor = e.seq
            let s = e.payload["status"]?.stringValue ?? "?"
            seen.append(s)
            if terminal.contains(s) { return seen }
        }
    }

    @Test func skipsFirmwareStatusStillRebootsWithTheNewVersion() async throws {
        let fetcher = TestFetcher()
        fetcher.put("/images/a.bin", Self.image)
        let sim = makeSimulation([spec("CP-K", alfen, faults: [.skipsFirmwareStatus])], fetcher: fetcher)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-K"))
        let cursor = sim.csms.eventLog.latestSeq
        _ = try await sim.csms.updateFirmware("CP-K", FirmwareUpdate(location: url("7.0.0"), retrieveAt: sim.clock.now))
        let boot = try #require(await awaitEvent(sim, "CP-K", "BootNotification", after: cursor))
        #expect(boot.payload["firmwareVersion"] == "7.0.0")
        let page = await sim.csms.events(after: cursor, chargers: ["CP-K"], types: ["FirmwareStatusNotification"])
        #expect(page.events.isEmpty, "no FirmwareStatusNotification at all")
        await sim.stop()
    }

    @Test func downloadRetriesThenSucceeds() async throws {
        let fetcher = TestFetcher(failFirst: 2)
        fetcher.put("/images/a.bin", Self.image)
        let sim = makeSimulation([spec("CP-1", alfen)], fetcher: fetcher)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        let cursor = sim.csms.eventLog.latestSeq
        _ = try await sim.csms.updateFirmware("CP-1", FirmwareUpdate(location: url("7.1"), retrieveAt: sim.clock.now, retries: 2, retryInterval: 10))
        let seen = await statuses(sim, "CP-1", after: cursor, until: ["Installed", "DownloadFailed", "InstallationFailed"])
        #expect(seen == ["Downloading", "Downloading", "Downloading", "Downloaded", "Installing", "Installed"])
        #expect(fetcher.fetches.count == 3)
        await sim.stop()
    }

    @Test(arguments: [alfen, zaptec])
    func downloadFailsAfterRetries(_ model: ChargerModel) async throws {
        let sim = makeSimulation([spec("CP-1", model, faults: [.firmwareDownloadFails])])
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        let cursor = sim.csms.eventLog.latestSeq
        _ = try await sim.csms.updateFirmware("CP-1", FirmwareUpdate(location: url("7.2"), retrieveAt: sim.clock.now, retries: 1, retryInterval: 5))
        let seen = await statuses(sim, "CP-1", after: cursor, until: ["Installed", "DownloadFailed", "InstallationFailed"])
        #expect(seen == ["Downloading", "Downloading", "DownloadFailed"])
        #expect(await sim.inspect("CP-1")?.firmwareVersion == model.firmwareVersions[0])
        await sim.stop()
    }

    @Test(arguments: [alfen, zaptec])
    func installFailsKeepsTheOldVersion(_ model: ChargerModel) async throws {
        let fetcher = TestFetcher()
        fetcher.put("/images/a.bin", Self.image)
        let sim = makeSimulation([spec("CP-1", model, faults: [.firmwareInstallFails])], fetcher: fetcher)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        let cursor = sim.csms.eventLog.latestSeq
        _ = try await sim.csms.updateFirmware("CP-1", FirmwareUpdate(location: url("7.3"), retrieveAt: sim.clock.now))
        let seen = await statuses(sim, "CP-1", after: cursor, until: ["Installed", "DownloadFailed", "InstallationFailed"])
        #expect(seen == ["Downloading", "Downloaded", "Installing", "InstallationFailed"])
        await simSleep(sim, 30)
        #expect(await sim.csms.charger("CP-1")?.bootCount == 1, "no reboot")
        #expect(await sim.inspect("CP-1")?.firmwareVersion == model.firmwareVersions[0])
        await sim.stop()
    }

    @Test(arguments: [alfen, zaptec])
    func checksumMismatchFails(_ model: ChargerModel) async throws {
        let fetcher = TestFetcher()
        fetcher.put("/images/a.bin", Self.image)
        let sim = makeSimulation([spec("CP-1", model)], fetcher: fetcher)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        let cursor = sim.csms.eventLog.latestSeq
        let wrong = String(repeating: "ab", count: 32)
        _ = try await sim.csms.updateFirmware("CP-1", FirmwareUpdate(location: url("7.4", sha: wrong), retrieveAt: sim.clock.now, retries: 0))
        let seen = await statuses(sim, "CP-1", after: cursor, until: ["Installed", "DownloadFailed", "InstallationFailed", "InstallVerificationFailed"])
        #expect(seen == (model.version == .v16 ? ["Downloading", "DownloadFailed"] : ["Downloading", "InstallVerificationFailed"]))
        await sim.stop()
    }

    @Test func scheduledSignedUpdateWalksEveryState() async throws {
        let fetcher = TestFetcher()
        fetcher.put("/images/a.bin", Self.image)
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-1", zaptec), spec("CP-2", abb)], fetcher: fetcher, hook: frames.hook)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        #expect(await awaitBoot(sim, "CP-2"))
        // Both updates go out together and are followed after: each state must be observable,
        // so the scheduled times lie far enough ahead for a loaded machine. At speed 200, 50
        // virtual minutes are 15 s of real time before the download, and as much again between
        // the download's end (20 virtual seconds) and the install.
        let cursor = sim.csms.eventLog.latestSeq
        let now = sim.clock.now
        for id in ["CP-1", "CP-2"] {
            let ack = try await sim.csms.updateFirmware(id, FirmwareUpdate(
                location: url("8.0"), retrieveAt: now.addingTimeInterval(3000), installAt: now.addingTimeInterval(6000),
                signingCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", signature: "c2lnbmF0dXJl", requestId: 77))
            #expect(ack.requestId == 77)
            #expect(ack.action == (id == "CP-2" ? "SignedUpdateFirmware" : "UpdateFirmware"))
        }
        for id in ["CP-1", "CP-2"] {
            let type = id == "CP-2" ? "SignedFirmwareStatusNotification" : "FirmwareStatusNotification"
            var seen: [String] = []
            var seq = cursor
            while seen.last != "Installed" {
                let e = try #require(await awaitEvent(sim, id, type, after: seq))
                seq = e.seq
                seen.append(e.payload["status"]?.stringValue ?? "?")
                #expect(e.payload["requestId"] == 77)
            }
            #expect(seen == ["DownloadScheduled", "Downloading", "Downloaded", "SignatureVerified", "InstallScheduled",
                             "Installing", "InstallRebooting", "Installed"])
            let boot = try #require(await awaitEvent(sim, id, "BootNotification", after: cursor))
            if id == "CP-1" { #expect(boot.payload["reason"] == "FirmwareUpdate") }
            #expect(await sim.csms.charger(id)?.identity?.firmwareVersion == "8.0")
        }
        await sim.stop()
        try await expectSchemaValid(frames, mustCover: ["SignedUpdateFirmware", "SignedFirmwareStatusNotification", "ocpp2.0.1 UpdateFirmware"])
    }
}

@Suite struct WireTests {
    @Test func malformedFramesGetACallErrorWhenTheyHaveAnId() async throws {
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-1", alfen), spec("CP-2", zaptec)], hook: frames.hook)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        #expect(await awaitBoot(sim, "CP-2"))
        for (index, id) in ["CP-1", "CP-2"].enumerated() {
            let version: OCPPVersion = index == 0 ? .v16 : .v201
            sim.wire.csmsSends(id, index: index, version: version, #"[2,"bad-1","Reset"]"#)      // too short
            sim.wire.csmsSends(id, index: index, version: version, #"[2,"bad-2","Reset",{"type":7}]"#)  // wrong type
            sim.wire.csmsSends(id, index: index, version: version, #"[9,"bad-3",{}]"#)           // unknown message type
            sim.wire.csmsSends(id, index: index, version: version, "not json at all")           // no id: ignored
        }
        await simSleep(sim, 5)
        await sim.stop()
        let errors = frames.all.filter { $0.direction == .chargerToCSMS && $0.frame.hasPrefix("[4,") }.map { ($0.chargerId, $0.frame) }
        let codes = errors.map { e -> String in
            guard case .callError(let mid, let code, _, _)? = try? OCPPFrame(text: e.1) else { return "?" }
            return "\(e.0) \(mid) \(code)"
        }
        #expect(codes.sorted() == ["CP-1 bad-1 ProtocolError", "CP-1 bad-2 TypeConstraintViolation", "CP-1 bad-3 ProtocolError",
                                   "CP-2 bad-1 ProtocolError", "CP-2 bad-2 TypeConstraintViolation", "CP-2 bad-3 MessageTypeNotSupported"])
        #expect(await sim.inspect("CP-1")?.bootCount == 1, "no reset happened")
    }
}
