import BackendAPI
import ChargeKit

/// `chargekit config diff CHARGER --profile FILE` (or `--select ...`): where a charger's
/// configuration differs from a commissioning profile.
enum ConfigDiff {
    static let spec = CommandSpec(
        path: ["config", "diff"],
        summary: "Compare a charger's configuration with a profile",
        discussion: """
            Resolves the profile for the charger (its OCPP version, vendor and model), reads the \
            keys it sets live from the charger and shows one row per key: the setting, the OCPP \
            key, the current and the desired value, and the action apply would take (ok, set, \
            read-only mismatch, unsupported, write-only). Secrets show as (secret).

            Exits 0 when the charger conforms and 1 when it drifts. Write-only keys cannot be \
            read back, so they never count as drift.

            With --select instead of CHARGER, compares every matching charger, --concurrency at a \
            time, and prints one summary row per charger.
            """,
        options: [ConfigShared.profile, FleetOptions.select, FleetOptions.concurrency],
        positionals: [ConfigShared.charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json, GlobalOptions.progress],
        manPage: ConfigShared.manPage)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let target = try ConfigShared.target(context)
        let concurrency = try FleetOptions.concurrency(context)
        let profile = try ConfigShared.loadProfile(context)
        let client = try context.backendClient(maxConcurrentRequests: concurrency + 1)
        defer { client.shutdown() }
        let applier = ConfigurationApplier(client: client, options: .init(dryRun: true))
        switch target {
        case .one(let id):
            let plan = try await applier.plan(id, profile: profile)
            if context.console.json {
                try context.console.json(plan.rows)
            } else {
                render(plan, id: id, context: context)
            }
            return plan.conforms ? .ok : .checksFailed
        case .fleet(let selection, let expressions):
            let chargers = try await ConfigShared.fleet(selection, expressions: expressions, profile: profile, client: client)
            return await fleet(chargers, profile: profile, applier: applier, concurrency: concurrency, context: context)
        }
    }

    static func render(_ plan: ConfigurationPlan, id: String, context: CommandContext) {
        let console = context.console
        let palette = console.stdoutPalette
        var table = TextTable(columns: [.init("SETTING"), .init("KEY"), .init("CURRENT"), .init("DESIRED"), .init("ACTION")])
        for row in plan.rows {
            let action: String = switch row.action {
            case .ok: palette.green(row.action.label)
            case .set: palette.yellow(row.action.label)
            case .readOnlyMismatch, .unsupported: palette.red(row.action.label)
            case .writeOnly: row.action.label
            }
            table.append([row.setting ?? "-", row.key, row.current ?? "-", row.desired, action])
        }
        console.write(table.render(palette: palette))
        for row in plan.rows where row.action != .ok {
            if let note = row.note { console.verbose("\(row.key): \(note)") }
        }
        let drifting = plan.rows.filter { $0.action != .ok && $0.action != .writeOnly }.count
        console.info("\(id) (\(ConfigShared.describe(plan.profile.charger))): "
                     + (drifting == 0 ? "conforms to \(plan.profile.name)" : "\(drifting) of \(plan.rows.count) keys differ from \(plan.profile.name)"))
    }

    /// One charger of a fleet diff, for the summary and `--json`.
    struct FleetRow: Sendable, Encodable {
        var chargerId: String
        var conforms: Bool
        var rows: [DiffRow]?
        var error: String?
    }

    static func fleet(_ chargers: [ChargerSummary], profile: Profile, applier: ConfigurationApplier, concurrency: Int,
                      context: CommandContext) async -> ExitCode {
        let progress = context.fleetProgress(label: "config diff", total: chargers.count)
        let byId = Dictionary(chargers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let results = await FleetRun.run(chargers.map(\.id), concurrency: concurrency) { id -> Result<ConfigurationPlan, ConfigShared.FleetFailure> in
            do {
                guard let identity = byId[id].flatMap(ChargerIdentity.init) else { throw ConfigureError.identityUnknown(chargerId: id) }
                return .success(try await applier.plan(id, profile: profile, identity: identity))
            } catch {
                return .failure(ConfigShared.failure(id, error))
            }
        } onFinish: { _, _, finished in
            progress.update(completed: Int64(finished))
        }
        progress.finish()
        var rows: [FleetRow] = []
        var table = TextTable(columns: [.init("CHARGER"), .init("MODEL"), .init("OCPP"), .init("RESULT")])
        let palette = context.console.stdoutPalette
        for (id, result) in results {
            let summary = byId[id]
            var cells = [id, summary?.model ?? "-", summary?.ocppVersion?.rawValue ?? "-"]
            switch result {
            case .success(let plan):
                let drifting = plan.rows.filter { $0.action != .ok && $0.action != .writeOnly }
                rows.append(FleetRow(chargerId: id, conforms: plan.conforms, rows: plan.rows, error: nil))
                cells.append(drifting.isEmpty ? palette.green("conforms")
                             : palette.yellow("\(drifting.count) differ: " + drifting.prefix(4).map(\.key).joined(separator: ", ")
                                              + (drifting.count > 4 ? ", ..." : "")))
            case .failure(let failure):
                rows.append(FleetRow(chargerId: id, conforms: false, rows: nil, error: failure.error))
                cells.append(palette.red("error: \(failure.error)"))
            }
            table.append(cells)
        }
        if context.console.json {
            do { try context.console.json(rows) } catch { context.console.error("cannot write JSON: \(error)") }
        } else {
            context.console.write(table.render(palette: palette))
        }
        let conforming = rows.filter(\.conforms).count
        context.console.info("\(conforming) of \(ConfigShared.chargers(rows.count)) conform to \(profile.name)")
        return conforming == rows.count ? .ok : .checksFailed
    }
}

extension Command {
    static let configDiff = Command(ConfigDiff.spec) { try await ConfigDiff.run($0) }
}
