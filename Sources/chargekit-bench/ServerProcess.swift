import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loopback test server, run as `chargekit-bench serve` in a process of its own so
/// its threads, CPU and memory are not counted against the client being measured.
///
/// Routes:
/// - `GET /small/LABEL`: a small text body; counted per LABEL.
/// - `PUT /upload/NAME`: the body is counted and hashed, not kept (`BodyPolicy.discard`).
/// - `GET /stats/gets/LABEL`, `GET /stats/upload/NAME`, `GET /stats/process`: what the
///   server saw, as JSON, so the parent verifies every run against the server's view.
enum BenchServer {
    static let smallBody = "chargekit-bench: a small response body\n"

    /// Runs the server until standard input closes (or SIGTERM); prints `port N` first.
    static func serve() -> Never {
        let server: TestHTTPServer
        do {
            server = try TestHTTPServer(host: "127.0.0.1") { configuration in
                configuration.readTimeout = 30
                configuration.idleTimeout = 300
            }
        } catch {
            warn("serve: cannot listen: \(error)")
            exit(70)
        }
        let gets = Locked<[String: Int]>([:])
        let uploads = Locked<[String: UploadRecord]>([:])
        let requests = Locked(0)

        server.route("/small/*", method: "GET") { request in
            let label = String(request.path.dropFirst("/small/".count))
            gets.withLock { $0[label, default: 0] += 1 }
            requests.withLock { $0 += 1 }
            return .ok(smallBody)
        }
        server.route("/upload/*", method: "PUT", body: .discard) { request in
            let name = String(request.path.dropFirst("/upload/".count))
            uploads.withLock { $0[name] = UploadRecord(bodyLength: request.bodyLength, bodySHA256: request.bodySHA256) }
            requests.withLock { $0 += 1 }
            return .ok("done\n")
        }
        server.route("/stats/*", method: "GET") { request in
            let encoder = JSONEncoder()
            let rest = String(request.path.dropFirst("/stats/".count))
            let data: Data?
            if rest == "process" {
                let usage = ProcessUsage.current()
                data = try? encoder.encode(ServerStats(cpuSeconds: usage.cpuSeconds, peakRSSKiB: usage.peakRSSKiB,
                                                       requests: requests.value))
            } else if rest.hasPrefix("gets/") {
                let count = gets.withLock { $0[String(rest.dropFirst("gets/".count))] ?? 0 }
                data = Data("{\"count\":\(count)}".utf8)
            } else if rest.hasPrefix("upload/"), let record = uploads.withLock({ $0[String(rest.dropFirst("upload/".count))] }) {
                data = try? encoder.encode(record)
            } else {
                data = nil
            }
            guard let data else { return .status(404) }
            return .ok(data: data, contentType: "application/json")
        }

        let line = Data("port \(server.port)\n".utf8)
        line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }

        // Serve until the parent closes our standard input (or dies, which does the same).
        var scratch = [UInt8](repeating: 0, count: 512)
        while true {
            let n = read(0, &scratch, scratch.count)
            if n == 0 || (n < 0 && errno != EINTR) { break }
        }
        // The kernel closes every socket at exit; no need to wait for idle keep-alive threads.
        withExtendedLifetime(server) {}
        exit(0)
    }
}

/// The parent's handle on the `serve` child.
final class ServerProcess {
    let child: ChildProcess
    let port: UInt16
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(executable: String) throws {
        child = try ChildProcess(executable, ["serve"], pipeStdin: true)
        let line: String?
        do {
            line = try child.readLine(timeout: .seconds(30))
        } catch {
            child.wait(timeout: .seconds(1))
            throw error
        }
        guard let line, line.hasPrefix("port "), let port = UInt16(line.dropFirst("port ".count)) else {
            child.wait(timeout: .seconds(1))
            throw BenchError(description: "the server child did not report its port (said \(line.map { "\"\($0)\"" } ?? "nothing"))")
        }
        self.port = port
    }

    /// Closes its standard input and reaps it (SIGTERM after 10 s).
    @discardableResult
    func stop() -> ChildExit {
        child.closeStdin()
        return child.wait(timeout: .seconds(10))
    }
}
