import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `chargekit-bench qa`: the default QA checks over a simulated fleet, `chargekit qa
/// --select id=* --concurrency 64` against the same command with `--concurrency 1`, both
/// against one `chargekit sim` in the same run. Everything is a process of its own: the
/// simulator (logging each request it answers, which is how requests per charger are
/// counted) and each `chargekit qa`, exactly as an installer runs them.
enum QABench {
    /// From the issue: concurrent / serial throughput.
    static let target = 20.0

    struct Settings {
        var chargers = 1_000
        var concurrency = 64
        var speed = 5.0
        /// The chargers' network round trip in ms (`chargekit sim --latency`). Real chargers
        /// reach their backend over LTE or Wi-Fi in 50 to 150 ms, over 2G/3G in several
        /// hundred; an instant wire makes the serial side as CPU-bound as the concurrent one.
        var latency = 100.0

        static let optionNames: Set<String> = ["chargers", "concurrency", "speed", "latency"]

        init(_ arguments: [String]) throws(UsageError) {
            let options = try Options(arguments, known: Self.optionNames)
            chargers = try options.int("chargers", default: chargers, range: 1...100_000)
            concurrency = try options.int("concurrency", default: concurrency, range: 2...512)
            if let text = options.string("speed") {
                guard let value = Double(text), value > 0, value <= 100_000 else {
                    throw UsageError(message: "--speed wants a number in (0, 100000], not \"\(text)\"")
                }
                speed = value
            }
            if let text = options.string("latency") {
                guard let value = Double(text), value >= 0, value <= 60_000 else {
                    throw UsageError(message: "--latency wants milliseconds in [0, 60000], not \"\(text)\"")
                }
                latency = value
            }
        }
    }

    struct Measurement {
        var concurrency: Int
        var seconds: Double
        var requests: Int
        var cpuSeconds: Double
        var peakRSSKiB: Int
        /// The simulator's CPU during the run: the other half of the work on this machine.
        var simCPUSeconds: Double
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let settings = try Settings(arguments)
        Cleanup.install()
        let chargekit = try ConfigScenario.siblingExecutable("chargekit")
        let root = NSTemporaryDirectory() + "chargekit-bench-qa-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        Cleanup.shared.setTemporaryDirectory(root)
        defer {
            try? FileManager.default.removeItem(atPath: root)
            Cleanup.shared.setTemporaryDirectory(nil)
        }
        // The children inherit this environment: a private HOME, config and local store.
        setenv("HOME", root + "/home", 1)
        setenv("XDG_CONFIG_HOME", root + "/config", 1)
        setenv("XDG_DATA_HOME", root + "/data", 1)
        unsetenv("CHARGEKIT_BACKEND")
        unsetenv("CHARGEKIT_TOKEN_FILE")

        let log = root + "/sim-requests.log"
        let sim = try ChildProcess("/bin/sh", ["-c", "exec \"$0\" sim --port 0 --chargers \"$1\" --speed \"$2\" --latency \"$4\" -v 2>\"$3\"",
                                               chargekit, String(settings.chargers), String(settings.speed), log,
                                               String(settings.latency)])
        Cleanup.shared.track(sim.pid)
        defer {
            sim.signal(SIGTERM)
            sim.wait(timeout: .seconds(30))
            Cleanup.shared.untrack(sim.pid)
        }
        guard let first = try sim.readLine(timeout: .seconds(120)), first.hasPrefix("chargekit sim listening on ") else {
            throw BenchError(description: "chargekit sim did not say where it listens")
        }
        let url = String(first.dropFirst("chargekit sim listening on ".count))
        let login = try ChildProcess(chargekit, ["login", "--backend", url], pipeStdin: true)
        try login.send(line: "demo-operator")
        login.closeStdin()
        guard login.wait(timeout: .seconds(60)).status == 0 else { throw BenchError(description: "chargekit login failed") }
        try waitUntilConnected(chargekit, count: settings.chargers)

