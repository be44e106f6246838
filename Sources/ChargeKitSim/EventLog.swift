import Foundation
import JSON
import OCPP
import Synchronization

/// One CALL a charger sent to the CSMS.
public struct ChargerEvent: Sendable, Hashable {
    /// 1, 2, 3… in arrival order, across all chargers.
    public var seq: UInt64
    public var chargerId: String
    /// The OCPP action: BootNotification, StatusNotification, MeterValues…
    public var type: String
    /// Sim time the CSMS received it.
    public var receivedAt: Date
    /// The charger's own timestamp from the payload (`timestamp`, or the first meter value's),
    /// when it has one: the difference to `receivedAt` is the charger's clock drift.
    public var chargerTime: Date?
    /// The CALL's payload as compact JSON text. The ring keeps text, not `JSONValue` trees:
    /// 200,000 MeterValues as trees would take hundreds of MB.
    public var payloadText: String

    /// The payload, parsed from `payloadText`.
    public var payload: JSONValue { (try? JSONValue(parsing: payloadText)) ?? .null }

    public init(seq: UInt64, chargerId: String, type: String, receivedAt: Date, chargerTime: Date?, payloadText: String) {
        self.seq = seq; self.chargerId = chargerId; self.type = type; self.receivedAt = receivedAt
        self.chargerTime = chargerTime; self.payloadText = payloadText
    }
}

/// A page of the event log and where to continue from.
public struct EventPage: Sendable, Hashable {
    public var events: [ChargerEvent]
    /// Pass as `after` to continue: the seq of the last event looked at (matching or not).
    public var cursor: UInt64
    /// True when events after the requested cursor had already been dropped from the ring.
    public var truncated: Bool
}

/// The last N events the chargers sent, with a long-poll wait.
///
/// A waiter registers its filter and suspends; `append` resumes exactly the waiters the new
/// event matches. No polling loop, one waiter per request however many chargers it watches.
public final class EventLog: Sendable {
    public let capacity: Int

    private struct Waiter {
        var after: UInt64
        var chargers: Set<String>?
        var types: Set<String>?
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var ring: [ChargerEvent] = []
        /// Seq of the next event appended.
        var nextSeq: UInt64 = 1
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiterId: UInt64 = 1
        /// Waiters woken (timeout, cancellation) before they had registered.
        var wokenEarly: Set<UInt64> = []
        var closed = false

        var firstSeq: UInt64 { nextSeq - UInt64(ring.count) }
    }

    private let state = Mutex(State())

    public init(capacity: Int = 200_000) {
        self.capacity = max(1, capacity)
    }

    /// Seq of the newest event (0 when empty): pass as `after` to wait for what comes next.
    public var latestSeq: UInt64 { state.withLock { $0.nextSeq - 1 } }

    public var count: Int { state.withLock { $0.ring.count } }

    /// Seq of the oldest event still kept (`latestSeq + 1` when empty): a cursor below
    /// `oldestSeq - 1` has lost events.
    public var oldestSeq: UInt64 { state.withLock { $0.firstSeq } }

    func append(chargerId: String, type: String, receivedAt: Date, chargerTime: Date?, payload: JSONValue) {
        let text = payload.jsonText
        let toResume: [CheckedContinuation<Void, Never>] = state.withLock { s in
            let event = ChargerEvent(seq: s.nextSeq, chargerId: chargerId, type: type, receivedAt: receivedAt,
                                     chargerTime: chargerTime, payloadText: text)
            if s.ring.count < capacity {
                s.ring.append(event)
            } else {
                s.ring[Int((s.nextSeq - 1) % UInt64(capacity))] = event
            }
            s.nextSeq += 1
            guard !s.waiters.isEmpty else { return [] }
            var resumed: [CheckedContinuation<Void, Never>] = []
            for (id, w) in s.waiters where event.seq > w.after && Self.matches(event, w.chargers, w.types) {
                resumed.append(w.continuation)
                s.waiters[id] = nil
            }
            return resumed
        }
        for c in toResume { c.resume() }
    }

    private static func matches(_ e: ChargerEvent, _ chargers: Set<String>?, _ types: Set<String>?) -> Bool {
        (chargers.map { $0.contains(e.chargerId) } ?? true) && (types.map { $0.contains(e.type) } ?? true)
    }

    private func event(at seq: UInt64, _ s: State) -> ChargerEvent {
        if s.ring.count < capacity { return s.ring[Int(seq - 1)] }
        return s.ring[Int((seq - 1) % UInt64(capacity))]
    }

    private func scan(_ s: State, after: UInt64?, chargers: Set<String>?, types: Set<String>?, limit: Int) -> EventPage {
        let requestedStart = (after ?? 0) + 1
        let start = max(requestedStart, s.firstSeq)
        let truncated = after != nil && requestedStart < s.firstSeq
        var out: [ChargerEvent] = []
        var cursor = max(after ?? 0, start - 1)
        var seq = start
        let limit = max(1, limit)
        while seq < s.nextSeq {
            let e = event(at: seq, s)
            cursor = seq
            if Self.matches(e, chargers, types) {
                out.append(e)
                if out.count == limit { break }
            }
            seq += 1
        }
        return EventPage(events: out, cursor: cursor, truncated: truncated)
    }

    /// Events after `after` (nil: from the oldest kept), of the given chargers and types (nil:
    /// all), at most `limit`. If none match it waits up to `wait` (real time) for one to
    /// arrive, then answers; it returns at once when cancelled.
    public func events(after: UInt64? = nil, chargers: Set<String>? = nil, types: Set<String>? = nil,
                       limit: Int = 1000, wait: Duration = .zero) async -> EventPage {
        let first = state.withLock { scan($0, after: after, chargers: chargers, types: types, limit: limit) }
        guard first.events.isEmpty, wait > .zero, !Task.isCancelled else { return first }
        let cursor = first.cursor
        let waiterId = state.withLock { s -> UInt64 in
            let id = s.nextWaiterId
            s.nextWaiterId += 1
            return id
        }
        let timeout = Task.detached { [weak self] in
            do {
                try await Task.sleep(for: wait)
                self?.wake(waiterId)
            } catch {
                // Cancelled: the wait ended some other way.
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.wokenEarly.remove(waiterId) != nil || s.closed || Task.isCancelled { return true }
                    // An event may have arrived between the scan and now.
                    var seq = max(cursor + 1, s.firstSeq)
                    while seq < s.nextSeq {
                        if Self.matches(event(at: seq, s), chargers, types) { return true }
                        seq += 1
                    }
                    s.waiters[waiterId] = Waiter(after: cursor, chargers: chargers, types: types, continuation: c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            self.wake(waiterId)
        }
        timeout.cancel()
        let page = state.withLock { s in
            s.wokenEarly.remove(waiterId)
            return scan(s, after: cursor, chargers: chargers, types: types, limit: limit)
        }
        return EventPage(events: page.events, cursor: page.cursor, truncated: first.truncated || page.truncated)
    }

    private func wake(_ waiterId: UInt64) {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiters.removeValue(forKey: waiterId) { return w.continuation }
            s.wokenEarly.insert(waiterId)
            return nil
        }
        c?.resume()
    }

    /// Wakes every waiter; later waits return at once.
    func close() {
        let all = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.closed = true
            let all = s.waiters.values.map(\.continuation)
            s.waiters = [:]
            return all
        }
        for c in all { c.resume() }
    }
}
