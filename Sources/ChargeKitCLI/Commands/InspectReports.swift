import BackendAPI
import ChargeKit
import Checksum
import DurableFiles
import Foundation

/// `chargekit inspect list|show|render|discard|verify`: the inspections in the local store.
enum InspectReports {
    static let id = PositionalSpec("ID", help: "The inspection's id, or its first characters (at least 4).")

    // MARK: list

    static let chargerOption = OptionSpec("charger", .value("CHARGER"), help: "Only inspections of this charger.")
    static let pending = OptionSpec("pending", help: "Only finished reports the backend has not confirmed yet.")

    static let listSpec = CommandSpec(
        path: ["inspect", "list"],
        summary: "List the inspections in the local store",
        discussion: """
            Lists drafts, finished reports waiting to be sent, and sent reports, oldest first, \
            with their verdict. Damaged files in the store are reported on stderr.
            """,
        options: [chargerOption, pending],
        relevantGlobalOptions: [GlobalOptions.json],
        manPage: "chargekit-inspect")

    struct Row: Encodable {
        var id: String
        var charger: String
        var checklist: String
        var state: String
        var verdict: String
        var startedAt: String
        var updatedAt: String
        var sentAt: String?
    }

    static func state(_ draft: InspectionDraft) -> String {
        draft.report == nil ? "draft" : draft.sentAt == nil ? "queued" : "sent"
    }

    static func list(_ context: CommandContext) async throws -> ExitCode {
        let store = try context.inspectionStore()
        let (all, damaged) = store.all()
        for problem in damaged { context.console.warning(problem.description) }
        let charger = context.options.string(chargerOption)
        let shown = all.filter { (charger == nil || $0.chargerId == charger) && (!context.options.flag(pending) || $0.isPending) }
        let rows = shown.map { draft in
            Row(id: draft.id, charger: draft.chargerId, checklist: "\(draft.checklist.id) \(draft.checklist.version)",
                state: state(draft), verdict: verdict(draft), startedAt: Timestamp.format(draft.startedAt),
                updatedAt: Timestamp.format(draft.updatedAt), sentAt: draft.sentAt.map(Timestamp.format))
        }
        if context.console.json {
            try context.console.json(rows)
            return .ok
        }
        var table = TextTable(columns: [.init("ID"), .init("CHARGER"), .init("CHECKLIST"), .init("STATE"), .init("VERDICT"), .init("UPDATED")])
        for row in rows {
            table.append([String(row.id.prefix(8)), row.charger, row.checklist, row.state, row.verdict, row.updatedAt])
        }
        context.console.write(table.render(palette: context.console.stdoutPalette))
        context.console.info("\(rows.count) inspection\(rows.count == 1 ? "" : "s")")
        return .ok
    }

    static func verdict(_ draft: InspectionDraft) -> String {
        if let report = draft.report { return report.verdict.rawValue }
        return "-"
    }

    // MARK: show

    static let showSpec = CommandSpec(
        path: ["inspect", "show"],
        summary: "Show one inspection: every item's answer, result and limit",
        positionals: [id],
        relevantGlobalOptions: [GlobalOptions.json],
        manPage: "chargekit-inspect")

    struct Shown: Encodable {
        var draft: InspectionDraft
        var state: String
        var evaluation: ChecklistEvaluation
    }

