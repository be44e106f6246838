import BackendAPI

/// Outbox kind `qa-run`: a finished QA run, sent with `POST /v1/qa-runs`.
public struct QARunSender: OutboxSender {
    public static let kind = "qa-run"
    public var kind: String { Self.kind }

    public init() {}

    public func send(_ entry: OutboxEntry, client: BackendClient, progress: OutboxProgress) async throws -> OutboxReceipt {
        let run = try entry.payload(as: QARun.self)
        let receipt = try await client.createQARun(run, idempotencyKey: entry.idempotencyKey)
        return OutboxReceipt(id: receipt.id, receivedAt: receipt.receivedAt)
    }
}

extension Outbox {
    /// Puts a finished run in the outbox, to be recorded at the backend by the next push.
    @discardableResult
    public func enqueue(_ run: QARun) throws(Error) -> OutboxEntry {
        try enqueue(kind: QARunSender.kind, payload: run, summary: Self.summary(of: run), chargerId: run.chargerId,
                    createdAt: run.finishedAt)
    }

    /// `enqueue(_:)` committed with the other grouped writes in flight (a fleet run's).
    @discardableResult
    public func enqueue(grouped run: QARun) async throws(Error) -> OutboxEntry {
        try await enqueue(grouped: QARunSender.kind, payload: run, summary: Self.summary(of: run), chargerId: run.chargerId,
                          createdAt: run.finishedAt)
    }

    private static func summary(of run: QARun) -> String { "QA run of \(run.chargerId) (\(run.verdict.rawValue))" }
}
