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

        let sim = try SimChild(chargekit, ["--chargers", String(settings.chargers), "--speed", String(settings.speed),
                                           "--latency", String(settings.latency)], log: root + "/sim-requests.log")
        defer { sim.stop() }
        let url = sim.url
        let login = try ChildProcess(chargekit, ["login", "--backend", url], pipeStdin: true)
        try login.send(line: "demo-operator")
        login.closeStdin()
        guard login.wait(timeout: .seconds(60)).status == 0 else { throw BenchError(description: "chargekit login failed") }
        try sim.awaitFleet(chargekit, count: settings.chargers)
        try awaitConnectors(chargekit)

        say("qa: default checks over \(Format.grouped(Double(settings.chargers))) simulated chargers (sim speed \(settings.speed)x, "
            + "network round trip \(Format.fixed(settings.latency, 0)) ms), "
            + "chargekit qa --concurrency \(settings.concurrency) vs --concurrency 1")
        let load = Transport.loadAverage()
        let ours = try measure(chargekit, concurrency: settings.concurrency, chargers: settings.chargers, sim: sim)
        let reference = try measure(chargekit, concurrency: 1, chargers: settings.chargers, sim: sim)
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
    static func measure(_ chargekit: String, concurrency: Int, chargers: Int, sim: SimChild) throws -> Measurement {
        let before = try sim.requestLines().count
        let simBefore = ProcessCPU.seconds(of: sim.pid)
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
        let requests = try sim.requestLines(after: before).count
        return Measurement(concurrency: concurrency, seconds: seconds, requests: requests,
                           cpuSeconds: exit.usage.userSeconds + exit.usage.systemSeconds, peakRSSKiB: exit.usage.peakRSSKiB,
                           simCPUSeconds: ProcessCPU.seconds(of: sim.pid) - simBefore)
    }

    /// Until every charger has reported its connectors: a charger is listed connected once
    /// its boot is accepted, and its StatusNotifications follow a round trip or two later.
    /// A QA run of the connectors check alone passing says they are all in.
    static func awaitConnectors(_ chargekit: String) throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let probe = try ChildProcess(chargekit, ["qa", "--select", "id=*", "--check", "connectors", "--concurrency", "64",
                                                     "--progress", "none", "--quiet"])
            _ = try probe.readToEnd()
            if probe.wait(timeout: .seconds(600)).status == 0 { return }
            guard ContinuousClock.now < deadline else {
                throw BenchError(description: "the simulated chargers did not all report their connectors within 120 s")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }
}
