import Checksum
import CurlHTTP
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `chargekit-bench transport`: CurlHTTP against the obvious alternatives, on loopback.
///
/// 1. Many small GETs with N in flight: CurlHTTP's `HTTPClient` vs Foundation's URLSession.
/// 2. One large PUT streamed from a file: CurlHTTP vs the `curl` command line.
///
/// The parent only orchestrates: the server (`serve`) and every measured client
/// (`get-client`, `upload-client`, `curl`) run in processes of their own, so each peak RSS
/// and CPU figure belongs to one program. Each client warms up, says `ready`, and starts
/// its measured phase when the parent answers `go` (after reading the server's CPU clock).
enum Transport {
    /// Median of ours/reference over runs taken back to back (run i of each side), which
    /// cancels slow drifts in what the rest of the machine is doing.
    static func pairedRatio(ours: [Double], reference: [Double]) -> Double {
        Stats.median(zip(ours, reference).compactMap { $1 > 0 ? $0 / $1 : nil })
    }

    struct Settings {
        var requests = 10_000
        var concurrency = 64
        var warmup = 1_000
        var repeats = 5
        var size: Int64 = 1 << 30
        var runGets = true
        var runUpload = true

        static let optionNames: Set<String> = ["requests", "concurrency", "warmup", "repeats", "size", "only"]

        init(_ arguments: [String]) throws(UsageError) {
            let options = try Options(arguments, known: Self.optionNames)
            requests = try options.int("requests", default: requests, range: 1...10_000_000)
            concurrency = try options.int("concurrency", default: concurrency, range: 1...1024)
            warmup = try options.int("warmup", default: max(1_000, 4 * concurrency), range: 0...10_000_000)
            repeats = try options.int("repeats", default: repeats, range: 1...100)
            size = try options.size("size", default: size, range: 1...(1 << 40))
            switch options.string("only") {
            case nil: break
            case "get": runUpload = false
            case "upload": runGets = false
            case let other?: throw UsageError(message: "--only wants get or upload, not \"\(other)\"")
            }
        }
    }

    /// Two decimals, or three where two would round across the target (0.898 is not "0.90").
    static func ratioText(_ ratio: Double, target: Double) -> String {
        abs(ratio - target) < 0.005 ? Format.fixed(ratio, 3) : Format.fixed(ratio, 2)
    }

    /// Targets from the issue: ours / reference.
    static let getTarget = 1.5
    static let uploadTarget = 0.9
    static let uploadMemoryLimitKiB = 64 * 1024

    // MARK: Parent

    static func run(_ arguments: [String]) throws -> Int32 {
        let settings = try Settings(arguments)
        Cleanup.install()
        let executable = try currentExecutable()
        let server = try ServerProcess(executable: executable)
        Cleanup.shared.track(server.child.pid)
        defer {
            server.stop()
            Cleanup.shared.untrack(server.child.pid)
        }
        let control = try HTTPClient(configuration: HTTPClient.Configuration(
            maxConcurrentTransfers: 2, maxConnectionsPerHost: 2, maxTotalConnections: 2, retry: .never))
        defer { control.shutdown() }
        let probe = ServerProbe(client: control, baseURL: server.baseURL)

        say("chargekit-bench transport: \(ProcessInfo.processInfo.activeProcessorCount) cores, load \(loadAverage())")
        say("server: `chargekit-bench serve`, pid \(server.child.pid), \(server.baseURL)")
        var verdicts: [Verdict] = []
        var notes: [String] = []
        if settings.runGets {
            let result = try getScenario(settings, executable: executable, server: server, probe: probe)
            verdicts += result.verdicts
            notes += result.notes
        }
        if settings.runUpload {
            let result = try uploadScenario(settings, executable: executable, server: server, probe: probe)
            verdicts += result.verdicts
            notes += result.notes
        }
        let serverStats: ServerStats = try probe.json("/stats/process")
        let me = ProcessUsage.current()
        notes.append("peak RSS: server child \(Format.mib(kib: serverStats.peakRSSKiB)) (\(Format.fixed(serverStats.cpuSeconds, 1)) s CPU), "
                     + "this orchestrating process \(Format.mib(kib: me.peakRSSKiB))")

        say()
        say("summary (ratio = ours / reference; targets from the issue; figures are medians of \(settings.repeats) run(s))")
        var table = Table(["scenario", "ours", "reference", "ratio", "target", "met"])
        for verdict in verdicts { table.add(verdict.row) }
        say(table.render())
        for note in notes { say("  " + note) }
        let failed = verdicts.filter { !$0.met }
        say(failed.isEmpty ? "all targets met" : "NOT MET: " + failed.map(\.name).joined(separator: "; "))
        return failed.isEmpty ? 0 : 1
    }

