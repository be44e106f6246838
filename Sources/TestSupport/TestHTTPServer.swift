import Checksum
import Foundation
import HTTPServerKit
import Synchronization

/// A request as the test server received it.
public struct RecordedRequest: Sendable {
    public let method: String
    /// Path and query as sent.
    public let target: String
    public let path: String
    public let query: String
    public let version: String
    public let headers: [(name: String, value: String)]
    /// The body when recorded; empty when the route discards bodies.
    public let body: Data
    public let bodyLength: Int64
    /// Lowercase hex SHA-256 of the whole body, recorded or discarded.
    public let bodySHA256: String
    /// Same value, same TCP connection.
    public let connectionID: Int

    public var bodyString: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}

/// A scripted reply, including the broken ones the transport must survive.
public enum TestReply: Sendable {
    case response(status: Int, headers: [(String, String)] = [], body: Data = Data())
    /// A body of `length` bytes produced as it is sent, never held in memory.
    case generated(status: Int = 200, length: Int64)
    /// Bytes exactly as given; the connection is closed afterwards.
    case raw([RawStep])

    public static func ok(_ body: String) -> TestReply {
        .response(status: 200, headers: [("Content-Type", "text/plain")], body: Data(body.utf8))
    }

    public static func ok(data: Data, contentType: String) -> TestReply {
        .response(status: 200, headers: [("Content-Type", contentType)], body: data)
    }

    public static func json(_ text: String, status: Int = 200) -> TestReply {
        .response(status: status, headers: [("Content-Type", "application/json")], body: Data(text.utf8))
    }

    public static func status(_ code: Int, headers: [(String, String)] = []) -> TestReply {
        .response(status: code, headers: headers)
    }

    public static func retryAfter(status: Int, value: String) -> TestReply {
        .response(status: status, headers: [("Retry-After", value)])
    }

    public static func redirect(status: Int = 302, location: String) -> TestReply {
        .response(status: status, headers: [("Location", location)])
    }

    /// Headers promise `declaredLength` bytes; `sent` arrive; then an RST.
    public static func resetMidBody(declaredLength: Int, sent: Int) -> TestReply {
        .raw([.write(head(200, contentLength: declaredLength)), .write(Data(repeating: 0x61, count: sent)),
              .pause(seconds: 0.05), .reset])
    }

    /// The body in `chunk`-byte pieces, `interval` seconds apart.
    public static func slowDrip(body: Data, chunk: Int, interval: Double) -> TestReply {
        var steps: [RawStep] = [.write(head(200, contentLength: body.count))]
        var offset = 0
        while offset < body.count {
            let end = min(offset + max(chunk, 1), body.count)
            steps.append(.pause(seconds: interval))
            steps.append(.write(body.subdata(in: offset..<end)))
            offset = end
        }
        steps.append(.close)
        return .raw(steps)
    }

    /// Declares `declared` bytes, sends `body`, then closes.
    public static func wrongContentLength(declared: Int, body: Data) -> TestReply {
        .raw([.write(head(200, contentLength: declared)), .write(body), .close])
    }

    static func head(_ status: Int, contentLength: Int) -> Data {
        Data("HTTP/1.1 \(status) \(StatusText.reason(status))\r\nContent-Length: \(contentLength)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
    }

    var serverReply: ServerReply {
        switch self {
        case .response(let status, let headers, let body):
            return .response(ServerResponse(status: status, headers: HeaderFields(headers.map { (name: $0.0, value: $0.1) }), data: body))
        case .generated(let status, let length):
            let remaining = Locked(length)
            let block = Data(repeating: 0x5A, count: 64 * 1024)
            return .response(ServerResponse(status: status, headers: ["Content-Type": "application/octet-stream"],
                                            body: .producer(length: length) {
                remaining.withLock { left in
                    guard left > 0 else { return nil }
                    let n = Int(min(Int64(block.count), left))
                    left -= Int64(n)
                    return n == block.count ? block : block.prefix(n)
                }
            }))
        case .raw(let steps):
            return .raw(steps)
        }
    }
}

/// What a route does with request bodies.
public enum BodyPolicy: Sendable {
    /// Kept in memory (up to 64 MiB) and recorded.
    case record
    /// Counted and hashed, not kept: for uploads of any size.
    case discard
}

/// A loopback HTTP/1.1 server for transport tests: routes answer with scripted replies
/// and every request received is recorded, so a test asserts on the exact request.
public final class TestHTTPServer: Sendable {
    private struct Route: Sendable {
        let path: String
        let method: String?
        let body: BodyPolicy
        let answer: Answer
    }

