import Checksum
import BackendAPI
import Foundation

/// `--shard K/N`: the chargers whose id hashes to K of N. The hash (FNV-1a of the id) is
/// fixed, so N machines each running one shard of the same rollout cover every charger once.
public struct Shard: Codable, Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public var index: Int
    public var count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `K/N` with 1 ≤ K ≤ N.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: k, count: n)
    }

    public func contains(_ chargerId: String) -> Bool {
        Int(FNV1a.hash64(chargerId) % UInt64(count)) == index - 1
    }

    public var description: String { "\(index)/\(count)" }

}

/// `--waves 1%,10%,50%,100%`: where each wave ends, cumulatively, as a share of the plan or
/// a number of chargers. The last must be 100%, so nothing is left out.
public struct WaveSpec: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Bound: Codable, Sendable, Equatable {
        case percent(Double)
        case count(Int)
    }

    public var bounds: [Bound]
    public static let standard = WaveSpec(bounds: [.percent(1), .percent(10), .percent(50), .percent(100)])

    public init(bounds: [Bound]) {
        self.bounds = bounds
    }

    /// Why a wave list is refused.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(Error) {
        var bounds: [Bound] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.hasSuffix("%") {
                guard let value = Double(item.dropLast()), value > 0, value <= 100 else {
                    throw Error(description: "'\(item)': a share must be above 0% and at most 100%")
                }
                bounds.append(.percent(value))
            } else {
                guard let value = Int(item), value > 0 else {
                    throw Error(description: "'\(item)': expected a share such as 10% or a number of chargers")
                }
                bounds.append(.count(value))
            }
        }
        guard bounds.last == .percent(100) else {
            throw Error(description: "the last wave must be 100%, so every planned charger is in a wave")
        }
        for (a, b) in zip(bounds, bounds.dropFirst()) {
            if case .percent(let x) = a, case .percent(let y) = b, y <= x {
                throw Error(description: "shares must grow from wave to wave (\(Self.text(a)) then \(Self.text(b)))")
            }
            if case .count(let x) = a, case .count(let y) = b, y <= x {
                throw Error(description: "counts must grow from wave to wave (\(x) then \(y))")
            }
        }
        self.bounds = bounds
    }

    /// The chargers split into waves, in order; empty waves (a small plan) are dropped.
    public func split(_ chargers: [String]) -> [[String]] {
        let n = chargers.count
        var waves: [[String]] = []
        var start = 0
        for bound in bounds {
            let end: Int
            switch bound {
            case .percent(let p): end = min(n, Int((Double(n) * p / 100).rounded(.up)))
            case .count(let c): end = min(n, c)
            }
            if end > start {
                waves.append(Array(chargers[start..<end]))
                start = end
            }
        }
        return waves
    }

    public var description: String { bounds.map(Self.text).joined(separator: ",") }

    static func text(_ bound: Bound) -> String {
        switch bound {
        case .percent(let p): p == p.rounded() ? "\(Int(p))%" : "\(p)%"
        case .count(let c): "\(c)"
        }
    }
}

/// `--max-failures 2%|N`: how many failed chargers a wave may have before the rollout halts.
public enum FailureBudget: Codable, Sendable, Equatable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    public init?(parsing text: String) {
        let item = text.trimmingCharacters(in: .whitespaces)
        if item.hasSuffix("%") {
            guard let p = Double(item.dropLast()), p >= 0, p <= 100 else { return nil }
            self = .percent(p)
        } else {
            guard let n = Int(item), n >= 0 else { return nil }
            self = .count(n)
        }
    }

    /// Failures a wave of `size` chargers may have; one more halts the rollout.
    public func limit(waveSize size: Int) -> Int {
        switch self {
        case .count(let n): n
        case .percent(let p): Int((Double(size) * p / 100).rounded(.down))
        }
    }

    public var description: String {
        switch self {
        case .count(let n): "\(n)"
        case .percent(let p): WaveSpec.text(.percent(p))
        }
    }
}

/// What a rollout will do: the waves of chargers to update, each with its image, and the
/// selected chargers it leaves alone, with why.
public struct RolloutPlan: Codable, Sendable, Equatable {
    public struct Planned: Codable, Sendable, Equatable {
        public var id: String
        public var model: String
        public var ocppVersion: String?
        public var fromVersion: String?
        public var firmwareId: String
        public var targetVersion: String
    }

    public struct Skipped: Codable, Sendable, Equatable {
        public enum Reason: String, Codable, Sendable {
            case alreadyOnTarget, offline, incompatible
        }

        public var id: String
        public var reason: Reason
        public var detail: String
    }

    /// `--to` as given.
    public var target: String
    /// The `--select` expressions.
    public var selection: [String]
    public var shard: Shard?
    public var waveSpec: WaveSpec
    public var budget: FailureBudget
    public var options: FirmwareUpdateOptions
    /// Charger ids per wave.
    public var waves: [[String]]
    public var chargers: [String: Planned]
    public var skipped: [Skipped]

    public var plannedCount: Int { waves.reduce(0) { $0 + $1.count } }

    /// Plans over `selected` (in id order): the shard's chargers that are compatible with an
    /// image of `target`, connected and not on it yet.
    public static func make(target: String, selection: [String], selected: [ChargerSummary], catalogue: [Firmware],
                            shard: Shard?, waveSpec: WaveSpec, budget: FailureBudget,
                            options: FirmwareUpdateOptions) -> RolloutPlan {
        let inShard = selected.filter { shard?.contains($0.id) ?? true }.sorted { $0.id < $1.id }
        var byModel: [String: Firmware] = [:]
        for model in Set(catalogue.flatMap(\.models)) {
            byModel[model] = FirmwareUpdater.preferred(catalogue.filter { $0.models.contains(model) })
        }
        var planned: [String: Planned] = [:]
        var order: [String] = []
        var skipped: [Skipped] = []
        for charger in inShard {
            guard let model = charger.model, let firmware = byModel[model] else {
                skipped.append(Skipped(id: charger.id, reason: .incompatible,
                                       detail: "no image of \(target) for model \(charger.model ?? "(unknown)")"))
                continue
            }
            if charger.firmwareVersion == firmware.version {
                skipped.append(Skipped(id: charger.id, reason: .alreadyOnTarget, detail: "runs \(firmware.version)"))
                continue
            }
            guard charger.connected else {
                skipped.append(Skipped(id: charger.id, reason: .offline, detail: "not connected"))
                continue
            }
            planned[charger.id] = Planned(id: charger.id, model: model, ocppVersion: charger.ocppVersion?.rawValue,
                                          fromVersion: charger.firmwareVersion, firmwareId: firmware.id,
                                          targetVersion: firmware.version)
            order.append(charger.id)
        }
        return RolloutPlan(target: target, selection: selection, shard: shard, waveSpec: waveSpec, budget: budget,
                           options: options, waves: waveSpec.split(order), chargers: planned, skipped: skipped)
    }
}

extension BackendClient {
    /// The catalogue entries `target` names: the one with that id (`fw_...`), or every
    /// image of that version.
    public func firmwareEntries(named target: String) async throws(BackendError) -> [Firmware] {
        if target.hasPrefix("fw_") {
            let result = await Result(awaiting: { () async throws(BackendError) -> Firmware in try await firmware(target) })
            if case .failure(.notFound) = result { return [] }
            return [try result.get()]
        }
        return try await allFirmware(version: target)
    }
}
