import Foundation
import JSON
import Testing
import TestSupport
@testable import ChargeKit

/// `chargekit firmware rollout` against `chargekit sim`. Seed 1 fleet: the Eves (OCPP 1.6)
/// are CP-0001, 0003, 0006, 0009, 0012, 0013, 0014, 0021, 0022, ...; the S-Series (2.0.1)
/// CP-0004, 0007, 0011, ...
@Suite struct FirmwareRolloutTests {
    /// Uploads a new image for the Eves and the S-Series, so one version spans 1.6 and 2.0.1.
    static func uploadMixedImage(_ sim: SimUnderTest, version: String) async throws {
        let image = sim.sandbox.root + "/mixed-\(version).bin"
        try FirmwareUploadTests.writeImage(image, size: 200_000, seed: 99)
        let upload = try await sim.run(["firmware", "upload", image, "--firmware-version", version, "--model", "Eve Single S-line",
                                        "--model", "Eve Double Pro-line", "--model", "S-Series"])
        #expect(upload.status == 0, "\(upload.stderr)")
    }

    static func plannedIds(_ report: JSONValue) -> [String] {
        report["chargers"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }

    static func versions(_ sim: SimUnderTest) async throws -> [String: String] {
        let list = try await sim.run(["chargers", "list", "--json"])
        var result: [String: String] = [:]
        for item in try JSONValue(parsing: list.stdout).arrayValue ?? [] {
            if let id = item["id"]?.stringValue { result[id] = item["firmwareVersion"]?.stringValue }
        }
        return result
    }

    /// SIGKILL in the middle of the second wave, then --resume: every planned charger on the
    /// target, each sent exactly one update request over both runs (the OCPP log says so).
    @Test func aRolloutKilledMidWaveResumesWithNoDoubleUpdates() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.root + "/ocpp.jsonl"
        let sim = try await SimUnderTest.start(["--chargers", "40", "--speed", "20", "--ocpp-log", log], sandbox: sandbox)
        do {
            try await sim.login("demo-operator")
            _ = try await sim.fleet(count: 40)
            try await Self.uploadMixedImage(sim, version: "7.0.0")
            let state = sandbox.root + "/rollout.json"
            let arguments = ["firmware", "rollout", "--select", "model=Eve*", "--select", "model=S-Series", "--to", "7.0.0",
                             "--state", state, "--waves", "3,100%", "--concurrency", "4", "--update-timeout", "600"]
            let plan = try await sim.run(Array(arguments.dropLast(8)) + ["--dry-run", "--json", "--waves", "3,100%"])
            #expect(plan.status == 0, "\(plan.stderr)")
            let planned = Self.plannedIds(try JSONValue(parsing: plan.stdout))
            #expect(planned.count > 10)
            let ocpp = Set(try JSONValue(parsing: plan.stdout)["chargers"]?.arrayValue?.compactMap { $0["ocppVersion"]?.stringValue } ?? [])
            #expect(ocpp == ["1.6", "2.0.1"], "both OCPP versions in the plan")

            let process = Process()
            process.executableURL = try BinaryRunner(product: "chargekit").executable
            process.arguments = arguments
            process.environment = SimUnderTest.environment(sandbox)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(180)
            // Three in wave 1, then two more of wave 2 requested: killed with updates in flight.
            while (try? firmwareCalls(inLog: log).count) ?? 0 < 5, process.isRunning, Date() < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let before = try firmwareCalls(inLog: log).count
            #expect(before >= 5 && before < planned.count, "\(before) of \(planned.count) requested before the kill")
            // Every request that reached a charger was on disk first: in the journal, since wave 1 ended.
            #expect(FileManager.default.fileExists(atPath: state + ".journal"))
            let killed = try RolloutStateFile.load(state)
            #expect(killed.chargers.values.filter { $0.phase != .pending }.count >= before)
            #expect(try RolloutStateFile.loadSnapshot(state).wave == 1, "the snapshot is the one written when wave 2 began")

            let resumed = try await sim.run(["firmware", "rollout", "--state", state, "--resume", "--json"], timeout: 300)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let report = try JSONValue(parsing: resumed.stdout)
            #expect(report["result"]?.stringValue == "finished")
            #expect(!FileManager.default.fileExists(atPath: state + ".journal"), "a finished rollout is all in its state file")
            #expect(try RolloutStateFile.load(state).finished)
            let statuses = report["chargers"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
            #expect(statuses.count == planned.count && statuses.allSatisfy { $0 == "succeeded" }, "\(statuses)")
            let calls = try firmwareCalls(inLog: log)
            #expect(calls.count == planned.count, "one request per charger: \(calls.map(\.charger))")
            #expect(Set(calls.map(\.charger)) == Set(planned))
            #expect(Set(calls.filter { $0.payload["requestId"] != nil }.map(\.charger)).count > 0, "2.0.1 chargers got theirs too")
            let versions = try await Self.versions(sim)
            #expect(planned.allSatisfy { versions[$0] == "7.0.0" })
            // A finished rollout resumed again touches nothing.
            let again = try await sim.run(["firmware", "rollout", "--state", state, "--resume"])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try firmwareCalls(inLog: log).count == planned.count)
        } catch {
            _ = await sim.stop()
            throw error
        }
        _ = await sim.stop()
    }