    private enum Answer: Sendable {
        case script(Locked<[TestReply]>)
        case closure(@Sendable (RecordedRequest) -> TestReply)
    }

    private let server: HTTPServer
    private let core: Core

    /// Starts listening on `host` at a port the OS picks.
    public init(host: String = "127.0.0.1", configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws {
        var configuration = HTTPServer.Configuration()
        configuration.host = host
        configuration.readTimeout = 5
        configure(&configuration)
        core = Core()
        server = try HTTPServer(configuration: configuration, handler: core)
        server.start()
    }

    public var port: UInt16 { server.port }
    public var baseURL: String { server.baseURL }

    /// Successive requests get successive replies; the last one repeats. `method` nil
    /// matches any. A later route for the same path and method replaces an earlier one.
    /// A path ending in "*" matches every path with that prefix.
    public func route(_ path: String, method: String? = nil, body: BodyPolicy = .record, _ replies: [TestReply]) {
        core.add(Route(path: path, method: method, body: body, answer: .script(Locked(replies))))
    }

    public func route(_ path: String, method: String? = nil, body: BodyPolicy = .record,
                      _ handler: @escaping @Sendable (RecordedRequest) -> TestReply) {
        core.add(Route(path: path, method: method, body: body, answer: .closure(handler)))
    }

    /// Every request received, in arrival order, routed or not.
    public var requests: [RecordedRequest] { core.recorded.withLock { $0 } }

    public func requests(path: String) -> [RecordedRequest] { requests.filter { $0.path == path } }

    public var activeConnections: Int { server.activeConnections }

    public func stop() { server.stop() }

    deinit { server.stop() }

    private final class Core: HTTPServerHandler {
        let routes = Mutex<[Route]>([])
        let recorded = Mutex<[RecordedRequest]>([])

        func add(_ route: Route) {
            routes.withLock { list in
                list.removeAll { $0.path == route.path && $0.method == route.method }
                list.append(route)
            }
        }

        func match(_ method: String, _ path: String) -> Route? {
            routes.withLock { list in
                list.last { route in
                    let pathMatches = route.path.hasSuffix("*")
                        ? path.hasPrefix(String(route.path.dropLast()))
                        : route.path == path
                    return pathMatches && (route.method == nil || route.method == method)
                }
            }
        }

        func bodyDisposition(for head: RequestHead) -> BodyDisposition {
            let route = match(head.method, head.path)
            switch route?.body ?? .record {
            case .record: return .stream(HashingSink(keep: true, limit: 64 * 1024 * 1024))
            case .discard: return .stream(HashingSink(keep: false, limit: 0))
            }
        }

        func respond(to request: ServerRequest) -> ServerResponder {
            let sink = request.sink as? HashingSink
            let record = RecordedRequest(
                method: request.head.method, target: request.head.target, path: request.head.path,
                query: request.head.query, version: request.head.version,
                headers: request.head.headers.entries, body: sink?.kept ?? request.body,
                bodyLength: request.bodyLength, bodySHA256: sink?.digest ?? SHA256.hex(request.body),
                connectionID: request.head.connectionID)
            recorded.withLock { $0.append(record) }
            guard let route = match(record.method, record.path) else {
                return .now(TestReply.response(status: 404, headers: [("Content-Type", "text/plain")],
                                               body: Data("no route for \(record.method) \(record.path)\n".utf8)).serverReply)
            }
            switch route.answer {
            case .script(let replies):
                let reply = replies.withLock { list -> TestReply in
                    if list.count > 1 { return list.removeFirst() }
                    return list.first ?? .status(204)
                }
                return .now(reply.serverReply)
            case .closure(let handler):
                return .now(handler(record).serverReply)
            }
        }
    }
}

/// Hashes (and optionally keeps) a request body as it streams in.
private final class HashingSink: RequestBodySink, @unchecked Sendable {
    // Used by one connection thread at a time, then read after the body is complete.
    private var hasher = SHA256()
    private let keep: Bool
    private let limit: Int
    private(set) var kept = Data()
    private(set) var digest = ""

    init(keep: Bool, limit: Int) {
        self.keep = keep
        self.limit = limit
    }

    struct TooLarge: Error {}

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        if keep {
            guard kept.count + bytes.count <= limit else { throw TooLarge() }
            kept.append(contentsOf: bytes)
        }
    }

    func finish() throws {
        digest = hasher.hexDigest()
    }
}

/// A mutex-protected value that closures and enums can hold (Mutex itself is not copyable).
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) { mutex = Mutex(value) }

    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }

    public var value: Value { mutex.withLock { $0 } }
}
