import CurlHTTP
import Foundation
import Testing
import TestSupport

@Suite("Misbehaving servers: resets, stalls, lies, cancellation")
struct MisbehavingServerTests {
    @Test func resetMidBodyIsConnectionLostAndRetriedForGet() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/always", [.resetMidBody(declaredLength: 10_000, sent: 100)])
        server.route("/once", [.resetMidBody(declaredLength: 10_000, sent: 100), .ok("recovered")])
        let retries = Locked<[RetryEvent]>([])
        let client = try makeClient { $0.onRetry = { event in retries.withLock { $0.append(event) } } }
        defer { client.shutdown() }

        let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: server.baseURL + "/always")) }
        #expect(error?.kind == .connectionLost)
        #expect(error?.isRetryable == true)
        #expect(server.requests(path: "/always").count == 3)
        #expect(retries.value.count == 2)

        let response = try await client.send(HTTPRequest(url: server.baseURL + "/once"))
        #expect(response.bodyString == "recovered")
        #expect(response.attempts == 2)
    }

    @Test func slowDripTriggersTheStallTimeout() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        // Short pauses: the server's stop() waits for a sleeping connection thread.
        server.route("/drip", [.slowDrip(body: Data(count: 20), chunk: 10, interval: 0.5)])
        let trace = TraceRecorder()
        let client = try makeClient {
            $0.retry = .never
            $0.timeouts = Timeouts(connect: .seconds(5), total: .seconds(10), stall: .milliseconds(200))
            $0.trace = trace.callback
        }
        defer { client.shutdown() }

        let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: server.baseURL + "/drip")) }
        #expect(error?.kind == .timeout(.stall))
        let took = try #require(trace.failed) - #require(trace.started)
        #expect(took >= .milliseconds(180))
        #expect(took < .milliseconds(480), "the stall must fire before the next chunk")
    }

    @Test func steadyTrickleDoesNotStallButHitsTheTotalTimeout() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/trickle", [.slowDrip(body: Data(count: 100), chunk: 1, interval: 0.05)])
        var request = HTTPRequest(url: server.baseURL + "/trickle")
        request.timeouts = Timeouts(connect: .seconds(5), total: .milliseconds(600), stall: .milliseconds(400))
        request.retry = .never
        let trace = TraceRecorder()
        let client = try makeClient { $0.trace = trace.callback }
        defer { client.shutdown() }

        let error = await failure { () async throws(HTTPError) in try await client.send(request) }
        #expect(error?.kind == .timeout(.total))
        let took = try #require(trace.failed) - #require(trace.started)
        #expect(took >= .milliseconds(590))
        #expect(took < .milliseconds(1500))
    }

    @Test func silentPeerTriggersTheConnectTimeout() async throws {
        let listener = try SilentListener()
        let trace = TraceRecorder()
        let client = try makeClient {
            $0.retry = .never
            $0.timeouts = Timeouts(connect: .milliseconds(300), total: .seconds(10), stall: .milliseconds(100))
            $0.trace = trace.callback
        }
        defer { client.shutdown() }

        // TCP connects (the kernel completes it), the TLS handshake never does.
        let error = await failure { () async throws(HTTPError) in
            try await client.send(HTTPRequest(url: "https://127.0.0.1:\(listener.port)/"))
        }
        #expect(error?.kind == .timeout(.connect), "the stall clock must not run before the connection is up")
        #expect(error?.curlCode == 28)
        #expect(error?.isRetryable == true)
        let took = try #require(trace.failed) - #require(trace.started)
        #expect(took >= .milliseconds(280) && took < .seconds(2))
    }

    @Test func wrongContentLengthIsAProtocolError() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/short", [.wrongContentLength(declared: 500, body: Data(count: 100))])
        let client = try makeClient()
        defer { client.shutdown() }
        let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: server.baseURL + "/short")) }
        #expect(error?.kind == .protocolError)
        #expect(error?.curlCode == 18)
        #expect(error?.message.contains("bytes remaining") == true)
        #expect(server.requests.count == 1, "a protocol error is not retried")
    }

    @Test func cancellingTheTaskStopsTheTransferPromptly() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/forever", [.slowDrip(body: Data(count: 10_000), chunk: 1, interval: 0.1)])
        server.route("/after", [.ok("still works")])
        let trace = TraceRecorder()
        let client = try makeClient { $0.trace = trace.callback }
        defer { client.shutdown() }

        let task = Task { () async throws -> HTTPResponse in
            try await client.send(HTTPRequest(url: server.baseURL + "/forever"))
        }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        let error = await failure(of: task)
        #expect(error?.kind == .cancelled)
        // The I/O thread dropped the transfer at once (the executor may resume us later).
        #expect(try #require(trace.failed) - start < .seconds(1))
        #expect(trace.events.contains { $0.description.contains("Closing connection") })
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/after")).bodyString == "still works")
    }

    @Test func cancellingBeforeSendingNeverReachesTheServer() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/x", [.ok("x")])
        let client = try makeClient()
        defer { client.shutdown() }
        let task = Task { () async throws -> HTTPResponse in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.send(HTTPRequest(url: server.baseURL + "/x"))
        }
        let error = await failure(of: task)
        #expect(error?.kind == .cancelled)
        #expect(server.requests.isEmpty)
    }

    @Test func cancellingDuringTheRetryWaitStopsAtOnce() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/busy", [.retryAfter(status: 503, value: "5")])
        let client = try makeClient()
        defer { client.shutdown() }
        let task = Task { () async throws -> HTTPResponse in
            try await client.send(HTTPRequest(url: server.baseURL + "/busy"))
        }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        let error = await failure(of: task)
        #expect(error?.kind == .cancelled)
        #expect(elapsed(since: start) < .seconds(4), "did not sit out the 5 s Retry-After")
        #expect(server.requests.count == 1)
    }
}
