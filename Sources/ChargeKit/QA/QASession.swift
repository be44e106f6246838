import BackendAPI
import Foundation
import JSON

/// Runs the acceptance checks on chargers, one at a time or many at once, sharing one
/// backend client, one long poll of the events feed (every wait is on that feed, never a
/// poll per charger) and the firmware catalogue:
///
///     let session = QASession(client: client, options: options, watch: .chargers([id]))
///     try await session.start()
///     let report = try await session.run(id)
///     await session.stop()
public final class QASession: Sendable {
    public let client: BackendClient
    public let options: QAOptions
    /// How the profile file is named in remedies (`--profile site.json`).
    public let profileFile: String
    let watcher: EventWatcher
    let catalogue: FirmwareCatalogue

    /// Which chargers' events the session's feed carries.
    public enum Watch: Sendable {
        case chargers([String])
        /// Every charger the token reaches (a fleet too big to name in one request).
        case all
    }

    public init(client: BackendClient, options: QAOptions, watch: Watch, profileFile: String = "PROFILE") {
        self.client = client
        self.options = options
        self.profileFile = profileFile
        var types = ["MeterValues"]
        if options.checks.contains(.transaction) {
            types += ["StatusNotification", "StartTransaction", "StopTransaction", "TransactionEvent"]
        }
        if options.checks.contains(.reset) { types.append("BootNotification") }
        var chargers: [String] = []
        if case .chargers(let ids) = watch, ids.count <= EventFeed.maxChargers { chargers = ids }
        watcher = EventWatcher(client: client, options: EventWatcher.Options(chargers: chargers, types: types,
                                                                             keepPerCharger: 64))
        catalogue = FirmwareCatalogue(client: client)
    }

    /// Pins the feed's current end: events from then on are what the checks wait for.
    public func start() async throws(BackendError) {
        try await watcher.start()
    }

    public func stop() async {
        await watcher.stop()
    }

    /// Every selected check on one charger. Throws only when the charger cannot be read at
    /// all (unreachable backend, unknown charger); each check's own trouble is its ERROR.
    public func run(_ chargerId: String) async throws(BackendError) -> QAReport {
        let startedAt = Date()
        let charger = try await client.charger(chargerId)
        let facts = await ChargerFacts.gather(charger, session: self)
        var results: [QACheckResult] = []
        for check in options.checks {
            let began = ContinuousClock.now
            var result = await runWithDeadline(check, facts)
            result.durationMs = Int((ContinuousClock.now - began) / .milliseconds(1))
            results.append(result)
        }
        return QAReport(charger: chargerId, ocppVersion: charger.ocppVersion?.rawValue, firmwareVersion: charger.firmwareVersion,
                        startedAt: startedAt, finishedAt: Date(), checks: results)
    }