    @Test func aWaveOverItsFailureBudgetHaltsTheRollout() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.root + "/ocpp.jsonl"
        let sim = try await SimUnderTest.start(["--chargers", "40", "--speed", "30", "--ocpp-log", log,
                                                "--fault", "CP-0003:firmware-download-fails", "--fault", "CP-0006:firmware-install-fails"],
                                               sandbox: sandbox)
        do {
            try await sim.login("demo-installer")
            _ = try await sim.fleet(count: 40)
            let state = sandbox.root + "/rollout.json"
            let arguments = ["firmware", "rollout", "--select", "model=Eve*", "--to", "6.5.1-4231", "--state", state,
                             "--waves", "1,4,100%", "--max-failures", "1", "--retries", "0", "--update-timeout", "300"]
            let result = try await sim.run(arguments, timeout: 300)
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("halted in wave 2 of 3: 2 failed, more than the budget of 1"), "\(result.stderr)")
            #expect(result.stdout.contains("CP-0003") && result.stdout.contains("DownloadFailed"), "\(result.stdout)")
            #expect(result.stdout.contains("CP-0006") && result.stdout.contains("InstallationFailed"), "\(result.stdout)")
            let calls = Set(try firmwareCalls(inLog: log).map(\.charger))
            #expect(calls == ["CP-0001", "CP-0003", "CP-0006", "CP-0009"], "wave 3 untouched: \(calls)")
            let resumed = try await sim.run(["firmware", "rollout", "--state", state, "--resume", "--json"])
            #expect(resumed.status == 1)
            let report = try JSONValue(parsing: resumed.stdout)
            #expect(report["result"]?.stringValue == "halted")
            #expect(report["waves"]?[2]?["untouched"]?.intValue == report["waves"]?[2]?["size"]?.intValue)
            #expect(Set(try firmwareCalls(inLog: log).map(\.charger)).count == 4, "a halted rollout stays halted")
        } catch {
            _ = await sim.stop()
            throw error
        }
        _ = await sim.stop()
    }

    /// Three shards' plans are disjoint and together the whole plan; two shards run for real
    /// update every planned charger exactly once.
    @Test func shardsCoverTheFleetExactlyOnce() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.root + "/ocpp.jsonl"
        let sim = try await SimUnderTest.start(["--chargers", "60", "--speed", "30", "--ocpp-log", log], sandbox: sandbox)
        do {
            try await sim.login("demo-operator")
            _ = try await sim.fleet(count: 60)
            try await Self.uploadMixedImage(sim, version: "8.0.0")
            let base = ["firmware", "rollout", "--select", "model=Eve*", "--select", "model=S-Series", "--to", "8.0.0"]
            let whole = Self.plannedIds(try JSONValue(parsing: try await sim.run(base + ["--dry-run", "--json"]).stdout))
            #expect(whole.count > 20)
            var union: [String] = []
            for k in 1...3 {
                let part = try await sim.run(base + ["--dry-run", "--json", "--shard", "\(k)/3"])
                #expect(part.status == 0, "\(part.stderr)")
                let ids = Self.plannedIds(try JSONValue(parsing: part.stdout))
                #expect(!ids.isEmpty)
                union += ids
            }
            #expect(union.count == whole.count && Set(union) == Set(whole))
            for k in 1...2 {
                let run = try await sim.run(base + ["--shard", "\(k)/2", "--state", sandbox.root + "/shard\(k).json", "--waves", "100%",
                                                    "--concurrency", "16"], timeout: 300)
                #expect(run.status == 0, "\(run.stderr)")
            }
            let calls = try firmwareCalls(inLog: log).map(\.charger)
            #expect(calls.count == whole.count && Set(calls) == Set(whole))
        } catch {
            _ = await sim.stop()
            throw error
        }
        _ = await sim.stop()
    }

    @Test func badRolloutInvocationsAreRefused() async throws {
        try await SimUnderTest.with(["--chargers", "5", "--speed", "30"]) { sim in
            try await sim.login("demo-installer")
            let state = sim.sandbox.root + "/state.json"
            try "{}".write(toFile: state, atomically: true, encoding: .utf8)
            let base = ["firmware", "rollout", "--select", "model=Eve*", "--to", "6.5.1-4231"]
            let cases: [([String], Int32, String)] = [
                (base, 64, "--state FILE is required"),
                (base + ["--state", state], 64, "already holds a rollout; continue it with --resume"),
                (["firmware", "rollout", "--to", "1", "--state", sim.sandbox.root + "/x.json"], 64, "--select is required"),
                (base + ["--dry-run", "--waves", "10%,50%"], 64, "the last wave must be 100%"),
                (base + ["--dry-run", "--waves", "50%,10%,100%"], 64, "shares must grow"),
                (base + ["--dry-run", "--shard", "3/2"], 64, "expected K/N"),
                (base + ["--dry-run", "--max-failures", "many"], 64, "--max-failures many"),
                (["firmware", "rollout", "--resume", "--state", sim.sandbox.root + "/none.json"], 66, "cannot be read"),
                (["firmware", "rollout", "--resume", "--state", state], 65, "not a chargekit rollout state file"),
                (base + ["--dry-run", "--select", "id=XX-*"], 66, "no charger matches"),
                (["firmware", "rollout", "--select", "id=*", "--to", "0.0.0-none", "--dry-run"], 65, "no firmware 0.0.0-none"),
            ]
            for (arguments, status, message) in cases {
                let result = try await sim.run(arguments)
                #expect(result.status == status, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
        }
    }
}
