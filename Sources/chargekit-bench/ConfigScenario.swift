import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `chargekit-bench config`: `chargekit config apply` over a simulated fleet with many
/// chargers in flight against one at a time, both as processes against `chargekit sim`.
///
/// Both sides do the same work: two profiles differ from each other in three readable keys
/// (one of which answers RebootRequired on some models) and a write-only key, and the runs
/// alternate between them, so every run changes every charger, resets the same ones and
/// verifies them all. The simulator logs every request (`-v`); the log between two runs
/// says what each charger cost.
enum ConfigScenario {
    struct Settings {
        var chargers = 1_000
        var concurrency = 64
        var speed = 50.0
        var repeats = 1
        var seed = 1
        var chargekit: String?

        static let optionNames: Set<String> = ["chargers", "concurrency", "speed", "repeats", "seed", "chargekit"]

        init(_ arguments: [String]) throws(UsageError) {
            let options = try Options(arguments, known: Self.optionNames)
            chargers = try options.int("chargers", default: chargers, range: 1...100_000)
            concurrency = try options.int("concurrency", default: concurrency, range: 2...512)
            repeats = try options.int("repeats", default: repeats, range: 1...20)
            seed = try options.int("seed", default: seed, range: 0...Int(Int32.max))
            chargekit = options.string("chargekit")
            if let text = options.string("speed") {
                guard let value = Double(text), value > 0, value <= 10_000 else {
                    throw UsageError(message: "--speed wants a number in (0, 10000], not \"\(text)\"")
                }
                speed = value
            }
        }
    }

    /// From the issue: concurrent / sequential ≥ 20 in chargers per second.
    static let target = 20.0

    /// What one `config apply` run did.
    struct Run {
        var concurrency: Int
        var profile: String
        var seconds: Double
        var cpuSeconds: Double
        var simCPUSeconds: Double
        var peakRSSKiB: Int
        var succeeded: Int
        var resets: Int
        var requests: RequestCount
    }

    // MARK: Parent

    static func run(_ arguments: [String]) throws -> Int32 {
        let settings = try Settings(arguments)
        Cleanup.install()
        let chargekit = try settings.chargekit ?? siblingExecutable("chargekit")
        let directory = try Transport.makeTemporaryDirectory()
        Cleanup.shared.setTemporaryDirectory(directory)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            Cleanup.shared.setTemporaryDirectory(nil)
        }
        let sim = try SimChild(chargekit, ["--chargers", String(settings.chargers), "--speed", String(settings.speed),
                                           "--seed", String(settings.seed)], log: directory + "/sim.log")
        defer { sim.stop() }
        let tokenFile = directory + "/token"
        try write(sim.token + "\n", to: tokenFile)
        let connection = ["--backend", sim.url, "--token-file", tokenFile]
        let profiles = try ["a", "b"].enumerated().map { index, name in
            try writeProfile(name, variant: index, directory: directory)
        }

        say("chargekit-bench config: \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(Transport.loadAverage())")
        say("simulator: `chargekit sim --chargers \(settings.chargers) --speed \(settings.speed)`, pid \(sim.pid), \(sim.url)")
        let booted = ContinuousClock.now
        try sim.awaitFleet(chargekit, connection: connection, count: settings.chargers)
        say("fleet booted in \(Format.fixed((ContinuousClock.now - booted).seconds, 1)) s")

