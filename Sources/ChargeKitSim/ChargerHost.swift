import Foundation
import OCPP

/// What a charger's timer does when it fires.
enum TimerEvent {
    case connect
    case bootRetry
    case heartbeat(gen: UInt32)
    case aligned(gen: UInt32)
    case sample(connector: Int, gen: UInt32)
    case plugIn(connector: Int, gen: UInt32)
    case unplug(connector: Int, gen: UInt32)
    /// A CALL the `slow` fault holds back.
    case deferredCall(String)
    case firmware(job: Int, step: FirmwareStep)
}

enum FirmwareStep {
    case download
    case downloadResult(ok: Bool, checksumMismatch: Bool)
    case install
    case installDone
}

struct TimerEntry {
    var deadline: Double
    var seq: UInt64
    var index: Int32
    /// The charger's boot epoch when scheduled: a reboot kills every timer of the old epoch.
    /// `TimerEntry.survivesReboot` for the firmware job, which lives across reboots.
    var epoch: UInt32
    var event: TimerEvent

    static let survivesReboot = UInt32.max

    func precedes(_ other: TimerEntry) -> Bool {
        deadline < other.deadline || (deadline == other.deadline && seq < other.seq)
    }
}

/// A binary min-heap on (deadline, insertion order).
struct TimerHeap {
    private(set) var items: [TimerEntry] = []

    var first: TimerEntry? { items.first }
    var count: Int { items.count }