    struct Verdict {
        var name: String
        var ours: String
        var reference: String
        var ratio: String
        var target: String
        var met: Bool

        var row: [String] { [name, ours, reference, ratio, target, met ? "yes" : "NO"] }
    }

    struct ScenarioResult {
        var verdicts: [Verdict] = []
        var notes: [String] = []
    }

    // MARK: Scenario 1: small GETs

    enum GetSide: String, CaseIterable {
        case curlhttp, urlsession

        var title: String { self == .curlhttp ? "CurlHTTP" : "URLSession" }
    }

    struct GetRun {
        var side: GetSide
        var report: ClientReport
        var serverCPU: Double
        var requestsPerSecond: Double { Double(report.requests) / report.seconds }
    }

    static func getScenario(_ settings: Settings, executable: String, server: ServerProcess,
                            probe: ServerProbe) throws -> ScenarioResult {
        say()
        say("1. \(Format.grouped(Double(settings.requests))) small GETs, \(settings.concurrency) in flight: CurlHTTP vs URLSession "
            + "(each in its own process, \(Format.grouped(Double(settings.warmup))) warm-up requests first; runs alternate who goes first)")
        var table = Table(["run", "client", "req/s", "client CPU µs/req", "server CPU µs/req", "peak RSS", "ok", "load"])
        var runs: [GetRun] = []
        var failures: [String] = []
        for run in 1...settings.repeats {
            let order: [GetSide] = run % 2 == 1 ? [.curlhttp, .urlsession] : [.urlsession, .curlhttp]
            for side in order {
                let label = "\(side.rawValue)-\(run)"
                let child = try ChildProcess(executable, [
                    "get-client", "--client", side.rawValue, "--url", server.baseURL, "--label", label,
                    "--requests", String(settings.requests), "--concurrency", String(settings.concurrency),
                    "--warmup", String(settings.warmup),
                ], pipeStdin: true)
                let (report, serverCPU) = try measure(child, probe: probe)
                let counted: GetCount = try probe.json("/stats/gets/\(label)")
                var ok = "\(report.succeeded)/\(report.requests)"
                if report.succeeded != report.requests || counted.count != report.requests {
                    ok += " FAILED"
                    failures.append("\(side.title) run \(run): \(report.succeeded) of \(report.requests) answered 200 with the expected body, "
                                    + "server counted \(counted.count)" + (report.firstFailure.map { "; first failure: \($0)" } ?? ""))
                }
                let result = GetRun(side: side, report: report, serverCPU: serverCPU)
                runs.append(result)
                table.add([String(run), side.title, Format.grouped(result.requestsPerSecond),
                           Format.fixed(report.cpuSeconds / Double(report.requests) * 1e6, 1),
                           Format.fixed(serverCPU / Double(report.requests) * 1e6, 1),
                           Format.mib(kib: report.peakRSSKiB), ok, loadAverage()])
            }
        }
        say(table.render())

        func median(_ side: GetSide) -> Double {
            Stats.median(runs.filter { $0.side == side }.map(\.requestsPerSecond))
        }
        func best(_ side: GetSide) -> Double {
            runs.filter { $0.side == side }.map(\.requestsPerSecond).max() ?? 0
        }
        func peak(_ side: GetSide) -> Int {
            runs.filter { $0.side == side }.map(\.report.peakRSSKiB).max() ?? 0
        }
        let ours = median(.curlhttp), reference = median(.urlsession)
        let ratio = reference > 0 ? ours / reference : 0
        var result = ScenarioResult()
        result.verdicts.append(Verdict(
            name: "\(Format.grouped(Double(settings.requests))) GETs @\(settings.concurrency), req/s",
            ours: Format.grouped(ours), reference: Format.grouped(reference) + " (URLSession)",
            ratio: ratioText(ratio, target: getTarget), target: "≥ \(Format.fixed(getTarget, 2))", met: ratio >= getTarget))
        result.verdicts.append(Verdict(
            name: "GETs answered 200 (client and server agree)", ours: failures.isEmpty ? "all" : "\(failures.count) run(s) short",
            reference: "", ratio: "", target: "all", met: failures.isEmpty))
        let bestRatio = best(.urlsession) > 0 ? best(.curlhttp) / best(.urlsession) : 0
        let paired = pairedRatio(ours: runs.filter { $0.side == .curlhttp }.map(\.requestsPerSecond),
                                 reference: runs.filter { $0.side == .urlsession }.map(\.requestsPerSecond))
        result.notes.append("GETs: best runs \(Format.grouped(best(.curlhttp))) vs \(Format.grouped(best(.urlsession))) req/s "
                            + "(ratio \(Format.fixed(bestRatio, 2))), median of per-run ratios \(Format.fixed(paired, 2)); "
                            + "peak RSS CurlHTTP \(Format.mib(kib: peak(.curlhttp))), "
                            + "URLSession \(Format.mib(kib: peak(.urlsession)))")
        for failure in failures { result.notes.append("FAILED: " + failure) }
        return result
    }

