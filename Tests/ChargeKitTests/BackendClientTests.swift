import BackendAPI
import CurlHTTP
import Foundation
import JSON
import Testing
import TestSupport
@testable import ChargeKit

/// The client against the recording loopback server: exact requests out, typed answers
/// and errors back.
@Suite struct BackendClientTests {
    let server: TestHTTPServer
    let client: BackendClient

    init() throws {
        server = try TestHTTPServer()
        client = try BackendClient(configuration: BackendConfiguration(
            baseURL: server.baseURL + "/", token: "tok-123",
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10), maxDelay: .milliseconds(50))))
    }

    static func json(_ value: some Encodable, status: Int = 200) -> TestReply {
        .response(status: status, headers: [("Content-Type", MediaType.json)], body: (try? JSONCoding.encode(value)) ?? Data())
    }

    static func problem(_ type: ProblemType, status: Int, detail: String) -> TestReply {
        var problem = Problem(type, detail: detail)
        problem.status = status
        return .response(status: status, headers: [("Content-Type", MediaType.problemJSON)],
                         body: (try? JSONCoding.encode(problem)) ?? Data())
    }

    @Test func sendsTheBearerTokenAndDecodesTheAnswer() async throws {
        let identity = Identity(user: "demo-installer", name: "Demo Installer", role: .installer, sites: ["SITE-01"], allSites: false)
        server.route("/v1/whoami", method: "GET", [Self.json(identity)])
        #expect(try await client.whoami() == identity)
        let request = try #require(server.requests.first)
        #expect(request.header("Authorization") == "Bearer tok-123")
        #expect(request.header("Accept")?.contains("application/problem+json") == true)
        #expect(request.target == "/v1/whoami")
    }

    @Test func followsTheCursorThroughEveryPage() async throws {
        server.route("/v1/chargers") { request in
            let start = Int(request.query.split(separator: "&").first { $0.hasPrefix("cursor=") }?.dropFirst(7) ?? "0") ?? 0
            let items = (start..<min(start + 2, 5)).map { ChargerSummary(id: "CP-\($0)", connected: true, siteId: "SITE-01") }
            return Self.json(ChargerPage(items: items, nextCursor: start + 2 < 5 ? String(start + 2) : nil))
        }
        let all = try await client.allChargers(ChargerFilter(model: "Pro", site: "SITE-01", connected: true), pageSize: 2)
        #expect(all.map(\.id) == ["CP-0", "CP-1", "CP-2", "CP-3", "CP-4"])
        #expect(server.requests.map(\.query) == [
            "model=Pro&site=SITE-01&connected=true&limit=2",
            "model=Pro&site=SITE-01&connected=true&limit=2&cursor=2",
            "model=Pro&site=SITE-01&connected=true&limit=2&cursor=4",
        ])
    }

    @Test func mapsProblemAnswersToTypedErrors() async throws {
        server.route("/v1/chargers/CP-9", [Self.problem(.notFound, status: 404, detail: "no charger CP-9")])
        server.route("/v1/whoami", [Self.problem(.unauthorized, status: 401, detail: "token expired")])
        server.route("/v1/chargers/CP-1/configuration", [Self.problem(.chargerOffline, status: 409, detail: "CP-1 is offline")])
        await #expect { _ = try await client.charger("CP-9") } throws: { error in
            guard case BackendError.notFound(let problem) = error else { return false }
            return problem.detail == "no charger CP-9"
        }
        await #expect { _ = try await client.whoami() } throws: { error in
            guard case BackendError.unauthorized = error else { return false }
            return "\(error)".contains("token expired")
        }
        await #expect { _ = try await client.configuration("CP-1") } throws: { error in
            guard case BackendError.problem(409, let problem) = error else { return false }
            return problem.effectiveType == .chargerOffline
        }
    }

    @Test func retriesThenSucceedsAndSaysWhenRetriesRanOut() async throws {
        server.route("/v1/whoami", [.retryAfter(status: 503, value: "0"), Self.json(
            Identity(user: "u", name: "U", role: .operator, sites: [], allSites: true))])
        #expect(try await client.whoami().allSites)
        #expect(server.requests(path: "/v1/whoami").count == 2)

        server.route("/v1/sites", [.status(503)])
        await #expect { _ = try await client.sites() } throws: { error in
            guard case BackendError.retriesExhausted(let attempts, _) = error else { return false }
            return attempts == 3
        }
    }

    @Test func commandsCarryAnIdempotencyKeyAndTheirPayload() async throws {
        server.route("/v1/chargers/CP-1/commands", method: "POST") { _ in
            Self.json(CommandResponse(action: "Reset", response: ["status": "Accepted"]))
        }
        let answer = try await client.command("CP-1", action: "Reset", payload: ["type": "Soft"], idempotencyKey: "k-1")
        #expect(answer.response["status"]?.stringValue == "Accepted")
        let request = try #require(server.requests.first)
        #expect(request.header("Idempotency-Key") == "k-1")
        #expect(request.header("Content-Type") == MediaType.json)
        let sent = try JSONCoding.decode(CommandRequest.self, from: request.body)
        #expect(sent.action == "Reset")
        #expect(sent.payload["type"]?.stringValue == "Soft")
    }

    @Test func uploadsAFileRegionWithItsContentRange() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chunk-\(UUID().uuidString)").path
        let bytes = Data((0..<10_000).map { UInt8($0 % 251) })
        try bytes.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        server.route("/v1/firmware/uploads/up-1", method: "PUT", [Self.json(UploadProgress(offset: 6000))])
        let range = try #require(ContentRange(offset: 2000, length: 4000, total: 10_000))
        let progress = try await client.putFirmwareChunk("up-1", path: path, range: range)
        #expect(progress.offset == 6000)
        let request = try #require(server.requests.first)
        #expect(request.header("Content-Range") == "bytes 2000-5999/10000")
        #expect(request.body == bytes.subdata(in: 2000..<6000))
    }

    @Test func anUnreachableBackendIsItsOwnError() async throws {
        let closed = try TestHTTPServer()
        let url = closed.baseURL
        closed.stop()
        let lonely = try BackendClient(configuration: BackendConfiguration(baseURL: url, retry: .never))
        await #expect { _ = try await lonely.whoami() } throws: { error in
            guard case BackendError.unreachable = error else { return false }
            return true
        }
    }

    @Test func refusesABackendURLThatIsNotHTTP() {
        #expect(throws: BackendError.self) { _ = try BackendClient(configuration: BackendConfiguration(baseURL: "ftp://x")) }
        #expect(throws: BackendError.self) { _ = try BackendClient(configuration: BackendConfiguration(baseURL: "not a url")) }
    }

    @Test func aGarbledAnswerIsAProtocolViolation() async throws {
        server.route("/v1/whoami", [.ok("this is not json")])
        await #expect { _ = try await client.whoami() } throws: { error in
            guard case BackendError.protocolViolation = error else { return false }
            return true
        }
    }
}
