import BackendAPI
import ChargeKit
import ChargeKitSim
import Checksum
import CurlHTTP
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `chargekit-bench firmware`: the firmware commands against their references, on a
/// simulated backend (`fw-sim`, a child of its own) over loopback.
///
/// 1. Upload: `FirmwareUploader` (the code behind `chargekit firmware upload`, in the child
///    `fw-upload-client`) vs the `curl` command line sending the same 1 MiB chunks with
///    `-T` to the same endpoint, one process and one connection for all of them.
/// 2. Rollout: `FirmwareRollout` over the fleet (child `fw-rollout-client`) vs
///    `docs/tools/rollout_reference.py`, which makes the same API calls one charger at a time
///    with `requests`. The reference runs on a sample first; its time per charger, times the
///    chargers ours updated, is the reference's wall time for the same work.
enum FirmwareBench {
    struct Settings {
        var size: Int64 = 1 << 30
        var repeats = 3
        var chargers = 10_000
        var speed = 100.0
        var concurrency = 256
        var sample = 100
        var poll = 0.05
        var runUpload = true
        var runRollout = true

        static let optionNames: Set<String> = ["size", "repeats", "chargers", "speed", "concurrency", "sample", "only"]

        init(_ arguments: [String]) throws(UsageError) {
            let options = try Options(arguments, known: Self.optionNames)
            size = try options.size("size", default: size, range: (1 << 20)...(1 << 30))
            repeats = try options.int("repeats", default: repeats, range: 1...20)
            chargers = try options.int("chargers", default: chargers, range: 10...100_000)
            speed = Double(try options.int("speed", default: Int(speed), range: 1...10_000))
            concurrency = try options.int("concurrency", default: concurrency, range: 1...512)
            sample = try options.int("sample", default: sample, range: 1...10_000)
            switch options.string("only") {
            case nil: break
            case "upload": runRollout = false
            case "rollout": runUpload = false
            case let other?: throw UsageError(message: "--only wants upload or rollout, not \"\(other)\"")
            }
        }
    }

    static let token = SimUser.demoOperatorToken
    static let chunk: Int64 = 1 << 20

    static func run(_ arguments: [String]) throws -> Int32 {
        let settings = try Settings(arguments)
        let executable = try currentExecutable()
        let directory = try Transport.makeTemporaryDirectory()
        Cleanup.install()
        Cleanup.shared.setTemporaryDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var ok = true
        if settings.runUpload { ok = try upload(settings, executable: executable, directory: directory) && ok }
        if settings.runRollout { ok = try rollout(settings, executable: executable, directory: directory) && ok }
        return ok ? 0 : 1
    }

    // MARK: - The simulator child

    final class SimProcess {
        let child: ChildProcess
        let url: String

        init(executable: String, chargers: Int, speed: Double, state: String) throws {
            child = try ChildProcess(executable, ["fw-sim", "--chargers", String(chargers), "--speed", String(Int(speed)),
                                                  "--state", state], pipeStdin: true)
            Cleanup.shared.track(child.pid)
            guard let line = try child.readLine(timeout: .seconds(120)), line.hasPrefix("url ") else {
                child.wait(timeout: .seconds(1))
                throw BenchError(description: "the simulator child did not report its URL")
            }
            url = String(line.dropFirst(4))
        }

        @discardableResult
        func stop() -> ChildExit {
            child.closeStdin()
            defer { Cleanup.shared.untrack(child.pid) }
            return child.wait(timeout: .seconds(60))
        }
    }

