import BackendAPI
import ChargeKit

/// `chargekit config apply CHARGER --profile FILE` (or `--select ...`): sends what differs,
/// resets when needed, and verifies by reading every key back.
enum ConfigApply {
    static let dryRun = OptionSpec("dry-run", help: "Show what would be sent; send nothing.")
    static let reboot = OptionSpec("reboot", .choice(RebootPolicy.allCases.map(\.rawValue)),
                                   help: "Reset the charger when a key answers RebootRequired (auto, the default), never, "
                                       + "or after every apply that sent something (always).")

    static let spec = CommandSpec(
        path: ["config", "apply"],
        summary: "Apply a commissioning profile to a charger and verify it",
        discussion: """
            Resolves the profile for the charger, reads its configuration, sends every key that \
            differs (and every write-only key) in as few requests as the backend takes, and \
            reports the charger's answer per key. When a key answers RebootRequired, --reboot auto \
            resets the charger and waits for its new BootNotification on the events feed. \
            Afterwards every readable key is read back and compared; write-only keys count \
            by their Accepted answer. On OCPP 2.0.1 a security profile change goes through \
            SetNetworkProfile, NetworkConfigurationPriority and a reset.

            Exits 0 when every key is applied and verified, 1 when any key was rejected or does \
            not verify (each is named on standard error).

            With --select instead of CHARGER, applies to every matching charger, --concurrency at \
            a time, with a progress bar on a terminal and one summary row per charger.
            """,
        options: [ConfigShared.profile, dryRun, reboot, FleetOptions.select, FleetOptions.concurrency],
        positionals: [ConfigShared.charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json, GlobalOptions.progress, GlobalOptions.verbose],
        manPage: ConfigShared.manPage)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let target = try ConfigShared.target(context)
        let concurrency = try FleetOptions.concurrency(context)
        let policy = context.options.string(reboot).flatMap(RebootPolicy.init(rawValue:)) ?? .auto
        let profile = try ConfigShared.loadProfile(context)
        // One slot more than the chargers in flight: the events long poll holds one.
        let client = try context.backendClient(maxConcurrentRequests: concurrency + 1)
        defer { client.shutdown() }
        let options = ConfigurationApplier.Options(reboot: policy, dryRun: context.options.flag(dryRun))
        switch target {
        case .one(let id):
            let applier = ConfigurationApplier(client: client, options: options, chargers: [id])
            let result: ConfigurationApplyResult
            do {
                result = try await applier.apply(id, profile: profile)
            } catch {
                await applier.shutdown()
                // The charger went away part-way: say which keys it answered before it did.
                if let answered = (error as? BackendError)?.problem?.results, !answered.isEmpty {
                    context.console.info("\(id) answered before the request failed: "
                                         + answered.map { "\($0.key) \($0.status.rawValue)" }.joined(separator: ", ")
                                         + "; applying again is safe")
                }
                throw error
            }
            await applier.shutdown()
            if context.console.json {
                try context.console.json(result)
            } else {
                render(result, context: context)
            }
            for line in result.failures { context.console.error("\(id): \(line)") }
            return result.succeeded ? .ok : .checksFailed
        case .fleet(let selection, let expressions):
            let chargers = try await ConfigShared.fleet(selection, expressions: expressions, profile: profile, client: client)
            let applier = ConfigurationApplier(client: client, options: options, chargers: chargers.map(\.id))
            let code = await fleet(chargers, profile: profile, applier: applier, concurrency: concurrency, context: context)
            await applier.shutdown()
            return code
        }
    }

    static func render(_ result: ConfigurationApplyResult, context: CommandContext) {
        let console = context.console
        let palette = console.stdoutPalette
        var table = TextTable(columns: [.init("SETTING"), .init("KEY"), .init("BEFORE"), .init("DESIRED"), .init("ANSWER"),
                                        .init("RESULT")])
        for (row, outcome) in zip(result.rows, result.report.outcomes) {
            let shown: String
            if result.dryRun {
                shown = row.action.sends ? palette.yellow("would set") : (row.action == .ok ? palette.green("ok") : palette.red(row.action.label))
            } else {
                let text = label(outcome.result)
                shown = outcome.result.succeeded ? palette.green(text) : palette.red(text)
            }
            table.append([row.setting ?? "-", row.key, row.current ?? "-", row.desired, outcome.status?.rawValue ?? "-", shown])
        }
        console.write(table.render(palette: palette))
        for step in result.securitySteps {
            console.info("security profile: \(step.step.rawValue): \(step.status ?? "no status")" + (step.reason.map { " (\($0))" } ?? ""))
        }
        if let reset = result.reset {
            let why = switch reset.reason {
            case .rebootRequired: "a key answered RebootRequired"
            case .securityProfile: "security profile change"
            case .requested: "--reboot always"
            }
            let outcome = reset.booted ? "booted again" : (reset.problem ?? "did not boot again")
            console.info("reset: \(reset.command) (\(why)): \(reset.status ?? "no answer"), \(outcome)")
        }
        if result.dryRun {
            console.info("dry run: would send \(result.sent.count) change\(result.sent.count == 1 ? "" : "s") to \(result.chargerId)"
                         + (result.sent.isEmpty ? "" : ": " + result.sent.joined(separator: ", ")))
        } else if result.succeeded {
            console.info("\(result.chargerId): \(result.profile) applied and verified (\(result.sent.count) sent, "
                         + "\(result.report.outcomes.count) keys checked)")
        }
    }

    static func label(_ result: ApplyResult) -> String {
        switch result {
        case .verified: "verified"
        case .writeOnlyAccepted: "accepted"
        case .rejected: "rejected"
        case .rebootPending: "reboot pending"
        case .notVerified: "not verified"
        case .notApplied: "not applied"
        case .noAnswer: "no answer"
        }
    }

    /// One charger of a fleet apply, for `--json`: the result, or why there is none.
    struct FleetEntry: Sendable, Encodable {
        var chargerId: String
        var succeeded: Bool
        var result: ConfigurationApplyResult?
        var error: String?
    }

    static func fleet(_ chargers: [ChargerSummary], profile: Profile, applier: ConfigurationApplier, concurrency: Int,
                      context: CommandContext) async -> ExitCode {
        let progress = context.fleetProgress(label: "config apply", total: chargers.count)
        let byId = Dictionary(chargers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let results = await FleetRun.run(chargers.map(\.id), concurrency: concurrency) { id -> Result<ConfigurationApplyResult, ConfigShared.FleetFailure> in
            do {
                guard let identity = byId[id].flatMap(ChargerIdentity.init) else { throw ConfigureError.identityUnknown(chargerId: id) }
                return .success(try await applier.apply(id, profile: profile, identity: identity))
            } catch {
                return .failure(ConfigShared.failure(id, error))
            }
        } onFinish: { _, _, finished in
            progress.update(completed: Int64(finished))
        }
        progress.finish()
        let console = context.console
        let palette = console.stdoutPalette
        var entries: [FleetEntry] = []
        var table = TextTable(columns: [.init("CHARGER"), .init("MODEL"), .init("OCPP"), .init("SENT", alignment: .right),
                                        .init("RESET"), .init("RESULT")])
        for (id, outcome) in results {
            let summary = byId[id]
            var cells = [id, summary?.model ?? "-", summary?.ocppVersion?.rawValue ?? "-"]
            switch outcome {
            case .success(let result):
                entries.append(FleetEntry(chargerId: id, succeeded: result.succeeded, result: result, error: nil))
                cells += [String(result.sent.count), result.reset.map { $0.booted ? "rebooted" : "failed" } ?? "-"]
                if result.dryRun {
                    cells.append(result.sent.isEmpty ? palette.green("conforms") : palette.yellow("would send \(result.sent.count)"))
                } else if result.succeeded {
                    cells.append(palette.green("verified"))
                } else {
                    cells.append(palette.red(result.failures.joined(separator: "; ")))
                    for line in result.failures { console.error("\(id): \(line)") }
                }
            case .failure(let failure):
                entries.append(FleetEntry(chargerId: id, succeeded: false, result: nil, error: failure.error))
                cells += ["-", "-", palette.red("error: \(failure.error)")]
                console.error("\(id): \(failure.error)")
            }
            table.append(cells)
        }
        if console.json {
            do { try console.json(entries) } catch { console.error("cannot write JSON: \(error)") }
        } else {
            console.write(table.render(palette: palette))
        }
        let succeeded = entries.filter(\.succeeded).count
        let resets = entries.filter { $0.result?.reset != nil }.count
        console.info("\(succeeded) of \(ConfigShared.chargers(entries.count)) "
                     + (applier.options.dryRun ? "planned" : "applied and verified") + " (\(resets) reset)")
        return succeeded == entries.count ? .ok : .checksFailed
    }
}

extension Command {
    static let configApply = Command(ConfigApply.spec) { try await ConfigApply.run($0) }
}
