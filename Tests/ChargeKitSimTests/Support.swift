import Checksum
import Foundation
import OCPP
import Synchronization
import Testing
import TestSupport
@testable import ChargeKitSim

/// A firmware server in memory: images by URL path, with a number of failures before success.
final class TestFetcher: FirmwareFetcher {
    private let state = Mutex<(images: [String: Data], failuresLeft: Int, fetches: [String])>(([:], 0, []))

    init(failFirst: Int = 0) {
        state.withLock { $0.failuresLeft = failFirst }
    }

    func put(_ path: String, _ data: Data) {
        state.withLock { $0.images[path] = data }
    }

    var fetches: [String] { state.withLock { $0.fetches } }

    struct NotFound: Error {}
    struct Flaky: Error {}

    func fetch(url: String) async throws -> Data {
        let path = URLComponents(string: url)?.path ?? url
        return try state.withLock { s in
            s.fetches.append(url)
            if s.failuresLeft > 0 {
                s.failuresLeft -= 1
                throw Flaky()
            }
            guard let data = s.images[path] else { throw NotFound() }
            return data
        }
    }
}

/// Collects hooked frames in memory.
final class FrameCollector: Sendable {
    private let entries = Mutex<[FrameLogEntry]>([])
    var hook: FrameHook { { [self] e in self.entries.withLock { $0.append(e) } } }
    var all: [FrameLogEntry] { entries.withLock { $0 } }
}

func model(_ vendor: String, _ name: String) -> ChargerModel {
    guard let m = ChargerModel.named(vendor: vendor, model: name) else {
        Issue.record("no model \(vendor) \(name)")
        return ChargerModel.catalog[0]
    }
    return m
}

let alfen = model("Alfen", "Eve Single S-line")
let abb = model("ABB", "Terra AC W22")
let zaptec = model("Zaptec", "Pro")
let kempower = model("Kempower", "S-Series")

func spec(_ id: String, _ model: ChargerModel, connectors: Int = 1, faults: Set<ChargerFault> = [], drift: Double = 0) -> ChargerSpec {
    ChargerSpec(id: id, site: "SITE-01", model: model, serialNumber: "SN-\(id)", firmwareVersion: model.firmwareVersions[0],
                connectorCount: connectors, faults: faults, clockDriftSeconds: drift, seed: UInt64(id.hashValue & 0xFFFF) + 7)
}

func makeSimulation(_ specs: [ChargerSpec], speed: Double = 200, heartbeat: Int = 60, fetcher: any FirmwareFetcher = NoFirmwareFetcher(),
                    hook: FrameHook? = nil, callTimeout: Duration = .seconds(10), latency: Double = 0) -> Simulation {
    var config = SimulationConfiguration()
    config.networkLatency = latency
    config.chargers = specs
    config.speed = speed
    config.csms.heartbeatInterval = heartbeat
    config.csms.callTimeout = callTimeout
    config.timing.startSpreadSeconds = 1
    return Simulation(configuration: config, fetcher: fetcher, frameHook: hook)
}

/// Waits (real time) for an event of `type` from `charger` after `after` that satisfies `where`.
@discardableResult
func awaitEvent(_ sim: Simulation, _ charger: String, _ type: String, after: UInt64 = 0, timeout: Duration = .seconds(60),
                where predicate: @Sendable (ChargerEvent) -> Bool = { _ in true }) async -> ChargerEvent? {
    let deadline = ContinuousClock.now + timeout
    var cursor = after
    while ContinuousClock.now < deadline {
        let page = await sim.csms.events(after: cursor, chargers: [charger], types: [type], limit: 100, wait: deadline - ContinuousClock.now)
        for e in page.events where predicate(e) { return e }
        cursor = page.cursor
    }
    return nil
}

/// Waits until the charger has booted (per the CSMS) at least `count` times and is connected.
func awaitBoot(_ sim: Simulation, _ id: String, count: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let v = await sim.csms.charger(id), v.bootCount >= count, v.connected,
           let snap = await sim.inspect(id), snap.connected { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return false
}

/// Sleeps for `seconds` of sim time.
func simSleep(_ sim: Simulation, _ seconds: Double) async {
    try? await sim.clock.sleep(simSeconds: seconds)
}

/// Writes the collected frames as a log and checks it with validate_frames.py.
func expectSchemaValid(_ frames: FrameCollector, mustCover actions: [String] = []) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("chargekit-frames-\(UUID().uuidString).jsonl").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let text = frames.all.map(\.jsonLine).joined(separator: "\n") + "\n"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let (status, output) = try await runValidator(path)
    #expect(status == 0, "frames fail the official schemas:\n\(output)")
    for action in actions { #expect(output.contains(action), "the log covers \(action)") }
}

/// Suites whose tests run a simulation with a fleet: at most two of those tests at a time in
/// the whole process. Started all at once (with the rest of the package's tests) on 2 cores,
/// they kept the concurrency pool so busy that waits elsewhere overran by 30 s and more.
struct BusySimulation: SuiteTrait, TestTrait, TestScoping {
    static let limit = ConcurrencyLimit(width: 2)

    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // Each test case takes a place; a suite as a whole does not.
        testCase == nil ? nil : self
    }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await Self.limit.run { try await function() }
    }
}

extension Trait where Self == BusySimulation {
    /// See ``BusySimulation``.
    static var busySimulation: Self { BusySimulation() }
}