        say("qa: default checks over \(Format.grouped(Double(settings.chargers))) simulated chargers (sim speed \(settings.speed)x, "
            + "network round trip \(Format.fixed(settings.latency, 0)) ms), "
            + "chargekit qa --concurrency \(settings.concurrency) vs --concurrency 1")
        let load = loadAverage()
        let ours = try measure(chargekit, concurrency: settings.concurrency, chargers: settings.chargers, log: log, sim: sim.pid)
        let reference = try measure(chargekit, concurrency: 1, chargers: settings.chargers, log: log, sim: sim.pid)
        var table = Table(["concurrency", "seconds", "chargers/s", "requests", "requests/charger", "qa CPU s", "sim CPU s",
                           "qa peak RSS"])
        for m in [ours, reference] {
            table.add([String(m.concurrency), Format.fixed(m.seconds, 2), Format.fixed(Double(settings.chargers) / m.seconds, 1),
                       String(m.requests), Format.fixed(Double(m.requests) / Double(settings.chargers), 2),
                       Format.fixed(m.cpuSeconds, 2), Format.fixed(m.simCPUSeconds, 2), Format.mib(kib: m.peakRSSKiB)])
        }
        say(table.render())
        let ratio = reference.seconds / ours.seconds
        let met = ratio >= target
        say("  load average before: \(load)")
        say("  ratio --concurrency \(settings.concurrency) / --concurrency 1 (throughput): \(Format.fixed(ratio, 1)) "
            + "(target >= \(Format.fixed(target, 0))) \(met ? "met" : "MISSED")")
        return met ? 0 : 1
    }

    /// One `chargekit qa` over the whole fleet, checked: every charger reported, every run
    /// recorded at the backend, exit 0 (the simulated fleet passes the default checks).
    static func measure(_ chargekit: String, concurrency: Int, chargers: Int, log: String, sim: pid_t) throws -> Measurement {
        let before = requestCount(log)
        let simBefore = ProcessCPU.seconds(of: sim)
        let started = ContinuousClock.now
        let qa = try ChildProcess(chargekit, ["qa", "--select", "id=*", "--concurrency", String(concurrency), "--json",
                                              "--progress", "none"])
        Cleanup.shared.track(qa.pid)
        defer { Cleanup.shared.untrack(qa.pid) }
        let output = try qa.readToEnd()
        let exit = qa.wait(timeout: .seconds(3600))
        let seconds = (ContinuousClock.now - started).seconds
        guard let json = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let reports = json["chargers"] as? [[String: Any]] else {
            throw BenchError(description: "chargekit qa --concurrency \(concurrency) exited \(exit.status) and printed no fleet JSON")
        }
        guard exit.status == 0 else {
            let failed = reports.filter { ($0["verdict"] as? String) != "pass" }
            let detail = failed.prefix(3).map { report -> String in
                let checks = (report["checks"] as? [[String: Any]]) ?? []
                let bad = checks.filter { ["FAIL", "ERROR"].contains($0["status"] as? String ?? "") }
                    .map { "\($0["id"] ?? "?"): \($0["message"] ?? "")" }
                return "\(report["charger"] ?? "?"): " + (bad.isEmpty ? "\(report["error"] ?? "")" : bad.joined(separator: "; "))
            }
            throw BenchError(description: "chargekit qa --concurrency \(concurrency) exited \(exit.status), \(failed.count) chargers "
                             + "failed, e.g. " + detail.joined(separator: " | "))
        }
        let recorded = reports.filter { ($0["recorded"] as? Bool) == true && ($0["verdict"] as? String) == "pass" }.count
        guard reports.count == chargers, recorded == chargers else {
            throw BenchError(description: "chargekit qa --concurrency \(concurrency): \(reports.count) chargers reported, "
                             + "\(recorded) passed and recorded, of \(chargers)")
        }
        // The simulator logs a request once it answered it; give the last lines a moment.
        var requests = requestCount(log) - before
        for _ in 0..<20 {
            Thread.sleep(forTimeInterval: 0.05)
            let now = requestCount(log) - before
            if now == requests { break }
            requests = now
        }
        return Measurement(concurrency: concurrency, seconds: seconds, requests: requests,
                           cpuSeconds: exit.usage.userSeconds + exit.usage.systemSeconds, peakRSSKiB: exit.usage.peakRSSKiB,
                           simCPUSeconds: ProcessCPU.seconds(of: sim) - simBefore)
    }

    /// API requests the simulator answered so far (`METHOD /v1/... STATUS` lines of `-v`).
    static func requestCount(_ log: String) -> Int {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return 0 }
        return text.split(separator: "\n").filter { line in
            ["GET /v1/", "POST /v1/", "PUT /v1/", "PATCH /v1/", "DELETE /v1/"].contains { line.hasPrefix($0) }
        }.count
    }

    /// Until the simulator reports every charger connected (they connect spread over a few
    /// sim seconds after it starts).
    static func waitUntilConnected(_ chargekit: String, count: Int) throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let list = try ChildProcess(chargekit, ["chargers", "list", "--connected", "--json"])
            let output = try list.readToEnd()
            list.wait(timeout: .seconds(60))
            if let items = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [Any], items.count >= count { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw BenchError(description: "the simulated chargers did not all connect within 120 s")
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }
}
