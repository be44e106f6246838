import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `chargekit sim` as a child of a benchmark, exactly as an installer starts it, with its
/// request log (`-v`) in a file: how requests per charger are counted.
final class SimChild {
    static let listening = "chargekit sim listening on "
    static let demoToken = "demo token: "

    let process: ChildProcess
    let url: String
    /// The demo installer token the simulator printed.
    let token: String
    /// Its standard error: one `METHOD /v1/... STATUS` line per answered request.
    let log: String

    init(_ chargekit: String, _ arguments: [String], log: String) throws {
        let process = try ChildProcess(chargekit, ["sim", "--port", "0", "-v"] + arguments, stderrPath: log)
        Cleanup.shared.track(process.pid)
        guard let first = try process.readLine(timeout: .seconds(120)), first.hasPrefix(Self.listening),
              let second = try process.readLine(timeout: .seconds(10)), second.hasPrefix(Self.demoToken) else {
            Self.stop(process)
            throw BenchError(description: "chargekit sim did not print its address and demo token")
        }
        self.process = process
        self.log = log
        url = String(first.dropFirst(Self.listening.count))
        token = String(second.dropFirst(Self.demoToken.count))
    }

    var pid: pid_t { process.pid }

    func stop() { Self.stop(process) }

    private static func stop(_ process: ChildProcess) {
        process.signal(SIGTERM)
        process.wait(timeout: .seconds(30))
        Cleanup.shared.untrack(process.pid)
    }

    /// Until `chargekit chargers list` shows `count` chargers, all connected and booted.
    func awaitFleet(_ chargekit: String, connection: [String] = [], count: Int, timeout: Duration = .seconds(300)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let child = try ChildProcess(chargekit, ["chargers", "list", "--json", "--quiet"] + connection)
            let output = try child.readToEnd()
            child.wait()
            if let list = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [[String: Any]],
               list.count == count, list.allSatisfy({ $0["connected"] as? Bool == true && $0["ocppVersion"] is String }) {
                return
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw BenchError(description: "the simulated fleet did not boot within \(Int(timeout.seconds)) s")
    }

    /// The API requests answered so far, one log line each.
    func requestLines() throws -> [Substring] {
        let text = try String(contentsOfFile: log, encoding: .utf8)
        return text.split(separator: "\n").filter { line in
            ["GET /v1/", "POST /v1/", "PUT /v1/", "PATCH /v1/", "DELETE /v1/"].contains { line.hasPrefix($0) }
        }
    }

    /// The lines logged since `before` lines, once the log has stopped growing: the simulator
    /// logs a request after answering it, so the last lines may land just after a run ends.
    func requestLines(after before: Int) throws -> [Substring] {
        var lines = try requestLines()
        for _ in 0..<50 {
            Thread.sleep(forTimeInterval: 0.1)
            let again = try requestLines()
            if again.count == lines.count { break }
            lines = again
        }
        return Array(lines.dropFirst(before))
    }
}
