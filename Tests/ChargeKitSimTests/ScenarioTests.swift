import Checksum
import Foundation
import JSON
import OCPP
import Testing
import TestSupport
@testable import ChargeKitSim

/// The commissioning walk on both versions, with every frame logged and then checked against
/// the official schemas by validate_frames.py.
@Suite(.busySimulation) struct ScenarioTests {
    static let image = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })

    static func firmwareURL(_ version: String, sha: String = SHA256.hex(image)) -> String {
        FirmwareLocation.make(base: "https://backend.test/firmware/fw-1/image.bin", version: version, sha256: sha)
    }

    /// Boot, heartbeat, configuration (incl. RebootRequired and reset), a remote transaction
    /// with meter values, a firmware update: everything a commissioning run does.
    func commissioningWalk(_ sim: Simulation, _ id: String) async throws {
        let csms = sim.csms
        #expect(await awaitBoot(sim, id), "\(id) boots")
        let view = try #require(await csms.charger(id))
        let version = try #require(view.ocppVersion)
        let spec = try #require(sim.spec(id))
        #expect(view.identity?.vendor == spec.model.vendor)
        #expect(view.identity?.serialNumber == spec.serialNumber)
        #expect(view.identity?.firmwareVersion == spec.firmwareVersion)
        #expect(await awaitEvent(sim, id, "Heartbeat") != nil, "\(id) heartbeats")
        // One status per connector (and connector 0 in 1.6), Available.
        let statuses = try #require(await csms.charger(id)).connectors
        #expect(statuses.count == spec.connectorCount + (version == .v16 ? 1 : 0))
        #expect(statuses.allSatisfy { $0.status == "Available" })

        let k = Keys(version)
        // Configuration: read, change (incl. invalid, unknown, read-only, write-only), RebootRequired.
        let before = try await csms.getConfiguration(id, keys: k.readSet)
        #expect(before.values.count == k.readSet.count - 1)
        #expect(before.unknownKeys == [k.unknown])
        let changes = try await csms.changeConfiguration(id, [
            ConfigurationChange(key: k.heartbeat, value: "30"),
            ConfigurationChange(key: k.sampleInterval, value: "10"),
            ConfigurationChange(key: k.alignedInterval, value: "60"),
            ConfigurationChange(key: k.heartbeat, value: "-5"),
            ConfigurationChange(key: k.unknown, value: "1"),
            ConfigurationChange(key: k.readOnly, value: "7"),
            ConfigurationChange(key: k.writeOnly, value: "0123456789abcdef0123"),
            ConfigurationChange(key: k.rebootKey, value: "120"),
        ])
        // Models differ in which keys need a reboot (ChargerModel.rebootRequiredKeys).
        let needsReboot = spec.model.rebootRequiredKeys.contains(k.rebootKey)
        #expect(changes.map(\.status) == [.accepted, .accepted, .accepted, .rejected, k.unknownStatus, .rejected, .accepted,
                                          needsReboot ? .rebootRequired : .accepted])
        let mid = try await csms.getConfiguration(id, keys: [k.rebootKey, k.writeOnly, k.heartbeat])
        #expect(mid.values.first { $0.key == k.rebootKey }?.value == (needsReboot ? "60" : "120"),
                "a RebootRequired change is not in effect before the reset")
        #expect(mid.values.first { $0.key == k.heartbeat }?.value == "30")
        #expect(!mid.values.contains { $0.key == k.writeOnly && $0.value != nil }, "write-only key never read back")

        // Heartbeats now come every 30 s, not 300. Beats are stamped when the CSMS reads them,
        // so one beat read late lengthens one interval and shortens the next; the median of
        // four intervals is what neither a late firing nor a late read can move far.
        var beats: [Date] = []
        var hbCursor = sim.csms.eventLog.latestSeq
        while beats.count < 5 {
            let hb = try #require(await awaitEvent(sim, id, "Heartbeat", after: hbCursor))
            hbCursor = hb.seq
            beats.append(hb.receivedAt)
        }
        let intervals = zip(beats.dropFirst(), beats).map { $0.timeIntervalSince($1) }.sorted()
        let median = (intervals[1] + intervals[2]) / 2
        #expect(median > 20 && median < 165, "heartbeat intervals \(intervals) s")

        // Clock-aligned meter values: voltage without a transaction.
        let aligned = try #require(await awaitEvent(sim, id, "MeterValues", timeout: .seconds(60)) { e in
            e.payload.jsonText.contains("Sample.Clock") && e.payload.jsonText.contains("Voltage")
        })
        #expect(aligned.chargerTime != nil)

        // Reset: gone, back with a new boot, RebootRequired value in effect.
        let resetCursor = csms.eventLog.latestSeq
        let reset = try await csms.send(id, action: "Reset", payload: ["type": .string(k.resetType)])
        #expect(reset["status"] == "Accepted")
        let boot = try #require(await awaitEvent(sim, id, "BootNotification", after: resetCursor))
        if version == .v201 { #expect(boot.payload["reason"] == "RemoteReset") }
        #expect(await awaitBoot(sim, id, count: 2))
        let after = try await csms.getConfiguration(id, keys: [k.rebootKey])
        #expect(after.values.first?.value == "120", "RebootRequired change in effect after reset")

        // A transaction with a simulated vehicle.
        let txCursor = csms.eventLog.latestSeq
        let start = try await csms.send(id, action: k.remoteStart, payload: k.remoteStartPayload)
        #expect(start["status"] == "Accepted")
        let started = try #require(await awaitEvent(sim, id, k.txStartType, after: txCursor) { e in
            version == .v16 || e.payload["eventType"] == "Started"
        })
        var samples: [Double] = []
        var cursor = started.seq
        while samples.count < 2 {
            let e = try #require(await awaitEvent(sim, id, k.sampleType, after: cursor) { e in
                e.payload.jsonText.contains("Sample.Periodic")
            })
            cursor = e.seq
            samples.append(try #require(energy(in: e.payload)))
        }
        #expect(samples[1] > samples[0], "energy register rises while charging")
        let txView = try #require(await csms.charger(id)?.connectors.first { $0.transactionId != nil })
        let txId = try #require(txView.transactionId)
        let stopPayload: JSONValue = version == .v16 ? ["transactionId": JSONValue(Int(txId) ?? -1)] : ["transactionId": .string(txId)]
        let stop = try await csms.send(id, action: k.remoteStop, payload: stopPayload)
        #expect(stop["status"] == "Accepted")
        let ended = try #require(await awaitEvent(sim, id, k.txStopType, after: cursor) { e in
            version == .v16 || e.payload["eventType"] == "Ended"
        })
        if version == .v16 {
            let meterStart = try #require(started.payload["meterStart"]?.intValue)
            let meterStop = try #require(ended.payload["meterStop"]?.intValue)
            #expect(meterStop >= meterStart)
        }
        #expect(await awaitEvent(sim, id, "StatusNotification", after: ended.seq) { e in
            (e.payload["status"] ?? e.payload["connectorStatus"]) == "Available"
        } != nil)

        // Assorted operations, so their frames get validated too.
        _ = try await csms.send(id, action: "TriggerMessage", payload: ["requestedMessage": "MeterValues"])
        _ = try await csms.send(id, action: "ClearCache", payload: [:])
        _ = try await csms.send(id, action: "DataTransfer", payload: ["vendorId": "com.example", "messageId": "hello"])
        _ = try await csms.send(id, action: "TriggerMessage", payload: ["requestedMessage": "StatusNotification"])
        _ = try await csms.send(id, action: "TriggerMessage", payload: ["requestedMessage": "FirmwareStatusNotification"])
        if version == .v16 {
            _ = try await csms.send(id, action: "ChangeAvailability", payload: ["connectorId": 1, "type": "Inoperative"])
            _ = try await csms.send(id, action: "ChangeAvailability", payload: ["connectorId": 1, "type": "Operative"])
            _ = try await csms.send(id, action: "UnlockConnector", payload: ["connectorId": 1])
        } else {
            _ = try await csms.send(id, action: "ChangeAvailability", payload: ["evse": ["id": 1], "operationalStatus": "Inoperative"])
            _ = try await csms.send(id, action: "ChangeAvailability", payload: ["evse": ["id": 1], "operationalStatus": "Operative"])
            _ = try await csms.send(id, action: "UnlockConnector", payload: ["evseId": 1, "connectorId": 1])
        }

        // Firmware update through the injected fetcher, ending in a boot with the new version.
        let fwCursor = csms.eventLog.latestSeq
        let ack = try await csms.updateFirmware(id, FirmwareUpdate(location: Self.firmwareURL("9.9.9-\(id)"), retrieveAt: sim.clock.now))
        #expect(ack.status == "Accepted")
        let statuses201: [String] = ["Downloading", "Downloaded", "Installing", "InstallRebooting", "Installed"]
        let statuses16: [String] = ["Downloading", "Downloaded", "Installing", "Installed"]
        var seen: [String] = []
        var fwSeq = fwCursor
        while seen.last != "Installed" {
            let e = try #require(await awaitEvent(sim, id, "FirmwareStatusNotification", after: fwSeq, timeout: .seconds(60)))
            fwSeq = e.seq
            seen.append(e.payload["status"]?.stringValue ?? "?")
        }
        #expect(seen == (version == .v16 ? statuses16 : statuses201))
        let newBoot = try #require(await awaitEvent(sim, id, "BootNotification", after: fwCursor))
        let reported = newBoot.payload["firmwareVersion"] ?? newBoot.payload["chargingStation"]?["firmwareVersion"]
        #expect(reported == .string("9.9.9-\(id)"))
        #expect(await awaitBoot(sim, id, count: 3))
        #expect(await csms.charger(id)?.identity?.firmwareVersion == "9.9.9-\(id)")
    }

    @Test func bothVersionsCommissionAndEveryFrameMatchesTheOfficialSchemas() async throws {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("chargekit-frames-\(UUID().uuidString).jsonl").path
        let log = try JSONLinesFrameLog(path: logPath)
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let fetcher = TestFetcher()
        fetcher.put("/firmware/fw-1/image.bin", Self.image)
        let sim = makeSimulation([spec("CP-16A", abb), spec("CP-16B", alfen, connectors: 1),
                                  spec("CP-21A", zaptec), spec("CP-21B", kempower, connectors: 2)],
                                 speed: 200, heartbeat: 300, fetcher: fetcher, hook: log.hook)
        await sim.start()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ["CP-16A", "CP-16B", "CP-21A", "CP-21B"] {
                group.addTask { try await self.commissioningWalk(sim, id) }
            }
            try await group.waitForAll()
        }
        // 2.0.1 security profile change: SetNetworkProfile + NetworkConfigurationPriority + Reset.
        try await securityProfileChange(sim, "CP-21A")
        await sim.stop()
        log.close()
        let (status, output) = try await runValidator(logPath)
        #expect(status == 0, "frames fail the official schemas:\n\(output)")
        #expect(output.contains(" 0 failed"))
        for action in ["BootNotification", "TransactionEvent", "StartTransaction", "GetVariables.conf", "SetNetworkProfile"] {
            #expect(output.contains(action), "the log covers \(action)")
        }
    }

    func securityProfileChange(_ sim: Simulation, _ id: String) async throws {
        let csms = sim.csms
        let profile: JSONValue = ["configurationSlot": 1, "connectionData": [
            "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": "wss://csms.example/ocpp",
            "messageTimeout": 30, "securityProfile": 2, "ocppInterface": "Wired0"]]
        let downgrade: JSONValue = ["configurationSlot": 2, "connectionData": [
            "ocppVersion": "OCPP20", "ocppTransport": "JSON", "ocppCsmsUrl": "ws://csms.example/ocpp",
            "messageTimeout": 30, "securityProfile": 0, "ocppInterface": "Wired0"]]
        #expect(try await csms.send(id, action: "SetNetworkProfile", payload: profile)["status"] == "Accepted")
        #expect(try await csms.send(id, action: "SetNetworkProfile", payload: downgrade)["status"] == "Rejected")
        let set = try await csms.changeConfiguration(id, [
            ConfigurationChange(key: "SecurityCtrlr.SecurityProfile", value: "2"),
            ConfigurationChange(key: "OCPPCommCtrlr.NetworkConfigurationPriority", value: "1,0"),
        ])
        #expect(set.map(\.status) == [.rejected, .rebootRequired])
        #expect(try await csms.getConfiguration(id, keys: ["SecurityCtrlr.SecurityProfile"]).values.first?.value == "1")
        let cursor = csms.eventLog.latestSeq
        _ = try await csms.send(id, action: "Reset", payload: ["type": "Immediate"])
        #expect(await awaitEvent(sim, id, "BootNotification", after: cursor) != nil)
        let bootCount = await csms.charger(id)?.bootCount ?? 0
        #expect(await awaitBoot(sim, id, count: bootCount))
        #expect(try await csms.getConfiguration(id, keys: ["SecurityCtrlr.SecurityProfile"]).values.first?.value == "2")
    }
}

