import Checksum
import Foundation
import Testing
import TestSupport

@Suite struct TestHTTPServerTests {
    @Test func recordsTheExactRequest() throws {
        let server = try TestHTTPServer()
        server.route("/v1/things", method: "POST", [.json(#"{"ok":true}"#, status: 201)])
        let client = try RawClient(port: server.port)
        try client.send("POST /v1/things?x=1 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer abc\r\nContent-Length: 4\r\n\r\nbody")
        let response = try client.readResponse()
        #expect(response.status == 201)
        let recorded = try #require(server.requests.first)
        #expect(recorded.method == "POST")
        #expect(recorded.target == "/v1/things?x=1")
        #expect(recorded.path == "/v1/things")
        #expect(recorded.query == "x=1")
        #expect(recorded.header("authorization") == "Bearer abc")
        #expect(recorded.bodyString == "body")
        #expect(recorded.bodyLength == 4)
        #expect(recorded.bodySHA256 == SHA256.hex(Data("body".utf8)))
    }

    @Test func scriptsAdvanceAndTheLastReplyRepeats() throws {
        let server = try TestHTTPServer()
        server.route("/flaky", [.status(503), .ok("fine")])
        let client = try RawClient(port: server.port)
        var statuses: [Int] = []
        for _ in 0..<3 {
            try client.send("GET /flaky HTTP/1.1\r\nHost: t\r\n\r\n")
            statuses.append(try client.readResponse().status)
        }
        #expect(statuses == [503, 200, 200])
        #expect(Set(server.requests.map(\.connectionID)).count == 1)
    }

    @Test func unroutedPathsAnswer404AndAreRecorded() throws {
        let server = try TestHTTPServer()
        let client = try RawClient(port: server.port)
        try client.send("DELETE /nowhere HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 404)
        #expect(server.requests(path: "/nowhere").map(\.method) == ["DELETE"])
    }

    @Test func discardedBodiesAreCountedAndHashedNotKept() throws {
        let server = try TestHTTPServer()
        server.route("/upload", body: .discard, [.ok("done")])
        let payload = Data((0..<200_000).map { UInt8($0 % 251) })
        let client = try RawClient(port: server.port)
        try client.send("PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: \(payload.count)\r\n\r\n")
        try client.send(payload)
        #expect(try client.readResponse().status == 200)
        let recorded = try #require(server.requests.first)
        #expect(recorded.body.isEmpty)
        #expect(recorded.bodyLength == Int64(payload.count))
        #expect(recorded.bodySHA256 == SHA256.hex(payload))
    }

    @Test func generatedBodiesHaveTheAnnouncedLength() throws {
        let server = try TestHTTPServer()
        server.route("/big", [.generated(length: 300_000)])
        let client = try RawClient(port: server.port)
        try client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().body.count == 300_000)
    }

    @Test func closureRoutesSeeTheRequest() throws {
        let server = try TestHTTPServer()
        server.route("/items/*") { request in .ok("you asked for \(request.path)") }
        let client = try RawClient(port: server.port)
        try client.send("GET /items/42 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(String(decoding: try client.readResponse().body, as: UTF8.self) == "you asked for /items/42")
    }

    @Test func brokenRepliesBreakAsScripted() throws {
        let server = try TestHTTPServer()
        server.route("/short", [.wrongContentLength(declared: 100, body: Data("only this".utf8))])
        server.route("/reset", [.resetMidBody(declaredLength: 1000, sent: 10)])
        let short = try RawClient(port: server.port)
        try short.send("GET /short HTTP/1.1\r\nHost: t\r\n\r\n")
        let shortBytes = String(decoding: short.readAll(), as: UTF8.self)
        #expect(shortBytes.hasPrefix("HTTP/1.1 200"))
        #expect(shortBytes.contains("Content-Length: 100"))
        #expect(shortBytes.hasSuffix("only this"))

        let reset = try RawClient(port: server.port)
        try reset.send("GET /reset HTTP/1.1\r\nHost: t\r\n\r\n")
        _ = reset.readAll()
        var byte: UInt8 = 0
        // After the RST the socket reports ECONNRESET or end of stream, never more data.
        #expect(recv(reset.fd, &byte, 1, 0) <= 0)
    }
}