    /// `fw-sim`: a SimBackend with quick firmware steps, rare heartbeats and no clock-aligned
    /// meter values (so the fleet's idle chatter does not compete with what is measured),
    /// until standard input closes.
    static func simChild(_ arguments: [String]) throws -> Int32 {
        let options = try Options(arguments, known: ["chargers", "speed", "state"])
        var configuration = SimBackendConfiguration()
        configuration.simulation.chargerCount = try options.int("chargers", default: 1, range: 1...100_000)
        configuration.simulation.speed = Double(try options.int("speed", default: 100, range: 1...10_000))
        configuration.simulation.timing.downloadSeconds = 4
        configuration.simulation.timing.installSeconds = 4
        configuration.simulation.timing.firmwareRebootSeconds = 2
        configuration.simulation.csms.heartbeatInterval = 86_400
        // No clock-aligned meter values either: at speed 100 ten thousand chargers would send
        // a thousand a second to a simulator sharing two cores with the client measured.
        configuration.simulation.chargers = configuration.simulation.specs.map { spec in
            var spec = spec
            spec.model.defaults["ClockAlignedDataInterval"] = "0"
            spec.model.defaults["AlignedDataCtrlr.Interval"] = "0"
            return spec
        }
        configuration.stateDirectory = try options.required("state")
        let backend = try SimBackend(configuration: configuration)
        try blocking { await backend.start() }
        say("url \(backend.baseURL)")
        var byte: UInt8 = 0
        while read(0, &byte, 1) > 0 {}
        try blocking { await backend.stop() }
        return 0
    }

    static func client(_ url: String, concurrency: Int = 8) throws -> BackendClient {
        try BackendClient(configuration: BackendConfiguration(
            baseURL: url, token: token, timeouts: Timeouts(connect: .seconds(10), total: .seconds(300), stall: .seconds(120)),
            maxConcurrentRequests: concurrency, maxConnectionsPerHost: concurrency))
    }

    // MARK: - 1. Upload

    /// What `fw-upload-client` prints.
    struct UploadReport: Codable {
        var hashSeconds: Double
        var transferSeconds: Double
        var totalSeconds: Double
        var sha256: String
        var bytesSent: Int64
        var usage: ProcessUsage
    }

