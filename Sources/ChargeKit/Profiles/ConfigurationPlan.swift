import BackendAPI
import JSON

/// What `config diff` says about one key.
public enum DiffAction: String, Sendable, Hashable, Encodable {
    /// The charger has the desired value.
    case ok
    /// The value differs and will be changed.
    case set
    /// The value differs but the charger reports the key read-only: nothing is sent.
    case readOnlyMismatch
    /// The charger does not know the key: nothing is sent.
    case unsupported
    /// The value cannot be read back (write-only, secret or undisclosed): it is always sent
    /// and verified by the charger's Accepted status.
    case writeOnly

    /// For tables: `ok`, `set`, `read-only mismatch`, `unsupported`, `write-only`.
    public var label: String {
        switch self {
        case .ok: "ok"
        case .set: "set"
        case .readOnlyMismatch: "read-only mismatch"
        case .unsupported: "unsupported"
        case .writeOnly: "write-only"
        }
    }

    /// Whether a change is sent for it.
    public var sends: Bool { self == .set || self == .writeOnly }
}

/// One row of `config diff`. `--json` writes it as `{"setting", "key", "current", "desired",
/// "action"}` (plus `"note"` when there is one); secrets are `(secret)` in both columns.
public struct DiffRow: Sendable, Equatable, Encodable {
    /// The semantic setting; nil (JSON null) for a raw override.
    public var setting: String?
    public var key: String
    /// What the charger reports; nil when it reports nothing (unknown key, write-only).
    public var current: String?
    public var desired: String
    public var action: DiffAction
    /// Why, or how: "via SetNetworkProfile ...", a catalogue note, a read-only reason.
    public var note: String?

    public init(setting: String?, key: String, current: String?, desired: String, action: DiffAction, note: String? = nil) {
        self.setting = setting
        self.key = key
        self.current = current
        self.desired = desired
        self.action = action
        self.note = note
    }

    private enum CodingKeys: String, CodingKey { case setting, key, current, desired, action, note }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(setting, forKey: .setting)
        try container.encode(key, forKey: .key)
        try container.encode(current, forKey: .current)
        try container.encode(desired, forKey: .desired)
        try container.encode(action, forKey: .action)
        try container.encodeIfPresent(note, forKey: .note)
    }
}

/// A change the plan sends; its value is revealed only by `ConfigurationPlan.changeRequest()`.
public struct PlannedChange: Sendable, Equatable, CustomStringConvertible {
    public var setting: String?
    public var key: String
    public var value: ConfigurationValue

    /// `HeartbeatInterval=300`, `AuthorizationKey=(secret)`.
    public var description: String { "\(key)=\(value)" }
}

/// What applying a resolved profile to a charger takes, computed from the charger's current
/// configuration without any I/O: the diff, the changes (one request; the backend splits it
/// into OCPP messages within the charger's limits), and for a 2.0.1 security profile change
/// the network-profile steps.
///
/// How the commands use it:
///
///     // config get / diff
///     let current = try await client.configuration(id, keys: resolved.keysToRead)
///     let plan = ConfigurationPlan(profile: resolved, current: current)
///     render(plan.rows)                       // --json: JSONCoding.encode(plan.rows)
///
///     // config apply
///     var results: [ConfigurationChangeResult] = []
///     if !plan.changes.isEmpty {
///         results = try await client.changeConfiguration(id, plan.changeRequest().changes).results
///     }
///     var rebooted = false
///     if let change = plan.securityProfileChange {      // 2.0.1 only
///         for step in change.steps {                   // SetNetworkProfile, SetVariables, Reset
///             let answer = try await client.command(id, action: step.command.action, payload: step.command.payload)
///             guard step.evaluate(answer.response).succeeded else { ...; break }
///         }
///         // wait for the new BootNotification
///         rebooted = true
///     }
///     var report = plan.verify(results: results, reread: try await client.configuration(id, keys: plan.keysToVerify), afterReboot: rebooted)
///     if report.needsReset, rebootAuto {
///         _ = try await client.command(id, action: plan.resetCommand.action, payload: plan.resetCommand.payload)
///         // wait for the new BootNotification
///         report = plan.verify(results: results, reread: try await client.configuration(id, keys: plan.keysToVerify), afterReboot: true)
///     }
public struct ConfigurationPlan: Sendable, Equatable {
    public let profile: ResolvedProfile
    /// One row per desired key, in the profile's order.
    public let rows: [DiffRow]
    /// The rows whose action sends a value, in order.
    public let changes: [PlannedChange]
    /// 2.0.1 only, when the security profile differs and can be changed.
    public let securityProfileChange: SecurityProfileChange?

