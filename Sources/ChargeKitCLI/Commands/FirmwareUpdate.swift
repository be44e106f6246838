import BackendAPI
import ChargeKit
import Foundation

/// `chargekit firmware update CHARGER --to VERSION|ID`: one charger's firmware update,
/// followed to its end with --wait.
enum FirmwareUpdateCommand {
    static let charger = PositionalSpec("CHARGER", help: "The charger's id, e.g. CP-0001.")
    static let to = OptionSpec("to", .value("VERSION|ID"),
                               help: "The target: a catalogue id (fw_...) or a firmware version (for the charger's model). Required.")
    static let at = OptionSpec("at", .value("TIME"), help: "Download at TIME (RFC 3339, e.g. 2026-12-24T02:00:00Z) instead of now.")
    static let retries = OptionSpec("retries", .int("N"), help: "Download retries the charger may make (0-10).")
    static let retryInterval = OptionSpec("retry-interval", .int("SECONDS"), help: "Seconds between download retries.")
    static let wait = OptionSpec("wait", help: "Print each status as it arrives and wait until the update is over.")
    static let waitTimeout = OptionSpec("wait-timeout", .double("SECONDS"),
                                        help: "With --wait: give up after SECONDS (default 1800); exit 75.")

    static let spec = CommandSpec(
        path: ["firmware", "update"],
        summary: "Update one charger's firmware (--wait: to the end)",
        discussion: """
            Refuses before sending anything when the image is not for the charger's model (65) or \
            the charger is offline (69); a charger already on the target exits 0 with a message. The \
            backend sends the OCPP version's own message (1.6 UpdateFirmware, or SignedUpdateFirmware \
            for a signed image; 2.0.1 UpdateFirmware with requestId, signature and certificate).

            With --wait every status is printed as it arrives, from the events feed, until the \
            charger boots with the target version (exit 0), the update fails (exit 1, naming the \
            failing status), or --wait-timeout passes (exit 75).
            """,
        options: [to, at, retries, retryInterval, wait, waitTimeout],
        positionals: [charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-firmware")

    /// What --json prints.
    struct Report: Encodable {
        var chargerId: String
        var firmwareId: String
        var targetVersion: String
        var fromVersion: String?
        /// alreadyOnTarget, requested, succeeded, failed, timedOut.
        var result: String
        var failedStatus: String?
        var reason: String?
        var updateId: String?
        var requestId: Int?
        var steps: [FirmwareStep]
    }

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let options = context.options
        guard let id = context.arguments.value(charger) else { throw UsageError("missing CHARGER", commandPath: spec.path) }
        guard let target = options.string(to), !target.isEmpty else {
            throw UsageError("--to is required (a firmware version or a catalogue id)", commandPath: spec.path)
        }
        let updateOptions = try updateOptions(context)
        if options.isPresent(waitTimeout) && !options.flag(wait) {
            throw UsageError("--wait-timeout needs --wait", commandPath: spec.path)
        }
        let waitSeconds = options.double(waitTimeout) ?? 1800
        guard waitSeconds > 0 else { throw UsageError("--wait-timeout must be positive", commandPath: spec.path) }
        let console = context.console
        let client = try context.backendClient(maxConcurrentRequests: 4)
        defer { client.shutdown() }
        let updater = FirmwareUpdater(client: client)
        let plan = try await updater.plan(charger: id, to: target)
        let firmware = plan.firmware
        var report = Report(chargerId: id, firmwareId: firmware.id, targetVersion: firmware.version,
                            fromVersion: plan.charger.firmwareVersion, result: "alreadyOnTarget", steps: [])
        if plan.alreadyOnTarget {
            if console.json { try console.json(report) } else {
                console.print("\(id) already runs \(firmware.version) (\(firmware.id)); nothing to do")
            }
            return .ok
        }
        console.info("\(id): \(plan.charger.firmwareVersion ?? "?") -> \(firmware.version) (\(firmware.id)), "
                     + "\(plan.charger.model ?? "?"), OCPP \(plan.charger.ocppVersion?.rawValue ?? "?")")
        let printSteps = !console.json
        let followed = try await updater.run(plan, options: updateOptions,
                                             wait: options.flag(wait) ? .milliseconds(Int64(waitSeconds * 1000)) : nil) { step in
            guard printSteps else { return }
            var line = "\(Timestamp.format(step.at))  \(id)  \(step.status)"
            if let version = step.firmwareVersion { line += " \(version)" }
            if let info = step.info { line += "  (\(info))" }
            console.print(line)
        }
        report.updateId = followed.update.id
        report.requestId = followed.update.requestId
        report.steps = followed.tracker.steps
        let exit: ExitCode
        var message: String
        switch followed.tracker.outcome {
        case nil:
            report.result = "requested"
            exit = .ok
            message = "update \(followed.update.id) requested; follow it with --wait or 'chargekit status \(id)'"
        case .succeeded?:
            report.result = "succeeded"
            exit = .ok
            message = "\(id) runs \(firmware.version) now"
        case .failed(let status, let reason)?:
            let timedOut = followed.timedOut || status == "TimedOut"
            report.result = timedOut ? "timedOut" : "failed"
            report.failedStatus = status
            report.reason = reason
            exit = timedOut ? .tempFail : .checksFailed
            message = timedOut ? "\(id): update \(followed.update.id) not over: \(reason)"
                               : "\(id): update failed with \(status): \(reason)"
        }
        if console.json { try console.json(report) }
        if exit == .ok { console.info(message) } else { console.error(message) }
        return exit
    }

    static func updateOptions(_ context: CommandContext) throws -> FirmwareUpdateOptions {
        let options = context.options
        var result = FirmwareUpdateOptions()
        if let text = options.string(at) {
            guard let date = Timestamp.parse(text) else {
                throw UsageError("--at \(text): not an RFC 3339 time such as 2026-12-24T02:00:00Z", commandPath: context.spec.path)
            }
            result.retrieveAt = date
        }
        if let n = options.int(retries) {
            guard (0...10).contains(n) else { throw UsageError("--retries must be 0 to 10", commandPath: context.spec.path) }
            result.retries = n
        }
        if let n = options.int(retryInterval) {
            guard (0...86_400).contains(n) else {
                throw UsageError("--retry-interval must be 0 to 86400 seconds", commandPath: context.spec.path)
            }
            result.retryIntervalSeconds = n
        }
        return result
    }
}

extension Command {
    static let firmwareUpdate = Command(FirmwareUpdateCommand.spec) { try await FirmwareUpdateCommand.run($0) }
}
