import Foundation
import JSON
import OCPP
import Synchronization

/// Which way a frame crossed the wire.
public enum FrameDirection: String, Sendable, Hashable, Codable {
    case chargerToCSMS = "charger->csms"
    case csmsToCharger = "csms->charger"
}

/// One WebSocket text frame as it crossed the in-memory wire, for `--ocpp-log`.
public struct FrameLogEntry: Sendable, Hashable {
    /// Sim time at which it was sent.
    public var time: Date
    public var direction: FrameDirection
    public var chargerId: String
    /// The connection's OCPP version (its WebSocket subprotocol).
    public var ocppVersion: OCPPVersion
    /// The frame's JSON text, exactly as sent.
    public var frame: String

    /// One JSON line: `{"chargerId":…,"direction":…,"frame":"<the frame text>","protocol":"ocpp1.6","time":…}`.
    public var jsonLine: String {
        JSONValue.object([
            "time": .string(OCPPDateTime.format(time)),
            "direction": .string(direction.rawValue),
            "chargerId": .string(chargerId),
            "protocol": .string(ocppVersion.rawValue),
            "frame": .string(frame),
        ]).jsonText
    }
}

/// Receives every frame that crosses the wire, both directions, on whatever thread sent it.
/// It must be quick and thread-safe; the simulator does not wait for it.
public typealias FrameHook = @Sendable (FrameLogEntry) -> Void

/// Writes frame log entries as JSON lines to a file (what `--ocpp-log FILE` needs).
public final class JSONLinesFrameLog: Sendable {
    private let handle: Mutex<FileHandle?>

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = Mutex(try FileHandle(forWritingTo: URL(fileURLWithPath: path)))
    }

    public func write(_ entry: FrameLogEntry) {
        let line = Data((entry.jsonLine + "\n").utf8)
        handle.withLock { h in
            // A full disk loses log lines, never the simulation.
            try? h?.write(contentsOf: line)
        }
    }

    public var hook: FrameHook { { [self] entry in self.write(entry) } }

    public func close() {
        handle.withLock { h in
            try? h?.close()
            h = nil
        }
    }
}

/// What travels on the in-memory wire: a WebSocket connection opening (with its OCPP
/// subprotocol), a text frame, or the connection closing.
enum WireMessage: Sendable {
    case open(chargerId: String, index: Int, version: OCPPVersion)
    case text(chargerId: String, index: Int, String)
    case close(chargerId: String, index: Int)
}

/// A single-consumer queue that hands over everything pending at once, so a burst of frames
/// costs one actor hop, not one per frame. Order is kept, as on a WebSocket.
final class BatchQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var waiter: CheckedContinuation<[Element], Never>?
        var closed = false
    }
    private let state = Mutex(State())

    func push(_ item: Element) {
        let resume: (CheckedContinuation<[Element], Never>, [Element])? = state.withLock { s in
            guard !s.closed else { return nil }
            s.items.append(item)
            if let w = s.waiter {
                s.waiter = nil
                let batch = s.items
                s.items = []
                return (w, batch)
            }
            return nil
        }
        if let (w, batch) = resume { w.resume(returning: batch) }
    }

    /// Everything pending, waiting for at least one item; empty once closed.
    func next() async -> [Element] {
        await withCheckedContinuation { (c: CheckedContinuation<[Element], Never>) in
            let immediate: [Element]? = state.withLock { s in
                if !s.items.isEmpty {
                    let batch = s.items
                    s.items = []
                    return batch
                }
                if s.closed { return [] }
                s.waiter = c
                return nil
            }
            if let batch = immediate { c.resume(returning: batch) }
        }
    }

    func close() {
        let w: CheckedContinuation<[Element], Never>? = state.withLock { s in
            s.closed = true
            let w = s.waiter
            s.waiter = nil
            return w
        }
        w?.resume(returning: [])
    }
}