    /// Compares `profile` with `current`, the configuration read from the same charger
    /// (`keysToRead`); keys are matched as the charger matches them (case does not count).
    public init(profile: ResolvedProfile, current: Configuration) {
        self.profile = profile
        let version = profile.charger.ocppVersion
        var items: [String: ConfigurationItem] = [:]
        for item in current.items { items[ConfigurationKey.normalized(item.key, version: version)] = item }
        let unknown = Set(current.unknownKeys.map { ConfigurationKey.normalized($0, version: version) })
        var rows: [DiffRow] = []
        var changes: [PlannedChange] = []
        var securityProfileChange: SecurityProfileChange?
        for desired in profile.values {
            let normalized = ConfigurationKey.normalized(desired.key, version: version)
            let item = unknown.contains(normalized) ? nil : items[normalized]
            var row = Self.row(desired, item)
            if row.action == .set, desired.access == .readOnlyViaNetworkProfile {
                let priority = items[ConfigurationKey.normalized(ResolvedProfile.networkConfigurationPriorityKey, version: version)]
                switch SecurityProfileChange.make(desired: desired, current: item?.value, priority: priority?.value,
                                                  network: profile.networkProfile) {
                case .success(let change):
                    securityProfileChange = change
                    row.note = "via SetNetworkProfile (slot \(change.configurationSlot)), "
                        + "NetworkConfigurationPriority \(change.priorityAfter.map(String.init).joined(separator: ",")) and a reset"
                case .failure(let reason):
                    row.action = .readOnlyMismatch
                    row.note = reason.description
                }
            } else if row.action.sends {
                changes.append(PlannedChange(setting: desired.setting, key: desired.key, value: desired.value))
            }
            rows.append(row)
        }
        self.rows = rows
        self.changes = changes
        self.securityProfileChange = securityProfileChange
    }

    /// The diff row of one desired value against what the charger reports.
    static func row(_ desired: DesiredValue, _ item: ConfigurationItem?) -> DiffRow {
        let secret = desired.value.isSecret || desired.access == .writeOnly
        var row = DiffRow(setting: desired.setting, key: desired.key, current: nil, desired: desired.value.description,
                          action: .unsupported, note: desired.note)
        guard let item else {
            row.note = "the charger does not know this key"
            return row
        }
        row.current = secret ? item.value.map { _ in Secret.placeholder } : item.value
        let readOnly = item.readonly || item.mutability == .readOnly
        let writeOnly = secret || item.mutability == .writeOnly || item.value == nil
        if readOnly, desired.access != .readOnlyViaNetworkProfile {
            if let value = item.value, !secret, desired.comparison.matches(current: value, desired: desired.value.reveal()) {
                row.action = .ok
            } else {
                row.action = .readOnlyMismatch
                row.note = "the charger reports this key read-only"
            }
        } else if writeOnly, desired.access != .readOnlyViaNetworkProfile {
            row.action = .writeOnly
            row.note = "cannot be read back; verified by the charger's Accepted status"
        } else if let value = item.value, desired.comparison.matches(current: value, desired: desired.value.reveal()) {
            row.action = .ok
        } else {
            row.action = .set
        }
        return row
    }

    /// Whether the charger already runs the profile as far as it can be read (nothing to
    /// set; write-only values are always sent and so never count as up to date).
    public var isUpToDate: Bool { rows.allSatisfy { $0.action == .ok } }

    /// The body of `POST /v1/chargers/{id}/configuration`. This is where secrets are
    /// revealed: hand it to the backend client and nowhere else. Empty when there is
    /// nothing to change (the API wants at least one change: skip the request then).
    public func changeRequest() -> ConfigurationChangeRequest {
        ConfigurationChangeRequest(changes: changes.map { ConfigurationChange(key: $0.key, value: $0.value.reveal()) })
    }

    /// The keys to read back after applying.
    public var keysToVerify: [String] { profile.keysToRead }

    /// The command that makes RebootRequired changes take effect: 1.6 a Soft reset, 2.0.1 a
    /// reset OnIdle (after any running transaction).
    public var resetCommand: CommandRequest {
        switch profile.charger.ocppVersion {
        case .v201: CommandRequest(action: "Reset", payload: ["type": "OnIdle"])
        default: CommandRequest(action: "Reset", payload: ["type": "Soft"])
        }
    }
}