    static func show(_ context: CommandContext) async throws -> ExitCode {
        let (draft, template) = try load(context)
        let evaluation = ChecklistEvaluation(template: template, answers: draft.plainAnswers)
        if context.console.json {
            try context.console.json(Shown(draft: draft, state: state(draft), evaluation: evaluation))
            return .ok
        }
        let console = context.console
        let palette = console.stdoutPalette
        console.print("inspection: \(draft.id) (\(state(draft)))")
        console.print("charger:    \(draft.chargerId)" + (draft.charger.map { " \($0.vendor ?? "?") \($0.model ?? "?"), serial \($0.serialNumber ?? "?")" } ?? ""))
        console.print("checklist:  \(template.title) (\(template.id) \(template.version))")
        if let inspector = draft.inspector {
            console.print("inspector:  \(inspector.name)" + (inspector.registration.map { ", registration \($0)" } ?? ""))
        }
        if let instrument = draft.instrument {
            let expired = draft.calibrationExpired(at: draft.report?.finishedAt ?? Date()) ? palette.yellow(" (calibration expired)") : ""
            console.print("instrument: \(instrument.serial), calibrated \(instrument.calibratedAt)\(expired)")
        }
        console.print("")
        var table = TextTable(columns: [.init("ITEM"), .init("RESULT"), .init("ANSWER"), .init("LIMIT"), .init("TEXT")])
        for item in evaluation.items {
            let status = item.status.rawValue.uppercased()
            let shown = item.status == .fail || item.status == .missing ? palette.red(status) : status
            table.append([item.id, shown, item.measured ?? "-", item.limit ?? "-", item.text])
        }
        console.write(table.render(palette: palette))
        console.print("")
        console.print("verdict:    \(draft.report.map { $0.verdict.rawValue } ?? evaluation.verdict.rawValue + " (draft)")")
        if let report = draft.report { console.print("sha256:     \(report.contentHash)") }
        return .ok
    }

    // MARK: render

    static let format = OptionSpec("format", .choice(["html", "md", "json"]), help: "The document: html (default), md or json.")
    static let output = OptionSpec("output", short: "o", .path("FILE"), help: "Write to FILE (atomically) instead of standard output.")

    static let renderSpec = CommandSpec(
        path: ["inspect", "render"],
        summary: "Render an inspection report as HTML, Markdown or JSON",
        discussion: """
            html is one self-contained file with the photos embedded and a print stylesheet for \
            A4, for the customer; md is for tickets and e-mail; json is the sealed report exactly \
            as it is sent to the backend (finished reports only). A draft renders marked as such.
            """,
        options: [format, output],
        positionals: [id],
        manPage: "chargekit-inspect")

    static func render(_ context: CommandContext) async throws -> ExitCode {
        let (draft, template) = try load(context)
        let text = try document(draft, template: template, format: context.options.string(format) ?? "html",
                                store: try context.inspectionStore())
        if let path = context.path(output) {
            try AtomicFile.write(Array(text.utf8), to: path)
            context.console.info("wrote \(path)")
        } else {
            context.console.write(text)
        }
        return .ok
    }

    /// The report as a document; shared with `commission --report`.
    static func document(_ draft: InspectionDraft, template: ChecklistTemplate, format: String, store: InspectionStore) throws -> String {
        switch format {
        case "json":
            guard let report = draft.report else {
                throw CLIError(.dataError, "inspection \(draft.id) is a draft; only a finished report has a JSON form",
                               hint: "Use 'chargekit inspect show \(draft.id) --json' for the draft.")
            }
            let encoder = JSONCoding.makeEncoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        case "md":
            return InspectionRenderer(draft: draft, template: template).markdown()
        default:
            var photos: [String: Data] = [:]
            for (item, photo) in draft.photos {
                photos[item] = FileManager.default.contents(atPath: store.path(of: photo, in: draft))
            }
            return InspectionRenderer(draft: draft, template: template, photos: photos).html()
        }
    }

    // MARK: discard

    static let discardSpec = CommandSpec(
        path: ["inspect", "discard"],
        summary: "Delete a draft inspection and its photos",
        discussion: "Only drafts: a finished report is the record of what was inspected and is kept.",
        positionals: [id],
        manPage: "chargekit-inspect")

    static func discard(_ context: CommandContext) async throws -> ExitCode {
        let store = try context.inspectionStore()
        let draft = try store.find(argument(context))
        try store.discard(draft.id)
        context.console.info("discarded draft \(draft.id) of \(draft.chargerId)")
        return .ok
    }

    // MARK: verify

    static let verifySpec = CommandSpec(
        path: ["inspect", "verify"],
        summary: "Check that a finished report and its photos are as signed",
        discussion: """
            Recomputes the SHA-256 over the report's canonical content and over every stored \
            photo and compares them with what was signed. Exit 0 when everything matches, 1 \
            when anything changed (naming what).
            """,
        positionals: [id],
        relevantGlobalOptions: [GlobalOptions.json],
        manPage: "chargekit-inspect")