    mutating func push(_ e: TimerEntry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> TimerEntry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, items[l].precedes(items[m]) { m = l }
            if r < n, items[r].precedes(items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}

/// The charger side of the simulation: owns every virtual charger and runs them all from one
/// timer queue and one driver task, so 10,000 chargers cost one sleeping task, not 10,000.
///
/// The chargers' state lives only here. The CSMS reaches a charger only through frames on the
/// wire, and the chargers reach the CSMS the same way.
actor ChargerHost {
    let clock: SimClock
    let wire: Wire
    let fetcher: any FirmwareFetcher
    let timing: ChargerTiming
    private(set) var chargers: [VirtualCharger] = []
    private var indexById: [String: Int] = [:]
    private var heap = TimerHeap()
    private var seqCounter: UInt64 = 0
    private var sleepTask: Task<Void, Never>?
    /// Sim time the driver sleeps until; -infinity while it is awake.
    private var sleepingUntil = -Double.infinity
    private var stopped = false
    /// Timers due within this many sim seconds of each other fire in one wake-up (1 ms real).
    private let coalesce: Double
    private(set) var timersFired = 0
    private(set) var framesSent = 0

    init(clock: SimClock, wire: Wire, fetcher: any FirmwareFetcher, timing: ChargerTiming, specs: [ChargerSpec]) {
        self.clock = clock
        self.wire = wire
        self.fetcher = fetcher
        self.timing = timing
        self.coalesce = 0.001 * clock.speed
        var chargers: [VirtualCharger] = []
        chargers.reserveCapacity(specs.count)
        var indexById: [String: Int] = [:]
        for (i, spec) in specs.enumerated() {
            chargers.append(VirtualCharger(index: i, spec: spec, timing: timing))
            indexById[spec.id] = i
        }
        self.chargers = chargers
        self.indexById = indexById
    }

    // MARK: Scheduling

    func schedule(_ index: Int, after delay: Double, _ event: TimerEvent, survivesReboot: Bool = false) {
        guard !stopped else { return }
        seqCounter &+= 1
        let deadline = clock.elapsed + max(0, delay)
        let epoch = survivesReboot ? TimerEntry.survivesReboot : chargers[index].epoch
        heap.push(TimerEntry(deadline: deadline, seq: seqCounter, index: Int32(index), epoch: epoch, event: event))
        if deadline < sleepingUntil {
            sleepingUntil = -Double.infinity
            sleepTask?.cancel()
        }
    }

    /// Connects every charger (spread over `timing.startSpreadSeconds`) and runs the timer
    /// queue until `stop()`.
    func run() async {
        let spread = max(0, timing.startSpreadSeconds)
        for c in chargers {
            var rng = SplitMix64(seed: c.spec.seed ^ 0x5EED)
            schedule(c.index, after: spread > 0 ? rng.uniform(0, spread) : 0, .connect)
        }
        while !stopped {
            let horizon = clock.elapsed + coalesce
            var processed = 0
            while processed < 512, let top = heap.first, top.deadline <= horizon {
                _ = heap.pop()
                processed += 1
                fire(top)
            }
            if stopped { break }
            if processed == 512 {
                // Let frames from the CSMS, and other work on the (core-sized) cooperative
                // pool, in between big bursts.
                await Task.yield()
                continue
            }
            if let next = heap.first?.deadline, next <= clock.elapsed + coalesce { continue }
            let target = heap.first?.deadline
            sleepingUntil = target ?? Double.infinity
            let until = target.map { clock.realInstant(atElapsed: $0) } ?? (ContinuousClock.now + .seconds(3600))
            let task = Task.detached {
                _ = try? await Task.sleep(until: until, tolerance: .microseconds(200), clock: .continuous)
            }
            sleepTask = task
            await task.value
            sleepTask = nil
            sleepingUntil = -Double.infinity
        }
    }

    private func fire(_ entry: TimerEntry) {
        let charger = chargers[Int(entry.index)]
        if entry.epoch != TimerEntry.survivesReboot, entry.epoch != charger.epoch { return }
        timersFired += 1
        charger.timerFired(entry.event, host: self)
    }

    func stop() {
        stopped = true
        sleepTask?.cancel()
        heap = TimerHeap()
    }

    // MARK: Wire

    func deliver(_ batch: [WireMessage]) {
        guard !stopped else { return }
        for message in batch {
            guard case .text(_, let index, let text) = message, chargers.indices.contains(index) else { continue }
            chargers[index].receive(text, host: self)
        }
    }

    func open(_ index: Int) {
        let c = chargers[index]
        wire.chargerOpened(c.spec.id, index: index, version: c.spec.version)
    }

    func close(_ index: Int) {
        wire.chargerClosed(chargers[index].spec.id, index: index)
    }

    func transmit(_ index: Int, _ text: String) {
        framesSent += 1
        wire.chargerSends(chargers[index].spec.id, index: index, version: chargers[index].spec.version, text)
    }

    // MARK: Firmware download

    func startFetch(_ index: Int, job: Int, url: String) {
        let fetcher = self.fetcher
        Task {
            let result: Result<Data, any Error>
            do {
                result = .success(try await fetcher.fetch(url: url))
            } catch {
                result = .failure(error)
            }
            self.fetchCompleted(index, job: job, result: result)
        }
    }

    private func fetchCompleted(_ index: Int, job: Int, result: Result<Data, any Error>) {
        guard !stopped else { return }
        chargers[index].fetchCompleted(job: job, result: result, host: self)
    }

    // MARK: Inspection (tests, training; never used by the CSMS)

    func snapshot(_ id: String) -> ChargerSnapshot? {
        guard let i = indexById[id] else { return nil }
        return chargers[i].snapshot(host: self)
    }

    var pendingTimers: Int { heap.count }
}

/// How a virtual charger looks from inside, for tests and training. The CSMS never sees this;
/// it knows only what came over the wire.
public struct ChargerSnapshot: Sendable, Hashable {
    public var id: String
    public var connected: Bool
    public var firmwareVersion: String
    public var bootCount: Int
    /// Values in effect (write-only keys included); 2.0.1 keys as `Component.Variable[instance]@evse`.
    public var configuration: [String: String]
    /// Values written with RebootRequired, waiting for the next boot.
    public var pendingConfiguration: [String: String]
    /// Per connector (1-based order): the 1.6 status, or the 2.0.1 connector status.
    public var connectorStatuses: [String]
    public var energyWh: [Double]
    public var firmwareJobActive: Bool
}
