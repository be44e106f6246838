import BackendAPI
import Foundation
import Testing
import TestSupport
@testable import ChargeKit

/// A 1.6 charger's configuration behind the recording server: GET reads the store, POST
/// answers Accepted and writes it, as the backend contract says.
final class FakeConfigurationBackend: Sendable {
    let server: TestHTTPServer
    let store: Locked<[String: String]>
    /// The next POSTs answer only this many changes, then 504 charger-timeout (a slow charger).
    let answerOnly = Locked<[Int]>([])

    init(keys: [String], value: String) throws {
        server = try TestHTTPServer()
        let store = Locked(Dictionary(uniqueKeysWithValues: keys.map { ($0, value) }))
        self.store = store
        let answerOnly = self.answerOnly
        server.route("/v1/chargers/CP-1/configuration", method: "GET") { request in
            let asked = request.query.split(separator: "&").compactMap { pair -> String? in
                pair.hasPrefix("key=") ? String(pair.dropFirst(4)) : nil
            }
            let values = store.value
            let items = asked.compactMap { key in values[key].map { ConfigurationItem(key: key, value: $0, readonly: false) } }
            let unknown = asked.filter { values[$0] == nil }
            return Self.json(Configuration(ocppVersion: .v16, items: items, unknownKeys: unknown))
        }
        server.route("/v1/chargers/CP-1/configuration", method: "POST") { request in
            guard let body = try? JSONCoding.decode(ConfigurationChangeRequest.self, from: request.body) else { return .status(400) }
            let limit = answerOnly.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            let done = Array(body.changes.prefix(limit ?? body.changes.count))
            store.withLock { values in for change in done { values[change.key] = change.value } }
            let results = done.map { ConfigurationChangeResult(key: $0.key, status: .accepted) }
            guard limit != nil else { return Self.json(ConfigurationChangeResponse(results: results)) }
            var problem = Problem(type: .chargerTimeout, title: "Charger timeout", status: 504, detail: "CP-1 did not answer in time")
            problem.results = results
            return .response(status: 504, headers: [("Content-Type", MediaType.problemJSON)], body: (try? JSONCoding.encode(problem)) ?? Data())
        }
    }

    static func json(_ value: some Encodable) -> TestReply {
        .response(status: 200, headers: [("Content-Type", MediaType.json)], body: (try? JSONCoding.encode(value)) ?? Data())
    }

    func client() throws -> BackendClient {
        try BackendClient(configuration: BackendConfiguration(baseURL: server.baseURL, token: "t"))
    }

    /// The keys of each configuration request, in the order they came.
    func requests(_ method: String) -> [Int] {
        server.requests.filter { $0.method == method && $0.path == "/v1/chargers/CP-1/configuration" }.map { request in
            method == "GET" ? request.query.split(separator: "&").count
                : ((try? JSONCoding.decode(ConfigurationChangeRequest.self, from: request.body))?.changes.count ?? -1)
        }
    }
}

@Suite struct ConfigurationApplierTests {
    static let keys = (1...1_200).map { String(format: "Key%04d", $0) }

    @Test func readsMoreThan500KeysInRequestsOf500AndMergesThem() async throws {
        let backend = try FakeConfigurationBackend(keys: Array(Self.keys.dropLast(3)), value: "1")
        let client = try backend.client()
        defer { client.shutdown() }
        let configuration = try await ConfigurationApplier(client: client).read("CP-1", keys: Self.keys)
        #expect(backend.requests("GET") == [500, 500, 200])
        #expect(configuration.items.map(\.key) == Array(Self.keys.dropLast(3)))
        #expect(configuration.unknownKeys == Array(Self.keys.suffix(3)))
    }

    /// 600 raw overrides: two writes (500 and 100), one read before and one after, each in
    /// two requests; every key verified; nothing else sent.
    @Test func appliesMoreThan500ChangesInRequestsOf500AndVerifies() async throws {
        let overrides = Self.keys.prefix(600).map { "\"\($0)\": \"2\"" }.joined(separator: ", ")
        let loader = memoryLoader(["/mem/many.json": "{\"name\": \"many\", \"ocpp16\": {\(overrides)}}"])
        let profile = try loader.load("many.json")
        let backend = try FakeConfigurationBackend(keys: Array(Self.keys.prefix(600)), value: "1")
        let client = try backend.client()
        defer { client.shutdown() }
        let applier = ConfigurationApplier(client: client, options: .init(reboot: .auto))
        let result = try await applier.apply("CP-1", profile: profile, identity: alfen16)
        await applier.shutdown()
        #expect(result.succeeded, "\(result.failures)")
        #expect(result.sent.count == 600 && result.reset == nil)
        #expect(result.report.outcomes.allSatisfy { $0.result == .verified && $0.status == .accepted })
        #expect(backend.requests("POST") == [500, 100])
        #expect(backend.requests("GET") == [500, 100, 500, 100])
        #expect(backend.server.requests.count == 6, "no charger read (the identity was given), no events poll (no reset)")
        #expect(backend.store.value.values.allSatisfy { $0 == "2" })

        // Conforming now: a diff finds nothing to send, and a second apply sends nothing.
        let plan = try await applier.plan("CP-1", profile: profile, identity: alfen16)
        #expect(plan.isUpToDate && plan.changes.isEmpty)
        let again = try await applier.apply(plan, to: "CP-1")
        #expect(again.succeeded && again.sent.isEmpty)
        #expect(backend.requests("POST") == [500, 100])
    }

    /// A slow charger: the backend answers 504 after 3 and then after 4 of 10 changes; the
    /// rest is sent again each time, and every key ends verified. An attempt that gets no
    /// answer at all ends the apply with the backend's error.
    @Test func aTimeoutPartWayResendsWhatWasNotAnswered() async throws {
        let overrides = Self.keys.prefix(10).map { "\"\($0)\": \"2\"" }.joined(separator: ", ")
        let profile = try memoryLoader(["/mem/ten.json": "{\"name\": \"ten\", \"ocpp16\": {\(overrides)}}"]).load("ten.json")
        let backend = try FakeConfigurationBackend(keys: Array(Self.keys.prefix(10)), value: "1")
        backend.answerOnly.withLock { $0 = [3, 4] }
        let client = try backend.client()
        defer { client.shutdown() }
        let applier = ConfigurationApplier(client: client)
        let result = try await applier.apply("CP-1", profile: profile, identity: alfen16)
        #expect(result.succeeded, "\(result.failures)")
        #expect(backend.requests("POST") == [10, 7, 3])
        #expect(result.report.outcomes.map(\.key) == Array(Self.keys.prefix(10)))

        backend.store.withLock { values in for key in values.keys { values[key] = "1" } }
        backend.answerOnly.withLock { $0 = [2, 0] }
        do {
            _ = try await applier.apply("CP-1", profile: profile, identity: alfen16)
            Issue.record("an attempt without answers must end the apply")
        } catch let error as BackendError {
            #expect(error.problem?.effectiveType == .chargerTimeout)
        }
        #expect(backend.requests("POST").suffix(2) == [10, 8])
    }
}
