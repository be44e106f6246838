import BackendAPI
import ChargeKit
import DurableFiles
import Foundation
import JSON

/// `chargekit qa CHARGER` or `chargekit qa --select ...`: acceptance checks against live
/// chargers, recorded to the backend through the outbox.
enum Qa {
    static let charger = PositionalSpec("CHARGER", .optional, help: "The charger to check (or --select for many).")

    static let ids = QACheckID.allCases.map(\.rawValue)
    static let profile = OptionSpec("profile", .path("FILE"), help: "Check the configuration against this commissioning profile.")
    static let check = OptionSpec("check", .value("ID"), help: "Run only check ID (repeatable; an opt-in check named here runs).",
                                  repeatable: true)
    static let skip = OptionSpec("skip", .value("ID"), help: "Do not run check ID (repeatable).", repeatable: true)
    static let transaction = OptionSpec("transaction", help: "Also run a remote start/stop transaction (needs a vehicle or test adapter).")
    static let reset = OptionSpec("reset", help: "Also soft-reset the charger and wait for it to come back.")
    static let expectSerial = OptionSpec("expect-serial", .value("SERIAL"), help: "The serial number the charger must report.")
    static let expectModel = OptionSpec("expect-model", .value("MODEL"), help: "The model the charger must report.")
    static let expectFirmware = OptionSpec("expect-firmware", .value("VERSION"),
                                           help: "The firmware version it must run (instead of the catalogue's approved one).")
    static let expectStatus = OptionSpec("expect-status", .value("STATUS"),
                                         help: "The status every connector must report (default Available).")
    static let maxClockDrift = OptionSpec("max-clock-drift", .double("SECONDS"), help: "Largest allowed clock drift (default 5).")
    static let minVoltage = OptionSpec("min-voltage", .double("VOLTS"), help: "Lowest allowed phase voltage (default 207).")
    static let maxVoltage = OptionSpec("max-voltage", .double("VOLTS"), help: "Highest allowed phase voltage (default 253).")
    static let idTag = OptionSpec("id-tag", .value("TAG"), help: "Id tag of the test transaction (default CHARGEKIT-QA).")
    static let checkTimeout = OptionSpec("check-timeout", .double("SECONDS"),
                                         help: "Give each check this long (default 60; transaction 600, reset 300).")
    static let junit = OptionSpec("junit", .path("FILE"), help: "Also write the results as JUnit XML to FILE.")

    static let spec = CommandSpec(
        path: ["qa"],
        summary: "Run acceptance checks against a charger or a fleet",
        discussion: """
            Checks a live charger the way an acceptance test does: identity, connection and heartbeat, \
            clock, connectors, configuration against --profile, firmware against the backend's approved \
            catalogue, and meter values; with --transaction a remote start/stop, with --reset a soft \
            reset. Waiting is done on the backend's events feed.

            Prints a table (or --json, or --junit FILE) and a verdict, and records the run to the backend; \
            when the backend cannot be reached the record waits in the outbox for 'chargekit sync'. \
            Exits 0 when every check passed (WARN allowed), 1 when one failed or could not be judged.

            With --select the checks run over every matching charger, --concurrency at a time, with a \
            progress bar on a terminal and a summary.
            """,
        options: [profile, check, skip, transaction, reset, expectSerial, expectModel, expectFirmware, expectStatus, maxClockDrift,
                  minVoltage, maxVoltage, idTag, checkTimeout, junit, FleetOptions.select, FleetOptions.concurrency],
        positionals: [charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json, GlobalOptions.progress],
        manPage: "chargekit-qa")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let selection = try FleetOptions.selection(context)
        let single = context.arguments.value(charger)
        switch (single, selection) {
        case (nil, nil): throw UsageError("missing CHARGER (or --select KEY=VALUE for a fleet)", commandPath: spec.path)
        case (.some, .some): throw UsageError("give either CHARGER or --select, not both", commandPath: spec.path)
        default: break
        }
        let concurrency = try FleetOptions.concurrency(context)
        let options = try makeOptions(context)
        let junitPath = context.path(junit)
        let client = try context.backendClient(maxConcurrentRequests: max(16, concurrency * 2))
        defer { client.shutdown() }

