import Foundation

/// The simulation's time. Sim time runs `speed` times faster than real time from the moment
/// the clock is made: at speed 100, one real second is 100 sim seconds. Every interval and
/// delay in the simulator (heartbeats, sample intervals, reboot and download times, the
/// `slow` fault) is in sim seconds. Only the CSMS's call timeout is in real time.
public struct SimClock: Sendable {
    public let speed: Double
    /// Sim time at the start.
    public let startDate: Date
    let realStart: ContinuousClock.Instant

    public init(speed: Double = 1, startDate: Date = Date()) {
        self.speed = speed > 0 && speed.isFinite ? speed : 1
        self.startDate = startDate
        self.realStart = ContinuousClock.now
    }

    /// Sim seconds since the start.
    public var elapsed: Double {
        let d = ContinuousClock.now - realStart
        return (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18) * speed
    }

    /// The current sim date.
    public var now: Date { startDate.addingTimeInterval(elapsed) }

    public func date(atElapsed seconds: Double) -> Date { startDate.addingTimeInterval(seconds) }
    public func elapsed(at date: Date) -> Double { date.timeIntervalSince(startDate) }

    /// The real instant at which `seconds` of sim time will have elapsed.
    func realInstant(atElapsed seconds: Double) -> ContinuousClock.Instant {
        realStart + .seconds(max(0, seconds) / speed)
    }

    /// How long `seconds` of sim time take in real time.
    public func realDuration(ofSimSeconds seconds: Double) -> Duration { .seconds(max(0, seconds) / speed) }

    /// Suspends for `seconds` of sim time.
    public func sleep(simSeconds seconds: Double) async throws {
        try await Task.sleep(for: realDuration(ofSimSeconds: seconds))
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform, so a seed gives the same
/// fleet everywhere.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}
