import BackendAPI
import Foundation
import JSON
import Testing
@testable import ChargeKit

@Suite struct RolloutPlanTests {
    @Test func wavesSplitCumulativelyAndRoundUp() throws {
        let ids = (1...200).map { "CP-\($0)" }
        let waves = WaveSpec.standard.split(ids)
        #expect(waves.map(\.count) == [2, 18, 80, 100])
        #expect(Array(waves.joined()) == ids, "every charger once, in order")
        #expect(WaveSpec.standard.split(["a", "b", "c"]).map(\.count) == [1, 1, 1], "empty waves dropped, first has one")
        #expect(try WaveSpec(parsing: "5,50%,100%").split(ids).map(\.count) == [5, 95, 100])
        #expect(throws: WaveSpec.Error.self) { try WaveSpec(parsing: "10%,50%") }
        #expect(throws: WaveSpec.Error.self) { try WaveSpec(parsing: "50%,10%,100%") }
        #expect(throws: WaveSpec.Error.self) { try WaveSpec(parsing: "0%,100%") }
        #expect(throws: WaveSpec.Error.self) { try WaveSpec(parsing: "x,100%") }
        #expect(try WaveSpec(parsing: "1%, 10%,100%").description == "1%,10%,100%")
    }

    @Test func failureBudgets() {
        #expect(FailureBudget(parsing: "2%")?.limit(waveSize: 100) == 2)
        #expect(FailureBudget(parsing: "2%")?.limit(waveSize: 49) == 0)
        #expect(FailureBudget(parsing: "3")?.limit(waveSize: 1) == 3)
        #expect(FailureBudget(parsing: "-1") == nil && FailureBudget(parsing: "101%") == nil && FailureBudget(parsing: "x") == nil)
    }

    @Test func shardsPartitionAnyFleet() {
        let ids = (1...5000).map { String(format: "CP-%05d", $0) }
        for n in [1, 2, 3, 7] {
            var seen: [String: Int] = [:]
            for k in 1...n {
                let shard = Shard(index: k, count: n)
                for id in ids where shard?.contains(id) == true { seen[id, default: 0] += 1 }
            }
            #expect(seen.count == ids.count && seen.values.allSatisfy { $0 == 1 }, "n=\(n)")
        }
        #expect(Shard(parsing: "2/4") == Shard(index: 2, count: 4))
        #expect(Shard(parsing: "0/4") == nil && Shard(parsing: "5/4") == nil && Shard(parsing: "1") == nil)
    }

    @Test func thePlanSkipsWhatItMustAndPicksTheImagePerModel() {
        func charger(_ id: String, _ model: String?, _ version: String, connected: Bool = true) -> ChargerSummary {
            ChargerSummary(id: id, vendor: "V", model: model, serialNumber: nil, firmwareVersion: version, ocppVersion: .v16,
                           connected: connected, siteId: "S")
        }
        let now = Date()
        let catalogue = [
            Firmware(id: "fw_a", version: "2.0", models: ["A"], size: 1, sha256: "", approved: false, uploadedAt: now, signed: false),
            Firmware(id: "fw_a2", version: "2.0", models: ["A"], size: 1, sha256: "", approved: true, uploadedAt: now - 60, signed: false),
            Firmware(id: "fw_b", version: "2.0", models: ["B"], size: 1, sha256: "", approved: true, uploadedAt: now, signed: false),
        ]
        let plan = RolloutPlan.make(
            target: "2.0", selection: [], selected: [charger("CP-5", "A", "1.0"), charger("CP-1", "B", "1.0"), charger("CP-2", "A", "2.0"),
                                                    charger("CP-3", "C", "1.0"), charger("CP-4", "A", "1.0", connected: false),
                                                    charger("CP-6", nil, "1.0")],
            catalogue: catalogue, shard: nil, waveSpec: .standard, budget: .count(0), options: FirmwareUpdateOptions())
        #expect(Array(plan.waves.joined()) == ["CP-1", "CP-5"])
        #expect(plan.chargers["CP-5"]?.firmwareId == "fw_a2", "the approved image first")
        #expect(plan.chargers["CP-1"]?.firmwareId == "fw_b")
        #expect(plan.skipped.map(\.id) == ["CP-2", "CP-3", "CP-4", "CP-6"])
        #expect(plan.skipped.map(\.reason) == [.alreadyOnTarget, .incompatible, .offline, .incompatible])
    }

