import BackendAPI
import ChargeKit
import Foundation
import Synchronization

/// `chargekit firmware rollout --select ... --to VERSION --state FILE`: a fleet upgrade in
/// waves with a failure budget, resumable from its state file after a crash.
enum FirmwareRolloutCommand {
    static let to = OptionSpec("to", .value("VERSION|ID"),
                               help: "The target: a firmware version (the image for each charger's model) or a catalogue id. Required.")
    static let state = OptionSpec("state", .path("FILE"),
                                  help: "Keep the rollout's state in FILE, replaced atomically after every transition (required but with --dry-run).")
    static let waves = OptionSpec("waves", .value("LIST"),
                                  help: "Where each wave ends, cumulatively: shares or counts, the last 100% (default 1%,10%,50%,100%).")
    static let maxFailures = OptionSpec("max-failures", .value("N|P%"),
                                        help: "Halt when a wave has more failed chargers than this (default 0).")
    static let dryRun = OptionSpec("dry-run", help: "Print the plan and its waves; change nothing.")
    static let resume = OptionSpec("resume", help: "Continue the rollout in --state where it stopped.")
    static let shard = OptionSpec("shard", .value("K/N"), help: "Only the chargers of shard K of N (split by a hash of the charger id).")
    static let updateTimeout = OptionSpec("update-timeout", .double("SECONDS"),
                                          help: "A charger whose update is not over SECONDS after its request has failed (default 3600).")