    struct GetCount: Codable { var count: Int }

    /// Waits for the client's `ready`, reads the server's CPU clock, says `go`, and returns
    /// the client's report with the server CPU spent meanwhile.
    static func measure(_ child: ChildProcess, probe: ServerProbe) throws -> (ClientReport, Double) {
        Cleanup.shared.track(child.pid)
        defer { Cleanup.shared.untrack(child.pid) }
        guard try child.readLine(timeout: .seconds(600)) == "ready" else {
            let exit = child.wait(timeout: .seconds(5))
            throw BenchError(description: "\(child.name) client (pid \(child.pid)) did not get ready, exit status \(exit.status)")
        }
        let before: ServerStats = try probe.json("/stats/process")
        try child.send(line: "go")
        let output = try child.readToEnd()
        let exit = child.wait()
        let after: ServerStats = try probe.json("/stats/process")
        guard exit.status == 0,
              let line = output.split(separator: "\n").last,
              let report = try? JSONDecoder().decode(ClientReport.self, from: Data(line.utf8)) else {
            throw BenchError(description: "client (pid \(child.pid)) ended with status \(exit.status) and printed \"\(output)\"")
        }
        return (report, after.cpuSeconds - before.cpuSeconds)
    }

    // MARK: Scenario 2: a large upload from a file

    enum UploadSide: String {
        case curlhttp, curl

        var title: String { self == .curlhttp ? "CurlHTTP" : "curl -T" }
    }

    struct UploadRun {
        var side: UploadSide
        /// VmHWM read by the parent from /proc/PID/status while the client ran.
        var sampledPeakRSSKiB = 0
        var seconds: Double
        var bytes: Int64
        var clientCPU: Double
        var serverCPU: Double
        var peakRSSKiB: Int
        var bytesPerSecond: Double { Double(bytes) / seconds }
    }

    static func uploadScenario(_ settings: Settings, executable: String, server: ServerProcess,
                               probe: ServerProbe) throws -> ScenarioResult {
        say()
        say("2. \(Format.bytes(settings.size)) PUT streamed from a file: CurlHTTP vs `curl -T FILE URL` "
            + "(both without Expect: 100-continue; each in its own process; runs alternate who goes first)")
        let directory = try makeTemporaryDirectory()
        Cleanup.shared.setTemporaryDirectory(directory)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            Cleanup.shared.setTemporaryDirectory(nil)
        }
        let file = directory + "/upload.bin"
        let warmFile = directory + "/warmup.bin"
        let clock = ContinuousClock()
        var started = clock.now
        try writeTestFile(path: file, size: settings.size, seed: 1)
        try writeTestFile(path: warmFile, size: min(settings.size, 16 << 20), seed: 2)
        let wrote = clock.now - started
        started = clock.now
        let digest = try SHA256.hex(fileAt: file)
        say("  test file \(file): \(Format.bytes(settings.size)) written in 1 MiB blocks in \(Format.fixed(wrote.seconds, 1)) s, "
            + "SHA-256 \(digest.prefix(16))... in \(Format.fixed((clock.now - started).seconds, 1)) s")

