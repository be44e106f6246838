import BackendAPI
import Foundation

/// Waits for what chargers send, through one long poll of the backend's events feed however
/// many chargers and waiters there are: never a request per charger, never a busy poll.
///
/// Start it before triggering what you wait for (a reset, a remote start, a firmware update):
/// `start()` pins the feed's current end, so the answer cannot slip past between the action
/// and the wait.
public actor EventWatcher {
    public struct Options: Sendable {
        /// Only these chargers (empty: every charger the token reaches).
        public var chargers: [String]
        /// Only these OCPP actions (empty: all).
        public var types: [String]
        public var site: String?
        /// Seconds each long poll may wait at the backend.
        public var pollWait: Int
        public var batchLimit: Int
        /// Events kept per charger for waiters that arrive late.
        public var keepPerCharger: Int

        public init(chargers: [String] = [], types: [String] = [], site: String? = nil, pollWait: Int = 25,
                    batchLimit: Int = 1000, keepPerCharger: Int = 256) {
            self.chargers = chargers
            self.types = types
            self.site = site
            self.pollWait = pollWait
            self.batchLimit = batchLimit
            self.keepPerCharger = keepPerCharger
        }
    }

    public enum WaitError: Error, Sendable, CustomStringConvertible {
        case timedOut(charger: String, after: Duration)
        case feedFailed(BackendError)
        case stopped

        public var description: String {
            switch self {
            case .timedOut(let charger, let after): "no matching event from \(charger) within \(after)"
            case .feedFailed(let error): "the events feed failed: \(error)"
            case .stopped: "stopped waiting for events"
            }
        }
    }

    private struct Waiter {
        let charger: String
        let afterSeq: Int64
        let predicate: @Sendable (Event) -> Bool
        let continuation: CheckedContinuation<Event, any Error>
    }

    private let client: BackendClient
    private let options: Options
    private var cursor: String?
    private var recent: [String: [Event]] = [:]
    private var waiters: [UUID: Waiter] = [:]
    private var streams: [UUID: AsyncStream<Event>.Continuation] = [:]
    private var poller: Task<Void, Never>?
    private var failure: WaitError?
    /// The seq of the newest event seen: a marker for "after now".
    public private(set) var lastSeq: Int64 = 0
    /// How often the feed's retention was outrun and events may have been missed; a caller
    /// that cares re-reads the state it was waiting for.
    public private(set) var gaps = 0

    public init(client: BackendClient, options: Options = Options()) {
        self.client = client
        self.options = options
    }

    /// Pins the current end of the feed and starts the long poll.
    public func start() async throws(BackendError) {
        guard poller == nil else { return }
        let first = try await client.events(query(after: BackendAPI.EventFeed.latest, wait: 0))
        cursor = first.cursor
        deliver(first.events)
        poller = Task { [weak self] in await self?.poll() }
    }

    /// Ends the long poll; pending waits fail with `stopped`.
    public func stop() {
        poller?.cancel()
        poller = nil
        fail(with: .stopped)
    }

    /// The first event of `charger` newer than `afterSeq` that `predicate` accepts, from the
    /// events seen since `start()` or arriving within `timeout`.
    public func next(from charger: String, after afterSeq: Int64 = 0, timeout: Duration,
                     where predicate: @escaping @Sendable (Event) -> Bool) async throws -> Event {
        if let seen = recent[charger]?.first(where: { $0.seq > afterSeq && predicate($0) }) { return seen }
        if let failure { throw failure }
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.expire(id, charger: charger, after: timeout)
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters[id] = Waiter(charger: charger, afterSeq: afterSeq, predicate: predicate, continuation: continuation)
                // A cancellation that came before the waiter existed found nothing to cancel.
                if Task.isCancelled { cancelWaiter(id) }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Every event from now on, for one consumer (a live display, a fleet tracker).
    public func stream() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .unbounded)
        let id = UUID()
        streams[id] = continuation
        continuation.onTermination = { _ in Task { await self.removeStream(id) } }
        return stream
    }

    // MARK: - The long poll

    private func poll() async {
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                let batch = try await client.events(query(after: cursor, wait: options.pollWait))
                cursor = batch.cursor
                deliver(batch.events)
                delay = .milliseconds(250)
            } catch {
                if case .cancelled = error { return }
                if case .problem(410, let problem) = error {
                    // Retention outran us: resume at the oldest event still kept.
                    gaps += 1
                    cursor = problem.oldestCursor ?? BackendAPI.EventFeed.latest
                    continue
                }
                switch error {
                case .unauthorized, .forbidden, .notFound, .protocolViolation:
                    fail(with: .feedFailed(error))
                    return
                default:
                    // Lost signal, a restarting backend: keep trying while anyone waits.
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        }
    }

    private func query(after: String?, wait: Int) -> EventQuery {
        EventQuery(chargers: options.chargers, types: options.types, site: options.site, after: after,
                   wait: wait, limit: options.batchLimit)
    }

    private func deliver(_ events: [Event]) {
        for event in events {
            lastSeq = max(lastSeq, event.seq)
            var kept = recent[event.chargerId, default: []]
            kept.append(event)
            if kept.count > options.keepPerCharger { kept.removeFirst(kept.count - options.keepPerCharger) }
            recent[event.chargerId] = kept
            for continuation in streams.values { continuation.yield(event) }
            for (id, waiter) in waiters where waiter.charger == event.chargerId && event.seq > waiter.afterSeq
                && waiter.predicate(event) {
                waiters[id] = nil
                waiter.continuation.resume(returning: event)
            }
        }
    }

    private func expire(_ id: UUID, charger: String, after: Duration) {
        waiters.removeValue(forKey: id)?.continuation.resume(throwing: WaitError.timedOut(charger: charger, after: after))
    }

    private func cancelWaiter(_ id: UUID) {
        waiters.removeValue(forKey: id)?.continuation.resume(throwing: CancellationError())
    }

    private func removeStream(_ id: UUID) {
        streams[id] = nil
    }

    private func fail(with error: WaitError) {
        failure = error
        let pending = waiters.values
        waiters.removeAll()
        for waiter in pending { waiter.continuation.resume(throwing: error) }
        for continuation in streams.values { continuation.finish() }
        streams.removeAll()
    }
}