/// Holds what is pushed for a fixed real-time delay, then hands it on in the order pushed:
/// one direction of a network with that latency. Every item waits the same time, so the
/// queue is already in delivery order and one task delivers whatever is due.
final class DelayLine: Sendable {
    private struct State {
        var items: [(due: ContinuousClock.Instant, message: WireMessage)] = []
        var head = 0
        var delivering = false
        var closed = false
    }

    let delay: Duration
    private let target: BatchQueue<WireMessage>
    private let state = Mutex(State())

    init(delay: Duration, target: BatchQueue<WireMessage>) {
        self.delay = delay
        self.target = target
    }

    func push(_ message: WireMessage) {
        let start = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.items.append((ContinuousClock.now + delay, message))
            guard !s.delivering else { return false }
            s.delivering = true
            return true
        }
        if start { Task { await self.deliver() } }
    }

    private func deliver() async {
        while true {
            let now = ContinuousClock.now
            let (due, next) = state.withLock { s -> ([WireMessage], ContinuousClock.Instant?) in
                var due: [WireMessage] = []
                while s.head < s.items.count, s.items[s.head].due <= now {
                    due.append(s.items[s.head].message)
                    s.head += 1
                }
                if s.head > 1024, s.head * 2 > s.items.count {
                    s.items.removeFirst(s.head)
                    s.head = 0
                }
                let next = s.head < s.items.count ? s.items[s.head].due : nil
                if next == nil || s.closed { s.delivering = false }
                return (due, s.closed ? nil : next)
            }
            for message in due { target.push(message) }
            guard let next else { return }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    func close() {
        state.withLock { s in
            s.closed = true
            s.items = []
            s.head = 0
        }
    }
}

/// The in-memory stand-in for the WebSockets between the chargers and the CSMS: two ordered
/// queues and the frame hook, and with a latency, a delay line in front of each queue.
final class Wire: Sendable {
    let toCSMS = BatchQueue<WireMessage>()
    let toChargers = BatchQueue<WireMessage>()
    let clock: SimClock
    let hook: FrameHook?
    private let upLink: DelayLine?
    private let downLink: DelayLine?

    /// `latency` is the round trip in real seconds (not scaled by the sim's speed): each way
    /// takes half of it.
    init(clock: SimClock, hook: FrameHook?, latency: Double = 0) {
        self.clock = clock
        self.hook = hook
        if latency > 0 {
            let oneWay = Duration.nanoseconds(Int64(latency / 2 * 1e9))
            upLink = DelayLine(delay: oneWay, target: toCSMS)
            downLink = DelayLine(delay: oneWay, target: toChargers)
        } else {
            upLink = nil
            downLink = nil
        }
    }

    private func up(_ message: WireMessage) {
        if let upLink { upLink.push(message) } else { toCSMS.push(message) }
    }

    private func down(_ message: WireMessage) {
        if let downLink { downLink.push(message) } else { toChargers.push(message) }
    }

    func chargerOpened(_ id: String, index: Int, version: OCPPVersion) {
        up(.open(chargerId: id, index: index, version: version))
    }

    func chargerClosed(_ id: String, index: Int) {
        up(.close(chargerId: id, index: index))
    }

    func chargerSends(_ id: String, index: Int, version: OCPPVersion, _ text: String) {
        hook?(FrameLogEntry(time: clock.now, direction: .chargerToCSMS, chargerId: id, ocppVersion: version, frame: text))
        up(.text(chargerId: id, index: index, text))
    }

    func csmsSends(_ id: String, index: Int, version: OCPPVersion, _ text: String) {
        hook?(FrameLogEntry(time: clock.now, direction: .csmsToCharger, chargerId: id, ocppVersion: version, frame: text))
        down(.text(chargerId: id, index: index, text))
    }

    func close() {
        upLink?.close()
        downLink?.close()
        toCSMS.close()
        toChargers.close()
    }
}
