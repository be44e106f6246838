import CurlHTTP
import Foundation
import Testing
import TestSupport

extension CurlIntegration {
    @Suite("Redirects over the wire")
    struct RedirectIntegrationTests {
        @Test func getFollowsToAnotherHostWithoutTheAuthorizationHeader() async throws {
            let origin = try TestHTTPServer()
            defer { origin.stop() }
            let other = try TestHTTPServer()
            defer { other.stop() }
            // Same machine, different host name: a different origin as far as credentials go.
            origin.route("/start", [.redirect(location: "http://localhost:\(other.port)/land?x=1")])
            other.route("/land", [.ok("landed")])
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(
                url: origin.baseURL + "/start",
                headers: ["Authorization": "Bearer secret", "Cookie": "s=1", "X-Keep": "yes"]))

            #expect(response.status == 200 && response.bodyString == "landed")
            #expect(response.redirects == 1)
            #expect(response.url == "http://localhost:\(other.port)/land?x=1")
            let first = try #require(origin.requests.first)
            #expect(first.header("Authorization") == "Bearer secret")
            let landed = try #require(other.requests.first)
            #expect(landed.header("Authorization") == nil)
            #expect(landed.header("Cookie") == nil)
            #expect(landed.header("X-Keep") == "yes")
            #expect(landed.target == "/land?x=1")
        }

        @Test func sameOriginRedirectKeepsAuthorization() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/old", [.redirect(status: 301, location: "/new")])
            server.route("/new", [.redirect(status: 307, location: "newer")])
            server.route("/newer", [.ok("here")])
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(url: server.baseURL + "/old", headers: ["Authorization": "Bearer t"]))

            #expect(response.bodyString == "here" && response.redirects == 2)
            #expect(server.requests.map(\.path) == ["/old", "/new", "/newer"])
            #expect(server.requests.allSatisfy { $0.header("Authorization") == "Bearer t" })
        }

        @Test func postGetsTheRedirectBack() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/form", [.redirect(status: 302, location: "/elsewhere")])
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(method: "POST", url: server.baseURL + "/form", body: .data(Data("a".utf8))))

            #expect(response.status == 302)
            #expect(response.headers["Location"] == "/elsewhere")
            #expect(server.requests.map(\.path) == ["/form"])
        }

        @Test func redirectsCanBeSwitchedOff() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/old", [.redirect(location: "/new")])
            let client = try makeClient()
            defer { client.shutdown() }
            var request = HTTPRequest(url: server.baseURL + "/old")
            request.followRedirects = false
            #expect(try await client.send(request).status == 302)
            #expect(server.requests.count == 1)
        }

        @Test func moreThanFiveRedirectsFail() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/loop", [.redirect(location: "/loop")])
            let client = try makeClient()
            defer { client.shutdown() }
            let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: server.baseURL + "/loop")) }
            #expect(error?.kind == .tooManyRedirects)
            #expect(server.requests.count == 6)
        }
    }
}
