import BackendAPI
import ChargeKit
import Foundation

/// The interactive walk through a checklist on a terminal: one item at a time, its limit shown,
/// a value outside it flagged at once, `back`, `skip`, `note`, `quit`. Every answer is saved
/// before the next question, so a closed laptop or a kill loses nothing.
struct InspectWalk {
    enum Outcome: Equatable {
        /// Every required item answered and the inspector agreed to sign.
        case finish
        /// Stopped with the draft saved, to resume later.
        case quit
    }

    var session: InspectionSession
    let context: CommandContext
    let reader: LineReader

    init(session: InspectionSession, context: CommandContext) {
        self.session = session
        self.context = context
        reader = LineReader(input: context.io.stdin, console: context.console)
    }

    static let help = """
        answers: pass (p), fail (f), na, a number with or without its unit (0.42, 420 mΩ),
                 one of the choices, text, a photo's path, a name to sign
        empty    keep the answer shown in brackets and go on
        note TEXT  attach a note to this item       back (b)  the previous item
        skip (s)   leave this item for now            quit (q)  save and stop; run again to resume
        """

    private var err: any TextOutput { context.io.stderr }
    private var palette: Palette { context.console.stderrPalette }

    mutating func run() async throws -> Outcome {
        let items = session.template.items
        var current = firstOpenItem()
        if current == nil { current = firstMissing() }
        err.write(palette.dim("type ? for help") + "\n")
        while true {
            guard let id = current, let item = session.template.item(id) else {
                if let missing = firstMissing() {
                    let ids = session.evaluation.missing.map(\.id)
                    err.write("still required: \(ids.joined(separator: ", "))\n")
                    guard try await reader.confirm("answer them now?", default: true) else { return .quit }
                    current = missing
                    continue
                }
                return try await sign() ? .finish : .quit
            }
            switch try await ask(item, position: (items.firstIndex { $0.id == id } ?? 0) + 1, of: items.count) {
            case .next:
                current = nextApplicable(after: id)
            case .back:
                // Template order, not a history: a resumed walk can go back to what an earlier run answered.
                if let previous = previousApplicable(before: id) {
                    current = previous
                } else {
                    err.write("this is the first item\n")
                }
            case .quit:
                return .quit
            }
        }
    }

    enum Step { case next, back, quit }

    /// Asks one item until it gets an answer or a move.
    mutating func ask(_ item: ChecklistItem, position: Int, of total: Int) async throws -> Step {
        show(item, position: position, of: total)
        while true {
            let existing = session.draft.answers[item.id]
            let shown = existing.map { " [\($0.answer)]" } ?? ""
            guard let line = try await reader.line("\(item.id)\(shown)> ") else { return .quit }
            let text = line.trimmingCharacters(in: .whitespaces)
            let word = text.lowercased()
            switch word {
            case "?", "help":
                err.write(Self.help + "\n")
                continue
            case "b", "back": return .back
            case "s", "skip": return .next
            case "q", "quit": return .quit
            case "":
                if existing != nil { return .next }
                err.write("type an answer, 'skip' or '?'\n")
                continue
            default: break
            }
            if word.hasPrefix("note ") || word == "note" {
                let note = String(text.dropFirst(4)).trimmingCharacters(in: .whitespaces)
                guard existing != nil else {
                    err.write("answer the item first, then add the note\n")
                    continue
                }
                try session.annotate(item, note: note.isEmpty ? nil : note)
                err.write(palette.dim(note.isEmpty ? "note removed" : "note saved") + "\n")
                continue
            }
            let answer: ChecklistAnswer
            do {
                answer = try ChecklistAnswer.parse(expandingPath(text, for: item), for: item)
            } catch {
                err.write(palette.red("✗ ") + error.reason + "\n")
                continue
            }
            do {
                try session.record(answer, for: item)
            } catch {
                err.write(palette.red("✗ ") + error.description + "\n")
                continue
            }
            flag(item)
            return .next
        }
    }

