import BackendAPI
import Foundation
import JSON

/// Sends one kind of outbox entry. Add a kind by writing a sender and listing it in
/// `OutboxSync.standardSenders`; `ChargerPatchSender` is a kind sent in one request,
/// `InspectionReportSender` one sent in steps.
///
/// A sender that sends in steps saves how far it got with `progress.save(_:)` after each
/// step and reads it back from `entry.progress`, so a push that was cut short resumes. It
/// sends `entry.idempotencyKey` on every creating request (derive per-step keys from it),
/// so a step repeated after a lost answer is a replay. It throws `BackendError` for what the
/// backend said; any other error means the entry itself cannot be sent.
public protocol OutboxSender: Sendable {
    var kind: String { get }
    func send(_ entry: OutboxEntry, client: BackendClient, progress: OutboxProgress) async throws -> OutboxReceipt
}

/// What the backend confirmed for a delivered entry.
public struct OutboxReceipt: Sendable, Equatable, Encodable {
    /// The backend's id of what was recorded.
    public var id: String?
    public var receivedAt: Date?

    public init(id: String? = nil, receivedAt: Date? = nil) {
        self.id = id
        self.receivedAt = receivedAt
    }
}

/// Lets a sender record finished steps of the entry it is sending.
public struct OutboxProgress: Sendable {
    let write: @Sendable (JSONValue) throws -> Void

    public init(write: @escaping @Sendable (JSONValue) throws -> Void) {
        self.write = write
    }

    /// Stores `state` in the entry's file (atomically) before the next step starts.
    public func save(_ state: JSONValue) throws {
        try write(state)
    }
}

/// What one push did.
public struct OutboxPushReport: Sendable, Encodable {
    public struct Sent: Sendable, Encodable, Equatable {
        public var id: String
        public var kind: String
        public var summary: String
        public var chargerId: String?
        public var receipt: OutboxReceipt
    }

    /// Why an entry is still in the outbox.
    public enum Reason: String, Sendable, Encodable {
        /// The backend could not be reached, or kept failing: it is sent later.
        case unreachable
        /// The token was refused (401) or may not do this (403).
        case notPermitted
        /// The backend refused the entry (4xx) or answered nonsense: it stays for a person to look at.
        case rejected
        /// No sender for its kind in this chargekit, or its payload cannot be read.
        case unsendable
        /// Not tried: the push stopped before it (backend unreachable, token refused).
        case notTried
    }

    public struct Queued: Sendable, Encodable, Equatable {
        public var id: String
        public var kind: String
        public var summary: String
        public var chargerId: String?
        public var attempts: Int
        public var reason: Reason
        public var message: String?

        public init(id: String, kind: String, summary: String, chargerId: String?, attempts: Int, reason: Reason, message: String?) {
            self.id = id
            self.kind = kind
            self.summary = summary
            self.chargerId = chargerId
            self.attempts = attempts
            self.reason = reason
            self.message = message
        }
    }

    public var sent: [Sent] = []
    public var queued: [Queued] = []
    /// Files in the outbox directory that are not readable entries (kept, never deleted).
    public var damaged: [String] = []
    /// Another chargekit process was pushing: nothing was tried.
    public var busy = false
    /// The error that ended the push early (unreachable backend, refused token).
    public var stoppedBy: BackendError?

    public init() {}

    private enum CodingKeys: String, CodingKey { case sent, queued, damaged, busy, stoppedBy }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sent, forKey: .sent)
        try container.encode(queued, forKey: .queued)
        try container.encode(damaged, forKey: .damaged)
        try container.encode(busy, forKey: .busy)
        try container.encode(stoppedBy.map(\.description), forKey: .stoppedBy)
    }

    /// Nothing stayed behind.
    public var isEmpty: Bool { queued.isEmpty && damaged.isEmpty && !busy }
}

/// Pushes the outbox: each entry through its kind's sender, oldest first, each at most once
/// at the backend. An entry leaves the outbox only after its sender returned, that is after
/// the backend confirmed it; if the process dies before that, the next push sends it again
/// with the same idempotency key and the backend answers with the record it already has.
public struct OutboxSync: Sendable {
    /// Every kind this chargekit sends.
    public static let standardSenders: [any OutboxSender] = [QARunSender(), InspectionReportSender(), ChargerPatchSender()]

    public let outbox: Outbox
    private let senders: [String: any OutboxSender]

