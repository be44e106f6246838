import DurableFiles
import BackendAPI
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
/// being run and whether the failure budget halted it. Replaced atomically after every
/// transition (see `RolloutStateFile`).
public struct RolloutState: Codable, Sendable, Equatable {
    public static let formatVersion = 1

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
    public static func load(_ path: String) throws(RolloutStateError) -> RolloutState {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RolloutStateError(path: path, reason: "cannot be read (no such file?)")
        }
        let state: RolloutState
        do {
            state = try JSONCoding.decode(RolloutState.self, from: data)
        } catch {
            throw RolloutStateError(path: path, reason: "is not a chargekit rollout state file: \(error)")
        }
        guard state.format == RolloutState.formatVersion else {
            throw RolloutStateError(path: path, reason: "has format \(state.format); this chargekit reads \(RolloutState.formatVersion)")
        }
        return state
    }

    /// Encodes and replaces `path` atomically (temporary file, fsync, rename).
    public static func write(_ state: RolloutState, to path: String) throws {
        try AtomicFile.write(try encode(state), to: path, mode: 0o644)
    }

    /// The same, re-encoding only the chargers that changed since the last write with this
    /// cache: a rollout over thousands of chargers rewrites its state after every transition,
    /// and encoding every charger's timeline each time made the writes, which every request
    /// waits for, slower as the rollout went on.
    public static func write(_ state: RolloutState, to path: String, cache: RolloutStateCache) throws {
        try AtomicFile.write(try encode(state, cache: cache), to: path, mode: 0o644)
    }

    static func encode(_ state: RolloutState) throws -> [UInt8] {
        Array(try JSONCoding.makeEncoder().encode(state))
    }

    /// The bytes `encode(state)` gives (keys sorted), assembled from cached per-charger
    /// fragments and the cached plan, which never changes during a rollout.
    static func encode(_ state: RolloutState, cache: RolloutStateCache) throws -> [UInt8] {
        let encoder = JSONCoding.makeEncoder()
        func member(_ key: String, _ value: some Encodable) throws -> [UInt8] {
            Array(",\"\(key)\":".utf8) + Array(try encoder.encode(value))
        }
        if cache.plan != state.plan || cache.planBytes.isEmpty {
            cache.planBytes = Array(try encoder.encode(state.plan))
            cache.plan = state.plan
        }
        if cache.order.count != state.chargers.count { cache.order = state.chargers.keys.sorted() }
        var out = Array(#"{"chargers":{"#.utf8)
        out.reserveCapacity(cache.size + cache.planBytes.count + 512)
        for (index, id) in cache.order.enumerated() {
            guard let record = state.chargers[id] else { return try encode(state) }
            let fragment: [UInt8]
            if let cached = cache.fragments[id], cache.records[id] == record {
                fragment = cached
            } else {
                fragment = Array(try encoder.encode(id)) + [UInt8(ascii: ":")] + Array(try encoder.encode(record))
                cache.size += fragment.count - (cache.fragments[id]?.count ?? 0)
                cache.fragments[id] = fragment
                cache.records[id] = record
            }
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += fragment
        }
        out.append(UInt8(ascii: "}"))
        out += try member("createdAt", state.createdAt)
        out += try member("finished", state.finished)
        out += try member("format", state.format)
        if let halted = state.halted { out += try member("halted", halted) }
        out += Array(#","plan":"#.utf8) + cache.planBytes
        out += try member("rolloutId", state.rolloutId)
        out += try member("updatedAt", state.updatedAt)
        out += try member("wave", state.wave)
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// Charger records as last encoded, kept by a running rollout between its state writes. A
/// class, so a write updates it in place rather than copying ten thousand entries; only one
/// writer uses it at a time (the rollout's write loop runs its writes one after another).
public final class RolloutStateCache: @unchecked Sendable {
    var plan: RolloutPlan?
    var planBytes: [UInt8] = []
    var order: [String] = []
    var records: [String: RolloutChargerState] = [:]
    var fragments: [String: [UInt8]] = [:]
    var size = 0

    public init() {}
}
