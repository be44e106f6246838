import BackendAPI
import Foundation

/// Diffs and applies a commissioning profile on chargers through the backend, and verifies
/// the result. One applier serves a whole fleet run: resets are awaited through one shared
/// long poll of the events feed, started only when a charger first needs it.
///
///     let applier = ConfigurationApplier(client: client, options: .init(reboot: .auto))
///     defer { Task { await applier.shutdown() } }
///     let plan = try await applier.plan("CP-0001", profile: profile)        // config diff
///     let result = try await applier.apply("CP-0001", profile: profile)     // config apply
///     let problems = result.succeeded ? [] : result.failures   // one line per key that did not verify
///
/// Requests per charger: one read, one write (none when nothing differs), one verify read;
/// a reset adds the Reset command, and the verify read waits for the boot (the feed's long
/// poll that sees the boot is shared by every charger of the run).
/// Without a known identity (`identity: nil`) the charger itself is read first. Each request
/// carries up to the API's 500 keys; the backend splits them into OCPP messages within the
/// charger's own limits (GetConfigurationMaxKeys, ItemsPerMessage, BytesPerMessage).
public final class ConfigurationApplier: Sendable {
    public struct Options: Sendable {
        public var reboot: RebootPolicy
        /// How long a charger may take to boot again after a reset.
        public var bootTimeout: Duration
        /// Plan only: nothing is sent.
        public var dryRun: Bool

        public init(reboot: RebootPolicy = .auto, bootTimeout: Duration = .seconds(300), dryRun: Bool = false) {
            self.reboot = reboot
            self.bootTimeout = bootTimeout
            self.dryRun = dryRun
        }
    }

    public let client: BackendClient
    public let options: Options
    private let boots: BootWaiter

    /// - Parameters:
    ///   - chargers: the chargers the run covers, to narrow the events feed (empty: all).
    ///   - watcher: a started watcher to share with other work (its types must include
    ///     BootNotification); without one the applier starts its own when a reset needs it.
    public init(client: BackendClient, options: Options = Options(), chargers: [String] = [], watcher: EventWatcher? = nil) {
        self.client = client
        self.options = options
        boots = BootWaiter(client: client, chargers: chargers, watcher: watcher)
    }

    /// Stops the events long poll, if one was started.
    public func shutdown() async {
        await boots.stop()
    }

    // MARK: - Diff

    /// The charger's identity as the backend knows it.
    public func identity(of chargerId: String) async throws -> ChargerIdentity {
        let charger = try await client.charger(chargerId)
        guard let identity = ChargerIdentity(charger) else { throw ConfigureError.identityUnknown(chargerId: chargerId) }
        return identity
    }

    /// Resolves `profile` for the charger and compares it with the charger's configuration,
    /// read live: what `config diff` shows. `identity` saves a request when known (a fleet
    /// listing has it). Throws `ProfileError` when the profile does not fit the charger
    /// (nothing is sent then), `BackendError` when the charger cannot be read.
    public func plan(_ chargerId: String, profile: Profile, identity: ChargerIdentity? = nil) async throws -> ConfigurationPlan {
        let identity = if let identity { identity } else { try await self.identity(of: chargerId) }
        let resolved = try profile.resolve(for: identity)
        let current = try await read(chargerId, keys: resolved.keysToRead)
        return ConfigurationPlan(profile: resolved, current: current)
    }

    // MARK: - Apply

    /// Plans and applies: `config apply` for one charger.
    public func apply(_ chargerId: String, profile: Profile, identity: ChargerIdentity? = nil) async throws -> ConfigurationApplyResult {
        try await apply(plan(chargerId, profile: profile, identity: identity), to: chargerId)
    }