    @Test func theTrackerFollowsDomainRules() {
        func event(_ type: String, _ payload: JSONObject, seq: Int64 = 1) -> Event {
            Event(seq: seq, chargerId: "CP-1", ocppVersion: .v201, type: type, receivedAt: Date(), payload: payload)
        }
        var t = FirmwareTracker(chargerId: "CP-1", targetVersion: "2.0", requestId: 7)
        #expect(t.apply(event("FirmwareStatusNotification", ["status": "Downloading", "requestId": 8])) == nil, "another request")
        #expect(t.apply(event("FirmwareStatusNotification", ["status": "Idle"])) == nil)
        #expect(t.apply(event("FirmwareStatusNotification", ["status": "Installing", "requestId": 7]))?.status == "Installing")
        #expect(t.outcome == nil)
        t.apply(event("BootNotification", ["chargingStation": ["firmwareVersion": "1.0"], "reason": "FirmwareUpdate"]))
        #expect(t.outcome == .failed(status: "Booted", reason: "booted with 1.0, not 2.0"), "a boot on the old version after installing")

        var silent = FirmwareTracker(chargerId: "CP-1", targetVersion: "2.0")
        silent.apply(event("BootNotification", ["firmwareVersion": "2.0"]))
        #expect(silent.outcome == .succeeded)

        var unrelatedBoot = FirmwareTracker(chargerId: "CP-1", targetVersion: "2.0")
        unrelatedBoot.apply(event("BootNotification", ["firmwareVersion": "1.0"]))
        #expect(unrelatedBoot.outcome == nil, "a reboot before installing decides nothing")
        unrelatedBoot.apply(event("FirmwareStatusNotification", ["status": "DownloadFailed"]))
        #expect(unrelatedBoot.outcome == .failed(status: "DownloadFailed", reason: "the charger reported DownloadFailed"))
    }
}

@Suite struct RolloutStateFileTests {
    static func state(chargers count: Int) throws -> RolloutState {
        let ids = (1...count).map { String(format: "CP-%05d", $0) }
        var planned: [String: RolloutPlan.Planned] = [:]
        for id in ids {
            planned[id] = .init(id: id, model: "Eve \"S\"/line", ocppVersion: "1.6", fromVersion: "6.4.0", firmwareId: "fw_1", targetVersion: "6.5.1")
        }
        let plan = RolloutPlan(target: "6.5.1", selection: ["model=Eve*"], shard: nil, waveSpec: .standard,
                               budget: try #require(FailureBudget(parsing: "2%")), options: FirmwareUpdateOptions(),
                               waves: WaveSpec.standard.split(ids), chargers: planned, skipped: [])
        return RolloutState(plan: plan, now: Date(timeIntervalSince1970: 1_764_000_000))
    }

    static func step(_ status: String, _ second: Double) -> FirmwareStep {
        FirmwareStep(status: status, at: Date(timeIntervalSince1970: 1_764_000_000 + second), source: "notification", info: "\u{1F} \"x\"")
    }

    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "rollout-state-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Transitions appended to the journal are what a load gives back, through snapshots,
    /// a torn last line, a stale journal and the final snapshot.
    @Test func theJournalReplaysOverTheSnapshot() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rollout.json"
        let journal = RolloutJournal.path(for: path)
        var state = try Self.state(chargers: 50)
        try RolloutStateFile.write(state, to: path)
        #expect(try RolloutStateFile.load(path) == state)

        let writer = RolloutStateWriter(path: path)
        try writer.snapshot(state, last: false)
        state.journal = 1
        #expect(try RolloutStateFile.load(path) == state)

        let ids = state.chargers.keys.sorted()
        for (round, id) in ids.prefix(10).enumerated() {
            state.chargers[id]?.phase = .running
            state.chargers[id]?.steps.append(Self.step("Downloading", Double(round)))
            state.updatedAt = Date(timeIntervalSince1970: 1_764_000_100 + Double(round))
            try writer.append([RolloutJournal.Entry(charger: id, record: state.chargers[id], at: state.updatedAt)])
        }
        state.wave = 1
        state.halted = .init(wave: 1, failures: 3, limit: 2, at: Date(timeIntervalSince1970: 1_764_000_200))
        state.updatedAt = Date(timeIntervalSince1970: 1_764_000_300)
        try writer.append([RolloutJournal.Entry(wave: 1, halted: state.halted, finished: false, at: state.updatedAt)])
        #expect(try RolloutStateFile.load(path) == state)
        // The snapshot alone is still the one written before the transitions.
        #expect(try RolloutStateFile.loadSnapshot(path).chargers[ids[0]]?.phase == .pending)

