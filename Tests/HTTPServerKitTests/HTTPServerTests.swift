import Foundation
@testable import HTTPServerKit
import Synchronization
import Testing
import TestSupport

/// A handler defined inline by a closure.
struct Echo: HTTPServerHandler {
    var disposition: @Sendable (RequestHead) -> BodyDisposition = { _ in .buffer(limit: nil) }
    var answer: @Sendable (ServerRequest) -> ServerResponder

    func bodyDisposition(for head: RequestHead) -> BodyDisposition { disposition(head) }
    func respond(to request: ServerRequest) -> ServerResponder { answer(request) }
}

func startServer(_ handler: Echo) throws -> HTTPServer {
    try startServer({ _ in }, handler)
}

func startServer(_ configure: (inout HTTPServer.Configuration) -> Void, _ handler: Echo) throws -> HTTPServer {
    var configuration = HTTPServer.Configuration()
    configure(&configuration)
    let server = try HTTPServer(configuration: configuration, handler: handler)
    server.start()
    return server
}

let echoBody = Echo { request in
    .now(.response(ServerResponse(status: 200, headers: ["X-Method": request.method, "X-Path": request.head.target],
                                  data: request.body)))
}

@Suite struct HTTPServerTests {
    @Test func servesSeveralRequestsOnOneKeepAliveConnection() throws {
        let server = try startServer(echoBody)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        for i in 0..<3 {
            try client.send("POST /echo?i=\(i) HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.head.contains("X-Path: /echo?i=\(i)"))
            #expect(String(decoding: response.body, as: UTF8.self) == "hello")
        }
    }

    @Test func decodesChunkedRequestBodies() throws {
        let server = try startServer(echoBody)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(String(decoding: response.body, as: UTF8.self) == "hello world")
    }

    @Test func answersExpectContinueBeforeTheBody() throws {
        let server = try startServer(echoBody)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("abc")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(String(decoding: final.body, as: UTF8.self) == "abc")
    }

    @Test func refusesBodiesOverTheLimitWith413() throws {
        let server = try startServer({ $0.maxBodyBytes = 10 }, echoBody)
        defer { server.stop() }
        let declared = try RawClient(port: server.port)
        try declared.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
        #expect(try declared.readResponse().status == 413)
        let chunked = try RawClient(port: server.port)
        try chunked.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        let response = try chunked.readResponse()
        #expect(response.status == 413)
        #expect(response.head.contains("application/problem+json"))
        #expect(chunked.isClosedByPeer())
    }

    @Test func refusesHeadsOverTheLimitWith431() throws {
        let server = try startServer({ $0.maxHeadBytes = 1024 }, echoBody)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 4000))\r\n\r\n")
        #expect(try client.readResponse().status == 431)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", 400),                                             // no Host
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("GET /\r\nHost: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ])
    func refusesMalformedRequests(raw: String, status: Int) throws {
        let server = try startServer(echoBody)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(raw)
        let response = try client.readResponse()
        #expect(response.status == status)
        #expect(client.isClosedByPeer())
    }

    @Test func aSlowClientGets408AndDoesNotHoldTheServer() throws {
        let server = try startServer({ $0.readTimeout = 0.3 }, echoBody)
        defer { server.stop() }
        let slow = try RawClient(port: server.port)
        try slow.send("GET / HTTP/1.1\r\nHo")
        let other = try RawClient(port: server.port)
        try other.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try other.readResponse().status == 200)
        #expect(try slow.readResponse().status == 408)
    }

    @Test func closesIdleKeepAliveConnections() throws {
        let server = try startServer({ $0.idleTimeout = 0.2 }, echoBody)
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readResponse()
        #expect(client.isClosedByPeer())
    }

