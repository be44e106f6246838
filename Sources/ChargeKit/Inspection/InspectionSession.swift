import BackendAPI
import Foundation

/// One inspection being filled in: the draft, its template and the store it is saved to after
/// every change. Shared by `chargekit inspect` and `chargekit commission`, interactive or not.
public struct InspectionSession: Sendable {
    public let store: InspectionStore
    public let template: ChecklistTemplate
    public private(set) var draft: InspectionDraft
    /// Whether an open draft was picked up rather than a new one started.
    public let resumed: Bool

    /// Resumes the open draft of `charger` with this checklist, or starts (and saves) a new one.
    public static func open(store: InspectionStore, charger: String, template: ChecklistTemplate, templateSource: String,
                            now: Date = Date()) throws(InspectionStore.Error) -> InspectionSession {
        if let open = store.openDraft(charger: charger, checklist: template.id) {
            guard open.checklist.version == template.version else {
                throw InspectionStore.Error(
                    path: store.directory + "/" + open.id + ".json",
                    reason: "the open inspection \(open.id) uses checklist \(template.id) version \(open.checklist.version), "
                        + "not \(template.version); finish it with that version or discard it ('chargekit inspect discard \(open.id)')",
                    kind: .conflict)
            }
            return InspectionSession(store: store, template: template, draft: open, resumed: true)
        }
        let draft = InspectionDraft(chargerId: charger, template: template, templateSource: templateSource, startedAt: now)
        try store.save(draft)
        return InspectionSession(store: store, template: template, draft: draft, resumed: false)
    }

    /// Continues an inspection already loaded from the store.
    public init(store: InspectionStore, template: ChecklistTemplate, draft: InspectionDraft, resumed: Bool = true) {
        self.store = store
        self.template = template
        self.draft = draft
        self.resumed = resumed
    }

    public var evaluation: ChecklistEvaluation {
        ChecklistEvaluation(template: template, answers: draft.plainAnswers)
    }

    /// Items whose condition holds given the answers so far, in template order.
    public var applicableItems: [ChecklistItem] {
        let skipped = Set(evaluation.items.filter { $0.status == .skipped }.map(\.id))
        return template.items.filter { !skipped.contains($0.id) }
    }

    /// Records an answer and saves the draft. A photo is copied into the store first, so the
    /// report never depends on the user's file staying where it was.
    public mutating func record(_ answer: ChecklistAnswer, note: String? = nil, for item: ChecklistItem, at date: Date = Date(),
                                instrument: String? = nil) throws(InspectionStore.Error) {
        try requireOpen()
        var updated = draft
        if case .photo(let path) = answer {
            _ = try store.storePhoto(at: path, item: item.id, in: &updated)
        } else {
            updated.photos[item.id] = nil
        }
        let measuredWith = if case .measurement = answer { instrument ?? updated.instrument?.serial } else { String?.none }
        updated.answers[item.id] = .init(answer: answer, note: note ?? updated.answers[item.id]?.note, at: date,
                                         instrument: measuredWith)
        updated.updatedAt = InspectionDraft.wholeMilliseconds(date)
        try save(updated)
    }

    /// Records answers read from files: a tester's export first, then the answers file, which
    /// wins for an item in both since a person wrote it.
    public mutating func record(answers: [String: AnswersFile.Entry], imported: [String: ChecklistAnswer] = [:],
                                at date: Date = Date()) throws(InspectionStore.Error) {
        for (id, answer) in imported.sorted(by: { $0.key < $1.key }) where answers[id] == nil {
            guard let item = template.item(id) else { continue }
            try record(answer, for: item, at: date)
        }
        for (id, entry) in answers.sorted(by: { $0.key < $1.key }) {
            guard let item = template.item(id) else { continue }
            try record(entry.answer, note: entry.note, for: item, at: date)
        }
    }

    /// Sets or clears the note on an answered item.
    public mutating func annotate(_ item: ChecklistItem, note: String?) throws(InspectionStore.Error) {
        try requireOpen()
        guard draft.answers[item.id] != nil else { return }
        var updated = draft
        updated.answers[item.id]?.note = note
        try save(updated)
    }

    /// Who inspects and with what; nil leaves a value as it is.
    public mutating func describe(inspector: Inspector?, instrument: Instrument?) throws(InspectionStore.Error) {
        try requireOpen()
        var updated = draft
        if let inspector { updated.inspector = inspector }
        if let instrument { updated.instrument = instrument }
        guard updated != draft else { return }
        try save(updated)
    }

    /// Fills in the charger's identity from the backend's record and pre-fills unanswered items
    /// that name one of its technical-data keys. Returns the ids pre-filled.
    @discardableResult
    public mutating func identify(from charger: Charger, at date: Date = Date()) throws(InspectionStore.Error) -> [String] {
        try requireOpen()
        var updated = draft
        updated.charger = .init(vendor: charger.vendor, model: charger.model, serialNumber: charger.serialNumber,
                                firmwareVersion: charger.firmwareVersion, siteId: charger.site.id)
        var filled: [String] = []
        for item in template.items where updated.answers[item.id] == nil {
            guard let key = item.prefill, let value = charger.technical[key],
                  let answer = try? ChecklistAnswer.parse(value, for: item) else { continue }
            updated.answers[item.id] = .init(answer: answer, note: "from the charger's technical data at the backend", at: date)
            filled.append(item.id)
        }
        guard updated != draft else { return [] }
        try save(updated)
        return filled
    }

    /// Who signs: the inspector given, else the name answered to the checklist's signature item.
    public var signer: Inspector? {
        if let inspector = draft.inspector { return inspector }
        for item in template.items where item.kind == .signature {
            if case .signature(let name)? = draft.answers[item.id]?.answer { return Inspector(name: name) }
        }
        return nil
    }

    /// Seals the report (see `InspectionDraft.finish`) and saves it.
    public mutating func finish(at date: Date = Date()) throws -> InspectionReport {
        var updated = draft
        if updated.inspector == nil { updated.inspector = signer }
        let report = try updated.finish(template: template, at: date)
        try save(updated)
        return report
    }

    private mutating func save(_ updated: InspectionDraft) throws(InspectionStore.Error) {
        try store.save(updated)
        draft = updated
    }

    private func requireOpen() throws(InspectionStore.Error) {
        guard !draft.isFinished else {
            throw InspectionStore.Error(path: store.directory + "/" + draft.id + ".json", reason: "is finished and can no longer change", kind: .conflict)
        }
    }
}