        // Warm-up: one small upload each (code paths, server threads, page cache).
        for side in [UploadSide.curlhttp, .curl] {
            let name = "warmup-\(side.rawValue)"
            _ = try upload(side, file: warmFile, name: name, executable: executable, server: server, probe: probe)
        }

        var table = Table(["run", "client", "MB/s", "seconds", "client CPU s", "server CPU s", "peak RSS", "server saw", "load"])
        var runs: [UploadRun] = []
        var failures: [String] = []
        for run in 1...settings.repeats {
            let order: [UploadSide] = run % 2 == 1 ? [.curlhttp, .curl] : [.curl, .curlhttp]
            for side in order {
                let name = "\(side.rawValue)-\(run)"
                let result = try upload(side, file: file, name: name, executable: executable, server: server, probe: probe)
                let record: UploadRecord? = try? probe.json("/stats/upload/\(name)")
                var seen = "no request"
                if let record {
                    let matches = record.bodyLength == settings.size && record.bodySHA256 == digest
                    seen = matches ? "length+SHA-256 ok" : "MISMATCH"
                    if !matches {
                        failures.append("\(side.title) run \(run): server got \(record.bodyLength) bytes, SHA-256 \(record.bodySHA256)")
                    }
                } else {
                    failures.append("\(side.title) run \(run): the server recorded no upload")
                }
                if let problem = result.problem {
                    seen += " FAILED"
                    failures.append("\(side.title) run \(run): \(problem)")
                }
                runs.append(result.run)
                table.add([String(run), side.title, Format.mbps(result.run.bytesPerSecond), Format.fixed(result.run.seconds, 2),
                           Format.fixed(result.run.clientCPU, 2), Format.fixed(result.run.serverCPU, 2),
                           Format.mib(kib: result.run.peakRSSKiB), seen, loadAverage()])
            }
        }
        say(table.render())

