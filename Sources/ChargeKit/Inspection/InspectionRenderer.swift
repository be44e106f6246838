import BackendAPI
import Foundation

/// The inspection report as people read it: one self-contained HTML file (photos embedded,
/// an A4 print stylesheet) for the customer, or Markdown for tickets and e-mail.
public struct InspectionRenderer: Sendable {
    public let draft: InspectionDraft
    public let template: ChecklistTemplate
    public let evaluation: ChecklistEvaluation
    /// The bytes of each stored photo, by item id (nil: not available, shown by name only).
    public let photos: [String: Data]
    /// Tables after the checklist: what else was done on site (the commissioning steps, the
    /// acceptance tests).
    public let appendices: [Appendix]

    /// A titled table; rows marked failed are highlighted as failed items are.
    public struct Appendix: Sendable, Equatable {
        public var title: String
        public var columns: [String]
        public var rows: [Row]

        public struct Row: Sendable, Equatable {
            public var cells: [String]
            public var failed: Bool

            public init(_ cells: [String], failed: Bool = false) {
                self.cells = cells
                self.failed = failed
            }
        }

        public init(title: String, columns: [String], rows: [Row]) {
            self.title = title
            self.columns = columns
            self.rows = rows
        }
    }

    public init(draft: InspectionDraft, template: ChecklistTemplate, photos: [String: Data] = [:], appendices: [Appendix] = []) {
        self.draft = draft
        self.template = template
        evaluation = ChecklistEvaluation(template: template, answers: draft.plainAnswers)
        self.photos = photos
        self.appendices = appendices
    }

    var verdictText: String {
        if draft.report == nil { return "DRAFT – not finished" }
        return evaluation.verdict == .pass ? "PASS" : "FAIL"
    }

    static func date(_ date: Date) -> String { Timestamp.format(date).replacingOccurrences(of: "T", with: " ") }

    /// Header fields in order: label, value.
    var header: [(String, String)] {
        var rows: [(String, String)] = [("Charger", draft.chargerId)]
        if let charger = draft.charger {
            rows.append(("Make and model", [charger.vendor, charger.model].compactMap { $0 }.joined(separator: " ")))
            rows.append(("Serial number", charger.serialNumber ?? "–"))
            rows.append(("Firmware", charger.firmwareVersion ?? "–"))
            if let site = charger.siteId { rows.append(("Site", site)) }
        } else {
            rows.append(("Identity", "not read from the backend yet"))
        }
        rows.append(("Checklist", "\(template.title) (\(template.id) \(template.version))"))
        rows.append(("Standards", template.standards.map { "\($0.name):\($0.edition)" }.joined(separator: ", ")))
        if let inspector = draft.inspector {
            rows.append(("Inspector", inspector.name + (inspector.registration.map { ", registration \($0)" } ?? "")))
        }
        if let instrument = draft.instrument {
            var text = "\(instrument.serial), calibrated \(instrument.calibratedAt)"
            if draft.calibrationExpired(at: draft.report?.finishedAt ?? draft.updatedAt) { text += " (calibration expired)" }
            rows.append(("Instrument", text))
        }
        rows.append(("Started", Self.date(draft.startedAt)))
        if let report = draft.report { rows.append(("Finished", Self.date(report.finishedAt))) }
        return rows
    }

    // MARK: HTML