    struct Verification: Encodable {
        var id: String
        var contentHash: String
        var computed: String
        var valid: Bool
        var problems: [String]
    }

    static func verify(_ context: CommandContext) async throws -> ExitCode {
        let store = try context.inspectionStore()
        let draft = try store.find(argument(context))
        guard let report = draft.report else {
            throw CLIError(.dataError, "inspection \(draft.id) is a draft; only a finished report is signed")
        }
        let computed = try InspectionReport.contentHash(of: report)
        var problems: [String] = []
        if computed != report.contentHash { problems.append("the report's content changed since it was signed") }
        for attachment in report.attachments {
            guard let photo = draft.photos.values.first(where: { $0.name == attachment.name }),
                  let bytes = FileManager.default.contents(atPath: store.path(of: photo, in: draft)) else {
                problems.append("photo \(attachment.name) is missing from the store")
                continue
            }
            if SHA256.hex(bytes) != attachment.sha256 { problems.append("photo \(attachment.name) changed since it was signed") }
        }
        let result = Verification(id: draft.id, contentHash: report.contentHash, computed: computed, valid: problems.isEmpty, problems: problems)
        if context.console.json {
            try context.console.json(result)
        } else if problems.isEmpty {
            context.console.print("\(draft.id): intact, sha256 \(computed)")
        } else {
            for problem in problems { context.console.print("\(draft.id): \(problem)") }
        }
        return problems.isEmpty ? .ok : .checksFailed
    }

    // MARK: shared

    static func argument(_ context: CommandContext) throws -> String {
        guard let value = context.arguments.value(id) else { throw UsageError("missing ID", commandPath: context.spec.path) }
        return value
    }

    /// The inspection and the template it was filled in with.
    static func load(_ context: CommandContext) throws -> (InspectionDraft, ChecklistTemplate) {
        let draft = try context.inspectionStore().find(argument(context))
        let (template, _) = try Inspect.template(draft.templateSource, context: context)
        guard template.id == draft.checklist.id, template.version == draft.checklist.version else {
            throw CLIError(.dataError, "inspection \(draft.id) was filled in with \(draft.checklist.id) \(draft.checklist.version), "
                           + "but \(draft.templateSource) is now \(template.id) \(template.version)")
        }
        return (draft, template)
    }

    /// What `inspect` prints when it seals a report.
    static func finished(_ draft: InspectionDraft, report: InspectionReport, template: ChecklistTemplate,
                         context: CommandContext) throws -> ExitCode {
        let console = context.console
        let evaluation = ChecklistEvaluation(template: template, answers: draft.plainAnswers)
        if draft.calibrationExpired(at: report.finishedAt), let instrument = draft.instrument {
            console.warning("instrument \(instrument.serial) was last calibrated \(instrument.calibratedAt), more than a year ago; the report says so")
        }
        if console.json {
            try console.json(Shown(draft: draft, state: state(draft), evaluation: evaluation))
        } else {
            let palette = console.stdoutPalette
            console.print("report:  \(report.id)")
            console.print("verdict: \(report.verdict == .pass ? palette.green("PASS") : palette.red("FAIL"))")
            for failure in evaluation.failures {
                console.print("  \(failure.id) \(failure.text): \(failure.message ?? "failed")")
            }
            console.print("signed:  \(report.inspector.name) at \(Timestamp.format(report.finishedAt))")
            console.print("sha256:  \(report.contentHash)")
        }
        return report.verdict == .pass ? .ok : .checksFailed
    }
}

extension Command {
    static let inspectList = Command(InspectReports.listSpec) { try await InspectReports.list($0) }
    static let inspectShow = Command(InspectReports.showSpec) { try await InspectReports.show($0) }
    static let inspectRender = Command(InspectReports.renderSpec) { try await InspectReports.render($0) }
    static let inspectDiscard = Command(InspectReports.discardSpec) { try await InspectReports.discard($0) }
    static let inspectVerify = Command(InspectReports.verifySpec) { try await InspectReports.verify($0) }
}
