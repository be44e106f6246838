import CurlHTTP
import Foundation
import Testing
import TestSupport

extension CurlIntegration {
    @Suite("Misbehaving servers: resets and lies")
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
    }
}
