import BackendAPI
import ChargeKit
import Foundation

/// `chargekit inspect CHARGER --checklist ID|FILE`: fill in a technical-inspection checklist,
/// interactively on a terminal or from files, and seal the report.
enum Inspect {
    static let charger = PositionalSpec("CHARGER", help: "The charger inspected (its OCPP identity).")
    static let checklist = OptionSpec("checklist", .value("ID|FILE"),
                                      help: "The checklist: a shipped one (\(ChecklistTemplate.shippedIDs.joined(separator: ", "))) or a template file.")
    static let answers = OptionSpec("answers", .path("FILE"), help: "Answers as JSON (item id → answer); runs without asking.")
    static let measurements = OptionSpec("measurements", .path("CSV"), help: "Values exported by an installation tester (needs --map).")
    static let map = OptionSpec("map", .path("FILE"), help: "Which CSV column (or test name) answers which item, in which unit.")
    static let instrument = OptionSpec("instrument", .value("SERIAL"), help: "Serial number of the tester the measurements were taken with.")
    static let calibrated = OptionSpec("calibrated", .value("DATE"), help: "The instrument's last calibration, YYYY-MM-DD.")
    static let inspector = OptionSpec("inspector", .value("NAME"), help: "Who inspects and signs the report.")
    static let registration = OptionSpec("registration", .value("NO"), help: "The inspector's registration or accreditation number.")

    static let spec = CommandSpec(
        path: ["inspect"],
        summary: "Fill in an inspection checklist and sign the report",
        discussion: """
            Walks a technical-inspection checklist for one charger: on a terminal item by item, \
            showing each limit and flagging a value outside it at once; with --answers (or when \
            standard input is not a terminal) without asking. The draft is saved after every \
            answer; running the command again resumes the open draft of that charger and checklist.

            When every required item is answered the report is signed with the inspector's name, \
            registration and a SHA-256 over its content, and queued for the backend; \
            'chargekit sync' and every command that reaches the backend send it.
            """,
        options: [checklist, answers, measurements, map, instrument, calibrated, inspector, registration],
        positionals: [charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-inspect")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let chargerId = context.arguments.value(charger) else {
            throw UsageError("missing CHARGER", commandPath: spec.path)
        }
        let input = try Input(context)
        if let unmapped = input.imported?.unmapped, !unmapped.isEmpty {
            context.console.warning("not imported, the map does not mention: \(unmapped.joined(separator: ", "))")
        }
        var session = try InspectionSession.open(store: try context.inspectionStore(), charger: chargerId,
                                                 template: input.template, templateSource: input.templateSource)
        let console = context.console
        if session.resumed {
            let evaluation = session.evaluation
            let answered = evaluation.items.filter { ![.missing, .unanswered, .skipped].contains($0.status) }.count
            console.info("resuming inspection \(session.draft.id) (\(answered) of \(session.applicableItems.count) items answered)")
        } else {
            console.info("inspection \(session.draft.id) of \(chargerId) with \(input.template.id) \(input.template.version)")
        }
        try session.describe(inspector: input.inspector, instrument: input.instrument)
        let client = backendClient(context)
        defer { client?.shutdown() }
        if session.draft.charger == nil, let client { await identify(&session, client: client, context: context) }
        try input.apply(to: &session)

        let interactive = context.io.stdinIsTTY && input.answersFile == nil
        if interactive {
            var walk = InspectWalk(session: session, context: context)
            let outcome = try await walk.run()
            session = walk.session
            guard outcome == .finish else {
                console.info("draft \(session.draft.id) saved; run the same command again to resume")
                return .ok
            }
        } else {
            let missing = session.evaluation.missing.map(\.id)
            guard missing.isEmpty else {
                throw CLIError(.dataError, "required items are unanswered: \(missing.joined(separator: ", "))",
                               hint: "Answer them in --answers \(input.answersFile ?? "FILE") or run on a terminal; the draft \(session.draft.id) is kept.")
            }
            guard session.signer != nil else {
                throw UsageError("--inspector NAME (or an answer to the signature item) is needed to sign the report "
                                 + "(the draft \(session.draft.id) is kept)", commandPath: spec.path)
            }
        }
        let report = try session.finish()
        try context.outbox().enqueue(inspection: session.draft, store: session.store)
        let code = try InspectReports.finished(session.draft, report: report, template: session.template, context: context)
        if let client {
            let pushed = await context.pushOutbox(client)
            if pushed?.sent.contains(where: { $0.id == report.id }) == true {
                console.info("report \(report.id) sent to the backend")
            }
        } else {
            console.info("report \(report.id) queued in the outbox; 'chargekit sync' sends it when the backend can be reached")
        }
        return code
    }