        var runs: [Run] = []
        var problems: [String] = []
        var next = 0
        for repeatIndex in 0..<settings.repeats {
            let order = repeatIndex % 2 == 0 ? [settings.concurrency, 1] : [1, settings.concurrency]
            for concurrency in order {
                let profile = profiles[next % profiles.count]
                next += 1
                let (run, issues) = try apply(chargekit, connection: connection, profile: profile, concurrency: concurrency,
                                              chargers: settings.chargers, sim: sim)
                runs.append(run)
                problems += issues
                say("  run \(runs.count): --concurrency \(concurrency): \(Format.fixed(run.seconds, 2)) s, "
                    + "\(run.succeeded)/\(settings.chargers) verified, \(run.resets) reset, load \(Transport.loadAverage())")
            }
        }
        return report(runs, settings: settings, problems: problems)
    }

    static func report(_ runs: [Run], settings: Settings, problems: [String]) -> Int32 {
        say()
        var table = Table(["run", "concurrency", "seconds", "chargers/s", "verified", "resets", "CLI CPU s", "sim CPU s", "CLI peak RSS",
                           "requests/charger", "as expected"])
        for (index, run) in runs.enumerated() {
            table.add([String(index + 1), String(run.concurrency), Format.fixed(run.seconds, 2),
                       Format.fixed(Double(settings.chargers) / run.seconds, 1), String(run.succeeded), String(run.resets),
                       Format.fixed(run.cpuSeconds, 1), Format.fixed(run.simCPUSeconds, 1), Format.mib(kib: run.peakRSSKiB),
                       Format.fixed(Double(run.requests.total) / Double(settings.chargers), 3),
                       "\(run.requests.asExpected)/\(settings.chargers)"])
        }
        say(table.render())
        let concurrent = Stats.median(runs.filter { $0.concurrency == settings.concurrency }.map(\.seconds))
        let sequential = Stats.median(runs.filter { $0.concurrency == 1 }.map(\.seconds))
        let ratio = concurrent > 0 ? sequential / concurrent : 0
        let requests = runs.map(\.requests)
        let perCharger = Double(requests.map(\.total).reduce(0, +)) / Double(max(1, settings.chargers * runs.count))
        let exact = requests.allSatisfy { $0.asExpected == settings.chargers }
        let all = runs.allSatisfy { $0.succeeded == settings.chargers }
        say()
        say("summary (ratio = sequential seconds / concurrent seconds; medians of \(settings.repeats) run(s) per side)")
        var summary = Table(["scenario", "value", "target", "met"])
        summary.add(["apply \(settings.chargers): --concurrency \(settings.concurrency) vs 1", Format.fixed(ratio, 1) + "x",
                     "≥ \(Format.fixed(target, 0))", ratio >= target ? "yes" : "NO"])
        let breakdown = requests.reduce(RequestCount()) { $0.adding($1) }
        let n = Double(max(1, settings.chargers * runs.count))
        summary.add(["HTTP requests per charger (all)", Format.fixed(perCharger, 3),
                     "3, +1 with a reset", exact ? "yes" : "NO"])
        say(summary.render())
        say("  per charger: \(Format.fixed(Double(breakdown.reads) / n, 3)) configuration reads, "
            + "\(Format.fixed(Double(breakdown.writes) / n, 3)) writes, \(Format.fixed(Double(breakdown.commands) / n, 3)) resets, "
            + "\(Format.fixed(Double(breakdown.chargerReads) / n, 3)) charger reads, "
            + "\(Format.fixed(Double(breakdown.shared) / n, 3)) shared (listing pages and event long polls: \(breakdown.shared) in all)")
        say("  exactly 3 requests per charger without a reset, 4 with one (the Reset): "
            + "\(requests.map(\.asExpected).reduce(0, +)) of \(settings.chargers * runs.count)")
        if breakdown.failedStatus > 0 { say("  answers other than 2xx: \(breakdown.failedStatus)") }
        for problem in problems.prefix(10) { say("  problem: \(problem)") }
        let met = ratio >= target && exact && all && problems.isEmpty && breakdown.failedStatus == 0
        say(met ? "all targets met" : "NOT MET")
        return met ? 0 : 1
    }

    // MARK: One run

    static func apply(_ chargekit: String, connection: [String], profile: String, concurrency: Int, chargers: Int,
                      sim: SimChild) throws -> (Run, [String]) {
        let before = try sim.requestLines().count
        let simBefore = ProcessCPU.seconds(of: sim.pid)
        // The table an installer sees (not --json: encoding a 2 MB report is not what is measured).
        let errors = sim.log + ".apply.err"
        let child = try ChildProcess(chargekit, ["config", "apply", "--select", "id=CP-*", "--profile", profile,
                                                 "--concurrency", String(concurrency), "--progress", "none"] + connection,
                                     stderrPath: errors)
        Cleanup.shared.track(child.pid)
        defer { Cleanup.shared.untrack(child.pid) }
        let output = try child.readToEnd()
        let exit = child.wait()
        let simCPU = ProcessCPU.seconds(of: sim.pid) - simBefore
        var problems: [String] = []
        if exit.status != 0 { problems.append("config apply --concurrency \(concurrency) exited \(exit.status)") }
        let stderr = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        problems += stderr.split(separator: "\n").filter { $0.hasPrefix("chargekit: error:") }.map(String.init)
        // CHARGER  MODEL  OCPP  SENT  RESET  RESULT, columns apart by two spaces or more.
        var resets: Set<String> = []
        var succeeded = 0
        var rows = 0
        for line in output.split(separator: "\n") where line.hasPrefix("CP-") {
            let columns = line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count == 6 else {
                problems.append("unexpected row: \(line)")
                continue
            }
            rows += 1
            if columns[5] == "verified" { succeeded += 1 }
            if columns[4] == "rebooted" { resets.insert(columns[0]) }
            if columns[4] == "failed" { problems.append("\(columns[0]): the reset did not bring it back") }
        }
        if rows != chargers { problems.append("config apply reported \(rows) chargers, not \(chargers)") }
        let requests = RequestCount(lines: try sim.requestLines(after: before), resets: resets)
        let run = Run(concurrency: concurrency, profile: profile, seconds: exit.wall.seconds, cpuSeconds: exit.usage.cpuSeconds,
                      simCPUSeconds: simCPU,
                      peakRSSKiB: child.sampledPeakRSSKiB, succeeded: succeeded, resets: resets.count, requests: requests)
        return (run, problems)
    }

    /// The simulator's request log between two runs, sorted per charger.
    struct RequestCount {
        var reads = 0
        var writes = 0
        var commands = 0
        var chargerReads = 0
        var shared = 0
        var failedStatus = 0
        /// Chargers that took exactly one read, one write and one verify read, plus the
        /// Reset when they were reset.
        var asExpected = 0

        var total: Int { reads + writes + commands + chargerReads + shared }

        init() {}

        /// `lines` as the simulator logs them: `GET /v1/chargers/CP-0001/configuration?key=... 200`.
        init(lines: [Substring], resets: Set<String>) {
            var perCharger: [String: (reads: Int, writes: Int, commands: Int, other: Int)] = [:]
            for line in lines {
                let fields = line.split(separator: " ")
                guard fields.count >= 3 else { continue }
                if let status = Int(fields[fields.count - 1]), !(200..<300).contains(status) { failedStatus += 1 }
                let path = fields[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
                let parts = path.split(separator: "/")  // v1, chargers, ID, rest
                guard parts.count >= 3, parts[0] == "v1", parts[1] == "chargers" else {
                    shared += 1
                    continue
                }
                let id = String(parts[2])
                var counts = perCharger[id] ?? (0, 0, 0, 0)
                switch (fields[0], parts.count > 3 ? parts[3] : "") {
                case ("GET", "configuration"): reads += 1; counts.reads += 1
                case ("POST", "configuration"): writes += 1; counts.writes += 1
                case ("POST", "commands"): commands += 1; counts.commands += 1
                default: chargerReads += 1; counts.other += 1
                }
                perCharger[id] = counts
            }
            for (id, counts) in perCharger {
                let reset = resets.contains(id) ? 1 : 0
                if counts.reads == 2, counts.writes == 1, counts.commands == reset, counts.other == 0 { asExpected += 1 }
            }
        }

        func adding(_ other: RequestCount) -> RequestCount {
            var sum = self
            sum.reads += other.reads
            sum.writes += other.writes
            sum.commands += other.commands
            sum.chargerReads += other.chargerReads
            sum.shared += other.shared
            sum.failedStatus += other.failedStatus
            sum.asExpected += other.asExpected
            return sum
        }
    }

    // MARK: Setup

    /// Two profiles that differ in every key they set, so going from one to the other
    /// changes each charger the same way. The ping interval answers RebootRequired on the
    /// Alfen, ABB Terra AC and Zaptec models, so those chargers take the reset path.
    static func writeProfile(_ name: String, variant: Int, directory: String) throws -> String {
        let secret = directory + "/secret-\(name).txt"
        try write("bench-authorization-key-\(name)-0123456789\n", to: secret)
        let path = directory + "/profile-\(name).json"
        try write("""
            {
              "name": "bench-\(name)",
              "version": "\(variant + 1)",
              "settings": {
                "heartbeatInterval": \(900 + 300 * variant),
                "meterValueSampleInterval": \(15 + 15 * variant),
                "webSocketPingInterval": \(45 + 5 * variant),
                "authorizationKey": { "secret": { "file": "\(secret)" } }
              }
            }
            """, to: path)
        return path
    }

    static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BenchError(description: "cannot write \(path)")
        }
    }

    /// A product built next to this benchmark (`swift build -c release` builds both).
    static func siblingExecutable(_ name: String) throws -> String {
        let path = ((try currentExecutable()) as NSString).deletingLastPathComponent + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BenchError(description: "no \(path): build it with 'swift build -c release --product \(name)'")
        }
        return path
    }
}
