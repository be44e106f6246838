import CurlHTTP
import Foundation
import Testing
import TestSupport

extension CurlIntegration {
    @Suite("Transport: exact requests and connection reuse")
    struct TransportTests {
        @Test func getSendsExactlyWhatWasAsked() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/v1/me", method: "GET", [.response(status: 200, headers: [("Content-Type", "application/json"), ("X-Multi", "a"), ("x-multi", "b")],
                                                              body: Data(#"{"id":"me"}"#.utf8))])
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(
                url: server.baseURL + "/v1/me?site=7",
                headers: ["Authorization": "Bearer abc123", "Accept": "application/json", "X-Empty": ""]))

            #expect(response.status == 200)
            #expect(response.bodyString == #"{"id":"me"}"#)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.headers.values(for: "X-MULTI") == ["a", "b"])
            #expect(response.attempts == 1 && response.redirects == 0)
            #expect(response.httpVersion == "HTTP/1.1")
            #expect(response.timing.total > .zero && response.timing.firstByte <= response.timing.total)
            let requests = server.requests
            #expect(requests.count == 1)
            let request = try #require(requests.first)
            #expect(request.method == "GET")
            #expect(request.target == "/v1/me?site=7")
            #expect(request.header("Authorization") == "Bearer abc123")
            #expect(request.header("Accept") == "application/json")
            #expect(request.header("X-Empty") == "")
            #expect(request.header("User-Agent") == "chargekit-tests")
            #expect(request.header("Expect") == nil)
            #expect(request.bodyLength == 0)
        }