    /// A client when a backend and token are configured; the inspection itself needs neither.
    static func backendClient(_ context: CommandContext) -> BackendClient? {
        guard context.settings.backend != nil else {
            context.console.info("no backend configured; the charger's identity and the report wait for later")
            return nil
        }
        do {
            return try context.backendClient()
        } catch {
            context.console.warning("the backend cannot be used (\(ErrorMapping.report(for: error).message)); working offline")
            return nil
        }
    }

    /// Fills in vendor, model, serial and firmware from the backend. Offline is normal on site:
    /// the identity is then left for a later run, never a reason to stop.
    static func identify(_ session: inout InspectionSession, client: BackendClient, context: CommandContext) async {
        do {
            let record = try await client.charger(session.draft.chargerId)
            let filled = try session.identify(from: record)
            if !filled.isEmpty {
                context.console.info("pre-filled from the charger's technical data: \(filled.joined(separator: ", "))")
            }
        } catch {
            context.console.warning("charger identity left for later: \(ErrorMapping.report(for: error).message)")
        }
    }

    /// The command line read and checked before anything is written.
    struct Input {
        var template: ChecklistTemplate
        var templateSource: String
        var answersFile: String?
        var answers: [String: AnswersFile.Entry] = [:]
        var imported: MeasurementImport.Result?
        var inspector: Inspector?
        var instrument: Instrument?

        init(_ context: CommandContext) throws {
            let options = context.options
            guard let reference = options.string(Inspect.checklist) else {
                throw UsageError("--checklist ID|FILE is required", commandPath: spec.path)
            }
            (template, templateSource) = try Inspect.template(reference, context: context)
            answersFile = context.path(Inspect.answers)
            if let answersFile {
                guard FileManager.default.fileExists(atPath: answersFile) else {
                    throw CLIError(.noInput, "answers file \(answersFile) does not exist")
                }
                answers = try AnswersFile.load(path: answersFile, template: template)
            }
            switch (context.path(Inspect.measurements), context.path(Inspect.map)) {
            case (nil, nil): break
            case (let csv?, let mapFile?):
                for file in [csv, mapFile] where !FileManager.default.fileExists(atPath: file) {
                    throw CLIError(.noInput, "\(file) does not exist")
                }
                imported = try MeasurementImport.load(csvPath: csv, mapPath: mapFile, template: template)
            case (_?, nil): throw UsageError("--measurements needs --map FILE", commandPath: spec.path)
            case (nil, _?): throw UsageError("--map is only used with --measurements CSV", commandPath: spec.path)
            }
            (inspector, instrument) = try Inspect.signing(context)
        }

        func apply(to session: inout InspectionSession) throws {
            try session.record(answers: answers, imported: imported?.answers ?? [:])
        }
    }

    /// `--inspector`, `--registration`, `--instrument` and `--calibrated`, checked; shared
    /// with `commission`.
    static func signing(_ context: CommandContext) throws -> (Inspector?, Instrument?) {
        let options = context.options
        let path = context.spec.path
        var inspector: Inspector?
        var instrument: Instrument?
        if let name = options.string(Inspect.inspector) {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw UsageError("--inspector needs a name", commandPath: path)
            }
            inspector = Inspector(name: name, registration: options.string(registration))
        } else if options.isPresent(registration) {
            throw UsageError("--registration goes with --inspector NAME", commandPath: path)
        }
        switch (options.string(Inspect.instrument), options.string(calibrated)) {
        case (nil, nil): break
        case (let serial?, let date?):
            guard InspectionDraft.calendarDate(date) != nil else {
                throw UsageError("--calibrated '\(date)' is not a date (YYYY-MM-DD)", commandPath: path)
            }
            instrument = Instrument(serial: serial, calibratedAt: date)
        case (_?, nil): throw UsageError("--instrument needs --calibrated DATE (its last calibration)", commandPath: path)
        case (nil, _?): throw UsageError("--calibrated goes with --instrument SERIAL", commandPath: path)
        }
        return (inspector, instrument)
    }

    /// `commissioning` is a shipped template; anything else is a file.
    static func template(_ reference: String, context: CommandContext) throws -> (ChecklistTemplate, String) {
        if let shipped = try ChecklistTemplate.shipped(reference) { return (shipped, reference) }
        let path = reference.hasPrefix("/") ? reference : context.io.workingDirectory + "/" + reference
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(.noInput, "no checklist '\(reference)': not a shipped one (\(ChecklistTemplate.shippedIDs.joined(separator: ", "))) and no such file")
        }
        return (try ChecklistTemplate.load(path: path, file: reference), path)
    }
}

extension CommandContext {
    /// The local store's inspections (`$XDG_DATA_HOME/chargekit/inspections`).
    func inspectionStore() throws -> InspectionStore {
        guard let data = settings.dataDirectory else { throw SettingsError.noConfigDirectory }
        return InspectionStore(dataDirectory: data)
    }
}

extension Command {
    static let inspect = Command(Inspect.spec) { try await Inspect.run($0) }
}