    @Test func honoursConnectionCloseAndHTTP10() throws {
        let server = try startServer(echoBody)
        defer { server.stop() }
        let closing = try RawClient(port: server.port)
        try closing.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try closing.readResponse().head.contains("Connection: close"))
        #expect(closing.isClosedByPeer())
        let old = try RawClient(port: server.port)
        try old.send("GET / HTTP/1.0\r\n\r\n")
        #expect(try old.readResponse().status == 200)
        #expect(old.isClosedByPeer())
    }

    @Test func headGetsHeadersWithoutBody() throws {
        let server = try startServer(Echo { _ in .now(.response(ServerResponse(status: 200, data: Data("12345".utf8)))) })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        let all = String(decoding: client.readAllUntil(count: 2, marker: "HTTP/1.1 200"), as: UTF8.self)
        // The HEAD answer announces 5 bytes but sends none: the next bytes are the GET's status line.
        #expect(all.components(separatedBy: "HTTP/1.1 200").count == 3)
        #expect(all.hasSuffix("12345"))
    }

    @Test func streamsProducedBodiesChunkedAndFileRegions() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("srv-\(UUID().uuidString)").path
        try Data("0123456789".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pieces = Locked(["ab", "cd"])
        let server = try startServer(Echo { request in
            if request.path == "/file" {
                return .now(.response(ServerResponse(status: 200, body: .file(path: path, offset: 2, length: 5))))
            }
            return .now(.response(ServerResponse(status: 200, body: .producer(length: nil) {
                pieces.withLock { $0.isEmpty ? nil : Data($0.removeFirst().utf8) }
            })))
        })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send("GET /file HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(String(decoding: try client.readResponse().body, as: UTF8.self) == "23456")
        try client.send("GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let raw = String(decoding: client.readAll(), as: UTF8.self)
        #expect(raw.contains("Transfer-Encoding: chunked"))
        #expect(raw.hasSuffix("\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n"))
    }

    @Test func streamsBodiesIntoASink() throws {
        final class Counter: RequestBodySink, @unchecked Sendable {
            var bytes = 0
            var finished = false
            func consume(_ b: UnsafeRawBufferPointer) throws { bytes += b.count }
            func finish() throws { finished = true }
        }
        let server = try startServer(Echo(disposition: { _ in .stream(Counter()) }) { request in
            let counter = request.sink as? Counter
            return .now(.response(ServerResponse(status: 200, data: Data("\(counter?.bytes ?? -1) \(counter?.finished ?? false)".utf8))))
        })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        let size = 3 * 1024 * 1024
        try client.send("PUT /big HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
        try client.send(Data(count: size))
        let response = try client.readResponse()
        #expect(String(decoding: response.body, as: UTF8.self) == "\(size) true")
    }

    @Test func runsAsyncHandlersAndStopCancelsThem() async throws {
        let started = Locked(false)
        let server = try startServer(Echo { request in
            if request.path == "/quick" {
                return .later {
                    try? await Task.sleep(for: .milliseconds(10))
                    return .response(ServerResponse(status: 202))
                }
            }
            return .later {
                started.withLock { $0 = true }
                // A long poll: ends early only when cancelled. Far longer than a loaded
                // machine delays the cancelled task, so the bound below tells them apart.
                try? await Task.sleep(for: .seconds(300))
                return .response(ServerResponse(status: Task.isCancelled ? 503 : 200))
            }
        })
        let port = server.port
        let quickStatus = try await offPool {
            // Generous: on a loaded machine the pool may take a while to run the handler.
            let quick = try RawClient(port: port, receiveTimeout: 60)
            try quick.send("GET /quick HTTP/1.1\r\nHost: x\r\n\r\n")
            return try quick.readResponse().status
        }
        #expect(quickStatus == 202)
        let waiting = try RawClient(port: port)
        try waiting.send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n")
        while !started.value { try await Task.sleep(for: .milliseconds(5)) }
        // stop() blocks until the cancelled handler has ended, so it waits off the pool that
        // must run that handler; it gives up on a connection after 10 s, which the bound and
        // the count below tell apart from a cancelled one.
        let elapsed = try await offPool { ContinuousClock().measure { server.stop() } }
        #expect(elapsed < .seconds(10), "stop() cancelled the 300 s handler rather than giving up on it")
        #expect(server.activeConnections == 0)
    }

    @Test func handlesManyConcurrentConnections() async throws {
        let server = try startServer(echoBody)
        defer { server.stop() }
        let count = 600
        var clients: [RawClient] = []
        for _ in 0..<count { clients.append(try RawClient(port: server.port)) }
        // Every connection is open at once before any is served.
        for (i, client) in clients.enumerated() {
            try client.send("POST /n HTTP/1.1\r\nHost: x\r\nContent-Length: \(String(i).utf8.count)\r\n\r\n\(i)")
        }
        for (i, client) in clients.enumerated() {
            #expect(String(decoding: try client.readResponse().body, as: UTF8.self) == String(i))
        }
        #expect(server.activeConnections == count)
    }

    @Test func refusesConnectionsBeyondTheCap() throws {
        let server = try startServer({ $0.maxConnections = 2 }, echoBody)
        defer { server.stop() }
        let a = try RawClient(port: server.port)
        let b = try RawClient(port: server.port)
        try a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try b.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try a.readResponse()
        _ = try b.readResponse()
        let c = try RawClient(port: server.port)
        #expect(try c.readResponse().status == 503)
    }

    @Test func listensOnIPv6Loopback() throws {
        let server = try startServer({ $0.host = "::1" }, echoBody)
        defer { server.stop() }
        #expect(server.baseURL == "http://[::1]:\(server.port)")
        let client = try RawClient(host: "::1", port: server.port)
        try client.send("GET /six HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.readResponse().status == 200)
    }
}

extension RawClient {
    /// Reads until `marker` has been seen `count` times and 5 more bytes arrived, or timeout.
    func readAllUntil(count: Int, marker: String) -> Data {
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: out, as: UTF8.self)
            if text.components(separatedBy: marker).count > count, text.hasSuffix("12345") { return out }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }
}

@Test func headerNamesMatchIgnoringASCIICaseOnly() {
    var fields: HeaderFields = ["Content-Type": "application/json", "X-Twice": "1"]
    fields.add("x-twice", "2")
    #expect(fields["content-TYPE"] == "application/json" && fields["Content-Typ"] == nil && fields["Content-Type "] == nil)
    #expect(fields.values("X-TWICE") == ["1", "2"])
    // Only letters fold: '-' and '\r' (0x2D, 0x0D) differ by the case bit but are not the same.
    #expect(!HeaderFields.sameName("a-b", "a\rb") && !HeaderFields.sameName("é", "É") && HeaderFields.sameName("Z", "z"))
}