    public init(outbox: Outbox, senders: [any OutboxSender] = OutboxSync.standardSenders) {
        self.outbox = outbox
        self.senders = Dictionary(senders.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Sends what waits. `wait` is how long to wait for another process's push to finish
    /// (zero: report `busy` at once). `only`, when given, limits the push to those entry ids.
    /// `concurrency` entries are sent at once (each is independent; a fleet's records need
    /// not queue behind one another); after an unreachable backend no further entry starts.
    public func push(client: BackendClient, wait: Duration = .zero, only: Set<String>? = nil,
                     concurrency: Int = 1) async throws(Outbox.Error) -> OutboxPushReport {
        var report = OutboxPushReport()
        // No directory is an empty outbox, and no reason to create one for the lock.
        guard FileManager.default.fileExists(atPath: outbox.directory) else { return report }
        // The entries are read once, under the lock (reading every file is most of what
        // a push costs besides the sending); only when another process holds it are they
        // read first, to tell an empty outbox from a busy one.
        var held = try await outbox.lock(wait: .zero)
        if held == nil {
            let listing = outbox.entries()
            let pending = listing.entries.filter { only?.contains($0.id) ?? true }
            guard !pending.isEmpty else {
                report.damaged = listing.damaged.map(\.description)
                return report
            }
            held = try await outbox.lock(wait: wait)
            guard held != nil else {
                report.damaged = listing.damaged.map(\.description)
                report.busy = true
                report.queued = pending.map { Self.queued($0, .notTried, "another chargekit process is sending the outbox") }
                return report
            }
        }
        guard let lock = held else { return report }
        defer { lock.release() }
        let listing = outbox.entries()
        report.damaged = listing.damaged.map(\.description)
        let current = listing.entries.filter { only?.contains($0.id) ?? true }
        guard !current.isEmpty else { return report }
        var outcomes = [Outcome?](repeating: nil, count: current.count)
        var failure: Outbox.Error?
        await withTaskGroup(of: (Int, Outcome).self) { group in
            var next = 0
            var stop: BackendError?
            func startNext() {
                guard next < current.count, stop == nil, failure == nil else { return }
                let index = next
                next += 1
                group.addTask { (index, await self.send(current[index], client: client)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                switch outcome {
                case .queued(_, let stopping?): stop = stop ?? stopping
                case .local(let error): failure = failure ?? error
                default: break
                }
                startNext()
            }
            report.stoppedBy = stop
        }
        if let failure { throw failure }
        for (entry, outcome) in zip(current, outcomes) {
            switch outcome {
            case .sent(let sent)?: report.sent.append(sent)
            case .queued(let queued, _)?: report.queued.append(queued)
            case .local?, nil:
                report.queued.append(Self.queued(entry, .notTried, report.stoppedBy.map { "not tried: \($0)" } ?? "not tried"))
            }
        }
        return report
    }

    private enum Outcome: Sendable {
        case sent(OutboxPushReport.Sent)
        case queued(OutboxPushReport.Queued, stops: BackendError?)
        case local(Outbox.Error)
    }

    /// One entry through its sender; it leaves the outbox only once the sender returned.
    private func send(_ original: OutboxEntry, client: BackendClient) async -> Outcome {
        var entry = original
        guard let sender = senders[entry.kind] else {
            return .queued(Self.queued(entry, .unsendable, "this chargekit has no sender for '\(entry.kind)' entries"), stops: nil)
        }
        entry.attempts += 1
        entry.lastAttemptAt = Date()
        do {
            try await outbox.save(grouped: entry)
        } catch {
            return .local(error)
        }
        let outbox = self.outbox
        let snapshot = entry
        let progress = OutboxProgress { state in
            var updated = snapshot
            updated.progress = state
            try outbox.save(updated)
        }
        do {
            let receipt = try await sender.send(entry, client: client, progress: progress)
            do {
                try await outbox.remove(grouped: entry)
            } catch {
                return .local(error)
            }
            return .sent(.init(id: entry.id, kind: entry.kind, summary: entry.summary, chargerId: entry.chargerId, receipt: receipt))
        } catch let error as Outbox.Error {
            return .local(error)
        } catch {
            let (reason, stops) = Self.classify(error)
            // Keep what the sender saved as progress; record only how this attempt ended.
            var latest = outbox.entry(entry.id) ?? entry
            latest.lastError = "\(error)"
            try? outbox.save(latest)
            return .queued(Self.queued(latest, reason, "\(error)"), stops: stops ? error as? BackendError : nil)
        }
    }

    private static func queued(_ entry: OutboxEntry, _ reason: OutboxPushReport.Reason, _ message: String?) -> OutboxPushReport.Queued {
        .init(id: entry.id, kind: entry.kind, summary: entry.summary, chargerId: entry.chargerId, attempts: entry.attempts,
              reason: reason, message: message)
    }

    /// How a failed send leaves the entry, and whether the rest of the push is pointless.
    static func classify(_ error: any Error) -> (OutboxPushReport.Reason, stops: Bool) {
        guard let error = error as? BackendError else { return (.unsendable, false) }
        switch error {
        case .unreachable, .transfer, .retriesExhausted, .cancelled:
            return (.unreachable, true)
        case .unauthorized:
            return (.notPermitted, true)
        case .forbidden:
            return (.notPermitted, false)
        case .notFound, .protocolViolation:
            return (.rejected, false)
        case .problem(let status, _):
            // 409: a request with this key is still in flight at the backend; 5xx and 429
            // that outlasted the retries: all worth another push later.
            if status == 409 || status == 429 || status >= 500 { return (.unreachable, status >= 500) }
            return (.rejected, false)
        }
    }
}