    private func runWithDeadline(_ check: QACheckID, _ facts: ChargerFacts) async -> QACheckResult {
        let timeout = options.timeout(for: check)
        return await withTaskGroup(of: QACheckResult?.self) { group in
            group.addTask { await self.perform(check, facts, timeout: timeout) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? QACheckResult(id: check, status: .error, message: "did not finish within \(timeout)",
                                          remedy: "Run the check again; give it longer with --check-timeout.")
        }
    }

    private func perform(_ check: QACheckID, _ facts: ChargerFacts, timeout: Duration) async -> QACheckResult {
        let charger = facts.charger
        let needsConnection: Set<QACheckID> = [.clock, .connectors, .configuration, .meter, .transaction, .reset]
        if !charger.connected {
            let neverSeen = check == .identity && charger.lastBoot == nil || check == .firmware && charger.firmwareVersion == nil
            if needsConnection.contains(check) || neverSeen {
                return QACheckResult(id: check, status: .skip, message: "skipped: the charger is not connected (see connection)")
            }
        }
        switch check {
        case .identity:
            return QAEvaluation.identity(charger, options)
        case .connection:
            return QAEvaluation.connection(charger, heartbeatInterval: facts.int(facts.heartbeatKey), now: Date())
        case .clock:
            return QAEvaluation.clock(charger, limit: options.maximumClockDriftSeconds)
        case .connectors:
            return QAEvaluation.connectors(charger, numberOfConnectors: charger.ocppVersion == .v16 ? facts.int("NumberOfConnectors") : nil,
                                           expected: options.expectedConnectorStatus)
        case .configuration:
            return configurationCheck(facts)
        case .firmware:
            if options.expectedFirmware == nil, let model = charger.model {
                do {
                    let entries = try await catalogue.firmware(for: model)
                    return QAEvaluation.firmware(charger, catalogue: entries, expected: nil)
                } catch {
                    return QACheckResult(id: .firmware, status: .error, message: "cannot read the firmware catalogue: \(error)")
                }
            }
            return QAEvaluation.firmware(charger, catalogue: [], expected: options.expectedFirmware)
        case .meter:
            return await meterCheck(facts, timeout: timeout)
        case .transaction:
            return await TransactionCheck(session: self, facts: facts, timeout: timeout).run()
        case .reset:
            return await resetCheck(facts, timeout: timeout)
        }
    }

    // MARK: configuration

    private func configurationCheck(_ facts: ChargerFacts) -> QACheckResult {
        guard options.profile != nil else {
            return QACheckResult(id: .configuration, status: .skip, message: "no --profile given")
        }
        switch facts.resolvedProfile {
        case .none:
            return QACheckResult(id: .configuration, status: .error, message: "the charger never booted: its OCPP version is unknown")
        case .failure(let error)?:
            return QACheckResult(id: .configuration, status: .error, message: "the profile does not fit this charger: \(error)",
                                 remedy: "Fix the profile (see 'chargekit config diff').")
        case .success(let resolved)?:
            guard let configuration = facts.configuration else {
                return QACheckResult(id: .configuration, status: .error,
                                     message: "cannot read the configuration: \(facts.configurationError ?? "no answer")",
                                     remedy: "Run the check again once the charger answers.")
            }
            return QAEvaluation.configuration(ConfigurationPlan(profile: resolved, current: configuration), profileFile: profileFile,
                                              charger: facts.charger.id)
        }
    }

    // MARK: meter

    private func meterCheck(_ facts: ChargerFacts, timeout: Duration) async -> QACheckResult {
        let charger = facts.charger
        let connectors = facts.outlets
        guard !connectors.isEmpty else {
            return QACheckResult(id: .meter, status: .error, message: "no connector known to trigger a reading for")
        }
        var previous: [Int: Double] = [:]
        if let meter = charger.meter, let energy = meter.energyWh, let connector = meter.connectorId ?? meter.evseId {
            previous[connector] = energy
        }
        let pin = await watcher.lastSeq
        do {
            let answer = try await client.command(charger.id, action: "TriggerMessage", payload: ["requestedMessage": "MeterValues"])
            let status = answer.response["status"]?.stringValue ?? "?"
            guard status == "Accepted" else {
                return QACheckResult(id: .meter, status: .error, message: "the charger answered \(status) to TriggerMessage MeterValues",
                                     remedy: "Enable the RemoteTrigger feature profile on the charger.")
            }
        } catch {
            return QACheckResult(id: .meter, status: .error, message: "TriggerMessage MeterValues failed: \(error)")
        }
        let id = charger.id
        let key = charger.ocppVersion == .v201 ? "evseId" : "connectorId"
        let samples = await withTaskGroup(of: (Int, [MeterSample]?).self) { group in
            for connector in connectors {
                group.addTask {
                    let event = try? await self.watcher.next(from: id, after: pin, timeout: timeout) { event in
                        event.type == "MeterValues" && event.payload[key]?.intValue == connector
                            && MeterSample.parse(event.payload).contains { $0.context == "Trigger" }
                    }
                    return (connector, event.map { MeterSample.parse($0.payload) })
                }
            }
            var all: [Int: [MeterSample]] = [:]
            for await (connector, samples) in group {
                if let samples { all[connector] = samples }
            }
            return all
        }
        guard !samples.isEmpty else {
            return QACheckResult(id: .meter, status: .error, message: "no triggered MeterValues arrived within \(timeout)",
                                 remedy: "Check the charger's measurand settings and that it answers TriggerMessage.")
        }
        let maximumCurrent = charger.technical[TechnicalKey.maxCurrentA].flatMap(Double.init)
        var result = QAEvaluation.meter(samples: samples, previousEnergy: previous, voltageRange: options.voltageRange,
                                        maximumCurrent: maximumCurrent, ocppVersion: charger.ocppVersion)
        let silent = connectors.filter { samples[$0] == nil }
        if !silent.isEmpty, result.status == .pass || result.status == .warn {
            result.status = .error
            result.message += "; no reading from connector \(silent.map(String.init).joined(separator: ", "))"
        }
        return result
    }

    // MARK: reset

    private func resetCheck(_ facts: ChargerFacts, timeout: Duration) async -> QACheckResult {
        let charger = facts.charger
        let type = charger.ocppVersion == .v201 ? "OnIdle" : "Soft"
        let expected: JSONValue = ["answer": "Accepted", "newBootWithinSeconds": .number(JSONNumber(Int(timeout / .seconds(1))))]
        let pin = await watcher.lastSeq
        let began = ContinuousClock.now
        do {
            let answer = try await client.command(charger.id, action: "Reset", payload: ["type": .string(type)])
            let status = answer.response["status"]?.stringValue ?? "?"
            guard status == "Accepted" else {
                return QACheckResult(id: .reset, status: .fail, measured: ["answer": .string(status)], expected: expected,
                                     message: "the charger answered \(status) to a \(type) reset",
                                     remedy: "End any running transaction and try again.")
            }
        } catch {
            return QACheckResult(id: .reset, status: .error, message: "the \(type) reset could not be sent: \(error)")
        }
        do {
            let boot = try await watcher.next(from: charger.id, after: pin, timeout: timeout) { $0.type == "BootNotification" }
            let seconds = Double((ContinuousClock.now - began) / .milliseconds(1)) / 1000
            let reason = boot.payload["reason"]?.stringValue
            let after = try await client.charger(charger.id)
            var measured = JSONObject([("answer", "Accepted"), ("rebootSeconds", .number(JSONNumber((seconds * 10).rounded() / 10)))])
            if let reason { measured["bootReason"] = .string(reason) }
            measured["bootStatus"] = after.lastBoot.map { .string($0.status.rawValue) } ?? .null
            guard after.lastBoot?.status == .accepted else {
                return QACheckResult(id: .reset, status: .fail, measured: .object(measured), expected: expected,
                                     message: "the charger rebooted but its boot was not accepted",
                                     remedy: "Check the charger's registration at the backend.")
            }
            return QACheckResult(id: .reset, status: .pass, measured: .object(measured), expected: expected,
                                 message: String(format: "back with a new boot after %.1f s", seconds) + (reason.map { " (\($0))" } ?? ""))
        } catch {
            return QACheckResult(id: .reset, status: .fail, measured: ["answer": "Accepted"], expected: expected,
                                 message: "no new BootNotification: \(error)",
                                 remedy: "The charger may hang on reboot: power-cycle it and contact the manufacturer.")
        }
    }
}

/// What the checks of one charger read once: the charger and the configuration keys every
/// check needs, in one request.
struct ChargerFacts: Sendable {
    let charger: Charger
    let configuration: Configuration?
    let configurationError: String?
    let resolvedProfile: Result<ResolvedProfile, ProfileError>?

