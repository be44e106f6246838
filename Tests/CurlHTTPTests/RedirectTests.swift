import Testing
@testable import CurlHTTP

@Suite("Redirect decisions")
struct RedirectTests {
    func decide(_ location: String?, method: String = "GET", status: Int = 302,
                from url: String = "https://api.example.com/v1/chargers?page=2", count: Int = 0) -> Redirects.Decision {
        Redirects.decide(method: method, status: status, location: location, currentURL: url, redirectsSoFar: count)
    }

    @Test func relativeLocationsResolveAgainstTheCurrentURL() {
        #expect(decide("/v2/chargers") == .follow(url: "https://api.example.com/v2/chargers", crossOrigin: false))
        #expect(decide("other?x=1") == .follow(url: "https://api.example.com/v1/other?x=1", crossOrigin: false))
        #expect(decide("../up") == .follow(url: "https://api.example.com/up", crossOrigin: false))
        #expect(decide("//cdn.example.com/f.bin") == .follow(url: "https://cdn.example.com/f.bin", crossOrigin: true))
    }

    @Test(arguments: [301, 302, 303, 307, 308])
    func redirectStatusesAreFollowedForGetAndHead(_ status: Int) {
        #expect(decide("/a", method: "GET", status: status) != .doNotFollow)
        #expect(decide("/a", method: "HEAD", status: status) != .doNotFollow)
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func otherMethodsGetTheRedirectBack(_ method: String) {
        #expect(decide("/a", method: method) == .doNotFollow)
    }

    @Test func notARedirect() {
        #expect(decide("/a", status: 200) == .doNotFollow)
        #expect(decide("/a", status: 304) == .doNotFollow)
        #expect(decide("/a", status: 300) == .doNotFollow)
        #expect(decide(nil) == .doNotFollow)
        #expect(decide("  ") == .doNotFollow)
    }

    @Test func httpsToHttpIsRefused() {
        guard case .fail(.insecureRedirect, _) = decide("http://api.example.com/v1") else {
            Issue.record("downgrade was not refused")
            return
        }
        guard case .fail(.insecureRedirect, _) = decide("file:///etc/passwd", from: "http://a.example/") else {
            Issue.record("file: redirect was not refused")
            return
        }
        #expect(decide("https://b.example/", from: "http://a.example/") == .follow(url: "https://b.example/", crossOrigin: true))
    }

    @Test func crossOriginIsFlagged() {
        #expect(decide("https://API.EXAMPLE.COM:443/x") == .follow(url: "https://API.EXAMPLE.COM:443/x", crossOrigin: false))
        #expect(decide("https://api.example.com:8443/x") == .follow(url: "https://api.example.com:8443/x", crossOrigin: true))
        #expect(decide("https://evil.example.net/x") == .follow(url: "https://evil.example.net/x", crossOrigin: true))
        #expect(decide("http://127.0.0.1:8080/b", from: "http://localhost:8080/a")
                == .follow(url: "http://127.0.0.1:8080/b", crossOrigin: true))
    }

    @Test func atMostFiveRedirects() {
        #expect(decide("/a", count: 4) != .doNotFollow)
        guard case .fail(.tooManyRedirects, _) = decide("/a", count: 5) else {
            Issue.record("sixth redirect was followed")
            return
        }
        #expect(Redirects.maxRedirects == 5)
    }
}
