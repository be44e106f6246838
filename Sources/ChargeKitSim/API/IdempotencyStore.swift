import BackendAPI
import DurableFiles
import Foundation
import HTTPServerKit

/// What a remembered request produced: the resource it created (a creating operation
/// replays the resource as it is now) or the answer itself (the command relay replays it
/// verbatim).
enum IdempotentOutcome: Codable, Sendable, Equatable {
    case resource(String)
    case answer(status: Int, body: Data)
}

/// Idempotency-Key records, per user and operation, for at least 24 hours.
///
/// `begin` claims a key: a new key is marked in flight and the request proceeds; the same
/// key with the same body replays; with another body it is reuse (422); a key still in
/// flight is 409. `finish` remembers the outcome, `abandon` forgets a failed request (errors
/// are not remembered, so the client may retry with the same key).
actor IdempotencyStore {
    enum Claim: Equatable {
        case proceed
        case replay(IdempotentOutcome)
    }

    struct Record: Codable, Sendable {
        var scope: String
        var key: String
        var bodyDigest: String
        var at: Date
        var outcome: IdempotentOutcome?
    }

    private var records: [String: Record] = [:]
    private let state: StateDirectory
    private let retention: TimeInterval
    /// One record per line, appended as each request finishes; rewritten at start.
    private static let file = "idempotency.jsonl"
    /// The whole store as one JSON array, as earlier simulators wrote it; read once, then removed.
    private static let legacyFile = "idempotency.json"
    private let log: GroupCommitLog?

    init(state: StateDirectory, retention: TimeInterval = 48 * 3600) {
        self.state = state
        self.retention = retention
        var stored = (try? state.read([Record].self, from: Self.legacyFile)) ?? []
        if let data = FileManager.default.contents(atPath: state.path(Self.file)) {
            let decoder = JSONCoding.makeDecoder()
            // A line cut short by a crash was never acknowledged: skip what does not decode.
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let record = try? decoder.decode(Record.self, from: Data(line)) { stored.append(record) }
            }
        }
        let now = Date()
        for record in stored where record.outcome != nil && now.timeIntervalSince(record.at) < retention {
            records[Self.id(record.scope, record.key)] = record
        }
        log = Self.openLog(state, records.values)
    }

    /// Rewrites the log with what is kept and opens it for appending; nil for a temporary
    /// state directory, which dies with the process (syncing every record would only make
    /// each request slower).
    private static func openLog(_ state: StateDirectory, _ kept: some Collection<Record>) -> GroupCommitLog? {
        guard state.persistent else { return nil }
        let path = state.path(file)
        var bytes: [UInt8] = []
        for record in kept.sorted(by: { ($0.at, $0.scope, $0.key) < ($1.at, $1.scope, $1.key) }) {
            bytes += (try? line(record)) ?? []
        }
        do {
            try AtomicFile.write(bytes, to: path)
            state.remove(legacyFile)
            return GroupCommitLog(file: try AppendFile(path: path))
        } catch {
            // Losing the file loses replays across a restart, never data.
            return nil
        }
    }

    private static func line(_ record: Record) throws -> [UInt8] {
        [UInt8](try JSONCoding.write(record)) + [UInt8(ascii: "\n")]
    }

    private static func id(_ scope: String, _ key: String) -> String { scope + "\n" + key }

    /// The scope of a key: the user and the operation.
    static func scope(user: SimUser, operation: APIOperation) -> String { user.user + "\n" + operation.operationId }

    func begin(scope: String, key: String, bodyDigest: String) throws(APIError) -> Claim {
        let id = Self.id(scope, key)
        if let record = records[id], Date().timeIntervalSince(record.at) < retention {
            guard record.bodyDigest == bodyDigest else { throw .keyReuse() }
            guard let outcome = record.outcome else { throw .inFlight() }
            return .replay(outcome)
        }
        records[id] = Record(scope: scope, key: key, bodyDigest: bodyDigest, at: Date(), outcome: nil)
        return .proceed
    }

    /// Remembers the outcome; returns once it is on disk (with a persistent state directory),
    /// so a request is answered only when its replay would survive a restart.
    func finish(scope: String, key: String, _ outcome: IdempotentOutcome) async {
        let id = Self.id(scope, key)
        guard var record = records[id] else { return }
        record.outcome = outcome
        record.at = Date()
        records[id] = record
        // A write failure loses the replay across a restart, not the request.
        if let log, let line = try? Self.line(record) { try? await log.append(line) }
    }

    func abandon(scope: String, key: String) {
        let id = Self.id(scope, key)
        if records[id]?.outcome == nil { records[id] = nil }
    }
}

/// Runs a creating operation under an optional Idempotency-Key: claims the key, replays a
/// remembered outcome through `replay`, or runs `work` and remembers what it made.
struct Idempotency {
    let store: IdempotencyStore

    func run(_ request: APIRequest, key: String?, replay: (IdempotentOutcome) async throws -> ServerResponse,
             work: () async throws -> (ServerResponse, IdempotentOutcome)) async throws -> ServerResponse {
        guard let key else { return try await work().0 }
        let scope = IdempotencyStore.scope(user: request.user, operation: request.operation)
        switch try await store.begin(scope: scope, key: key, bodyDigest: request.bodyDigest) {
        case .replay(let outcome):
            return try await replay(outcome)
        case .proceed:
            do {
                let (answer, outcome) = try await work()
                await store.finish(scope: scope, key: key, outcome)
                return answer
            } catch {
                await store.abandon(scope: scope, key: key)
                throw error
            }
        }
    }
}