    static let spec = CommandSpec(
        path: ["firmware", "rollout"],
        summary: "Update the firmware of many chargers in waves",
        discussion: """
            Plans over the chargers --select picks: every one that is compatible with an image of \
            the target, connected and not on it yet. The plan is run in waves, each to its end \
            before the next; when a wave's failures exceed --max-failures the rollout halts, leaves \
            the rest untouched and exits 1. Updates are followed through the fleet-wide events feed.

            The state file is replaced atomically after every transition of every charger. After a \
            crash or a kill, --resume continues exactly where it stopped: finished chargers are not \
            touched again, and a request whose answer was lost is repeated with the same \
            Idempotency-Key, so no charger gets a second update request.
            """,
        options: [FleetOptions.select, to, state, waves, FleetOptions.concurrency, maxFailures, dryRun, resume, shard,
                  updateTimeout, FirmwareUpdateCommand.retries, FirmwareUpdateCommand.retryInterval],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json, GlobalOptions.progress],
        manPage: "chargekit-firmware")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let options = context.options
        let console = context.console
        let dry = options.flag(dryRun)
        let statePath = context.path(state)
        if statePath == nil && !dry { throw UsageError("--state FILE is required (where the rollout keeps its progress)", commandPath: spec.path) }
        if dry && options.flag(resume) { throw UsageError("--dry-run and --resume exclude each other", commandPath: spec.path) }
        let concurrency = try FleetOptions.concurrency(context)
        var timeout = Duration.seconds(3600)
        if let seconds = options.double(updateTimeout) {
            guard seconds > 0 else { throw UsageError("--update-timeout must be positive", commandPath: spec.path) }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        var shardValue: Shard?
        if let text = options.string(shard) {
            guard let parsed = Shard(parsing: text) else {
                throw UsageError("--shard \(text): expected K/N with 1 <= K <= N, e.g. 2/4", commandPath: spec.path)
            }
            shardValue = parsed
        }
        let expressions = options.strings(FleetOptions.select)
        let target = options.string(to)

        let client = try context.backendClient(maxConcurrentRequests: max(8, min(concurrency + 4, FleetOptions.maximumConcurrency)))
        defer { client.shutdown() }

        var rollout: RolloutState
        if options.flag(resume), let statePath {
            rollout = try RolloutStateFile.load(statePath)
            if let target, target != rollout.plan.target {
                throw UsageError("--to \(target) differs from the rollout in \(statePath) (to \(rollout.plan.target))", commandPath: spec.path)
            }
            if !expressions.isEmpty, expressions != rollout.plan.selection {
                throw UsageError("--select differs from the rollout in \(statePath) (\(rollout.plan.selection.joined(separator: " ")))",
                                 commandPath: spec.path)
            }
            if options.isPresent(shard), shardValue != rollout.plan.shard {
                throw UsageError("--shard differs from the rollout in \(statePath) (\(rollout.plan.shard?.description ?? "none"))",
                                 commandPath: spec.path)
            }
            console.info("resuming rollout \(rollout.rolloutId) to \(rollout.plan.target) from \(statePath)")
        } else {
            guard let target, !target.isEmpty else {
                throw UsageError("--to is required (a firmware version or a catalogue id)", commandPath: spec.path)
            }
            guard let selection = try FleetOptions.selection(context) else {
                throw UsageError("--select is required (e.g. --select model=Pro; --select 'id=*' for every charger)", commandPath: spec.path)
            }
            if let statePath, FileManager.default.fileExists(atPath: statePath) {
                throw UsageError("\(statePath) already holds a rollout; continue it with --resume, or remove it to start anew",
                                 commandPath: spec.path)
            }
            var waveSpec = WaveSpec.standard
            if let text = options.string(waves) {
                do {
                    waveSpec = try WaveSpec(parsing: text)
                } catch {
                    throw UsageError("--waves \(text): \(error.description)", commandPath: spec.path)
                }
            }
            var budget = FailureBudget.count(0)
            if let text = options.string(maxFailures) {
                guard let parsed = FailureBudget(parsing: text) else {
                    throw UsageError("--max-failures \(text): expected a number of chargers or a share such as 2%", commandPath: spec.path)
                }
                budget = parsed
            }
            var updateOptions = try FirmwareUpdateCommand.updateOptions(context)
            updateOptions.retrieveAt = nil
            let selected = try await FleetOptions.chargers(selection, client: client, expressions: expressions)
            let catalogue = try await client.firmwareEntries(named: target)
            guard !catalogue.isEmpty else { throw FirmwareUpdateRefusal.noSuchFirmware(target, model: nil) }
            let plan = RolloutPlan.make(target: target, selection: expressions, selected: selected, catalogue: catalogue,
                                        shard: shardValue, waveSpec: waveSpec, budget: budget, options: updateOptions)
            rollout = RolloutState(plan: plan)
            if dry {
                if console.json { try console.json(Report(rollout, path: nil, result: "planned")) } else { printPlan(plan, context: context) }
                return .ok
            }
            if plan.plannedCount == 0 {
                if console.json { try console.json(Report(rollout, path: statePath, result: "nothingToDo")) } else { printPlan(plan, context: context) }
                console.info("nothing to do: no selected charger needs \(target)")
                return .ok
            }
            if let statePath { try RolloutStateFile.write(rollout, to: statePath) }
            console.info("rollout \(rollout.rolloutId): \(plan.plannedCount) chargers in \(plan.waves.count) wave(s) to \(target); "
                         + "state in \(statePath ?? "-")")
        }
        guard let statePath else { return .ok }

        let display = Display(context: context, waves: rollout.plan.waves.map(\.count))
        let runner = FirmwareRollout(client: client, state: rollout, path: statePath,
                                     options: FirmwareRollout.Options(concurrency: concurrency, updateTimeout: timeout)) { progress in
            display.show(progress)
        }
        let final = try await runner.run()
        display.finish()
        let halted = final.halted != nil
        if console.json {
            try console.json(Report(final, path: statePath, result: halted ? "halted" : "finished"))
        } else {
            printSummary(final, context: context)
        }
        if let halt = final.halted {
            let untouched = final.chargers.values.filter { $0.phase == .pending }.count
            console.error("halted in wave \(halt.wave + 1) of \(final.plan.waves.count): \(halt.failures) failed, "
                          + "more than the budget of \(halt.limit); \(untouched) charger(s) left untouched")
            return .checksFailed
        }
        return .ok
    }

    // MARK: Output

    static func printPlan(_ plan: RolloutPlan, context: CommandContext) {
        let console = context.console
        console.print("rollout to \(plan.target)\(plan.shard.map { " (shard \($0))" } ?? ""): \(plan.plannedCount) charger(s) "
                      + "in \(plan.waves.count) wave(s) (\(plan.waveSpec)), failure budget \(plan.budget) per wave")
        for (index, wave) in plan.waves.enumerated() {
            let shown = wave.prefix(12).joined(separator: " ") + (wave.count > 12 ? " ... (\(wave.count - 12) more)" : "")
            console.print("wave \(index + 1): \(wave.count) charger(s): \(shown)")
        }
        var reasons: [RolloutPlan.Skipped.Reason: [String]] = [:]
        for skip in plan.skipped { reasons[skip.reason, default: []].append(skip.id) }
        for reason in [RolloutPlan.Skipped.Reason.alreadyOnTarget, .offline, .incompatible] {
            guard let ids = reasons[reason] else { continue }
            let shown = ids.prefix(12).joined(separator: " ") + (ids.count > 12 ? " ... (\(ids.count - 12) more)" : "")
            console.print("skipped, \(reason.rawValue): \(ids.count): \(shown)")
        }
    }

    static func printSummary(_ state: RolloutState, context: CommandContext) {
        let console = context.console
        var table = TextTable(columns: [.init("WAVE", alignment: .right), .init("CHARGERS", alignment: .right),
                                        .init("SUCCEEDED", alignment: .right), .init("FAILED", alignment: .right),
                                        .init("UNTOUCHED", alignment: .right)])
        for index in state.plan.waves.indices {
            let counts = state.counts(wave: index)
            table.append([String(index + 1), String(state.plan.waves[index].count), String(counts[.succeeded, default: 0]),
                          String(counts[.failed, default: 0]),
                          String(counts[.pending, default: 0] + counts[.requesting, default: 0] + counts[.running, default: 0])])
        }
        console.write(table.render(palette: console.stdoutPalette))
        let failed = state.plan.waves.joined().filter { state.chargers[$0]?.phase == .failed }
        if !failed.isEmpty {
            console.print("")
            var failures = TextTable(columns: [.init("CHARGER"), .init("STATUS"), .init("REASON")])
            for id in failed {
                let c = state.chargers[id]
                failures.append([id, c?.failedStatus ?? "-", c?.reason ?? "-"])
            }
            console.write(failures.render(palette: console.stdoutPalette))
        }
    }

    /// What --json prints: the plan, the outcome per wave and per charger with its timeline.
    struct Report: Encodable {
        struct Wave: Encodable {
            var wave: Int
            var size: Int
            var succeeded: Int
            var failed: Int
            var untouched: Int
            var chargers: [String]
        }

        struct Charger: Encodable {
            var id: String
            var wave: Int
            var model: String
            var ocppVersion: String?
            var fromVersion: String?
            var firmwareId: String
            var targetVersion: String
            var status: String
            var failedStatus: String?
            var reason: String?
            var updateId: String?
            var steps: [FirmwareStep]
        }

        var rolloutId: String
        var target: String
        var state: String?
        var shard: String?
        /// planned (dry run), nothingToDo, finished, halted.
        var result: String
        var halted: RolloutState.Halt?
        var waves: [Wave]
        var chargers: [Charger]
        var skipped: [RolloutPlan.Skipped]

        init(_ s: RolloutState, path: String?, result: String) {
            rolloutId = s.rolloutId
            target = s.plan.target
            state = path
            shard = s.plan.shard?.description
            self.result = result
            halted = s.halted
            waves = s.plan.waves.enumerated().map { index, ids in
                let counts = s.counts(wave: index)
                return Wave(wave: index + 1, size: ids.count, succeeded: counts[.succeeded, default: 0], failed: counts[.failed, default: 0],
                            untouched: ids.count - counts[.succeeded, default: 0] - counts[.failed, default: 0], chargers: ids)
            }
            chargers = s.plan.waves.joined().compactMap { id in
                guard let planned = s.plan.chargers[id], let c = s.chargers[id] else { return nil }
                return Charger(id: id, wave: c.wave + 1, model: planned.model, ocppVersion: planned.ocppVersion,
                               fromVersion: planned.fromVersion, firmwareId: planned.firmwareId, targetVersion: planned.targetVersion,
                               status: c.phase.rawValue, failedStatus: c.failedStatus, reason: c.reason, updateId: c.updateId,
                               steps: c.steps)
            }
            skipped = s.plan.skipped
        }
    }

    /// Live progress: a bar per wave on a terminal, plain lines per charger otherwise.
    final class Display: Sendable {
        private let context: CommandContext
        private let sizes: [Int]
        private let lines: Bool
        private let state = Mutex<(bar: ProgressReporter?, done: Int, failed: Int)>((nil, 0, 0))

        init(context: CommandContext, waves: [Int]) {
            self.context = context
            sizes = waves
            let style = ProgressReporter.style(for: context.progressMode, stderrIsTTY: context.io.stderrIsTTY,
                                               environment: context.io.environment, quiet: context.console.quiet)
            lines = style != .bar
        }

        func show(_ progress: FirmwareRollout.Progress) {
            let console = context.console
            switch progress {
            case .waveStarted(let index, let count, let size, let alreadyDone):
                let bar = lines ? nil : context.fleetProgress(label: "wave \(index + 1)/\(count)", total: size)
                state.withLock { $0 = (bar, alreadyDone, 0) }
                bar?.update(completed: Int64(alreadyDone))
                if lines {
                    console.info("wave \(index + 1)/\(count): \(size) charger(s)" + (alreadyDone > 0 ? ", \(alreadyDone) already done" : ""))
                }
            case .step:
                break
            case .chargerFinished(let id, let charger, _):
                let (bar, done) = state.withLock { s -> (ProgressReporter?, Int) in
                    s.done += 1
                    if charger.phase == .failed { s.failed += 1 }
                    return (s.bar, s.done)
                }
                bar?.update(completed: Int64(done))
                if lines {
                    if charger.phase == .succeeded {
                        console.info("\(id) succeeded")
                    } else {
                        console.info("\(id) failed: \(charger.failedStatus ?? "?") (\(charger.reason ?? ""))")
                    }
                }
            case .waveFinished(let index, let succeeded, let failed):
                state.withLock { $0.bar }?.finish()
                console.info("wave \(index + 1)/\(sizes.count) done: \(succeeded) succeeded, \(failed) failed")
            case .halted:
                state.withLock { $0.bar }?.finish()
            }
        }

        func finish() {
            state.withLock { $0.bar }?.finish()
        }
    }
}

extension Command {
    static let firmwareRollout = Command(FirmwareRolloutCommand.spec) { try await FirmwareRolloutCommand.run($0) }
}
