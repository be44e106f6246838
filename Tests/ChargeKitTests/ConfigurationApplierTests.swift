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

    init(keys: [String], value: String) throws {
        server = try TestHTTPServer()
        let store = Locked(Dictionary(uniqueKeysWithValues: keys.map { ($0, value) }))
        self.store = store
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
            store.withLock { values in for change in body.changes { values[change.key] = change.value } }
            return Self.json(ConfigurationChangeResponse(results: body.changes.map { ConfigurationChangeResult(key: $0.key, status: .accepted) }))
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
}
