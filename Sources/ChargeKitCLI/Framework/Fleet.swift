import BackendAPI
import ChargeKit

/// The options and plumbing every fleet command shares (`config apply --select`, `qa
/// --select`, `firmware rollout --select`): which chargers, how many at once, a progress bar
/// counting chargers, and the error when nothing matches.
enum FleetOptions {
    static let select = OptionSpec(
        "select", .value("KEY=VALUE"),
        help: "Run over every charger matching KEY=VALUE (id, model, vendor, firmware, site, ocpp, connected; "
            + "* matches anything). Repeat to narrow; repeating a key means either value.",
        repeatable: true)
    static let concurrency = OptionSpec("concurrency", .int("N"), help: "Work on at most N chargers at once (default 8).")

    static let defaultConcurrency = 8
    /// More than this would only queue inside the transport.
    static let maximumConcurrency = 512

    /// The parsed `--select` expressions; nil when none was given (a single-charger run).
    static func selection(_ context: CommandContext) throws -> ChargerSelection? {
        let expressions = context.options.strings(select)
        guard !expressions.isEmpty else { return nil }
        do {
            return try ChargerSelection(parsing: expressions)
        } catch {
            throw UsageError(error.description, commandPath: context.spec.path)
        }
    }

    /// `--concurrency`, checked.
    static func concurrency(_ context: CommandContext) throws -> Int {
        guard let n = context.options.int(concurrency) else { return defaultConcurrency }
        guard (1...maximumConcurrency).contains(n) else {
            throw UsageError("--concurrency must be between 1 and \(maximumConcurrency), got \(n)", commandPath: context.spec.path)
        }
        return n
    }

    /// The chargers `selection` picks; none is an error (exit 66), since a fleet command
    /// that silently does nothing hides a typo in a model or site name.
    static func chargers(_ selection: ChargerSelection, client: BackendClient,
                         expressions: [String]) async throws -> [ChargerSummary] {
        let chargers = try await client.chargers(selectedBy: selection)
        guard !chargers.isEmpty else {
            throw CLIError(.noInput, "no charger matches \(expressions.map { "--select \($0)" }.joined(separator: " "))",
                           hint: "Run 'chargekit chargers list' to see the chargers your token reaches.")
        }
        return chargers
    }
}

extension CommandContext {
    /// Progress of a fleet run, counted in chargers.
    func fleetProgress(label: String, total: Int) -> ProgressReporter {
        progress(label: label, total: Int64(total), unit: .items(total == 1 ? "charger" : "chargers"))
    }
}