        @Test func responseHeadersAreSplitAndTrimmedAsOnTheWire() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            let wire = "HTTP/1.1 100 Continue\r\nX-Interim: gone\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Padded: \t value with  inner  spaces \t\r\n"
                + "X-Empty:\r\nX-Url: http://h:1/p?q=a:b\r\nX-Tight:v\r\n\r\nok"
            server.route("/h", [.raw([.write(Data(wire.utf8)), .close])])
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(url: server.baseURL + "/h", retry: .never))

            #expect(response.status == 200 && response.bodyString == "ok")
            #expect(response.headers["X-Interim"] == nil)
            #expect(response.headers["X-Padded"] == "value with  inner  spaces")
            #expect(response.headers["X-Empty"] == "")
            #expect(response.headers["X-Url"] == "http://h:1/p?q=a:b")
            #expect(response.headers["X-Tight"] == "v")
            #expect(response.headers.fields.map(\.name) == ["Content-Length", "X-Padded", "X-Empty", "X-Url", "X-Tight"])
        }

        @Test func postSendsBodyAndIdempotencyKey() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/v1/reports", method: "POST", [.response(status: 201, headers: [("Location", "/v1/reports/9")])])
            let client = try makeClient()
            defer { client.shutdown() }
            let json = Data(#"{"charger":"CP-1","passed":true}"#.utf8)

            let response = try await client.send(HTTPRequest(
                method: "POST", url: server.baseURL + "/v1/reports",
                headers: ["Content-Type": "application/json", "Idempotency-Key": "key-42", "Authorization": "Bearer t"],
                body: .data(json)))

            #expect(response.status == 201)
            #expect(response.headers["Location"] == "/v1/reports/9")
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/reports")
            #expect(request.body == json)
            #expect(request.header("Content-Length") == "\(json.count)")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("Idempotency-Key") == "key-42")
            #expect(request.header("Authorization") == "Bearer t")
            #expect(request.header("Transfer-Encoding") == nil)
        }

        @Test func putPatchDeleteAndHead() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/r", method: "PUT", [.status(204)])
            server.route("/r", method: "PATCH", [.ok("patched")])
            server.route("/r", method: "DELETE", [.status(204)])
            server.route("/r", method: "HEAD", [.response(status: 200, headers: [("X-Size", "12")], body: Data("twelve bytes".utf8))])
            let client = try makeClient()
            defer { client.shutdown() }
            let url = server.baseURL + "/r"

            #expect(try await client.send(HTTPRequest(method: "PUT", url: url)).status == 204)
            #expect(try await client.send(HTTPRequest(method: "PATCH", url: url, body: .data(Data("{}".utf8)))).bodyString == "patched")
            #expect(try await client.send(HTTPRequest(method: "DELETE", url: url)).status == 204)
            let head = try await client.send(HTTPRequest(method: "HEAD", url: url))
            #expect(head.status == 200 && head.headers["X-Size"] == "12" && head.body.isEmpty)

            let requests = server.requests
            #expect(requests.map(\.method) == ["PUT", "PATCH", "DELETE", "HEAD"])
            #expect(requests[0].header("Content-Length") == "0")
            #expect(requests[1].bodyString == "{}")
            #expect(requests[2].bodyLength == 0)
            // Sequential requests share one keep-alive connection.
            #expect(Set(requests.map(\.connectionID)).count == 1)
        }

        @Test func concurrentRequestsReuseConnectionsAndRespectTheCap() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            let inFlight = Locked((now: 0, peak: 0))
            server.route("/slow") { request in
                inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                Thread.sleep(forTimeInterval: 0.03)
                inFlight.withLock { $0.now -= 1 }
                return .ok(request.query)
            }
            let client = try makeClient { $0.maxConcurrentTransfers = 3 }
            defer { client.shutdown() }
            let url = server.baseURL

            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<24 {
                    group.addTask { try await client.send(HTTPRequest(url: url + "/slow?n=\(index)")).bodyString }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }

            #expect(bodies == Set((0..<24).map { "n=\($0)" }))
            let connections = Set(server.requests.map(\.connectionID))
            #expect(connections.count <= 3, "cap of 3 transfers needs at most 3 HTTP/1.1 connections")
            #expect(inFlight.value.peak <= 3)
            #expect(inFlight.value.peak >= 2, "requests should overlap")
        }

        @Test func sendAfterShutdownFailsAtOnce() async throws {
            let client = try makeClient()
            client.shutdown()
            client.shutdown() // idempotent
            let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: "http://127.0.0.1:9/")) }
            #expect(error?.kind == .clientShutdown)
        }

        @Test func shutdownFailsRequestsInFlight() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/drip", [.slowDrip(body: Data(count: 100), chunk: 1, interval: 0.1)])
            let client = try makeClient()
            let task = Task { () async throws -> HTTPResponse in
                try await client.send(HTTPRequest(url: server.baseURL + "/drip"))
            }
            try await Task.sleep(for: .milliseconds(200))
            client.shutdown()
            let error = await failure(of: task)
            #expect(error?.kind == .clientShutdown)
        }

        @Test func invalidRequestsAreRejectedBeforeCurl() async throws {
            let client = try makeClient()
            defer { client.shutdown() }
            for request in [HTTPRequest(url: "ftp://example.com/x"),
                            HTTPRequest(url: "http://example.com/a b"),
                            HTTPRequest(url: "http://example.com/", headers: ["X-Bad": "a\r\nInjected: 1"]),
                            HTTPRequest(method: "GE T", url: "http://example.com/")] {
                let error = await failure { () async throws(HTTPError) in try await client.send(request) }
                #expect(error?.kind == .invalidRequest)
            }
        }

        @Test func connectionRefusedAndDNSFailureAreTyped() async throws {
            let closed = try TestHTTPServer()
            let port = closed.port
            closed.stop()
            let client = try makeClient { $0.retry = .never }
            defer { client.shutdown() }

            let refused = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
            #expect(refused?.kind == .connectionRefused)
            #expect(refused?.osErrno == ECONNREFUSED)
            #expect(refused?.curlCode == 7)
            #expect(refused?.isRetryable == true)

            let dns = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: "http://no-such-host.invalid/")) }
            #expect(dns?.kind == .dnsFailure)
            #expect(dns?.message.isEmpty == false)
            #expect(dns?.isRetryable == false)
        }

        @Test func refusedConnectionIsRetriedForGet() async throws {
            let closed = try TestHTTPServer()
            let port = closed.port
            closed.stop()
            let retries = Locked<[RetryEvent]>([])
            let client = try makeClient { $0.onRetry = { event in retries.withLock { $0.append(event) } } }
            defer { client.shutdown() }
            let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/")) }
            #expect(error?.kind == .connectionRefused)
            #expect(retries.value.map(\.attemptsLeft) == [2, 1])
            #expect(retries.value.allSatisfy { $0.reason.description == "connection refused" })
        }
    }
}