        // A crash in the middle of an append leaves a line without its newline: never acknowledged, ignored.
        let torn = try #require(FileHandle(forWritingAtPath: journal))
        try torn.seekToEnd()
        try torn.write(contentsOf: Data(#"{"at":"2025-11-24T16:00:00Z","charger":"\#(ids[20])","rec"#.utf8))
        try torn.close()
        #expect(try RolloutStateFile.load(path) == state)

        // The next snapshot starts generation 2; a journal left from generation 1 says nothing new.
        let stale = try Data(contentsOf: URL(fileURLWithPath: journal))
        try writer.snapshot(state, last: false)
        state.journal = 2
        #expect(try RolloutStateFile.load(path) == state)
        try stale.write(to: URL(fileURLWithPath: journal))
        #expect(try RolloutStateFile.load(path) == state)

        try writer.snapshot(state, last: false)
        state.journal = 3
        state.finished = true
        try writer.snapshot(state, last: true)
        state.journal = 4
        #expect(!FileManager.default.fileExists(atPath: journal))
        #expect(try RolloutStateFile.load(path) == state)
    }

    @Test func aDamagedJournalIsAnErrorNamingItsLine() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rollout.json"
        let state = try Self.state(chargers: 5)
        let writer = RolloutStateWriter(path: path)
        try writer.snapshot(state, last: false)
        let id = try #require(state.chargers.keys.sorted().first)
        try writer.append([RolloutJournal.Entry(charger: id, record: state.chargers[id], at: Date())])
        try writer.append([RolloutJournal.Entry(charger: "CP-99999", record: state.chargers[id], at: Date())])
        #expect(throws: RolloutStateError(path: path + ".journal", reason: "line 3 names CP-99999, which is not in the rollout in \(path)")) {
            try RolloutStateFile.load(path)
        }
        let handle = try #require(FileHandle(forWritingAtPath: path + ".journal"))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("{\"journal\":1,\"rolloutId\":\"\(state.rolloutId)\"}\nnot json\n{}\n".utf8))
        try handle.close()
        let error = try #require(throws: RolloutStateError.self) { try RolloutStateFile.load(path) }
        #expect(error.reason.hasPrefix("line 2 is not a rollout journal entry"))
    }

    /// A rollout killed after journalling its end but before its final state file: resuming
    /// writes that file and removes the journal, and touches no charger.
    @Test func aFinishedRolloutLeftInItsJournalIsWrittenWholeOnResume() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rollout.json"
        var state = try Self.state(chargers: 4)
        let writer = RolloutStateWriter(path: path)
        try writer.snapshot(state, last: false)
        for id in state.chargers.keys { state.chargers[id]?.phase = .succeeded }
        let at = Date(timeIntervalSince1970: 1_764_000_500)
        try writer.append(state.chargers.keys.sorted().map { RolloutJournal.Entry(charger: $0, record: state.chargers[$0], at: at) }
                          + [RolloutJournal.Entry(wave: state.plan.waves.count, finished: true, at: at)])
        writer.close()
        let loaded = try RolloutStateFile.load(path)
        #expect(loaded.finished)
        // Nothing listens on port 9: any request would fail the rollout, and none is made.
        let client = try BackendClient(configuration: BackendConfiguration(baseURL: "http://127.0.0.1:9", retry: .never))
        defer { client.shutdown() }
        let final = try await FirmwareRollout(client: client, state: loaded, path: path, options: .init()).run()
        #expect(final.finished && final.chargers.values.allSatisfy { $0.phase == .succeeded })
        #expect(!FileManager.default.fileExists(atPath: RolloutJournal.path(for: path)))
        let snapshot = try RolloutStateFile.loadSnapshot(path)
        #expect(snapshot.finished && snapshot.chargers == final.chargers)
    }

    @Test func formatOneFilesStillLoad() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/rollout.json"
        var state = try Self.state(chargers: 3)
        state.format = 1
        try RolloutStateFile.write(state, to: path)
        state.format = RolloutState.formatVersion
        #expect(try RolloutStateFile.load(path) == state)
        var future = state
        future.format = RolloutState.formatVersion + 1
        try RolloutStateFile.write(future, to: path)
        let error = try #require(throws: RolloutStateError.self) { try RolloutStateFile.load(path) }
        #expect(error.reason == "has format 3; this chargekit reads formats 1 to 2")
    }
}
