import BackendAPI
import Foundation

/// Recorded inspection reports with their attachments, and QA runs, on disk in the state
/// directory (`inspections/ID/`, `qa-runs/ID.json`). A recorded report or run never changes;
/// only its attachments arrive.
actor RecordStore {
    private struct StoredInspection: Codable {
        var report: InspectionReport
        var receivedAt: Date
        var receivedBy: String
    }

    private struct Inspection {
        var stored: StoredInspection
        var parts: [String: ReceivingFile]
        var received: Set<String>

        func receipts() -> [AttachmentReceipt] {
            stored.report.attachments.map { AttachmentReceipt(name: $0.name, received: received.contains($0.name)) }
        }
    }

    private struct StoredRun: Codable {
        var run: QARun
        var receivedAt: Date
        var receivedBy: String
    }

    private let state: StateDirectory
    private var inspections: [String: Inspection] = [:]
    private var runs: [String: StoredRun] = [:]

    init(state: StateDirectory) {
        self.state = state
        for id in state.list("inspections") {
            guard let stored = try? state.read(StoredInspection.self, from: "inspections/\(id)/report.json") else { continue }
            var inspection = Inspection(stored: stored, parts: [:], received: [])
            for attachment in stored.report.attachments {
                if FileManager.default.fileExists(atPath: state.path(Self.finalPath(id, attachment.name))) {
                    inspection.received.insert(attachment.name)
                } else if let file = try? ReceivingFile(path: state.path(Self.partPath(id, attachment.name)), size: attachment.size) {
                    inspection.parts[attachment.name] = file
                }
            }
            inspections[stored.report.id.lowercased()] = inspection
        }
        for name in state.list("qa-runs") where name.hasSuffix(".json") {
            guard let stored = try? state.read(StoredRun.self, from: "qa-runs/" + name) else { continue }
            runs[stored.run.id.lowercased()] = stored
        }
    }

    private static func partPath(_ id: String, _ name: String) -> String { "inspections/\(id)/\(name).part" }
    private static func finalPath(_ id: String, _ name: String) -> String { "inspections/\(id)/\(name).bin" }

    // MARK: Inspections

    /// Records a report; `created` is false when the same report was recorded before. A
    /// different report under the same id is 409.
    func record(_ report: InspectionReport, by user: String, at now: Date) throws -> (InspectionReceipt, created: Bool) {
        let key = report.id.lowercased()
        if let existing = inspections[key] {
            guard try Self.same(existing.stored.report, report) else {
                throw APIError.conflict("A different report with id \(report.id) is recorded.")
            }
            return (InspectionReceipt(id: existing.stored.report.id, receivedAt: existing.stored.receivedAt,
                                      attachments: existing.receipts()), false)
        }
        let stored = StoredInspection(report: report, receivedAt: now, receivedBy: user)
        try state.makeDirectory(state.path("inspections/\(key)"))
        var inspection = Inspection(stored: stored, parts: [:], received: [])
        for attachment in report.attachments {
            inspection.parts[attachment.name] = try ReceivingFile(path: state.path(Self.partPath(key, attachment.name)),
                                                                  size: attachment.size)
        }
        try state.write(stored, to: "inspections/\(key)/report.json")
        inspections[key] = inspection
        return (InspectionReceipt(id: report.id, receivedAt: now, attachments: inspection.receipts()), true)
    }

    /// The receipt as it is now (for a replay).
    func receipt(_ id: String) -> InspectionReceipt? {
        inspections[id.lowercased()].map {
            InspectionReceipt(id: $0.stored.report.id, receivedAt: $0.stored.receivedAt, attachments: $0.receipts())
        }
    }

    func inspection(_ id: String) -> InspectionRecord? {
        inspections[id.lowercased()].map {
            InspectionRecord(id: $0.stored.report.id, receivedAt: $0.stored.receivedAt, receivedBy: $0.stored.receivedBy,
                             attachments: $0.receipts(), report: $0.stored.report)
        }
    }

    func attachment(_ id: String, name: String) -> InspectionAttachment? {
        guard let inspection = inspections[id.lowercased()],
              let declared = inspection.stored.report.attachments.first(where: { $0.name == name }) else { return nil }
        let received = inspection.received.contains(name)
        return InspectionAttachment(name: name, size: declared.size, sha256: declared.sha256, mediaType: declared.mediaType,
                                    offset: received ? declared.size : inspection.parts[name]?.offset ?? 0, received: received)
    }

    /// Applies a chunk of an attachment; answers the offset. The last byte verifies the whole
    /// file: a mismatch discards it (422, offset back to 0).
    func putAttachment(_ id: String, name: String, range: ContentRange, declaredSha256 claimed: String,
                       spool: SpoolSink) throws -> Int64 {
        let key = id.lowercased()
        guard var inspection = inspections[key],
              let declared = inspection.stored.report.attachments.first(where: { $0.name == name }) else {
            throw APIError.notFound("No attachment \(name) in inspection \(id).")
        }
        guard claimed == declared.sha256 else {
            var error = APIError.conflict("Content-SHA256 differs from the sha256 declared for \(name).")
            error.problem.expectedSha256 = declared.sha256
            error.problem.actualSha256 = claimed
            throw error
        }
        if inspection.received.contains(name) { return declared.size }
        guard var file = inspection.parts[name] else { throw APIError.notFound("No attachment \(name) in inspection \(id).") }
        let offset = try file.accept(range, spool: spool)
        if file.isComplete {
            let actual = file.digest
            if actual != declared.sha256 {
                try file.reset()
                inspection.parts[name] = file
                inspections[key] = inspection
                throw APIError.checksumMismatch(expected: declared.sha256, actual: actual)
            }
            try state.moveDurably(file.path, to: state.path(Self.finalPath(key, name)))
            inspection.parts[name] = nil
            inspection.received.insert(name)
        } else {
            inspection.parts[name] = file
        }
        inspections[key] = inspection
        return offset
    }

    /// The charger's inspections, newest `finishedAt` first (then by id).
    func inspections(chargerId: String) -> [InspectionSummary] {
        inspections.values.filter { $0.stored.report.chargerId == chargerId }.map { i in
            let r = i.stored.report
            return InspectionSummary(id: r.id, chargerId: r.chargerId, kind: r.kind, checklist: r.checklist, inspector: r.inspector,
                                     finishedAt: r.finishedAt, verdict: r.verdict, receivedAt: i.stored.receivedAt,
                                     attachmentsComplete: i.received.count == r.attachments.count)
        }.sorted { Pager.newestFirstKey($0.finishedAt, $0.id) < Pager.newestFirstKey($1.finishedAt, $1.id) }
    }

    // MARK: QA runs

    func record(_ run: QARun, by user: String, at now: Date) throws -> (QARunReceipt, created: Bool) {
        let key = run.id.lowercased()
        if let existing = runs[key] {
            guard try Self.same(existing.run, run) else { throw APIError.conflict("A different QA run with id \(run.id) is recorded.") }
            return (QARunReceipt(id: existing.run.id, receivedAt: existing.receivedAt), false)
        }
        let stored = StoredRun(run: run, receivedAt: now, receivedBy: user)
        try state.write(stored, to: "qa-runs/\(key).json")
        runs[key] = stored
        return (QARunReceipt(id: run.id, receivedAt: now), true)
    }

    func qaRunReceipt(_ id: String) -> QARunReceipt? {
        runs[id.lowercased()].map { QARunReceipt(id: $0.run.id, receivedAt: $0.receivedAt) }
    }

    func qaRun(_ id: String) -> QARunRecord? {
        runs[id.lowercased()].map { QARunRecord(id: $0.run.id, receivedAt: $0.receivedAt, receivedBy: $0.receivedBy, run: $0.run) }
    }

    /// The charger's runs, newest `finishedAt` first (then by id).
    func qaRuns(chargerId: String) -> [QARunSummary] {
        runs.values.filter { $0.run.chargerId == chargerId }.map { stored in
            let run = stored.run
            var counts = QACheckCounts()
            for check in run.checks {
                switch check.status {
                case .pass: counts.pass += 1
                case .fail: counts.fail += 1
                case .warn: counts.warn += 1
                case .skip: counts.skip += 1
                case .error, .unknown: counts.error += 1
                }
            }
            return QARunSummary(id: run.id, chargerId: run.chargerId, startedAt: run.startedAt, finishedAt: run.finishedAt,
                                verdict: run.verdict, tool: run.tool, receivedAt: stored.receivedAt, counts: counts)
        }.sorted { Pager.newestFirstKey($0.finishedAt, $0.id) < Pager.newestFirstKey($1.finishedAt, $1.id) }
    }

    /// Same content: the same canonical encoding.
    private static func same<T: Encodable>(_ a: T, _ b: T) throws -> Bool {
        try JSONCoding.write(a) == JSONCoding.write(b)
    }
}