    /// Photo paths as typed in a shell: relative to the working directory, `~` for home.
    func expandingPath(_ text: String, for item: ChecklistItem) -> String {
        guard item.kind == .photo, !text.isEmpty else { return text }
        if text.hasPrefix("~/"), let home = context.io.environment["HOME"] { return home + text.dropFirst(1) }
        return text.hasPrefix("/") ? text : context.io.workingDirectory + "/" + text
    }

    func show(_ item: ChecklistItem, position: Int, of total: Int) {
        var lines = ["", palette.bold("[\(position)/\(total)] \(item.id)  \(item.text)")]
        var facts: [String] = []
        if let judged = session.evaluation.items.first(where: { $0.id == item.id }), let limit = judged.limit {
            facts.append("limit \(limit)")
        } else if let unit = item.unit {
            facts.append("in \(unit)")
        }
        if !item.choices.isEmpty { facts.append("one of \(item.choices.joined(separator: ", "))") }
        switch item.kind {
        case .passFail: facts.append("pass / fail / na")
        case .photo: facts.append("path of a photo (jpg, png, heic, webp)")
        case .signature: facts.append("name of who signs")
        case .text: facts.append("text")
        case .measurement, .choice: break
        }
        if !item.required { facts.append("optional") }
        if let reference = item.reference { facts.append(reference) }
        lines.append("    " + facts.joined(separator: " · "))
        if let help = item.help { lines.append("    " + palette.dim(help)) }
        if let note = session.draft.answers[item.id]?.note { lines.append("    note: \(note)") }
        err.write(lines.joined(separator: "\n") + "\n")
    }

    /// Says at once when an answer fails its rule; the answer stands, it is what was found.
    func flag(_ item: ChecklistItem) {
        guard let judged = session.evaluation.items.first(where: { $0.id == item.id }) else { return }
        switch judged.status {
        case .fail: err.write(palette.red("✗ FAIL: \(judged.message ?? "answered fail")") + "\n")
        case .pass where judged.limit != nil: err.write(palette.green("✓ within \(judged.limit ?? "")") + "\n")
        default: break
        }
    }

    /// The next item in template order that applies given the answers so far.
    func nextApplicable(after id: String?) -> String? {
        let applicable = session.applicableItems.map(\.id)
        guard let id else { return applicable.first }
        let order = session.template.items.map(\.id)
        guard let position = order.firstIndex(of: id) else { return nil }
        return order[(position + 1)...].first { applicable.contains($0) }
    }

    func previousApplicable(before id: String) -> String? {
        let applicable = Set(session.applicableItems.map(\.id))
        let order = session.template.items.map(\.id)
        guard let position = order.firstIndex(of: id) else { return nil }
        return order[..<position].last { applicable.contains($0) }
    }

    /// Where a resumed walk starts: the first applicable item without an answer.
    func firstOpenItem() -> String? {
        let answered = session.draft.answers
        var next = nextApplicable(after: nil)
        while let candidate = next, answered[candidate] != nil { next = nextApplicable(after: candidate) }
        return next
    }

    func firstMissing() -> String? { session.evaluation.missing.first?.id }

    /// Asks for the inspector when none was given, shows the outcome and asks to sign.
    mutating func sign() async throws -> Bool {
        if session.signer == nil {
            var name = ""
            while name.isEmpty {
                guard let line = try await reader.line("inspector's name: ") else { return false }
                name = line.trimmingCharacters(in: .whitespaces)
            }
            let registration = try await reader.line("registration number (empty for none): ")?.trimmingCharacters(in: .whitespaces)
            try session.describe(inspector: Inspector(name: name, registration: registration?.isEmpty == false ? registration : nil),
                                 instrument: nil)
        }
        let evaluation = session.evaluation
        err.write("\nverdict: \(evaluation.verdict == .pass ? palette.green("PASS") : palette.red(evaluation.verdict.rawValue.uppercased()))\n")
        for failure in evaluation.failures {
            err.write("  \(failure.id) \(failure.text): \(failure.message ?? "failed")\n")
        }
        let name = session.signer?.name ?? ""
        return try await reader.confirm("sign and finish the report as \(name)?", default: true)
    }
}
