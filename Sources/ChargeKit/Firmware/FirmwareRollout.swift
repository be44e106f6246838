import BackendAPI
import Foundation

/// Runs a rollout plan wave by wave, at most `concurrency` chargers at once, following every
/// update through one long poll of the fleet-wide events feed (never a request per charger
/// per second), and halting when a wave's failures exceed the budget.
///
/// Crash safety: every transition is on disk before it is acted on (appended to the state
/// file's journal and synced; the state file itself is replaced atomically at the start,
/// after each wave and at the end): a charger is marked `requesting` (with its
/// Idempotency-Key) before its request goes out. Killed at any moment and run again on
/// the same file, the rollout repeats an unanswered request with the same key (the backend
/// answers with the job it already started, so no charger gets a second update request),
/// asks the backend for the outcome of jobs it was following, and leaves finished chargers
/// alone. Transitions that happen while a write is under way share the next write (group
/// commit), so 10,000 chargers do not mean 10,000 sequential fsyncs, and a write costs what
/// changed, not the size of the rollout.
public actor FirmwareRollout {
    public struct Options: Sendable {
        public var concurrency: Int
        /// How long one charger's update may take, from its request, before it counts as
        /// failed (`TimedOut`).
        public var updateTimeout: Duration
        /// Seconds each long poll of the events feed may wait at the backend.
        public var pollWait: Int

        public init(concurrency: Int = 8, updateTimeout: Duration = .seconds(3600), pollWait: Int = 25) {
            self.concurrency = max(1, concurrency)
            self.updateTimeout = updateTimeout
            self.pollWait = pollWait
        }
    }

    /// What the rollout tells its display.
    public enum Progress: Sendable {
        case waveStarted(index: Int, count: Int, size: Int, alreadyDone: Int)
        case step(charger: String, FirmwareStep)
        case chargerFinished(charger: String, RolloutChargerState, waveIndex: Int)
        case waveFinished(index: Int, succeeded: Int, failed: Int)
        case halted(RolloutState.Halt)
    }

    private let client: BackendClient
    private let path: String
    private let options: Options
    private let observer: @Sendable (Progress) -> Void
    private var state: RolloutState
    private var trackers: [String: FirmwareTracker] = [:]
    /// Events of chargers whose request is out but unanswered: applied once the job is known.
    private var held: [String: [Event]] = [:]
    private var waiters: [String: CheckedContinuation<Void, Never>] = [:]
    /// Failed chargers per wave, kept as they fail: counting the wave again before every
    /// request made a wave of thousands quadratic.
    private var failed: [Int]

    // Group commit.
    private var version = 0
    private var written = 0
    private var writing = false
    /// What changed since the last write: chargers, the rollout's own fields, or a snapshot
    /// to write whole.
    private var dirtyChargers: Set<String> = []
    private var dirtyRollout = false
    private var snapshotWanted: Snapshot?
    private let writer: RolloutStateWriter
    private var commitWaiters: [(version: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var writeFailure: (any Error)?

    public init(client: BackendClient, state: RolloutState, path: String, options: Options,
                observer: @escaping @Sendable (Progress) -> Void = { _ in }) {
        self.client = client
        self.state = state
        failed = state.plan.waves.map { wave in wave.filter { state.chargers[$0]?.phase == .failed }.count }
        self.path = path
        writer = RolloutStateWriter(path: path)
        self.options = options
        self.observer = observer
    }

    /// Runs (or resumes) the rollout to its end or its halt; answers the final state, which
    /// is on disk when this returns.
    public func run() async throws -> RolloutState {
        if state.halted != nil || state.finished {
            // Killed between journalling its end and writing the final state file: write it now.
            if FileManager.default.fileExists(atPath: RolloutJournal.path(for: path)) { try await commit(.last) }
            return state
        }
        let watcher = EventWatcher(client: client, options: EventWatcher.Options(
            types: FirmwareTracker.eventTypes, pollWait: options.pollWait, batchLimit: 1000, keepPerCharger: 1))
        let events = await watcher.stream()
        try await watcher.start()
        let consumer = Task { [weak self] in
            for await event in events { await self?.observe(event) }
        }
        // The feed's retention can outrun a slow poll; then what was missed is in the job records.
        let resync = Task { [weak self] in
            var seen = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                let gaps = await watcher.gaps
                if gaps > seen {
                    seen = gaps
                    await self?.resyncRunning()
                }
            }
        }
        defer {
            consumer.cancel()
            resync.cancel()
            Task { await watcher.stop() }
        }
        try await commit(.snapshot)
        while state.wave < state.plan.waves.count {
            let index = state.wave
            let wave = state.plan.waves[index]
            let limit = state.plan.budget.limit(waveSize: wave.count)
            let done = wave.filter { state.chargers[$0]?.isDone == true }.count
            observer(.waveStarted(index: index, count: state.plan.waves.count, size: wave.count, alreadyDone: done))
            let todo = wave.filter { state.chargers[$0]?.isDone != true }
            await withTaskGroup(of: Void.self) { group in
                var next = 0
                var running = 0
                while true {
                    while running < options.concurrency, next < todo.count, failures(in: index) <= limit {
                        let id = todo[next]
                        next += 1
                        running += 1
                        group.addTask { await self.update(id) }
                    }
                    guard running > 0, await group.next() != nil else { break }
                    running -= 1
                }
            }
            if let failure = writeFailure { throw failure }
            let failed = failures(in: index)
            if failed > limit {
                let halt = RolloutState.Halt(wave: index, failures: failed, limit: limit, at: Date())
                state.halted = halt
                try await commit(.last)
                observer(.halted(halt))
                return state
            }
            observer(.waveFinished(index: index, succeeded: wave.count - failed, failed: failed))
            state.wave = index + 1
            try await commit(.snapshot)
        }
        state.finished = true
        try await commit(.last)
        return state
    }

    private func failures(in wave: Int) -> Int { failed[wave] }

    // MARK: One charger

    private func update(_ id: String) async {
        guard let planned = state.plan.chargers[id], var charger = state.chargers[id] else { return }
        let resumedRunning = charger.phase == .running
        if charger.phase == .pending {
            charger.phase = .requesting
            charger.idempotencyKey = "rollout-\(state.rolloutId)-\(id)"
            charger.requestedAt = Date()
            state.chargers[id] = charger
            markDirty(id)
            // On disk before the request leaves: a crash after this point repeats the same key.
            do { try await commit() } catch { return }
        }
        var tracker = FirmwareTracker(chargerId: id, targetVersion: planned.targetVersion, requestId: charger.requestId)
        if charger.phase == .requesting {
            held[id] = []
            guard let job = await request(id, planned: planned, key: charger.idempotencyKey ?? "rollout-\(state.rolloutId)-\(id)") else {
                held[id] = nil
                return
            }
            charger = state.chargers[id] ?? charger
            charger.phase = .running
            charger.updateId = job.id
            charger.requestId = job.requestId
            if let step = tracker.answered(job) { report(id, step) }
            for event in held.removeValue(forKey: id) ?? [] {
                if let step = tracker.apply(event) { report(id, step) }
            }
            charger.steps = tracker.steps
            state.chargers[id] = charger
            trackers[id] = tracker
            markDirty(id)
        } else if resumedRunning, let updateId = charger.updateId {
            // Resumed: what happened while nobody watched is in the backend's record.
            tracker = FirmwareTracker(chargerId: id, targetVersion: planned.targetVersion, requestId: charger.requestId)
            trackers[id] = tracker
            if let job = try? await client.firmwareUpdate(updateId), var current = trackers[id] {
                if let step = current.adopt(job) { report(id, step) }
                trackers[id] = current
            }
        }
        if trackers[id]?.outcome == nil {
            let timeout = options.updateTimeout
            let timer = Task { [weak self] in
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                await self?.expire(id, after: timeout)
            }
            await withCheckedContinuation { continuation in
                if trackers[id]?.outcome != nil {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
            timer.cancel()
        }
        finish(id)
        try? await commit()
    }

    /// Sends the update request (again, with the same key, after a crash). Nil when it
    /// failed; the charger is then marked failed.
    private func request(_ id: String, planned: RolloutPlan.Planned, key: String) async -> FirmwareUpdate? {
        let body = state.plan.options.request(planned.firmwareId)
        var attempts = 0
        while true {
            attempts += 1
            let result = await Result(awaiting: { () async throws(BackendError) -> FirmwareUpdate in
                try await client.startFirmwareUpdate(id, body, idempotencyKey: key)
            })
            switch result {
            case .success(let job):
                return job
            case .failure(let error):
                // 409 for the key itself: the first request is still being processed (the
                // process died while it was); wait for it to finish and ask again.
                if error.status == 409, error.problem?.effectiveType == .conflict, attempts < 30 {
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                fail(id, status: error.problem?.effectiveType == .chargerOffline ? "Offline" : "RequestFailed",
                     reason: "the update request failed: \(error)")
                return nil
            }
        }
    }

    private func fail(_ id: String, status: String, reason: String) {
        guard var charger = state.chargers[id], !charger.isDone else { return }
        charger.phase = .failed
        failed[charger.wave] += 1
        charger.failedStatus = status
        charger.reason = reason
        charger.finishedAt = Date()
        state.chargers[id] = charger
        markDirty(id)
        observer(.chargerFinished(charger: id, charger, waveIndex: charger.wave))
    }

    private func finish(_ id: String) {
        guard var charger = state.chargers[id], !charger.isDone, let tracker = trackers.removeValue(forKey: id) else { return }
        charger.steps = tracker.steps
        charger.finishedAt = Date()
        switch tracker.outcome {
        case .succeeded?:
            charger.phase = .succeeded
        case .failed(let status, let reason)?:
            charger.phase = .failed
            failed[charger.wave] += 1
            charger.failedStatus = status
            charger.reason = reason
        case nil:
            return
        }
        state.chargers[id] = charger
        markDirty(id)
        observer(.chargerFinished(charger: id, charger, waveIndex: charger.wave))
    }

    private func report(_ id: String, _ step: FirmwareStep) {
        observer(.step(charger: id, step))
    }

    /// An event of the fleet-wide feed: to the charger's tracker, or held until its job is known.
    private func observe(_ event: Event) {
        let id = event.chargerId
        if held[id] != nil {
            held[id]?.append(event)
            return
        }
        guard var tracker = trackers[id] else { return }
        guard let step = tracker.apply(event) else { return }
        trackers[id] = tracker
        state.chargers[id]?.steps = tracker.steps
        markDirty(id)
        report(id, step)
        if tracker.outcome != nil { waiters.removeValue(forKey: id)?.resume() }
    }

    /// Reads the job of every charger being followed and takes the finished ones' outcome.
    private func resyncRunning() async {
        for (id, _) in trackers {
            guard let updateId = state.chargers[id]?.updateId, let job = try? await client.firmwareUpdate(updateId),
                  var tracker = trackers[id] else { continue }
            if let step = tracker.adopt(job) { report(id, step) }
            trackers[id] = tracker
            if tracker.outcome != nil { waiters.removeValue(forKey: id)?.resume() }
        }
    }

    /// The charger's time ran out: the backend's record decides, else it timed out.
    private func expire(_ id: String, after timeout: Duration) async {
        guard var tracker = trackers[id], tracker.outcome == nil else { return }
        if let updateId = state.chargers[id]?.updateId, let job = try? await client.firmwareUpdate(updateId) {
            tracker = trackers[id] ?? tracker
            if let step = tracker.adopt(job) { report(id, step) }
        }
        if tracker.outcome == nil { tracker.timedOut(after: Double(timeout.components.seconds)) }
        trackers[id] = tracker
        waiters.removeValue(forKey: id)?.resume()
    }

    // MARK: Group commit

    enum Snapshot: Comparable {
        /// The whole state, under a new journal.
        case snapshot
        /// The whole state, final: the journal is removed.
        case last
    }

    /// Returns once a write that includes every transition so far is on disk; with
    /// `snapshot`, once the whole state has been written (and its journal restarted).
    private func commit(_ snapshot: Snapshot? = nil) async throws {
        if let snapshot {
            snapshotWanted = max(snapshotWanted ?? snapshot, snapshot)
            markDirty(nil)
        }
        let wanted = version
        if let writeFailure { throw writeFailure }
        try await withCheckedThrowingContinuation { continuation in
            if written >= wanted {
                continuation.resume()
            } else {
                commitWaiters.append((wanted, continuation))
            }
        }
    }

    /// Records a transition of one charger (or, with nil, of the rollout's own fields); a
    /// write covering it starts now or right after the one running.
    private func markDirty(_ id: String?) {
        if let id { dirtyChargers.insert(id) } else { dirtyRollout = true }
        version += 1
        state.updatedAt = Date()
        guard !writing else { return }
        writing = true
        Task { await self.writeLoop() }
    }

    private func writeLoop() async {
        while written < version, writeFailure == nil {
            let target = version
            let at = state.updatedAt
            let work: Work
            if let snapshot = snapshotWanted {
                work = .snapshot(state, last: snapshot == .last)
            } else {
                var entries = dirtyChargers.map { RolloutJournal.Entry(charger: $0, record: state.chargers[$0], at: at) }
                if dirtyRollout {
                    entries.append(RolloutJournal.Entry(wave: state.wave, halted: state.halted, finished: state.finished, at: at))
                }
                work = .append(entries)
            }
            snapshotWanted = nil
            dirtyChargers.removeAll(keepingCapacity: true)
            dirtyRollout = false
            do {
                try await Self.write(work, with: writer)
                written = target
            } catch {
                writeFailure = error
            }
            var pending: [(version: Int, continuation: CheckedContinuation<Void, any Error>)] = []
            for waiter in commitWaiters {
                if let writeFailure {
                    waiter.continuation.resume(throwing: writeFailure)
                } else if waiter.version <= written {
                    waiter.continuation.resume()
                } else {
                    pending.append(waiter)
                }
            }
            commitWaiters = pending
        }
        writing = false
    }

    private enum Work: Sendable {
        case snapshot(RolloutState, last: Bool)
        case append([RolloutJournal.Entry])
    }

    private static let writeQueue = DispatchQueue(label: "chargekit.rollout-state")

    /// Encodes and writes off the actor, so events keep flowing during the sync, and off the
    /// cooperative pool, so no thread of it waits for the disk.
    private nonisolated static func write(_ work: Work, with writer: RolloutStateWriter) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            writeQueue.async {
                do {
                    switch work {
                    case .snapshot(let state, let last): try writer.snapshot(state, last: last)
                    case .append(let entries): try writer.append(entries)
                    }
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