/// Key names of the walk, per version.
struct Keys {
    var heartbeat, sampleInterval, alignedInterval, unknown, readOnly, writeOnly, rebootKey: String
    var readSet: [String]
    var unknownStatus: ConfigurationChangeStatus
    var resetType, remoteStart, remoteStop, txStartType, txStopType, sampleType: String
    var remoteStartPayload: JSONValue

    init(_ version: OCPPVersion) {
        switch version {
        case .v16:
            heartbeat = "HeartbeatInterval"; sampleInterval = "MeterValueSampleInterval"; alignedInterval = "ClockAlignedDataInterval"
            unknown = "NoSuchKey"; readOnly = "NumberOfConnectors"; writeOnly = "AuthorizationKey"; rebootKey = "WebSocketPingInterval"
            unknownStatus = .notSupported
            readSet = ["HeartbeatInterval", "MeterValueSampleInterval", "MeterValuesSampledData", "ClockAlignedDataInterval",
                       "MeterValuesAlignedData", "StopTxnSampledData", "ConnectionTimeOut", "AuthorizeRemoteTxRequests",
                       "LocalAuthorizeOffline", "LocalPreAuthorize", "AllowOfflineTxForUnknownId", "AuthorizationCacheEnabled",
                       "LocalAuthListEnabled", "StopTransactionOnInvalidId", "UnlockConnectorOnEVSideDisconnect",
                       "ConnectorPhaseRotation", "WebSocketPingInterval", "TransactionMessageAttempts",
                       "TransactionMessageRetryInterval", "NumberOfConnectors", "SupportedFeatureProfiles",
                       "GetConfigurationMaxKeys", "SupportedFileTransferProtocols", "SecurityProfile", "CpoName", "NoSuchKey"]
            resetType = "Soft"; remoteStart = "RemoteStartTransaction"; remoteStop = "RemoteStopTransaction"
            txStartType = "StartTransaction"; txStopType = "StopTransaction"; sampleType = "MeterValues"
            remoteStartPayload = ["idTag": "TAG-0001", "connectorId": 1]
        case .v201:
            heartbeat = "OCPPCommCtrlr.HeartbeatInterval"; sampleInterval = "SampledDataCtrlr.TxUpdatedInterval"
            alignedInterval = "AlignedDataCtrlr.Interval"; unknown = "NoSuchCtrlr.Thing"; readOnly = "DeviceDataCtrlr.ItemsPerMessage[GetVariables]"
            writeOnly = "SecurityCtrlr.BasicAuthPassword"; rebootKey = "OCPPCommCtrlr.WebSocketPingInterval"
            unknownStatus = .unknownComponent
            readSet = ["OCPPCommCtrlr.HeartbeatInterval", "OCPPCommCtrlr.WebSocketPingInterval", "SampledDataCtrlr.TxUpdatedInterval",
                       "SampledDataCtrlr.TxUpdatedMeasurands", "AlignedDataCtrlr.Interval", "AlignedDataCtrlr.Measurands",
                       "TxCtrlr.EVConnectionTimeOut", "TxCtrlr.StopTxOnInvalidId", "AuthCtrlr.AuthorizeRemoteStart",
                       "AuthCtrlr.LocalAuthorizeOffline", "AuthCtrlr.LocalPreAuthorize", "AuthCtrlr.OfflineTxForUnknownIdEnabled",
                       "AuthCacheCtrlr.Enabled", "LocalAuthListCtrlr.Enabled", "SecurityCtrlr.SecurityProfile",
                       "SecurityCtrlr.OrganizationName", "DeviceDataCtrlr.ItemsPerMessage[SetVariables]", "EVSE.Power@1",
                       "NoSuchCtrlr.Thing"]
            resetType = "Immediate"; remoteStart = "RequestStartTransaction"; remoteStop = "RequestStopTransaction"
            txStartType = "TransactionEvent"; txStopType = "TransactionEvent"; sampleType = "TransactionEvent"
            remoteStartPayload = ["idToken": ["idToken": "TAG-0001", "type": "ISO14443"], "remoteStartId": 42, "evseId": 1]
        }
    }
}

/// The Energy.Active.Import.Register value in a MeterValues / TransactionEvent payload.
func energy(in payload: JSONValue) -> Double? {
    for mv in payload["meterValue"]?.arrayValue ?? [] {
        for sv in mv["sampledValue"]?.arrayValue ?? [] where sv["measurand"] == "Energy.Active.Import.Register" {
            if let s = sv["value"]?.stringValue { return Double(s) }
            return sv["value"]?.doubleValue
        }
    }
    return nil
}

/// Runs validate_frames.py (next to this file) over a frame log.
func runValidator(_ logPath: String) async throws -> (Int32, String) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("validate_frames.py").path
    let result = try await runTool("python3", [script, logPath])
    if result.status == 2 {
        Issue.record("validate_frames.py cannot run (pip install ocpp jsonschema): \(result.output)")
    }
    return (result.status, result.output)
}
