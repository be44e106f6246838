import BackendAPI
import ChargeKit

/// What `config get`, `config diff` and `config apply` share: the charger argument, the
/// profile option, loading the profile, and the fleet plumbing of diff and apply.
enum ConfigShared {
    static let charger = PositionalSpec("CHARGER", .optional, help: "The charger's id, e.g. CP-0001 (or --select for a fleet).")
    static let profile = OptionSpec("profile", .path("FILE"), help: "The commissioning profile (JSON) to compare with or apply.")

    static let manPage = "chargekit-config"

    /// The profile named by `--profile`, loaded and validated before anything is sent.
    static func loadProfile(_ context: CommandContext) throws -> Profile {
        guard let path = context.options.string(profile) else {
            throw UsageError("--profile FILE is required", commandPath: context.spec.path)
        }
        let loader = ProfileLoader(environment: context.io.environment, workingDirectory: context.io.workingDirectory)
        return try loader.load(path)
    }

    /// One charger (CHARGER) or a fleet (--select), never both, never neither.
    enum Target {
        case one(String)
        case fleet(ChargerSelection, expressions: [String])
    }

    static func target(_ context: CommandContext) throws -> Target {
        let id = context.arguments.value(charger)
        let selection = try FleetOptions.selection(context)
        switch (id, selection) {
        case (let id?, nil): return .one(id)
        case (nil, let selection?): return .fleet(selection, expressions: context.options.strings(FleetOptions.select))
        case (_?, _?): throw UsageError("give either CHARGER or --select, not both", commandPath: context.spec.path)
        case (nil, nil): throw UsageError("missing CHARGER (or --select KEY=VALUE for a fleet)", commandPath: context.spec.path)
        }
    }

    /// A fleet's chargers with their identities, and the profile resolved for every kind of
    /// charger among them first, so a profile that does not fit some model fails (exit 65)
    /// before anything is sent to any charger.
    static func fleet(_ selection: ChargerSelection, expressions: [String], profile: Profile,
                      client: BackendClient) async throws -> [ChargerSummary] {
        let chargers = try await FleetOptions.chargers(selection, client: client, expressions: expressions)
        var seen: Set<ChargerIdentity> = []
        for identity in chargers.compactMap(ChargerIdentity.init) where seen.insert(identity).inserted {
            _ = try profile.resolve(for: identity)
        }
        return chargers
    }

    /// The charger's one-line identity: `Alfen Eve Single S-line, OCPP 1.6`.
    static func describe(_ identity: ChargerIdentity) -> String {
        "\(identity.vendor ?? "?") \(identity.model ?? "?"), OCPP \(identity.ocppVersion.rawValue)"
    }

    /// A charger that could not be worked on, for fleet summaries and `--json`.
    struct FleetFailure: Error, Sendable, Encodable {
        var chargerId: String
        var error: String
        var exitCode: Int32
    }

    static func failure(_ id: String, _ error: any Error) -> FleetFailure {
        let report = ErrorMapping.report(for: error)
        return FleetFailure(chargerId: id, error: report.message, exitCode: report.code.rawValue)
    }

    /// "1 charger" / "3 chargers".
    static func chargers(_ n: Int) -> String { "\(n) charger\(n == 1 ? "" : "s")" }
}

extension ConfigurationPlan {
    /// The charger runs the profile as far as can be known: every readable key equal, and
    /// nothing read-only or unknown in the way. Write-only keys cannot be compared, so they
    /// never count as drift.
    var conforms: Bool { rows.allSatisfy { $0.action == .ok || $0.action == .writeOnly } }
}
