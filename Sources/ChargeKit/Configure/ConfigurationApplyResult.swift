import BackendAPI

/// What `--reboot` allows.
public enum RebootPolicy: String, Sendable, CaseIterable, Encodable {
    /// Reset when a key answered RebootRequired, or a 2.0.1 security profile change needs it.
    case auto
    /// Never reset: RebootRequired keys stay pending (not verified) and a 2.0.1 security
    /// profile change is not started.
    case never
    /// Reset after every apply that sent something, whether or not a key asked for it.
    case always
}

/// The reset an apply sent, and whether the charger came back.
public struct ResetRecord: Sendable, Equatable, Encodable {
    public enum Reason: String, Sendable, Encodable {
        /// A key answered RebootRequired (`--reboot auto`).
        case rebootRequired
        /// The last step of a 2.0.1 security profile change.
        case securityProfile
        /// `--reboot always`.
        case requested
    }

    public var reason: Reason
    /// `Reset Soft` (1.6), `Reset OnIdle` (2.0.1).
    public var command: String
    /// The charger's answer (`Accepted`, `Scheduled`, `Rejected`); nil when it gave none.
    public var status: String?
    /// A new BootNotification arrived after the reset.
    public var booted: Bool
    /// Why the reset did not bring the charger back, when it did not.
    public var problem: String?
}

/// One step of a 2.0.1 security profile change, as the charger answered it.
public struct SecurityStepRecord: Sendable, Equatable, Encodable {
    public var step: SecurityProfileChange.Step.Kind
    public var status: String?
    public var reason: String?
    public var succeeded: Bool
}

/// What applying a profile to one charger did. Secrets appear as `(secret)` throughout.
public struct ConfigurationApplyResult: Sendable, Equatable, Encodable {
    public var chargerId: String
    public var profile: String
    public var profileVersion: String?
    public var ocppVersion: OCPPVersion
    public var dryRun: Bool
    /// The diff before anything was sent.
    public var rows: [DiffRow]
    /// Key by key, after applying (and after the reset, when there was one). For a dry run,
    /// what the diff says with nothing sent.
    public var report: ApplyReport
    /// The changes sent, `Key=value` with secrets as `(secret)`; what a dry run would send.
    public var sent: [String]
    public var securitySteps: [SecurityStepRecord]
    public var reset: ResetRecord?

    /// Every key verified (or, write-only, accepted) and any reset came back. A dry run
    /// succeeds when it could plan.
    public var succeeded: Bool {
        dryRun || (report.succeeded && reset?.problem == nil && securitySteps.allSatisfy(\.succeeded))
    }

    /// One line per key or step that did not succeed: `HeartbeatInterval: Rejected`.
    public var failures: [String] {
        guard !dryRun else { return [] }
        var lines: [String] = []
        for outcome in report.outcomes where !outcome.result.succeeded {
            lines.append("\(outcome.key): \(Self.explain(outcome))")
        }
        for step in securitySteps where !step.succeeded {
            lines.append("\(step.step.rawValue): \(step.status ?? "no status")" + (step.reason.map { " (\($0))" } ?? ""))
        }
        if let problem = reset?.problem { lines.append("reset: \(problem)") }
        return lines
    }

    /// Why a key did not verify, in words.
    public static func explain(_ outcome: ApplyOutcome) -> String {
        switch outcome.result {
        case .verified: return "verified"
        case .writeOnlyAccepted: return "accepted (write-only)"
        case .rejected:
            let info = outcome.statusInfo.map { " (\($0.reasonCode))" } ?? ""
            return (outcome.status?.rawValue ?? "rejected") + info
        case .rebootPending: return "waits for a reboot"
        case .notVerified:
            return "reads back \(outcome.current.map { "'\($0)'" } ?? "nothing"), not '\(outcome.desired)'"
        case .notApplied:
            return outcome.action == .unsupported ? "the charger does not know this key" : "read-only on this charger"
        case .noAnswer: return "no answer from the charger"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case chargerId, profile, profileVersion, ocppVersion, dryRun, rows, outcomes, sent, securitySteps, reset, succeeded, failures
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chargerId, forKey: .chargerId)
        try container.encode(profile, forKey: .profile)
        try container.encodeIfPresent(profileVersion, forKey: .profileVersion)
        try container.encode(ocppVersion, forKey: .ocppVersion)
        try container.encode(dryRun, forKey: .dryRun)
        try container.encode(rows, forKey: .rows)
        if !dryRun { try container.encode(report.outcomes, forKey: .outcomes) }
        try container.encode(sent, forKey: .sent)
        try container.encode(securitySteps, forKey: .securitySteps)
        try container.encodeIfPresent(reset, forKey: .reset)
        try container.encode(succeeded, forKey: .succeeded)
        try container.encode(failures, forKey: .failures)
    }
}

/// Why a charger could not be configured before anything was sent.
public enum ConfigureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The charger never booted, so its OCPP version (and vendor and model) are unknown.
    case identityUnknown(chargerId: String)

    public var description: String {
        switch self {
        case .identityUnknown(let id):
            "\(id) has not sent a BootNotification yet: its OCPP version, vendor and model are unknown"
        }
    }
}