    public func html() -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(template.title)) – \(Self.escape(draft.chargerId))</title>
            <style>
            @page { size: A4; margin: 15mm 12mm; }
            body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
            h1 { font-size: 17pt; margin: 0 0 2mm; }
            h2 { font-size: 12pt; margin: 7mm 0 2mm; border-bottom: 1px solid #bbb; padding-bottom: 1mm; break-after: avoid; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #e2e2e2; }
            th { font-weight: 600; background: #f4f4f5; }
            tr { break-inside: avoid; }
            .meta th { width: 38mm; background: none; }
            .verdict { display: inline-block; font-weight: 700; font-size: 13pt; padding: 1.5mm 5mm; border-radius: 2mm; margin: 3mm 0; }
            .verdict.pass { background: #dcfce7; color: #14532d; }
            .verdict.fail { background: #fee2e2; color: #7f1d1d; }
            .verdict.draft { background: #fef9c3; color: #713f12; }
            tr.fail td { background: #fee2e2; }
            tr.fail td.status { color: #991b1b; font-weight: 700; }
            tr.missing td.status { color: #92400e; font-weight: 700; }
            td.status { white-space: nowrap; }
            table.items { table-layout: fixed; }
            col.c-id { width: 24mm; } col.c-result { width: 20mm; } col.c-value { width: 27mm; }
            td.id { overflow-wrap: anywhere; }
            td.id { color: #555; }
            .note { color: #555; font-size: 9pt; }
            .failures { border: 1px solid #fca5a5; background: #fff5f5; padding: 2mm 4mm; }
            figure { display: inline-block; margin: 2mm 4mm 2mm 0; break-inside: avoid; }
            figure img { max-width: 85mm; max-height: 65mm; border: 1px solid #ccc; }
            figcaption { font-size: 9pt; color: #555; }
            .signature { margin-top: 8mm; display: flex; gap: 10mm; break-inside: avoid; }
            .signature div { flex: 1; border-top: 1px solid #333; padding-top: 1mm; font-size: 9.5pt; }
            .hash { margin-top: 6mm; font: 8pt ui-monospace, "DejaVu Sans Mono", monospace; color: #666; word-break: break-all; }
            @media print { body { padding: 0; } a { color: inherit; text-decoration: none; } }
            </style>
            </head>
            <body>
            <h1>\(Self.escape(template.title))</h1>

            """
        let verdictClass = draft.report == nil ? "draft" : (evaluation.verdict == .pass ? "pass" : "fail")
        out += "<div class=\"verdict \(verdictClass)\">\(Self.escape(verdictText))</div>\n"
        out += "<table class=\"meta\">\n"
        for (label, value) in header {
            out += "<tr><th>\(Self.escape(label))</th><td>\(Self.escape(value))</td></tr>\n"
        }
        out += "</table>\n"
        if !evaluation.failures.isEmpty {
            out += "<h2>Failed items</h2>\n<div class=\"failures\"><ul>\n"
            for item in evaluation.failures {
                out += "<li><b>\(Self.escape(item.id))</b> \(Self.escape(item.text)): \(Self.escape(item.message ?? "failed"))</li>\n"
            }
            out += "</ul></div>\n"
        }
        for section in template.sections {
            out += "<h2>\(Self.escape(section.id)) · \(Self.escape(section.title))</h2>\n"
            out += "<table class=\"items\">\n<colgroup><col class=\"c-id\"><col><col class=\"c-result\"><col class=\"c-value\"><col class=\"c-value\"></colgroup>\n"
            out += "<tr><th>Item</th><th>Check</th><th>Result</th><th>Measured</th><th>Limit</th></tr>\n"
            for item in section.items {
                guard let judged = evaluation.items.first(where: { $0.id == item.id }) else { continue }
                let note = draft.answers[item.id]?.note
                var check = Self.escape(item.text)
                if let reference = item.reference { check += "<br><span class=\"note\">\(Self.escape(reference))</span>" }
                if let note { check += "<br><span class=\"note\">Note: \(Self.escape(note))</span>" }
                if judged.status == .skipped, let message = judged.message { check += "<br><span class=\"note\">(\(Self.escape(message)))</span>" }
                out += "<tr class=\"\(judged.status.rawValue)\"><td class=\"id\">\(Self.escape(item.id))</td><td>\(check)</td>"
                out += "<td class=\"status\">\(Self.escape(Self.label(judged.status)))</td>"
                out += "<td>\(Self.escape(shownValue(item, judged)))</td>"
                out += "<td>\(Self.escape(judged.limit ?? ""))</td></tr>\n"
            }
            out += "</table>\n"
        }
        let photoItems = template.items.filter { draft.photos[$0.id] != nil }
        if !photoItems.isEmpty {
            out += "<h2>Photos</h2>\n"
            for item in photoItems {
                guard let photo = draft.photos[item.id] else { continue }
                if let bytes = photos[item.id] {
                    out += "<figure><img src=\"data:\(photo.mediaType);base64,\(bytes.base64EncodedString())\" alt=\"\(Self.escape(item.text))\">"
                } else {
                    out += "<figure>[\(Self.escape(photo.name))]"
                }
                out += "<figcaption>\(Self.escape(item.id)) · \(Self.escape(item.text)) · sha256 \(photo.sha256.prefix(12))…</figcaption></figure>\n"
            }
        }
        for appendix in appendices {
            out += "<h2>\(Self.escape(appendix.title))</h2>\n<table>\n<tr>"
            for column in appendix.columns { out += "<th>\(Self.escape(column))</th>" }
            out += "</tr>\n"
            for row in appendix.rows {
                out += row.failed ? "<tr class=\"fail\">" : "<tr>"
                for cell in row.cells { out += "<td>\(Self.escape(cell))</td>" }
                out += "</tr>\n"
            }
            out += "</table>\n"
        }
        let signer = draft.inspector.map { $0.name + ($0.registration.map { ", \($0)" } ?? "") } ?? ""
        let signedAt = draft.report.map { Self.date($0.finishedAt) } ?? ""
        out += """
            <div class="signature">
            <div>Inspector: \(Self.escape(signer))</div>
            <div>Date: \(Self.escape(signedAt))</div>
            <div>Signature: \(Self.escape(draft.answers.values.compactMap { if case .signature(let name) = $0.answer { name } else { nil } }.first ?? ""))</div>
            </div>

            """
        if let report = draft.report {
            out += "<p class=\"hash\">Report \(Self.escape(report.id)) · content sha256 \(Self.escape(report.contentHash))</p>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }

    // MARK: Markdown

    public func markdown() -> String {
        var out = "# \(template.title)\n\n**\(verdictText)**\n\n"
        for (label, value) in header { out += "- **\(label):** \(Self.markdownEscape(value))\n" }
        if !evaluation.failures.isEmpty {
            out += "\n## Failed items\n\n"
            for item in evaluation.failures { out += "- **\(item.id)** \(Self.markdownEscape(item.text)): \(Self.markdownEscape(item.message ?? "failed"))\n" }
        }
        for section in template.sections {
            out += "\n## \(section.id) · \(section.title)\n\n| Item | Check | Result | Measured | Limit |\n|---|---|---|---|---|\n"
            for item in section.items {
                guard let judged = evaluation.items.first(where: { $0.id == item.id }) else { continue }
                var check = item.text
                if let note = draft.answers[item.id]?.note { check += " (note: \(note))" }
                out += "| \(item.id) | \(Self.markdownEscape(check)) | \(Self.label(judged.status)) | \(Self.markdownEscape(shownValue(item, judged))) | \(Self.markdownEscape(judged.limit ?? "")) |\n"
            }
        }
        for appendix in appendices {
            out += "\n## \(appendix.title)\n\n| " + appendix.columns.map(Self.markdownEscape).joined(separator: " | ") + " |\n|"
            out += String(repeating: "---|", count: appendix.columns.count) + "\n"
            for row in appendix.rows {
                let cells = row.cells.map(Self.markdownEscape)
                out += "| " + (row.failed ? cells.map { "**\($0)**" } : cells).joined(separator: " | ") + " |\n"
            }
        }
        if let report = draft.report { out += "\nReport \(report.id), content sha256 `\(report.contentHash)`\n" }
        return out
    }

    /// What the Measured column shows: the value, not a repeat of the result.
    func shownValue(_ item: ChecklistItem, _ judged: ChecklistEvaluation.Item) -> String {
        switch item.kind {
        case .passFail: "–"
        case .photo: judged.measured == nil ? "–" : "see photos"
        default: judged.measured ?? "–"
        }
    }

    static func label(_ status: ChecklistEvaluation.Item.Status) -> String {
        switch status {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .notApplicable: "N/A"
        case .skipped: "–"
        case .recorded: "recorded"
        case .missing: "MISSING"
        case .unanswered: "–"
        }
    }

    static func escape(_ text: String) -> String { Markup.escape(text) }

    static func markdownEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
