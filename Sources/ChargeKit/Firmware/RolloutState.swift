import BackendAPI
import DurableFiles
import Foundation

/// One charger's part of a rollout, as the state file keeps it.
public struct RolloutChargerState: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable {
        /// Not touched yet.
        case pending
        /// The update request is (or may have been) on its way, under `idempotencyKey`: a
        /// resumed run repeats it with the same key, which the backend answers with the same
        /// job instead of starting a second update.
        case requesting
        /// The backend accepted the request as `updateId`; waiting for the outcome.
        case running
        case succeeded
        case failed
    }

    public var phase: Phase = .pending
    public var wave: Int
    public var idempotencyKey: String?
    public var updateId: String?
    public var requestId: Int?
    public var requestedAt: Date?
    public var finishedAt: Date?
    public var failedStatus: String?
    public var reason: String?
    public var steps: [FirmwareStep] = []

    public var isDone: Bool { phase == .succeeded || phase == .failed }
}

/// A rollout's state file: the plan, every planned charger's phase and timeline, the wave
/// being run and whether the failure budget halted it. Replaced atomically at the start, after
/// each wave and at the end; the transitions in between go to its journal (`RolloutJournal`).
public struct RolloutState: Codable, Sendable, Equatable {
    /// 2 added the journal; a format 1 file (no journal) still loads.
    public static let formatVersion = 2

    public struct Halt: Codable, Sendable, Equatable {
        public var wave: Int
        public var failures: Int
        public var limit: Int
        public var at: Date
    }

    public var format = RolloutState.formatVersion
    /// Part of every Idempotency-Key, so two rollouts never share one.
    public var rolloutId: String
    public var plan: RolloutPlan
    public var chargers: [String: RolloutChargerState]
    /// The wave being run (0-based); equal to the wave count once finished.
    public var wave = 0
    public var halted: Halt?
    public var finished = false
    /// The generation of the journal that continues this snapshot; nil before the first run.
    public var journal: Int?
    public var createdAt: Date
    public var updatedAt: Date

    public init(plan: RolloutPlan, now: Date = Date()) {
        rolloutId = UUID().uuidString.lowercased()
        self.plan = plan
        var chargers: [String: RolloutChargerState] = [:]
        for (index, wave) in plan.waves.enumerated() {
            for id in wave { chargers[id] = RolloutChargerState(wave: index) }
        }
        self.chargers = chargers
        createdAt = now
        updatedAt = now
    }

    /// Counts per phase in one wave.
    public func counts(wave index: Int) -> [RolloutChargerState.Phase: Int] {
        var result: [RolloutChargerState.Phase: Int] = [:]
        for id in plan.waves[index] { result[chargers[id]?.phase ?? .pending, default: 0] += 1 }
        return result
    }
}

/// Why a state file cannot be used.
public struct RolloutStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "rollout state \(path): \(reason)" }
}

/// Reading and atomically replacing a rollout state file.
public enum RolloutStateFile {
    /// The state as last committed: the snapshot with its journal replayed over it.
    public static func load(_ path: String) throws(RolloutStateError) -> RolloutState {
        var state = try loadSnapshot(path)
        try RolloutJournal.replay(RolloutJournal.path(for: path), statePath: path, into: &state)
        return state
    }

    static func loadSnapshot(_ path: String) throws(RolloutStateError) -> RolloutState {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RolloutStateError(path: path, reason: "cannot be read (no such file?)")
        }
        var state: RolloutState
        do {
            state = try JSONCoding.decode(RolloutState.self, from: data)
        } catch {
            throw RolloutStateError(path: path, reason: "is not a chargekit rollout state file: \(error)")
        }
        guard (1...RolloutState.formatVersion).contains(state.format) else {
            throw RolloutStateError(path: path, reason: "has format \(state.format); this chargekit reads formats 1 to \(RolloutState.formatVersion)")
        }
        state.format = RolloutState.formatVersion
        return state
    }

    /// Encodes and replaces `path` atomically (temporary file, fsync, rename).
    public static func write(_ state: RolloutState, to path: String) throws {
        try AtomicFile.write(try encode(state), to: path, mode: 0o644)
    }

    static func encode(_ state: RolloutState) throws -> [UInt8] {
        Array(try JSONCoding.makeEncoder().encode(state))
    }
}