    var version: OCPPVersion { charger.ocppVersion ?? .v16 }
    var heartbeatKey: String { version == .v201 ? "OCPPCommCtrlr.HeartbeatInterval" : "HeartbeatInterval" }
    var sampleIntervalKey: String { version == .v201 ? "SampledDataCtrlr.TxUpdatedInterval" : "MeterValueSampleInterval" }

    /// Connector numbers that take a vehicle (1.6 connector ids from 1, 2.0.1 EVSE ids).
    var outlets: [Int] {
        let ids = charger.connectors.map { version == .v201 ? ($0.evseId ?? $0.connectorId) : $0.connectorId }
        return Array(Set(ids.filter { $0 >= 1 })).sorted()
    }

    func value(_ key: String) -> String? {
        let wanted = ConfigurationKey.normalized(key, version: version)
        return configuration?.items.first { ConfigurationKey.normalized($0.key, version: version) == wanted }?.value
    }

    func int(_ key: String) -> Int? { value(key).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    static func gather(_ charger: Charger, session: QASession) async -> ChargerFacts {
        let checks = Set(session.options.checks)
        var resolved: Result<ResolvedProfile, ProfileError>?
        if let profile = session.options.profile, checks.contains(.configuration), let identity = ChargerIdentity(charger) {
            do {
                resolved = .success(try profile.resolve(for: identity))
            } catch {
                resolved = .failure(error)
            }
        }
        let probe = ChargerFacts(charger: charger, configuration: nil, configurationError: nil, resolvedProfile: resolved)
        var keys: [String] = []
        if checks.contains(.connection) { keys.append(probe.heartbeatKey) }
        if checks.contains(.connectors), probe.version == .v16 { keys.append("NumberOfConnectors") }
        if checks.contains(.transaction) { keys.append(probe.sampleIntervalKey) }
        if case .success(let profile)? = resolved { keys += profile.keysToRead }
        guard charger.connected, !keys.isEmpty else { return probe }
        var seen = Set<String>()
        keys = keys.filter { seen.insert(ConfigurationKey.normalized($0, version: probe.version)).inserted }
        do {
            let configuration = try await session.client.configuration(charger.id, keys: keys)
            return ChargerFacts(charger: charger, configuration: configuration, configurationError: nil, resolvedProfile: resolved)
        } catch {
            return ChargerFacts(charger: charger, configuration: nil, configurationError: error.description, resolvedProfile: resolved)
        }
    }
}

/// The backend's firmware catalogue per model, read once per model however many chargers ask.
actor FirmwareCatalogue {
    private let client: BackendClient
    private var byModel: [String: Task<[Firmware], any Error>] = [:]

    init(client: BackendClient) {
        self.client = client
    }

    func firmware(for model: String) async throws -> [Firmware] {
        if let task = byModel[model] { return try await task.value }
        let client = self.client
        let task = Task<[Firmware], any Error> {
            var all: [Firmware] = []
            var cursor: String?
            repeat {
                let page = try await client.firmwareCatalogue(model: model, cursor: cursor)
                all += page.items
                cursor = page.nextCursor
            } while cursor != nil
            return all
        }
        byModel[model] = task
        do {
            return try await task.value
        } catch {
            byModel[model] = nil  // a failure is not remembered: the next charger asks again
            throw error
        }
    }
}