    /// Sends `plan`'s changes (and, on 2.0.1, its security profile steps), resets as
    /// `options.reboot` allows, and verifies by reading every key back.
    public func apply(_ plan: ConfigurationPlan, to chargerId: String) async throws -> ConfigurationApplyResult {
        let version = plan.profile.charger.ocppVersion
        var result = ConfigurationApplyResult(
            chargerId: chargerId, profile: plan.profile.name, profileVersion: plan.profile.version, ocppVersion: version,
            dryRun: options.dryRun, rows: plan.rows, report: ApplyReport(outcomes: []),
            sent: plan.changes.map(\.description), securitySteps: [], reset: nil)
        if let change = plan.securityProfileChange, options.reboot != .never {
            result.sent += change.steps.map { "\($0.command.action) (\($0.kind.rawValue))" }
        }
        if options.dryRun {
            result.report = ApplyReport(outcomes: plan.verify(results: [], reread: Configuration(ocppVersion: version, items: [])).outcomes)
            return result
        }

        // The changes, in as few requests as the API takes (the backend batches per charger).
        var answers: [ConfigurationChangeResult] = []
        let request = plan.changeRequest().changes
        for start in stride(from: 0, to: request.count, by: ConfigurationChangeRequest.maxChanges) {
            answers += try await write(chargerId, Array(request[start..<min(request.count, start + ConfigurationChangeRequest.maxChanges)]))
        }

        // 2.0.1 security profile: network profile, priority, reset; each only after the last succeeded.
        var rebooted = false
        var securityFailed = false
        if let change = plan.securityProfileChange, options.reboot != .never {
            for step in change.steps {
                let marker = step.kind == .reset ? try await boots.marker() : 0
                let answer = try await client.command(chargerId, action: step.command.action, payload: step.command.payload)
                let outcome = step.evaluate(answer.response)
                result.securitySteps.append(SecurityStepRecord(step: step.kind, status: outcome.status, reason: outcome.reason,
                                                               succeeded: outcome.succeeded))
                guard outcome.succeeded else {
                    securityFailed = true
                    break
                }
                if step.kind == .reset {
                    var record = ResetRecord(reason: .securityProfile, command: Self.describe(step.command), status: outcome.status,
                                             booted: false)
                    rebooted = await awaitBoot(chargerId, after: marker, record: &record)
                    result.reset = record
                }
            }
        }

        // The answers say whether a reset is due, so the one verify read comes after it.
        let sentSomething = !request.isEmpty || !result.securitySteps.isEmpty
        let wantsReset = switch options.reboot {
        case .auto: answers.contains { $0.status == .rebootRequired }
        case .always: sentSomething
        case .never: false
        }
        if !rebooted, result.reset == nil, wantsReset {
            let command = plan.resetCommand
            let marker = try await boots.marker()
            let answer = try await client.command(chargerId, action: command.action, payload: command.payload)
            let status = answer.response["status"]?.stringValue
            var record = ResetRecord(reason: options.reboot == .always ? .requested : .rebootRequired,
                                     command: Self.describe(command), status: status, booted: false)
            if status == "Accepted" || status == "Scheduled" {
                rebooted = await awaitBoot(chargerId, after: marker, record: &record)
            } else {
                record.problem = "the charger answered the reset \(status ?? "without a status")"
            }
            result.reset = record
        }
        let reread = rebooted ? try await readAfterBoot(chargerId, keys: plan.keysToVerify)
            : try await read(chargerId, keys: plan.keysToVerify)
        var report = plan.verify(results: answers, reread: reread, afterReboot: rebooted)
        if securityFailed {
            // The change did not go through: the key is refused, not waiting for a reboot.
            for index in report.outcomes.indices where Self.isSecurityProfile(report.outcomes[index], plan) {
                report.outcomes[index].result = .rejected
            }
        }
        result.report = report
        return result
    }

    // MARK: - Pieces

    /// Reads `keys` (every key when empty), at most the API's 500 per request.
    public func read(_ chargerId: String, keys: [String]) async throws -> Configuration {
        let most = ConfigurationChangeRequest.maxChanges
        var merged = try await client.configuration(chargerId, keys: Array(keys.prefix(most)))
        for start in stride(from: most, to: keys.count, by: most) {
            let part = try await client.configuration(chargerId, keys: Array(keys[start..<min(keys.count, start + most)]))
            merged.items += part.items
            merged.unknownKeys += part.unknownKeys
        }
        return merged
    }

    /// Sends `changes`. When the backend gives up part-way because the charger is slow
    /// (504 charger-timeout with the answers so far: many 1.6 keys, one ChangeConfiguration
    /// each, can outlast the backend's 30 s), the rest is sent again, as long as every
    /// attempt got answers; re-applying is safe by the contract. A charger that went away
    /// (409) ends it.
    func write(_ chargerId: String, _ changes: [ConfigurationChange]) async throws -> [ConfigurationChangeResult] {
        var answers: [ConfigurationChangeResult] = []
        var rest = changes
        while true {
            do {
                let response = try await client.changeConfiguration(chargerId, rest)
                answers += response.results
                return answers
            } catch {
                guard error.problem?.effectiveType == .chargerTimeout, let partial = error.problem?.results,
                      !partial.isEmpty, partial.count < rest.count else { throw error }
                answers += partial
                rest = Array(rest.dropFirst(partial.count))
            }
        }
    }

    /// Waits for the boot after a reset; true when it came.
    private func awaitBoot(_ chargerId: String, after marker: Int64, record: inout ResetRecord) async -> Bool {
        do {
            _ = try await boots.boot(of: chargerId, after: marker, timeout: options.bootTimeout)
            record.booted = true
            return true
        } catch let error as EventWatcher.WaitError {
            if case .timedOut = error {
                record.problem = "the charger did not boot again within \(Self.seconds(options.bootTimeout))"
            } else {
                record.problem = error.description
            }
        } catch {
            record.problem = "\(error)"
        }
        return false
    }

    /// Reads after a reboot: a backend may see the boot a moment before it takes requests
    /// for the charger again, so `charger-offline` is retried for a bounded while.
    private func readAfterBoot(_ chargerId: String, keys: [String]) async throws -> Configuration {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var delay = Duration.milliseconds(50)
        while true {
            do {
                return try await read(chargerId, keys: keys)
            } catch let error as BackendError {
                guard error.problem?.effectiveType == .chargerOffline, clock.now < deadline else { throw error }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    static func isSecurityProfile(_ outcome: ApplyOutcome, _ plan: ConfigurationPlan) -> Bool {
        plan.profile.value(forKey: outcome.key)?.access == .readOnlyViaNetworkProfile
    }

    /// `Reset Soft`.
    static func describe(_ command: CommandRequest) -> String {
        [command.action, command.payload["type"]?.stringValue].compactMap { $0 }.joined(separator: " ")
    }

    static func seconds(_ duration: Duration) -> String {
        "\(duration.components.seconds) s"
    }
}

extension ChargerIdentity {
    /// The identity of a listed charger; nil for one that never booted.
    public init?(_ summary: ChargerSummary) {
        guard let version = summary.ocppVersion else { return nil }
        self.init(vendor: summary.vendor, model: summary.model, ocppVersion: version)
    }
}
