import Synchronization

/// `--error-rate R`: that share of API requests is answered `503 unavailable` with
/// `Retry-After: 1` before any work is done, drawn from a seeded generator so a run is
/// repeatable. The charger-facing firmware download is exempt (chargers retry on their own
/// schedule, and the virtual ones are not what is being tested).
final class ErrorInjector: Sendable {
    let rate: Double
    private let rng: Mutex<SplitMix64>

    init(rate: Double, seed: UInt64) {
        self.rate = rate
        rng = Mutex(SplitMix64(seed: seed ^ 0xE770_0E77_0E77_0E77))
    }

    /// Whether this request fails.
    func shouldFail() -> Bool {
        guard rate > 0 else { return false }
        return rng.withLock { $0.uniform(0, 1) } < rate
    }
}