        func median(_ side: UploadSide) -> Double { Stats.median(runs.filter { $0.side == side }.map(\.bytesPerSecond)) }
        func best(_ side: UploadSide) -> Double { runs.filter { $0.side == side }.map(\.bytesPerSecond).max() ?? 0 }
        func peak(_ side: UploadSide) -> Int { runs.filter { $0.side == side }.map(\.peakRSSKiB).max() ?? 0 }
        func cpu(_ side: UploadSide) -> Double { Stats.median(runs.filter { $0.side == side }.map(\.clientCPU)) }
        let ours = median(.curlhttp), reference = median(.curl)
        let ratio = reference > 0 ? ours / reference : 0
        var result = ScenarioResult()
        result.verdicts.append(Verdict(
            name: "\(Format.bytes(settings.size)) PUT from a file, MB/s", ours: Format.mbps(ours),
            reference: Format.mbps(reference) + " (curl -T)", ratio: ratioText(ratio, target: uploadTarget),
            target: "≥ \(Format.fixed(uploadTarget, 2))", met: ratio >= uploadTarget))
        let ourPeak = peak(.curlhttp)
        result.verdicts.append(Verdict(
            name: "upload client peak RSS", ours: Format.mib(kib: ourPeak), reference: Format.mib(kib: peak(.curl)) + " (curl)",
            ratio: "", target: "< \(Format.mib(kib: uploadMemoryLimitKiB))", met: ourPeak > 0 && ourPeak < uploadMemoryLimitKiB))
        result.verdicts.append(Verdict(
            name: "uploads arrived whole (length, SHA-256)", ours: failures.isEmpty ? "all" : "\(failures.count) problem(s)",
            reference: "", ratio: "", target: "all", met: failures.isEmpty))
        let bestRatio = best(.curl) > 0 ? best(.curlhttp) / best(.curl) : 0
        let paired = pairedRatio(ours: runs.filter { $0.side == .curlhttp }.map(\.bytesPerSecond),
                                 reference: runs.filter { $0.side == .curl }.map(\.bytesPerSecond))
        result.notes.append("upload: best runs \(Format.mbps(best(.curlhttp))) vs \(Format.mbps(best(.curl))) MB/s "
                            + "(ratio \(Format.fixed(bestRatio, 2))), median of per-run ratios \(Format.fixed(paired, 2)); client CPU (median) CurlHTTP \(Format.fixed(cpu(.curlhttp), 2)) s, "
                            + "curl \(Format.fixed(cpu(.curl), 2)) s; MB = 10^6 bytes")
        let sampled = runs.filter { $0.side == .curlhttp }.map(\.sampledPeakRSSKiB).max() ?? 0
        result.notes.append("upload peak RSS: CurlHTTP's VmHWM as it read it itself, curl's as the parent sampled it from "
                            + "/proc every 10 ms (the same sampling gave \(Format.mib(kib: sampled)) for CurlHTTP)")
        for failure in failures { result.notes.append("FAILED: " + failure) }
        return result
    }

    /// One upload by one side; `problem` says what went wrong if the client saw an error.
    static func upload(_ side: UploadSide, file: String, name: String, executable: String, server: ServerProcess,
                       probe: ServerProbe) throws -> (run: UploadRun, problem: String?) {
        let url = "\(server.baseURL)/upload/\(name)"
        switch side {
        case .curlhttp:
            let child = try ChildProcess(executable, ["upload-client", "--url", url, "--file", file], pipeStdin: true)
            let (report, serverCPU) = try measure(child, probe: probe)
            let problem = report.succeeded == 1 ? nil : (report.firstFailure ?? "failed")
            return (UploadRun(side: side, sampledPeakRSSKiB: child.sampledPeakRSSKiB, seconds: report.seconds,
                              bytes: report.bytesSent, clientCPU: report.cpuSeconds, serverCPU: serverCPU,
                              peakRSSKiB: report.peakRSSKiB), problem)
        case .curl:
            let before: ServerStats = try probe.json("/stats/process")
            let child = try ChildProcess("curl", [
                "-s", "-S", "-o", "/dev/null", "-H", "Expect:", "-T", file,
                "-w", "%{http_code} %{size_upload} %{time_total}\n", url,
            ], searchPath: true)
            Cleanup.shared.track(child.pid)
            defer { Cleanup.shared.untrack(child.pid) }
            let output = try child.readToEnd()
            let exit = child.wait()
            let after: ServerStats = try probe.json("/stats/process")
            let fields = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard fields.count == 3, let status = Int(fields[0]), let sent = Double(fields[1]), let seconds = Double(fields[2]),
                  seconds > 0 else {
                throw BenchError(description: "curl ended with status \(exit.status) and printed \"\(output)\"")
            }
            let problem: String? = exit.status == 0 && status == 200 ? nil : "curl exit \(exit.status), HTTP \(status)"
            return (UploadRun(side: side, seconds: seconds, bytes: Int64(sent), clientCPU: exit.usage.cpuSeconds,
                              serverCPU: after.cpuSeconds - before.cpuSeconds, peakRSSKiB: child.sampledPeakRSSKiB), problem)
        }
    }

    static func makeTemporaryDirectory() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/chargekit-bench.XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw BenchError(description: "mkdtemp: \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// `size` bytes of xorshift noise written 1 MiB at a time (never held whole in memory).
    static func writeTestFile(path: String, size: Int64, seed: UInt64) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BenchError(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed
        var written: Int64 = 0
        while written < size {
            block.withUnsafeMutableBytes { raw in
                for offset in stride(from: 0, to: raw.count, by: 8) {
                    state ^= state >> 12
                    state ^= state << 25
                    state ^= state >> 27
                    raw.storeBytes(of: state &* 0x2545_F491_4F6C_DD1D, toByteOffset: offset, as: UInt64.self)
                }
            }
            let count = Int(min(Int64(block.count), size - written))
            var done = 0
            while done < count {
                let n = block[done..<count].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw BenchError(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
                done += n
            }
            written += Int64(count)
        }
    }

    static func loadAverage() -> String {
        var loads = [Double](repeating: 0, count: 3)
        guard getloadavg(&loads, 3) == 3 else { return "?" }
        return Format.fixed(loads[0], 2)
    }
}

/// The parent's questions to the server child, over a CurlHTTP client of its own.
/// Called from the main thread (see ``blocking(_:)``).
struct ServerProbe: Sendable {
    let client: HTTPClient
    let baseURL: String

    func json<T: Decodable>(_ path: String) throws -> T {
        let client = client, url = baseURL + path
        let response = try blocking { try await client.send(HTTPRequest(url: url)) }
        guard response.status == 200 else {
            throw BenchError(description: "server answered \(response.status) to \(path)")
        }
        return try JSONDecoder().decode(T.self, from: response.body)
    }
}

// MARK: Client children

extension Transport {
    /// `get-client`: warms up, prints `ready`, waits for `go`, runs the measured GETs and
    /// prints a ``ClientReport`` as one JSON line.
    static func getClient(_ arguments: [String]) async throws -> Int32 {
        let options = try Options(arguments, known: ["client", "url", "label", "requests", "concurrency", "warmup"])
        guard let side = GetSide(rawValue: try options.required("client")) else {
            throw UsageError(message: "--client wants curlhttp or urlsession")
        }
        let base = try options.required("url")
        let label = try options.required("label")
        let requests = try options.int("requests", default: 10_000, range: 1...10_000_000)
        let concurrency = try options.int("concurrency", default: 64, range: 1...1024)
        let warmup = try options.int("warmup", default: 1_000, range: 0...10_000_000)
        let expected = Data(BenchServer.smallBody.utf8)

        switch side {
        case .curlhttp:
            return try await getClient(try CurlFetcher(concurrency: concurrency, expected: expected), side: side,
                                       base: base, label: label, requests: requests, concurrency: concurrency, warmup: warmup)
        case .urlsession:
            return try await getClient(URLSessionFetcher(concurrency: concurrency, expected: expected), side: side,
                                       base: base, label: label, requests: requests, concurrency: concurrency, warmup: warmup)
        }
    }

    private static func getClient<F: Fetcher>(_ fetcher: F, side: GetSide, base: String, label: String, requests: Int,
                                              concurrency: Int, warmup: Int) async throws -> Int32 {
        defer { fetcher.close() }
        if warmup > 0 {
            let warm = await hammer(fetcher, url: "\(base)/small/warmup-\(label)", count: warmup, concurrency: concurrency)
            if let failure = warm.firstFailure, warm.succeeded == 0 {
                throw BenchError(description: "warm-up failed: \(failure)")
            }
        }
        try await awaitGo()
        let before = ProcessUsage.current()
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = await hammer(fetcher, url: "\(base)/small/\(label)", count: requests, concurrency: concurrency)
        let elapsed = clock.now - started
        let after = ProcessUsage.current()
        try printReport(ClientReport(client: side.rawValue, requests: requests, succeeded: outcome.succeeded,
                                     firstFailure: outcome.firstFailure, seconds: elapsed.seconds, bytesSent: 0,
                                     cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakRSSKiB: after.peakRSSKiB))
        return 0
    }

    /// `upload-client`: one PUT of a whole file through CurlHTTP, measured in a process of
    /// its own so its peak RSS is the upload's.
    static func uploadClient(_ arguments: [String]) async throws -> Int32 {
        let options = try Options(arguments, known: ["url", "file"])
        let url = try options.required("url")
        let path = try options.required("file")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard let size = (attributes[.size] as? NSNumber)?.int64Value else {
            throw BenchError(description: "cannot read the size of \(path)")
        }
        let client = try HTTPClient(configuration: HTTPClient.Configuration(retry: .never))
        defer { client.shutdown() }
        let request = HTTPRequest(method: "PUT", url: url, body: .file(path: path, offset: 0, length: size),
                                  response: .memory(limit: 1 << 20))
        try await awaitGo()
        let before = ProcessUsage.current()
        let clock = ContinuousClock()
        let started = clock.now
        var failure: String?
        do {
            let response = try await client.send(request)
            if response.status != 200 || response.bodyString != "done\n" {
                failure = "HTTP \(response.status): \(response.bodyString.prefix(200))"
            }
        } catch {
            failure = "\(error)"
        }
        let elapsed = clock.now - started
        let after = ProcessUsage.current()
        try printReport(ClientReport(client: "curlhttp", requests: 1, succeeded: failure == nil ? 1 : 0,
                                     firstFailure: failure, seconds: elapsed.seconds, bytesSent: size,
                                     cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakRSSKiB: after.peakRSSKiB))
        return 0
    }

    /// Prints `ready` and waits (off the concurrency pool) until the parent answers `go`.
    private static func awaitGo() async throws {
        say("ready")
        let line = try await offPool { readLine() }
        guard line == "go" else { throw BenchError(description: "no go from the parent") }
    }

    private static func printReport(_ report: ClientReport) throws {
        say(String(decoding: try JSONEncoder().encode(report), as: UTF8.self))
    }

    struct Outcome: Sendable {
        var succeeded = 0
        var firstFailure: String?
    }

    /// `count` requests through `concurrency` workers, each sending its next request as
    /// soon as the previous one is answered.
    static func hammer<F: Fetcher>(_ fetcher: F, url: String, count: Int, concurrency: Int) async -> Outcome {
        let tickets = Tickets()
        let prepared = fetcher.prepare(url)
        return await withTaskGroup(of: Outcome.self) { group in
            for _ in 0..<min(concurrency, count) {
                group.addTask {
                    var local = Outcome()
                    while tickets.take() < count {
                        if let failure = await fetcher.fetch(prepared) {
                            if local.firstFailure == nil { local.firstFailure = failure }
                        } else {
                            local.succeeded += 1
                        }
                    }
                    return local
                }
            }
            var total = Outcome()
            for await part in group {
                total.succeeded += part.succeeded
                if total.firstFailure == nil { total.firstFailure = part.firstFailure }
            }
            return total
        }
    }
}

private final class Tickets: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}

