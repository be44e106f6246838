import Foundation
import OCPP
import Synchronization

/// Everything that shapes a simulation run.
public struct SimulationConfiguration: Sendable {
    public var chargerCount = 10
    public var seed: UInt64 = 1
    /// Sim seconds per real second.
    public var speed: Double = 1
    /// Sim time at the start.
    public var startDate = Date()
    public var chargersPerSite = 50
    /// Share of OCPP 1.6 chargers; the rest speak 2.0.1.
    public var v16Share = 0.6
    /// Faults per charger id (`CP-0003`...).
    public var faults: [String: Set<ChargerFault>] = [:]
    /// Clock drift per charger id, seconds (positive: the charger's clock is ahead).
    public var clockDrift: [String: Double] = [:]
    public var timing = ChargerTiming()
    public var csms = CSMS.Options()
    /// The chargers' network round trip in real seconds (not scaled by `speed`): every frame
    /// and connection event takes half of it each way. 0: instant.
    public var networkLatency: Double = 0
    /// Chargers to simulate instead of a generated fleet (`chargerCount` and the fleet
    /// parameters are then ignored).
    public var chargers: [ChargerSpec]?

    public init() {}

    /// The fleet this configuration describes.
    public var specs: [ChargerSpec] {
        chargers ?? FleetPlan.generate(count: chargerCount, seed: seed, chargersPerSite: chargersPerSite, v16Share: v16Share,
                                       faults: faults, clockDrift: clockDrift)
    }
}

/// A running simulated backend: the CSMS core and its virtual chargers, connected by the
/// in-memory wire. `start()` connects the chargers; `stop()` ends everything.
///
///     var config = SimulationConfiguration()
///     config.chargerCount = 100
///     config.speed = 100
///     let sim = Simulation(configuration: config, fetcher: MyFetcher(), frameHook: log.hook)
///     await sim.start()
///     let page = await sim.csms.events(types: ["BootNotification"], wait: .seconds(5))
///     await sim.stop()
public final class Simulation: Sendable {
    public let configuration: SimulationConfiguration
    public let clock: SimClock
    public let csms: CSMS
    /// The virtual chargers as they were made.
    public let chargers: [ChargerSpec]
    let host: ChargerHost
    let wire: Wire
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let phase = Mutex(0)  // 0 new, 1 started, 2 stopped

    public init(configuration: SimulationConfiguration, fetcher: any FirmwareFetcher = NoFirmwareFetcher(), frameHook: FrameHook? = nil) {
        self.configuration = configuration
        let clock = SimClock(speed: configuration.speed, startDate: configuration.startDate)
        self.clock = clock
        let wire = Wire(clock: clock, hook: frameHook, latency: configuration.networkLatency)
        self.wire = wire
        let specs = configuration.specs
        self.chargers = specs
        self.csms = CSMS(clock: clock, wire: wire, options: configuration.csms)
        self.host = ChargerHost(clock: clock, wire: wire, fetcher: fetcher, timing: configuration.timing, specs: specs)
    }

    /// Registers the chargers with the CSMS and starts them (they connect spread over
    /// `timing.startSpreadSeconds` of sim time). Returns at once.
    public func start() async {
        let first = phase.withLock { p -> Bool in
            guard p == 0 else { return false }
            p = 1
            return true
        }
        guard first else { return }
        for spec in chargers { await csms.register(chargerId: spec.id, site: spec.site) }
        let csms = self.csms, host = self.host, wire = self.wire
        let toCSMS = Task.detached {
            while true {
                let batch = await wire.toCSMS.next()
                if batch.isEmpty { return }
                await csms.receive(batch)
            }
        }
        let toChargers = Task.detached {
            while true {
                let batch = await wire.toChargers.next()
                if batch.isEmpty { return }
                await host.deliver(batch)
            }
        }
        let driver = Task.detached { await host.run() }
        tasks.withLock { $0 = [toCSMS, toChargers, driver] }
    }

    /// Stops the chargers and the CSMS: pending operations fail with `.stopped`, long polls
    /// return. Waits for the simulation's tasks to end.
    public func stop() async {
        let running = phase.withLock { p -> Bool in
            defer { p = 2 }
            return p == 1
        }
        await host.stop()
        wire.close()
        await csms.shutdown()
        guard running else { return }
        let all = tasks.withLock { t -> [Task<Void, Never>] in
            defer { t = [] }
            return t
        }
        for t in all { await t.value }
    }

    public func spec(_ id: String) -> ChargerSpec? { chargers.first { $0.id == id } }

    /// The charger's inside view, for tests and training. The CSMS never uses it.
    public func inspect(_ id: String) async -> ChargerSnapshot? { await host.snapshot(id) }

    /// Counters for benchmarks: timers fired and frames the chargers sent so far.
    public func statistics() async -> (timersFired: Int, framesSent: Int, pendingTimers: Int) {
        await (host.timersFired, host.framesSent, host.pendingTimers)
    }
}
