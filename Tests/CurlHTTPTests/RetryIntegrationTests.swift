import CurlHTTP
import Foundation
import Testing
import TestSupport

extension CurlIntegration {
    @Suite("Retries against a misbehaving server")
    struct RetryIntegrationTests {
        @Test func serviceUnavailableThenSuccess() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/flaky", [.status(503), .status(502), .ok("finally")])
            let retries = Locked<[RetryEvent]>([])
            let client = try makeClient { $0.onRetry = { event in retries.withLock { $0.append(event) } } }
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(url: server.baseURL + "/flaky"))

            #expect(response.status == 200 && response.bodyString == "finally")
            #expect(response.attempts == 3)
            #expect(server.requests(path: "/flaky").count == 3)
            let events = retries.value
            #expect(events.map(\.reason) == [.status(503), .status(502)])
            #expect(events.map(\.attempt) == [1, 2])
            #expect(events.map(\.attemptsLeft) == [2, 1])
            #expect(events.map(\.delay) == [.milliseconds(20), .milliseconds(40)])
            #expect(events.first?.description == "retrying in 20 ms (2 left): HTTP 503")
        }

        @Test func exhaustedRetriesReturnTheLastResponse() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/down", [.status(503)])
            let client = try makeClient()
            defer { client.shutdown() }
            let response = try await client.send(HTTPRequest(url: server.baseURL + "/down"))
            #expect(response.status == 503)
            #expect(response.attempts == 3)
            #expect(server.requests.count == 3)
        }

        @Test func postWithoutIdempotencyKeyIsNeverRetried() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/create", [.status(503), .status(201)])
            let retries = Locked<[RetryEvent]>([])
            let client = try makeClient { $0.onRetry = { event in retries.withLock { $0.append(event) } } }
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/create",
                                                             body: .data(Data("{}".utf8))))
            #expect(response.status == 503)
            #expect(response.attempts == 1)
            #expect(server.requests.count == 1)
            #expect(retries.value.isEmpty)
        }

        @Test func postWithIdempotencyKeyIsRetriedWithTheSameKeyAndBody() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/create", [.status(503), .status(201)])
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(
                method: "POST", url: server.baseURL + "/create",
                headers: ["Idempotency-Key": "f00d", "Content-Type": "application/json"], body: .data(Data(#"{"a":1}"#.utf8))))
            #expect(response.status == 201)
            #expect(response.attempts == 2)
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.header("Idempotency-Key") == "f00d" && $0.bodyString == #"{"a":1}"# })
        }

        @Test func postIsNotRetriedAfterAConnectionReset() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/create", [.resetMidBody(declaredLength: 100, sent: 10), .status(201)])
            let client = try makeClient()
            defer { client.shutdown() }
            let error = await failure { () async throws(HTTPError) in
                try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/create", body: .data(Data("x".utf8))))
            }
            #expect(error?.kind == .connectionLost)
            #expect(server.requests.count == 1)
        }

        @Test func perRequestPolicyOverridesTheClient() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/down", [.status(500)])
            let client = try makeClient()
            defer { client.shutdown() }
            var request = HTTPRequest(url: server.baseURL + "/down")
            request.retry = .never
            #expect(try await client.send(request).status == 500)
            #expect(server.requests.count == 1)
        }
    }
}