        if let single {
            let session = QASession(client: client, options: options, watch: .chargers([single]),
                                    profileFile: context.options.string(profile) ?? "PROFILE")
            try await session.start()
            let report: QAReport
            do {
                report = try await session.run(single)
            } catch {
                await session.stop()
                throw error
            }
            await session.stop()
            let entry = await keep(report, in: outbox(context), console: context.console)
            let recorded = await send(entry.map { [$0: report.id] } ?? [:], context: context, client: client)
            if let junitPath { try writeJUnit([.report(report)], to: junitPath) }
            if context.console.json {
                try context.console.json(Single(report: report, recorded: recorded.contains(report.id)))
            } else {
                render(report, context: context)
                context.console.info(recorded.contains(report.id) ? "recorded at the backend as QA run \(report.id)"
                                                                   : "QA run \(report.id) kept in the outbox")
            }
            return report.verdict == .pass ? .ok : .checksFailed
        }

        guard let selection else { return .software }
        let expressions = context.options.strings(FleetOptions.select)
        let chargers = try await FleetOptions.chargers(selection, client: client, expressions: expressions)
        let ids = chargers.map(\.id)
        let session = QASession(client: client, options: options, watch: ids.count <= EventFeed.maxChargers ? .chargers(ids) : .all,
                                profileFile: context.options.string(profile) ?? "PROFILE")
        try await session.start()
        let progress = context.fleetProgress(label: "qa", total: ids.count)
        let store = outbox(context)
        let console = context.console
        let results = await FleetRun.run(ids, concurrency: concurrency) { id -> (FleetOutcome, String?) in
            do throws(BackendError) {
                let report = try await session.run(id)
                return (.report(report), await keep(report, in: store, console: console))
            } catch {
                return (.unreadable(charger: id, error: error), nil)
            }
        } onFinish: { _, _, finished in
            progress.update(completed: Int64(finished))
        }
        progress.finish()
        await session.stop()
        let outcomes = results.map(\.result.0)
        let reports = outcomes.compactMap(\.report)
        var kept: [String: String] = [:]
        for (outcome, entry) in results.map(\.result) {
            if let entry, let report = outcome.report { kept[entry] = report.id }
        }
        let recorded = await send(kept, context: context, client: client, concurrency: concurrency)
        if let junitPath { try writeJUnit(outcomes, to: junitPath) }
        if context.console.json {
            try context.console.json(Fleet(outcomes: outcomes, recorded: recorded))
        } else {
            renderFleet(outcomes, context: context)
            let kept = reports.count - recorded.count
            context.console.info("\(recorded.count) run\(recorded.count == 1 ? "" : "s") recorded at the backend"
                                 + (kept > 0 ? ", \(kept) kept in the outbox" : ""))
        }
        let failed = outcomes.contains { $0.report?.verdict != .pass }
        return failed ? .checksFailed : .ok
    }

    static func makeOptions(_ context: CommandContext) throws -> QAOptions {
        let o = context.options
        func parse(_ option: OptionSpec) throws -> [QACheckID] {
            try o.strings(option).map { text in
                guard let id = QACheckID(rawValue: text) else {
                    throw UsageError("\(option.spelling) \(text): no such check (checks: \(ids.joined(separator: ", ")))",
                                     commandPath: spec.path)
                }
                return id
            }
        }
        var checks = QACheckID.defaults
        let named = try parse(check)
        if !named.isEmpty { checks = named }
        if o.flag(transaction) { checks.append(.transaction) }
        if o.flag(reset) { checks.append(.reset) }
        let skipped = Set(try parse(skip))
        checks = checks.filter { !skipped.contains($0) }
        guard !checks.isEmpty else { throw UsageError("every check is skipped: nothing to run", commandPath: spec.path) }
        var options = QAOptions(checks: checks, expectedSerial: o.string(expectSerial), expectedModel: o.string(expectModel),
                                expectedFirmware: o.string(expectFirmware))
        if let text = o.string(expectStatus) {
            guard let status = ConnectorStatus.allKnown.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw UsageError("--expect-status \(text): not a connector status (\(ConnectorStatus.allKnown.map(\.rawValue).joined(separator: ", ")))",
                                 commandPath: spec.path)
            }
            options.expectedConnectorStatus = status
        }
        if let drift = o.double(maxClockDrift) {
            guard drift >= 0 else { throw UsageError("--max-clock-drift must not be negative", commandPath: spec.path) }
            options.maximumClockDriftSeconds = drift
        }
        let low = o.double(minVoltage) ?? options.voltageRange.lowerBound
        let high = o.double(maxVoltage) ?? options.voltageRange.upperBound
        guard low > 0, low < high else {
            throw UsageError("--min-voltage must be above 0 and below --max-voltage (\(low) – \(high))", commandPath: spec.path)
        }
        options.voltageRange = low...high
        if let tag = o.string(idTag) {
            guard !tag.isEmpty, tag.count <= 20 else { throw UsageError("--id-tag must be 1 to 20 characters", commandPath: spec.path) }
            options.idTag = tag
        }
        if let seconds = o.double(checkTimeout) {
            guard seconds > 0 else { throw UsageError("--check-timeout must be positive", commandPath: spec.path) }
            options.checkTimeout = .milliseconds(Int64(seconds * 1000))
        }
        if let path = context.path(profile) {
            if !checks.contains(.configuration) {
                context.console.warning("--profile is given but the configuration check does not run")
            }
            let loader = ProfileLoader(environment: context.io.environment, workingDirectory: context.io.workingDirectory)
            options.profile = try loader.load(path)
        }
        return options
    }

    /// Keeps a finished run in the outbox at once (so a crash later in a fleet run loses
    /// none); answers the entry id, nil (with a warning) when it cannot be kept.
    static func keep(_ report: QAReport, in outbox: Outbox?, console: Console) async -> String? {
        guard let outbox else { return nil }
        do {
            // Grouped: the runs that finish together share a directory sync, each durable
            // before this returns.
            return try await outbox.enqueue(grouped: report.run).id
        } catch {
            console.warning("cannot keep the QA run of \(report.charger) in the outbox: \(error)")
            return nil
        }
    }

    /// The local outbox, or nil with a warning (the checks still run and print).
    static func outbox(_ context: CommandContext) -> Outbox? {
        do {
            return try context.outbox()
        } catch {
            context.console.warning("QA runs cannot be recorded: \(error)")
            return nil
        }
    }

    /// Pushes the outbox; answers the report ids whose entries the backend confirmed.
    static func send(_ kept: [String: String], context: CommandContext, client: BackendClient, concurrency: Int = 4) async -> Set<String> {
        guard !kept.isEmpty, let pushed = await context.pushOutbox(client, concurrency: concurrency) else { return [] }
        return Set(pushed.sent.compactMap { kept[$0.id] })
    }

    // MARK: Output

    /// What one charger came to: a report, or the error that kept it from being checked.
    enum FleetOutcome: Sendable {
        case report(QAReport)
        case unreadable(charger: String, error: BackendError)

        var report: QAReport? {
            if case .report(let report) = self { return report }
            return nil
        }

        var charger: String {
            switch self {
            case .report(let report): report.charger
            case .unreadable(let charger, _): charger
            }
        }
    }

    struct Single: Encodable {
        var report: QAReport
        var recorded: Bool

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(recorded, forKey: Key("recorded"))
        }
    }

    struct Fleet: Encodable {
        var outcomes: [FleetOutcome]
        var recorded: Set<String>

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            var list = container.nestedUnkeyedContainer(forKey: Key("chargers"))
            for outcome in outcomes {
                switch outcome {
                case .report(let report):
                    try list.encode(Single(report: report, recorded: recorded.contains(report.id)))
                case .unreadable(let charger, let error):
                    try list.encode(["charger": charger, "verdict": "error", "error": error.description])
                }
            }
            let reports = outcomes.compactMap(\.report)
            try container.encode(["chargers": outcomes.count, "pass": reports.filter { $0.verdict == .pass }.count,
                                  "fail": reports.filter { $0.verdict != .pass }.count, "error": outcomes.count - reports.count],
                                 forKey: Key("summary"))
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func paint(_ status: QACheckStatus, _ palette: Palette) -> String {
        switch status {
        case .pass: palette.green(status.rawValue)
        case .warn, .skip: palette.yellow(status.rawValue)
        default: palette.red(status.rawValue)
        }
    }

    static func render(_ report: QAReport, context: CommandContext) {
        let console = context.console
        let palette = console.stdoutPalette
        console.print("charger \(report.charger)" + (report.ocppVersion.map { ", OCPP \($0)" } ?? "")
                      + (report.firmwareVersion.map { ", firmware \($0)" } ?? ""))
        var table = TextTable(columns: [.init("CHECK"), .init("STATUS"), .init("MEASURED"), .init("EXPECTED")])
        for result in report.checks {
            table.append([result.id.rawValue, paint(result.status, palette), compact(result.measured), compact(result.expected)])
        }
        console.write(table.render(palette: palette))
        for result in report.checks {
            console.print("  \(result.id.rawValue): \(result.message)")
            if let remedy = result.remedy, result.status != .pass {
                console.print("    remedy: \(remedy)")
            }
        }
        let counts = [QACheckStatus.pass, .warn, .fail, .error, .skip].map { (report.count($0), $0.rawValue.lowercased()) }
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let verdict = report.verdict == .pass ? palette.green("PASS") : palette.red("FAIL")
        console.print("verdict: \(verdict) (\(counts))")
    }

    static func renderFleet(_ outcomes: [FleetOutcome], context: CommandContext) {
        let console = context.console
        let palette = console.stdoutPalette
        var table = TextTable(columns: [.init("CHARGER"), .init("VERDICT"), .init("PASS", alignment: .right), .init("WARN", alignment: .right),
                                        .init("FAIL", alignment: .right), .init("ERROR", alignment: .right), .init("SKIP", alignment: .right),
                                        .init("DETAIL")])
        for outcome in outcomes {
            switch outcome {
            case .report(let r):
                let bad = r.checks.filter { $0.status == .fail || $0.status == .error }
                table.append([r.charger, r.verdict == .pass ? palette.green("PASS") : palette.red("FAIL"), String(r.count(.pass)),
                              String(r.count(.warn)), String(r.count(.fail)), String(r.count(.error)), String(r.count(.skip)),
                              bad.map { "\($0.id.rawValue): \($0.message)" }.first ?? "-"])
            case .unreadable(let charger, let error):
                table.append([charger, palette.red("ERROR"), "-", "-", "-", "-", "-", error.description])
            }
        }
        console.write(table.render(palette: palette))
        let reports = outcomes.compactMap(\.report)
        let passed = reports.filter { $0.verdict == .pass }.count
        let unreadable = outcomes.count - reports.count
        console.print("\(outcomes.count) charger\(outcomes.count == 1 ? "" : "s"): \(passed) pass, \(reports.count - passed) fail"
                      + (unreadable > 0 ? ", \(unreadable) could not be read" : ""))
    }

    /// A JSON value in a table cell: `a=1, b=x`, at most 40 characters.
    static func compact(_ value: JSONValue?) -> String {
        func text(_ value: JSONValue) -> String {
            switch value {
            case .null: return "-"
            case .string(let s): return s
            case .array(let items): return items.map(text).joined(separator: ",")
            case .object(let members): return members.map { "\($0.key)=\(text($0.value))" }.joined(separator: " ")
            default: return value.description
            }
        }
        guard let value else { return "-" }
        let full = text(value)
        return full.count > 40 ? String(full.prefix(39)) + "…" : full
    }

    static func writeJUnit(_ outcomes: [FleetOutcome], to path: String) throws {
        do {
            try AtomicFile.write(JUnitReport.xml(outcomes), to: path, mode: 0o644)
        } catch {
            throw CLIError(.ioError, "cannot write the JUnit report: \(error)")
        }
    }
}

extension Command {
    static let qa = Command(Qa.spec) { try await Qa.run($0) }
}
