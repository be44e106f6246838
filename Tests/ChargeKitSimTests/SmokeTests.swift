import Foundation
import OCPP
import Testing
@testable import ChargeKitSim

@Suite struct SmokeTests {
    @Test func bootsAndHeartbeats() async throws {
        let frames = FrameCollector()
        let sim = makeSimulation([spec("CP-1", alfen), spec("CP-2", zaptec)], hook: frames.hook)
        await sim.start()
        #expect(await awaitBoot(sim, "CP-1"))
        #expect(await awaitBoot(sim, "CP-2"))
        #expect(await awaitEvent(sim, "CP-1", "Heartbeat") != nil)
        #expect(await awaitEvent(sim, "CP-2", "Heartbeat") != nil)
        let r = try await sim.csms.getConfiguration("CP-1", keys: ["HeartbeatInterval", "Nope"])
        print(r)
        let r2 = try await sim.csms.getConfiguration("CP-2", keys: [])
        print(r2)
        await sim.stop()
        for f in frames.all.prefix(30) { print(f.jsonLine) }
    }
}
