import BackendAPI

/// How one key ended after `config apply`.
public enum ApplyResult: String, Sendable, Hashable, Encodable {
    /// Read back after applying, equal to the desired value (changed, or already right).
    case verified
    /// Write-only: the charger answered Accepted (nothing can be read back).
    case writeOnlyAccepted
    /// The charger refused the change (`status` says how: Rejected, NotSupported,
    /// UnknownVariable, ...).
    case rejected
    /// The charger answered RebootRequired and has not rebooted since (2.0.1 security
    /// profile: the network-profile steps and their reset are still to come).
    case rebootPending
    /// Accepted (or rebooted for), but the value read back is not the desired one, or was
    /// not read back at all.
    case notVerified
    /// Not sent: the diff found the key read-only or unknown to the charger.
    case notApplied
    /// Sent, but no answer came (the charger went offline or timed out part-way); the state
    /// is unknown and applying again is safe.
    case noAnswer

    /// Whether the key now runs the profile's value, as far as can be known.
    public var succeeded: Bool { self == .verified || self == .writeOnlyAccepted }
}

/// One key of an apply report. Secrets are `(secret)` in `desired` and `current`.
public struct ApplyOutcome: Sendable, Equatable, Encodable {
    public var setting: String?
    public var key: String
    public var desired: String
    /// As read back after applying; nil when not read (or write-only).
    public var current: String?
    /// What the diff said before applying.
    public var action: DiffAction
    /// The charger's answer to the change; nil when none was sent or none came.
    public var status: ConfigurationChangeStatus?
    public var statusInfo: StatusInfo?
    public var result: ApplyResult

    public init(setting: String?, key: String, desired: String, current: String?, action: DiffAction,
                status: ConfigurationChangeStatus?, statusInfo: StatusInfo?, result: ApplyResult) {
        self.setting = setting
        self.key = key
        self.desired = desired
        self.current = current
        self.action = action
        self.status = status
        self.statusInfo = statusInfo
        self.result = result
    }
}

/// What `config apply` achieved, key by key.
public struct ApplyReport: Sendable, Equatable, Encodable {
    public var outcomes: [ApplyOutcome]

    public init(outcomes: [ApplyOutcome]) {
        self.outcomes = outcomes
    }

    /// Some change waits for a reboot (`--reboot auto` resets and verifies again).
    public var needsReset: Bool { outcomes.contains { $0.result == .rebootPending } }

    /// Every key verified or, when write-only, accepted: the charger runs the profile.
    public var succeeded: Bool { outcomes.allSatisfy { $0.result.succeeded } }

    private enum CodingKeys: String, CodingKey { case outcomes, needsReset, succeeded }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcomes, forKey: .outcomes)
        try container.encode(needsReset, forKey: .needsReset)
        try container.encode(succeeded, forKey: .succeeded)
    }
}

extension ConfigurationPlan {
    /// Judges an apply: the charger's answers to `changes` and the configuration read back
    /// afterwards (`keysToVerify`). Every readable key is compared with the desired value,
    /// including those that were already right; write-only keys count by their Accepted
    /// status. `afterReboot` says the charger has rebooted since the changes (a reset for
    /// RebootRequired, or the 2.0.1 security-profile steps): RebootRequired keys are then
    /// verified like accepted ones instead of staying pending.
    public func verify(results: [ConfigurationChangeResult], reread: Configuration, afterReboot: Bool = false) -> ApplyReport {
        let version = profile.charger.ocppVersion
        var answers: [String: ConfigurationChangeResult] = [:]
        for result in results { answers[ConfigurationKey.normalized(result.key, version: version)] = result }
        var readBack: [String: ConfigurationItem] = [:]
        for item in reread.items { readBack[ConfigurationKey.normalized(item.key, version: version)] = item }
        let sent = Set(changes.map { ConfigurationKey.normalized($0.key, version: version) })

        var outcomes: [ApplyOutcome] = []
        for (desired, row) in zip(profile.values, rows) {
            let key = ConfigurationKey.normalized(desired.key, version: version)
            let item = readBack[key]
            let secret = desired.value.isSecret || desired.access == .writeOnly
            var outcome = ApplyOutcome(setting: desired.setting, key: desired.key, desired: desired.value.description,
                                       current: secret ? nil : item?.value, action: row.action, status: nil, statusInfo: nil,
                                       result: .notApplied)
            /// Whether the value read back is the desired one.
            func readBackMatches() -> ApplyResult {
                guard let value = item?.value, !secret else { return .notVerified }
                return desired.comparison.matches(current: value, desired: desired.value.reveal()) ? .verified : .notVerified
            }
            switch row.action {
            case .readOnlyMismatch, .unsupported:
                outcome.result = .notApplied
            case .ok:
                outcome.result = readBackMatches()
            case .set where desired.access == .readOnlyViaNetworkProfile:
                let result = readBackMatches()
                outcome.result = result == .verified || afterReboot ? result : .rebootPending
            case .set, .writeOnly:
                guard sent.contains(key), let answer = answers[key] else {
                    outcome.result = .noAnswer
                    break
                }
                outcome.status = answer.status
                outcome.statusInfo = answer.statusInfo
                switch answer.status {
                case .accepted:
                    outcome.result = row.action == .writeOnly ? .writeOnlyAccepted : readBackMatches()
                case .rebootRequired where !afterReboot:
                    outcome.result = .rebootPending
                case .rebootRequired:
                    outcome.result = row.action == .writeOnly ? .writeOnlyAccepted : readBackMatches()
                default:
                    outcome.result = .rejected
                }
            }
            outcomes.append(outcome)
        }
        return ApplyReport(outcomes: outcomes)
    }
}