    static func uploadClient(_ arguments: [String]) async throws -> Int32 {
        let options = try Options(arguments, known: ["url", "file", "data"])
        let client = try client(try options.required("url"), concurrency: 4)
        defer { client.shutdown() }
        let uploader = FirmwareUploader(client: client, dataDirectory: try options.required("data"))
        let start = ContinuousClock.now
        let marks = Marks()
        let result = try await uploader.upload(FirmwareImage(path: try options.required("file"), version: "bench-1", models: ["Bench"])) {
            phase, _, _ in
            if case .uploading = phase { marks.markOnce() }
        }
        let end = ContinuousClock.now
        let transferStart = marks.value ?? start
        let report = UploadReport(hashSeconds: (transferStart - start).seconds, transferSeconds: (end - transferStart).seconds,
                                  totalSeconds: (end - start).seconds, sha256: result.firmware.sha256, bytesSent: result.bytesSent,
                                  usage: ProcessUsage.current())
        say(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        return 0
    }

    final class Marks: @unchecked Sendable {
        private let lock = NSLock()
        private var mark: ContinuousClock.Instant?
        func markOnce() { lock.withLock { if mark == nil { mark = ContinuousClock.now } } }
        var value: ContinuousClock.Instant? { lock.withLock { mark } }
    }

    struct UploadRun {
        var side: String
        var seconds: Double
        var total: Double
        var peakKiB: Int
        var cpu: Double
    }

    static func upload(_ settings: Settings, executable: String, directory: String) throws -> Bool {
        let file = directory + "/image.bin"
        say("firmware upload: \(Format.bytes(settings.size)) in \(Format.bytes(chunk)) chunks, \(settings.repeats) run(s) per side")
        try Transport.writeTestFile(path: file, size: settings.size, seed: 42)
        let sha = try SHA256.hex(fileAt: file)
        // curl's parts: the same chunks as files, since curl -T sends whole files.
        let parts = directory + "/parts"
        try FileManager.default.createDirectory(atPath: parts, withIntermediateDirectories: true)
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        var count = 0
        while let piece = try input.read(upToCount: Int(chunk)), !piece.isEmpty {
            try piece.write(to: URL(fileURLWithPath: parts + String(format: "/%06d", count)))
            count += 1
        }
        try input.close()

        var ours: [UploadRun] = [], reference: [UploadRun] = []
        var ok = true
        for run in 0..<settings.repeats {
            for side in run % 2 == 0 ? ["chargekit", "curl"] : ["curl", "chargekit"] {
                let state = directory + "/sim-\(run)-\(side)"
                let sim = try SimProcess(executable: executable, chargers: 1, speed: 1, state: state)
                defer { sim.stop(); try? FileManager.default.removeItem(atPath: state) }
                if side == "chargekit" {
                    let data = directory + "/data-\(run)"
                    let child = try ChildProcess(executable, ["fw-upload-client", "--url", sim.url, "--file", file, "--data", data])
                    Cleanup.shared.track(child.pid)
                    let output = try child.readToEnd()
                    let exit = child.wait()
                    Cleanup.shared.untrack(child.pid)
                    guard exit.status == 0, let line = output.split(separator: "\n").last,
                          let report = try? JSONDecoder().decode(UploadReport.self, from: Data(line.utf8)) else {
                        throw BenchError(description: "the upload client failed (exit \(exit.status)): \(output)")
                    }
                    if report.sha256 != sha || report.bytesSent != settings.size {
                        warn("upload check failed: sha256 \(report.sha256), \(report.bytesSent) bytes sent")
                        ok = false
                    }
                    ours.append(UploadRun(side: side, seconds: report.transferSeconds, total: report.totalSeconds,
                                          peakKiB: child.sampledPeakRSSKiB, cpu: exit.usage.cpuSeconds))
                } else {
                    let run = try curlUpload(sim: sim, parts: parts, count: count, size: settings.size, sha: sha, directory: directory)
                    if !run.ok { ok = false }
                    reference.append(run.run)
                }
            }
        }
        var table = Table(["run", "chargekit MB/s", "curl MB/s", "ratio", "chargekit incl. sha256", "peak RSS chargekit / curl",
                                   "client CPU s", "load"])
        for i in 0..<settings.repeats {
            let size = Double(settings.size)
            table.add([String(i + 1), Format.mbps(size / ours[i].seconds), Format.mbps(size / reference[i].seconds),
                       Format.fixed(reference[i].seconds / ours[i].seconds, 2), Format.mbps(size / ours[i].total) + " MB/s",
                       "\(Format.mib(kib: ours[i].peakKiB)) / \(Format.mib(kib: reference[i].peakKiB))",
                       "\(Format.fixed(ours[i].cpu, 2)) / \(Format.fixed(reference[i].cpu, 2))", Transport.loadAverage()])
        }
        say(table.render())
        let ratio = Stats.median(ours.map { Double(settings.size) / $0.seconds }) / Stats.median(reference.map { Double(settings.size) / $0.seconds })
        let peak = ours.map(\.peakKiB).max() ?? 0
        let ratioMet = ratio >= 0.9, memoryMet = peak < 64 * 1024
        say("  throughput ratio chargekit / curl (medians): \(Format.fixed(ratio, 2)) (target >= 0.9) \(ratioMet ? "met" : "MISSED")")
        say("  peak RSS of the chargekit upload: \(Format.mib(kib: peak)) (target < 64 MiB) \(memoryMet ? "met" : "MISSED")")
        say("  (chargekit's figure is its chunked transfer; reading the file once for its sha256 comes before it and is the "
            + "'incl. sha256' column)")
        say()
        return ok && ratioMet && memoryMet
    }

    /// Creates the upload (not timed), sends every part with one curl process, checks the
    /// backend has every byte and completes it (the sha256 must match).
    static func curlUpload(sim: SimProcess, parts: String, count: Int, size: Int64, sha: String,
                           directory: String) throws -> (run: UploadRun, ok: Bool) {
        let client = try client(sim.url)
        defer { client.shutdown() }
        let upload = try blocking {
            try await client.createFirmwareUpload(FirmwareUploadRequest(filename: "image.bin", size: size, sha256: sha, version: "bench-1",
                                                                        models: ["Bench"]), idempotencyKey: UUID().uuidString)
        }
        var config = ""
        for index in 0..<count {
            let start = Int64(index) * chunk
            let end = min(size, start + chunk) - 1
            config += """
                url = "\(sim.url)/v1/firmware/uploads/\(upload.uploadId)"
                upload-file = "\(parts)/\(String(format: "%06d", index))"
                header = "Content-Range: bytes \(start)-\(end)/\(size)"
                header = "Authorization: Bearer \(token)"
                header = "Expect:"
                output = "/dev/null"
                silent
                show-error
                write-out = "%{http_code}\\n"

                """
            if index < count - 1 { config += "next\n" }
        }
        let configPath = directory + "/curl.config"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let child = try ChildProcess("curl", ["-K", configPath], searchPath: true)
        Cleanup.shared.track(child.pid)
        let output = try child.readToEnd()
        let exit = child.wait()
        let seconds = (ContinuousClock.now - started).seconds
        Cleanup.shared.untrack(child.pid)
        let codes = output.split(separator: "\n")
        var ok = exit.status == 0 && codes.count == count && codes.allSatisfy { $0 == "200" }
        if !ok { warn("curl: exit \(exit.status), answers \(Set(codes))") }
        let firmware = try blocking { try await client.completeFirmwareUpload(upload.uploadId) }
        if firmware.sha256 != sha { warn("curl's upload arrived with sha256 \(firmware.sha256)"); ok = false }
        return (UploadRun(side: "curl", seconds: seconds, total: seconds, peakKiB: child.sampledPeakRSSKiB, cpu: exit.usage.cpuSeconds), ok)
    }

    // MARK: - 2. Rollout

    struct RolloutReport: Codable {
        var seconds: Double
        var planned: Int
        var succeeded: Int
        var failed: Int
        var usage: ProcessUsage
    }

    static func rolloutClient(_ arguments: [String]) async throws -> Int32 {
        let options = try Options(arguments, known: ["url", "state", "to", "concurrency"])
        let concurrency = try options.int("concurrency", default: 256, range: 1...512)
        let client = try client(try options.required("url"), concurrency: concurrency + 8)
        defer { client.shutdown() }
        let target = try options.required("to")
        let start = ContinuousClock.now
        let selected = try await client.chargers(selectedBy: ChargerSelection())
        let catalogue = try await client.firmwareEntries(named: target)
        let plan = RolloutPlan.make(target: target, selection: ["id=*"], selected: selected, catalogue: catalogue, shard: nil,
                                    waveSpec: try WaveSpec(parsing: "1%,10%,100%"), budget: .percent(100), options: FirmwareUpdateOptions())
        let path = try options.required("state")
        let state = RolloutState(plan: plan)
        try RolloutStateFile.write(state, to: path)
        let rollout = FirmwareRollout(client: client, state: state, path: path,
                                      options: FirmwareRollout.Options(concurrency: concurrency, updateTimeout: .seconds(600)))
        let final = try await rollout.run()
        let seconds = (ContinuousClock.now - start).seconds
        let phases = final.chargers.values.map(\.phase)
        let report = RolloutReport(seconds: seconds, planned: plan.plannedCount, succeeded: phases.filter { $0 == .succeeded }.count,
                                   failed: phases.filter { $0 == .failed }.count, usage: ProcessUsage.current())
        say(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
        return 0
    }

    struct ReferenceReport: Codable {
        var seconds: Double
        var chargers: Int
        var succeeded: Int
        var failed: Int
        var requests: Int
    }

    static func rollout(_ settings: Settings, executable: String, directory: String) throws -> Bool {
        say("firmware rollout: \(settings.chargers) simulated chargers at speed \(Int(settings.speed)), "
            + "concurrency \(settings.concurrency); reference on a sample of \(settings.sample), one at a time")
        let sim = try SimProcess(executable: executable, chargers: settings.chargers, speed: settings.speed,
                                 state: directory + "/sim-rollout")
        defer { sim.stop() }
        let client = try client(sim.url, concurrency: 16)
        defer { client.shutdown() }
        // Every charger connected, and one image for every model, so the whole fleet is the plan.
        let deadline = ContinuousClock.now + .seconds(300)
        var chargers: [ChargerSummary] = []
        repeat {
            chargers = try blocking { try await client.allChargers() }
            if chargers.allSatisfy(\.connected) { break }
            Thread.sleep(forTimeInterval: 0.5)
        } while ContinuousClock.now < deadline
        let models = Array(Set(chargers.compactMap(\.model))).sorted()
        let image = directory + "/rollout.bin"
        try Transport.writeTestFile(path: image, size: 64 * 1024, seed: 7)
        let uploaded = try blocking {
            try await FirmwareUploader(client: client, dataDirectory: directory + "/data-rollout")
                .upload(FirmwareImage(path: image, version: "9.9.9-bench", models: models))
        }
        let sample = chargers.prefix(settings.sample).map(\.id)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/tools/rollout_reference.py").path
        let python = try ChildProcess("python3", [script, sim.url, token, uploaded.firmware.id, String(settings.poll)] + sample,
                                      searchPath: true)
        Cleanup.shared.track(python.pid)
        let pythonOutput = try python.readToEnd()
        let pythonExit = python.wait()
        Cleanup.shared.untrack(python.pid)
        guard pythonExit.status == 0, let line = pythonOutput.split(separator: "\n").last,
              let reference = try? JSONDecoder().decode(ReferenceReport.self, from: Data(line.utf8)) else {
            throw BenchError(description: "the Python reference failed (exit \(pythonExit.status)): \(pythonOutput)")
        }

        let simBefore = ProcessCPU.seconds(of: sim.child.pid)
        let child = try ChildProcess(executable, ["fw-rollout-client", "--url", sim.url, "--state", directory + "/rollout.json",
                                                  "--to", "9.9.9-bench", "--concurrency", String(settings.concurrency)])
        Cleanup.shared.track(child.pid)
        let output = try child.readToEnd()
        let exit = child.wait()
        Cleanup.shared.untrack(child.pid)
        let simCPU = ProcessCPU.seconds(of: sim.child.pid) - simBefore
        guard exit.status == 0, let ourLine = output.split(separator: "\n").last,
              let ours = try? JSONDecoder().decode(RolloutReport.self, from: Data(ourLine.utf8)) else {
            throw BenchError(description: "the rollout client failed (exit \(exit.status)): \(output)")
        }
        let perCharger = reference.seconds / Double(max(1, reference.chargers))
        let projected = perCharger * Double(ours.planned)
        let ratio = projected / ours.seconds
        let checks = reference.succeeded == reference.chargers && ours.succeeded == ours.planned
            && ours.planned == chargers.count - sample.count
        var table = Table(["side", "chargers", "succeeded", "wall s", "s per charger", "CPU ms per charger", "requests", "peak RSS"])
        table.add(["python requests, one at a time", String(reference.chargers), String(reference.succeeded), Format.fixed(reference.seconds, 1),
                   Format.fixed(perCharger, 3), Format.fixed(pythonExit.usage.cpuSeconds * 1000 / Double(max(1, reference.chargers)), 2),
                   String(reference.requests), Format.mib(kib: python.sampledPeakRSSKiB)])
        table.add(["chargekit rollout", String(ours.planned), String(ours.succeeded), Format.fixed(ours.seconds, 1),
                   Format.fixed(ours.seconds / Double(max(1, ours.planned)), 4),
                   Format.fixed(exit.usage.cpuSeconds * 1000 / Double(max(1, ours.planned)), 2), "-", Format.mib(kib: child.sampledPeakRSSKiB)])
        say(table.render())
        say("  reference wall time for \(ours.planned) chargers: \(Format.fixed(projected, 0)) s (its time per charger x \(ours.planned))")
        say("  ratio reference / chargekit: \(Format.fixed(ratio, 1)) (target >= 50) \(ratio >= 50 ? "met" : "MISSED"); "
            + "chargekit CPU per charger \(Format.fixed(exit.usage.cpuSeconds * 1000 / Double(max(1, ours.planned)), 2)) ms, "
            + "the simulator's during it \(Format.fixed(simCPU * 1000 / Double(max(1, ours.planned)), 2)) ms; load \(Transport.loadAverage())")
        if !checks {
            warn("rollout check failed: reference \(reference.succeeded)/\(reference.chargers), chargekit \(ours.succeeded)/\(ours.planned) "
                 + "of \(chargers.count - sample.count) expected")
        }
        return checks && ratio >= 50
    }
}

