import CurlHTTP
import Foundation
import Testing
import TestSupport

/// Tests that mostly wait (timeouts, cancellation, Retry-After). They put little load on
/// the machine, so they run in parallel with the serialized ``CurlIntegration`` suites;
/// their upper time bounds come from trace timestamps taken on the client's I/O thread.
@Suite("Timeouts, cancellation and Retry-After waits")
struct WaitingTests {
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
        // A wait far longer than any stall of a loaded machine, so "stopped at once" is
        // told apart from "sat out the wait" however slowly the executor runs us.
        server.route("/busy", [.retryAfter(status: 503, value: "300")])
        let waiting = Locked(false)
        let client = try makeClient {
            $0.retry.maxTotalTime = .seconds(600)
            $0.onRetry = { _ in waiting.withLock { $0 = true } }
        }
        defer { client.shutdown() }
        let task = Task { () async throws -> HTTPResponse in
            try await client.send(HTTPRequest(url: server.baseURL + "/busy"))
        }
        // Cancel once the retry wait has begun (not after a guessed sleep).
        let deadline = ContinuousClock.now + .seconds(60)
        while !waiting.value, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(waiting.value, "the 503 started a retry wait")
        let start = ContinuousClock.now
        task.cancel()
        let error = await failure(of: task)
        #expect(error?.kind == .cancelled)
        #expect(elapsed(since: start) < .seconds(60), "did not sit out the 300 s Retry-After")
        #expect(server.requests.count == 1)
    }

    @Test func retryAfterSecondsIsHonoured() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        server.route("/limited", [.retryAfter(status: 429, value: "1"), .ok("ok")])
        let retries = Locked<[RetryEvent]>([])
        let client = try makeClient { $0.onRetry = { event in retries.withLock { $0.append(event) } } }
        defer { client.shutdown() }

        let start = ContinuousClock.now
        let response = try await client.send(HTTPRequest(url: server.baseURL + "/limited"))

        #expect(response.status == 200)
        #expect(retries.value.map(\.delay) == [.seconds(1)])
        #expect(retries.value.first?.description == "retrying in 1 s (2 left): HTTP 429")
        #expect(elapsed(since: start) >= .milliseconds(950))
        let requests = server.requests
        #expect(requests.count == 2)
    }

    @Test func retryAfterHTTPDateIsHonoured() async throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        // The first answer names a date 2 s ahead (whole seconds); the retry must not come earlier.
        let state = Locked<(announced: Date?, retriedAt: Date?)>((nil, nil))
        server.route("/limited") { _ in
            state.withLock { state -> TestReply in
                guard state.announced != nil else {
                    let value = HTTPDate.format(Date().addingTimeInterval(2))
                    state.announced = HTTPDate.parse(value)
                    return .retryAfter(status: 503, value: value)
                }
                state.retriedAt = Date()
                return .ok("ok")
            }
        }
        let retries = Locked<[RetryEvent]>([])
        let client = try makeClient { $0.onRetry = { event in retries.withLock { $0.append(event) } } }
        defer { client.shutdown() }

        let response = try await client.send(HTTPRequest(url: server.baseURL + "/limited"))

        #expect(response.status == 200)
        let delay = try #require(retries.value.first?.delay)
        // Zero if the test executor was slow enough for the date to pass meanwhile.
        #expect(delay <= .seconds(2))
        let announced = try #require(state.value.announced)
        let retriedAt = try #require(state.value.retriedAt)
        #expect(retriedAt.timeIntervalSince(announced) > -0.05, "retried before the Retry-After date")
    }
}
