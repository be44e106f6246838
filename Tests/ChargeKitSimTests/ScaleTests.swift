import Foundation
import OCPP
import Testing
@testable import ChargeKitSim

@Suite(.busySimulation) struct ScaleTests {
    /// A smoke test, not a benchmark: 1,200 chargers (CHARGEKIT_SIM_SCALE to change) at 1000×
    /// all boot and heartbeat, and CPU goes into moving frames, not into polling. The load is
    /// kept moderate (600 s heartbeats): on 2 cores a saturated simulation would starve the
    /// tests running beside it.
    @Test func moreThanAThousandChargersBootAndHeartbeat() async throws {
        let count = ProcessInfo.processInfo.environment["CHARGEKIT_SIM_SCALE"].flatMap { Int($0) } ?? 1200
        var config = SimulationConfiguration()
        config.chargerCount = count
        config.seed = 42
        config.speed = 1000
        config.csms.heartbeatInterval = 600
        // Boots spread over ~3 s of real time: a 10 ms boot storm in a debug build saturates
        // both cores and skews every timing test running beside this one.
        config.timing.startSpreadSeconds = 3000
        let sim = Simulation(configuration: config)
        let cpu0 = processCPUSeconds()
        let wall0 = ContinuousClock.now
        await sim.start()
        let deadline = ContinuousClock.now + .seconds(60 + count / 200)
        var booted = 0
        while ContinuousClock.now < deadline {
            booted = await sim.csms.chargers().filter { $0.bootCount > 0 && $0.lastHeartbeat != nil }.count
            if booted == count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(booted == count, "every charger booted and sent a heartbeat")
        // Keep running a while; whatever is delivered must cost CPU in proportion to the frames
        // moved, not to a polling loop.
        try await Task.sleep(for: .seconds(1))
        let stats = await sim.statistics()
        await sim.stop()
        let cpu = processCPUSeconds() - cpu0
        let wall = ContinuousClock.now - wall0
        let heartbeats = await sim.csms.events(types: ["Heartbeat"], limit: 200_000).events.count
        print("scale: \(count) chargers, \(wall) wall, \(cpu) s CPU, \(stats.framesSent) charger frames, \(heartbeats) heartbeats, \(stats.timersFired) timers")
        #expect(heartbeats >= count)
        // Process-wide CPU includes tests running alongside, so this is a loose sanity bound
        // (a release build spends ~40-70 µs per charger frame and its answer).
        #expect(cpu / Double(max(1, stats.framesSent)) < 0.005, "CPU goes into frames, not into polling")
        // One timer queue whose size follows the fleet: a few timers per charger, no pile-up.
        #expect(stats.pendingTimers <= count * 8)
        let lastSite = sim.chargers.last?.site
        #expect(lastSite == FleetPlan.siteId((count - 1) / 50 + 1), "50 chargers per site")
    }

    @Test func fleetIsDeterministicFromTheSeed() {
        let a = FleetPlan.generate(count: 300, seed: 7)
        let b = FleetPlan.generate(count: 300, seed: 7)
        let c = FleetPlan.generate(count: 20, seed: 7)
        #expect(a == b)
        #expect(Array(a.prefix(20)) == c, "charger i does not depend on the fleet size")
        #expect(a[0].id == "CP-0001" && a[299].id == "CP-0300")
        #expect(a[49].site == "SITE-01" && a[50].site == "SITE-02")
        #expect(Set(a.map(\.model.version)) == [.v16, .v201])
        #expect(Set(a.map(\.model.model)).count == ChargerModel.catalog.count)
        #expect(a.allSatisfy { $0.serialNumber.count <= 25 && $0.model.vendor.count <= 20 && $0.model.model.count <= 20 })
        #expect(a.filter { $0.model.isDC }.allSatisfy { $0.connectorCount >= 2 })
        #expect(FleetPlan.generate(count: 12_000, seed: 1).last?.id == "CP-12000")
    }
}

func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
