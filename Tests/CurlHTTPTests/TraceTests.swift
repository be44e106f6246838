import CurlHTTP
import Foundation
import Testing
import TestSupport

extension CurlIntegration {
    @Suite("Tracing")
    struct TraceTests {
        @Test func traceShowsTheExchangeWithSecretsRedacted() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/v1/me", [.response(status: 200, headers: [("Set-Cookie", "session=SECRET4"), ("X-Request-Id", "r-1")],
                                              body: Data("{}".utf8))])
            let events = Locked<[TraceEvent]>([])
            let client = try makeClient { $0.trace = { event in events.withLock { $0.append(event) } } }
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(
                url: server.baseURL + "/v1/me?access_token=SECRET1&page=2",
                headers: ["Authorization": "Bearer SECRET2", "Cookie": "c=SECRET3", "X-Api-Key": "SECRET5"]))

            #expect(response.status == 200)
            let lines = events.value.map(\.description)
            let text = lines.joined(separator: "\n")
            for secret in ["SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5"] {
                #expect(!text.contains(secret), "\(secret) leaked into the trace")
            }
            #expect(lines.contains { $0.hasSuffix("> GET /v1/me?access_token=[redacted]&page=2 HTTP/1.1") })
            #expect(lines.contains { $0.hasSuffix("> Authorization: [redacted]") })
            #expect(lines.contains { $0.hasSuffix("> Cookie: [redacted]") })
            #expect(lines.contains { $0.hasSuffix("> X-Api-Key: [redacted]") })
            #expect(lines.contains { $0.hasSuffix("< HTTP/1.1 200 OK") })
            #expect(lines.contains { $0.hasSuffix("< Set-Cookie: [redacted]") })
            #expect(lines.contains { $0.hasSuffix("< X-Request-Id: r-1") })
            let finished = events.value.compactMap { event -> (String, Int, Timing)? in
                if case .finished(let method, let url, let status, let timing) = event.kind { return (method + " " + url, status, timing) }
                return nil
            }
            #expect(finished.count == 1)
            #expect(finished.first?.0 == "GET \(server.baseURL)/v1/me?access_token=[redacted]&page=2")
            #expect(finished.first?.1 == 200)
            #expect(Set(events.value.map(\.requestID)).count == 1)
            // The server still got the real credentials.
            #expect(server.requests.first?.header("Authorization") == "Bearer SECRET2")
        }

        @Test func retriesAndRedirectsAreTraced() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/a", [.status(503), .redirect(location: "/b")])
            server.route("/b", [.ok("b")])
            let events = Locked<[TraceEvent]>([])
            let client = try makeClient { $0.trace = { event in events.withLock { $0.append(event) } } }
            defer { client.shutdown() }

            _ = try await client.send(HTTPRequest(url: server.baseURL + "/a"))

            let lines = events.value.map(\.description)
            #expect(lines.contains { $0.contains("retrying in 20 ms (2 left): HTTP 503") })
            #expect(lines.contains { $0.contains("302 redirect to \(server.baseURL)/b") })
            #expect(lines.contains { $0.contains("(attempt 2)") })
        }
    }
}
