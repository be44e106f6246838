import CurlHTTP
import Foundation
import Testing
import TestSupport

/// The suites that push bytes through real servers run one test at a time: on a 2-core
/// machine, dozens of them in parallel starved other tests in the package that wait on
/// the shared Swift concurrency executor (HTTPServerKitTests' async-handler test timed
/// out). Mostly-waiting tests live in ``WaitingTests`` and still run in parallel.
@Suite(.serialized) enum CurlIntegration {}

/// Retries that are quick enough for tests: 3 attempts, 20 ms doubling, no jitter. The time
/// budget is generous: on a loaded machine a first attempt has taken over 10 s, and the
/// budget then stopped retries that the tests expect (the budget has tests of its own).
let fastRetry = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(20), multiplier: 2,
                            maxDelay: .milliseconds(200), jitter: 0, maxTotalTime: .seconds(300))

/// A client with short timeouts and fast retries; `configure` adjusts it further.
func makeClient(_ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
    var configuration = HTTPClient.Configuration(
        timeouts: Timeouts(connect: .seconds(5), total: .seconds(20), stall: .seconds(10)),
        retry: fastRetry,
        userAgent: "chargekit-tests")
    configure(&configuration)
    return try HTTPClient(configuration: configuration)
}

/// The error `operation` throws; records an issue if it succeeds instead.
func failure(_ operation: () async throws(HTTPError) -> HTTPResponse,
             sourceLocation: SourceLocation = #_sourceLocation) async -> HTTPError? {
    do {
        let response = try await operation()
        Issue.record("expected an error, got HTTP \(response.status)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A fresh temporary directory, removed by `cleanup`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("curlhttp-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

/// Deterministic, non-repeating-looking bytes.
func patternData(count: Int, seed: UInt32 = 7) -> Data {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for index in 0..<count {
        state = state &* 1_103_515_245 &+ 12_345
        bytes[index] = UInt8(truncatingIfNeeded: state >> 16)
    }
    return Data(bytes)
}

/// The error a send running in `task` ended with; records an issue otherwise.
func failure(of task: Task<HTTPResponse, any Error>,
             sourceLocation: SourceLocation = #_sourceLocation) async -> HTTPError? {
    switch await task.result {
    case .success(let response):
        Issue.record("expected an error, got HTTP \(response.status)", sourceLocation: sourceLocation)
        return nil
    case .failure(let error as HTTPError):
        return error
    case .failure(let error):
        Issue.record("expected an HTTPError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

func elapsed(since start: ContinuousClock.Instant) -> Duration { ContinuousClock.now - start }

/// Records trace events with the time they happened on the client's I/O thread, so timing
/// assertions do not depend on how quickly the (busy, shared) test executor resumes a task.
final class TraceRecorder: Sendable {
    private let entries = Locked<[(at: ContinuousClock.Instant, event: TraceEvent)]>([])

    var callback: @Sendable (TraceEvent) -> Void {
        { [entries] event in entries.withLock { $0.append((at: .now, event: event)) } }
    }

    var events: [TraceEvent] { entries.value.map(\.event) }

    /// When the first event matching `predicate` was seen.
    func time(of predicate: (TraceEvent.Kind) -> Bool) -> ContinuousClock.Instant? {
        entries.value.first { predicate($0.event.kind) }?.at
    }

    var started: ContinuousClock.Instant? { time { if case .start = $0 { return true } else { return false } } }
    var failed: ContinuousClock.Instant? { time { if case .failed = $0 { return true } else { return false } } }
}

struct SocketFailure: Error {
    let description: String
}

/// A TCP port that completes handshakes (the kernel does) but never accepts or answers:
/// a TLS handshake against it hangs until the connect timeout.
final class SilentListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw SocketFailure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw SocketFailure(description: "bind/listen: errno \(errno)")
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }
}