/// One small GET by one client library; nil on success (200 and the expected body).
protocol Fetcher: Sendable {
    associatedtype Prepared: Sendable
    func prepare(_ url: String) -> Prepared
    func fetch(_ prepared: Prepared) async -> String?
    func close()
}

/// CurlHTTP, configured for the scenario: as many transfers and connections as workers.
struct CurlFetcher: Fetcher {
    let client: HTTPClient
    let expected: Data

    init(concurrency: Int, expected: Data) throws {
        client = try HTTPClient(configuration: HTTPClient.Configuration(
            maxConcurrentTransfers: concurrency, maxConnectionsPerHost: concurrency,
            maxTotalConnections: concurrency, retry: .never))
        self.expected = expected
    }

    func prepare(_ url: String) -> HTTPRequest { HTTPRequest(url: url) }

    func fetch(_ request: HTTPRequest) async -> String? {
        do {
            let response = try await client.send(request)
            guard response.status == 200, response.body == expected else {
                return "HTTP \(response.status), \(response.body.count) body bytes"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    func close() { client.shutdown() }
}

/// Foundation's URLSession with a fair configuration: as many connections per host as
/// workers, no cache, no cookies or credentials to look up.
struct URLSessionFetcher: Fetcher {
    let session: URLSession
    let expected: Data

    init(concurrency: Int, expected: Data) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = concurrency
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
        self.expected = expected
    }

    func prepare(_ url: String) -> URLRequest? {
        guard let parsed = URL(string: url) else { return nil }
        var request = URLRequest(url: parsed)
        request.cachePolicy = .reloadIgnoringLocalCacheData
        return request
    }

    func fetch(_ request: URLRequest?) async -> String? {
        guard let request else { return "bad URL" }
        do {
            let (data, response) = try await session.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200, data == expected else { return "HTTP \(status), \(data.count) body bytes" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    func close() { session.invalidateAndCancel() }
}

// MARK: Interrupts

/// Ctrl-C or SIGTERM: stop the children and remove the temporary directory, then exit.
final class Cleanup: Sendable {
    static let shared = Cleanup()

    private struct State {
        var children: Set<pid_t> = []
        var directory: String?
        var sources: [SignalSource] = []
    }

    private let state = Mutex(State())

    func track(_ pid: pid_t) { state.withLock { _ = $0.children.insert(pid) } }
    func untrack(_ pid: pid_t) { state.withLock { _ = $0.children.remove(pid) } }
    func setTemporaryDirectory(_ path: String?) { state.withLock { $0.directory = path } }

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { shared.interrupted(number) }
            source.resume()
            let box = SignalSource(source)
            shared.state.withLock { $0.sources.append(box) }
        }
    }

    /// Keeps a signal source alive. Dispatch sources are thread-safe objects; the box only
    /// holds the reference.
    private final class SignalSource: @unchecked Sendable {
        let source: any DispatchSourceSignal

        init(_ source: any DispatchSourceSignal) { self.source = source }
    }

    private func interrupted(_ number: Int32) -> Never {
        let (children, directory) = state.withLock { ($0.children, $0.directory) }
        for pid in children { kill(pid, SIGTERM) }
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        warn("interrupted")
        exit(128 + number)
    }
}
