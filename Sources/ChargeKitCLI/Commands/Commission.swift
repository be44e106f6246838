import BackendAPI
import ChargeKit
import Checksum
import Foundation
import JSON

/// `chargekit commission CHARGER --profile FILE`: the installer's whole job in one command,
/// step by step, resumable.
enum Commission {
    static let charger = PositionalSpec("CHARGER", help: "The charger to commission (its OCPP identity), e.g. CP-0001.")
    static let profile = OptionSpec("profile", .path("FILE"), help: "The commissioning profile to apply (with --sim: the shipped example).")
    static let checklist = OptionSpec("checklist", .value("ID|FILE"), help: "The inspection checklist (default: commissioning).")
    static let answers = OptionSpec("answers", .path("FILE"), help: "Inspection answers as JSON; without it the walk asks on a terminal.")
    static let firmware = OptionSpec("firmware", .value("approved|VERSION|skip"),
                                     help: "Bring the firmware to the newest approved image (default), to VERSION, or leave it.")
    static let transaction = OptionSpec("transaction", help: "Include the QA transaction check (needs a vehicle or test adapter).")
    static let expectSerial = OptionSpec("expect-serial", .value("SERIAL"), help: "Fail unless the charger reports this serial number.")
    static let expectModel = OptionSpec("expect-model", .value("MODEL"), help: "Fail unless the charger reports this model.")
    static let report = OptionSpec("report", .path("FILE"), help: "Where to write the HTML report (default: chargekit-report-CHARGER.html).")
    static let firmwareTimeout = OptionSpec("firmware-timeout", .double("SECONDS"), help: "How long to wait for the firmware update (default 1800).")
    static let onlineTimeout = OptionSpec("online-timeout", .double("SECONDS"),
                                          help: "How long to wait for the charger to connect and boot (default 120).")
    static let sim = OptionSpec("sim", help: "Run against a simulator started inside chargekit, with the shipped examples as defaults.")

    static let spec = CommandSpec(
        path: ["commission"],
        summary: "Configure, update, check, inspect and report on a charger",
        discussion: """
            Runs the whole commissioning of one charger, each step shown as it runs: status (the \
            charger is online and identified), configure (apply and verify the profile, rebooting \
            when needed), firmware (bring it to the approved version and wait for the new boot), \
            QA (the default acceptance checks, and the transaction with --transaction), inspection \
            (interactive on a terminal, or from --answers), site data (what the inspection found, \
            sent to the backend), report (written to --report and submitted), and a summary.

            Progress is kept in the local store: running the same command again after an \
            interruption continues from the first unfinished step. A failed step stops the run \
            with its exit status, but the inspection and the report are always done and saved.

            --sim starts a simulated backend inside chargekit on a loopback port and uses the \
            shipped example profile and answers unless others are given; nothing is kept \
            between --sim runs.
            """,
        options: [profile, checklist, answers, firmware, transaction, expectSerial, expectModel, report, Inspect.inspector,
                  Inspect.registration, Inspect.instrument, Inspect.calibrated, firmwareTimeout, onlineTimeout, sim],
        positionals: [charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json, GlobalOptions.quiet],
        manPage: "chargekit-commission")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let id = context.arguments.value(charger) else { throw UsageError("missing CHARGER", commandPath: spec.path) }
        if context.options.flag(sim) {
            return try await CommissionSim.run(context, charger: id)
        }
        let input = try CommissionInput(context, profilePath: context.path(profile), answersPath: context.path(answers))
        return try await CommissionRun.start(context, charger: id, input: input)
    }
}

/// The command line of a commissioning, read and checked before anything is sent.
struct CommissionInput: Sendable {
    var profilePath: String
    var profile: Profile
    var template: ChecklistTemplate
    var templateSource: String
    var answersPath: String?
    var answers: [String: AnswersFile.Entry]
    /// `approved`, `skip` or a version or catalogue id.
    var firmware: String
    var firmwareTimeout: Duration
    var onlineTimeout: Duration
    var transaction: Bool
    var expectSerial: String?
    var expectModel: String?
    var reportPath: String
    var inspector: Inspector?
    var instrument: Instrument?

    init(_ context: CommandContext, profilePath: String?, answersPath: String?) throws {
        let options = context.options
        let path = Commission.spec.path
        guard let profilePath else { throw UsageError("--profile FILE is required (or --sim for the example)", commandPath: path) }
        self.profilePath = profilePath
        let loader = ProfileLoader(environment: context.io.environment, workingDirectory: context.io.workingDirectory)
        profile = try loader.load(profilePath)
        (template, templateSource) = try Inspect.template(options.string(Commission.checklist) ?? "commissioning", context: context)
        self.answersPath = answersPath
        if let answersPath {
            guard FileManager.default.fileExists(atPath: answersPath) else { throw CLIError(.noInput, "answers file \(answersPath) does not exist") }
            answers = try AnswersFile.load(path: answersPath, template: template)
        } else {
            answers = [:]
        }
        firmware = options.string(Commission.firmware) ?? "approved"
        guard !firmware.isEmpty else { throw UsageError("--firmware needs approved, skip or a version", commandPath: path) }
        let seconds = options.double(Commission.firmwareTimeout) ?? 1800
        guard seconds > 0 else { throw UsageError("--firmware-timeout must be positive", commandPath: path) }
        firmwareTimeout = .milliseconds(Int64(seconds * 1000))
        let online = options.double(Commission.onlineTimeout) ?? 120
        guard online >= 0 else { throw UsageError("--online-timeout must not be negative", commandPath: path) }
        onlineTimeout = .milliseconds(Int64(online * 1000))
        transaction = options.flag(Commission.transaction)
        expectSerial = options.string(Commission.expectSerial)
        expectModel = options.string(Commission.expectModel)
        let id = context.arguments.value(Commission.charger) ?? "charger"
        reportPath = context.path(Commission.report) ?? context.io.workingDirectory + "/chargekit-report-\(id).html"
        (inspector, instrument) = try Inspect.signing(context)
    }

    /// What makes two invocations the same commissioning: a changed profile or answers file
    /// starts a new one.
    func fingerprint(charger: String) -> String {
        func digest(_ path: String?) -> String { path.flatMap { try? SHA256.hex(fileAt: $0) } ?? "-" }
        let parts = [charger, profilePath, digest(profilePath), templateSource, template.version, answersPath ?? "-", digest(answersPath),
                     firmware, transaction ? "tx" : "-", expectSerial ?? "-", expectModel ?? "-"]
        return SHA256.hex(Data(parts.joined(separator: "\u{1F}").utf8))
    }
}

extension Command {
    static let commission = Command(Commission.spec) { try await Commission.run($0) }
}
