import BackendAPI
import ChargeKit
import CurlHTTP
import Foundation
import JSON
import Testing
@testable import ChargeKitSim

/// A SimBackend on loopback (OS-chosen port) for one test, with clients for its tokens.
struct SimAPI: Sendable {
    let backend: SimBackend

    /// An installer on SITE-01 only, an installer on SITE-02 only, an operator, on top of the
    /// demo users' tokens.
    static let users: [SimUser] = SimUser.demoUsers(sites: ["SITE-01", "SITE-02"]) + [
        SimUser(token: "site1-installer", user: "ann", name: "Ann", role: .installer, sites: ["SITE-01"]),
        SimUser(token: "site2-installer", user: "bob", name: "Bob", role: .installer, sites: ["SITE-02"]),
        SimUser(token: "admin-token", user: "root", name: "Root", role: .admin, sites: [], allSites: true),
    ]

    /// A fleet of `specs` (or the generated one of `count`), fast sim time.
    static func start(_ specs: [ChargerSpec]? = nil, count: Int = 6, speed: Double = 200, errorRate: Double = 0,
                      stateDirectory: String? = nil, eventCapacity: Int = 200_000,
                      configure: (inout SimBackendConfiguration) -> Void = { _ in }) async throws -> SimAPI {
        var configuration = SimBackendConfiguration()
        configuration.simulation.chargers = specs
        configuration.simulation.chargerCount = count
        configuration.simulation.chargersPerSite = 3
        configuration.simulation.speed = speed
        configuration.simulation.csms.heartbeatInterval = 60
        configuration.simulation.csms.callTimeout = .seconds(10)
        configuration.simulation.csms.eventCapacity = eventCapacity
        configuration.simulation.timing.startSpreadSeconds = 1
        configuration.users = users
        configuration.errorRate = errorRate
        configuration.stateDirectory = stateDirectory
        configure(&configuration)
        let backend = try SimBackend(configuration: configuration)
        await backend.start()
        return SimAPI(backend: backend)
    }

    func stop() async { await backend.stop() }

    /// Runs `body` against a started backend and stops it whatever happens.
    static func run(_ specs: [ChargerSpec]? = nil, count: Int = 6, speed: Double = 200, errorRate: Double = 0,
                    stateDirectory: String? = nil, eventCapacity: Int = 200_000,
                    configure: (inout SimBackendConfiguration) -> Void = { _ in },
                    _ body: (SimAPI) async throws -> Void) async throws {
        let api = try await start(specs, count: count, speed: speed, errorRate: errorRate, stateDirectory: stateDirectory,
                                  eventCapacity: eventCapacity, configure: configure)
        do {
            try await body(api)
        } catch {
            await api.stop()
            throw error
        }
        await api.stop()
    }

    /// A client for `token` that does not retry (so every answer is seen as it was).
    func client(_ token: String? = SimUser.demoOperatorToken, retry: RetryPolicy = .never) throws -> BackendClient {
        try BackendClient(configuration: BackendConfiguration(baseURL: backend.baseURL, token: token, retry: retry))
    }

    /// Waits (real time, bounded) until the charger reports connected and booted. The bound
    /// is for a loaded machine: with the whole suite starting at once on 2 cores, a fleet
    /// has taken over 20 s to boot. A charger that never boots still fails the test.
    func awaitOnline(_ id: String, timeout: Duration = .seconds(120)) async -> Bool {
        await awaitOnline(id, until: ContinuousClock.now + timeout)
    }

    private func awaitOnline(_ id: String, until deadline: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < deadline {
            if let view = await backend.simulation.csms.charger(id), view.connected, view.lastBoot != nil,
               view.connectors.count >= 1 { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for every charger of the fleet that can connect, all within one bound.
    func awaitFleet(except offline: Set<String> = [], timeout: Duration = .seconds(180)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        for spec in backend.simulation.chargers where !offline.contains(spec.id) {
            guard await awaitOnline(spec.id, until: deadline) else { return false }
        }
        return true
    }

    /// One raw request, for what the typed client hides (headers, exact statuses).
    func raw(_ method: String, _ path: String, token: String? = SimUser.demoOperatorToken, headers: [(String, String)] = [],
             body: Data? = nil) async throws -> HTTPResponse {
        let http = try HTTPClient(configuration: HTTPClient.Configuration(retry: .never))
        defer { http.shutdown() }
        var fields = HTTPHeaders(headers)
        if let token { fields.add("Authorization", "Bearer \(token)") }
        return try await http.send(HTTPRequest(method: method, url: backend.baseURL + path, headers: fields,
                                               body: body.map { .data($0) } ?? .none))
    }

    func rawJSON(_ method: String, _ path: String, _ value: some Encodable, token: String? = SimUser.demoOperatorToken,
                 headers: [(String, String)] = []) async throws -> HTTPResponse {
        try await raw(method, path, token: token, headers: [("Content-Type", MediaType.json)] + headers,
                      body: try JSONCoding.encode(value))
    }
}

extension HTTPResponse {
    var problem: Problem? { try? JSONCoding.decode(Problem.self, from: body) }
    func decoded<T: Decodable>(_ type: T.Type) throws -> T { try JSONCoding.decode(type, from: body) }
}

/// The problem of a BackendError, or a recorded issue.
func problem(of body: () async throws -> Void) async -> BackendError? {
    do {
        try await body()
        Issue.record("expected an error")
        return nil
    } catch let error as BackendError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// A file of `count` deterministic bytes in a fresh temporary directory.
func temporaryFile(_ data: Data) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("chargekit-api-\(UUID().uuidString)").path
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

func bytes(_ count: Int, seed: UInt8 = 7) -> Data {
    Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ Int(seed)) })
}

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("chargekit-state-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
