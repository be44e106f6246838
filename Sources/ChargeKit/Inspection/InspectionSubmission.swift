import BackendAPI
import Checksum
import Foundation
import JSON

/// Outbox kind `inspection-report`: a signed report, sent with `POST /v1/inspections`, then
/// each photo uploaded in `Content-Range` chunks with its SHA-256. Both steps resume: the
/// report's key is its id (a replay returns the record the backend already has) and a photo
/// continues from the offset the backend reports.
public struct InspectionReportSender: OutboxSender {
    public static let kind = "inspection-report"
    public var kind: String { Self.kind }
    /// Photos go in chunks of this size, so a lost connection costs at most one.
    public var chunkSize: Int64 = 256 * 1024

    public init() {}

    /// What the entry carries: the sealed report and where its draft (with the photo copies) is.
    public struct Payload: Codable, Sendable, Equatable {
        public var report: InspectionReport
        /// The inspections directory of the local store.
        public var store: String
    }

    /// How far a push got: the report created, which photos are in.
    struct Progress: Codable, Equatable {
        var created = false
        var uploaded: [String] = []
    }

    /// Why a report cannot be sent as it is; it stays in the outbox for a person to look at.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public func send(_ entry: OutboxEntry, client: BackendClient, progress: OutboxProgress) async throws -> OutboxReceipt {
        let payload = try entry.payload(as: Payload.self)
        let report = payload.report
        let store = InspectionStore(directory: payload.store)
        var state = (try? entry.progress?.decode(as: Progress.self)) ?? Progress()
        var receivedAt: Date?
        if !state.created {
            let receipt = try await client.createInspection(report, idempotencyKey: entry.idempotencyKey)
            receivedAt = receipt.receivedAt
            state.created = true
            try progress.save(try JSONValue(encoding: state))
        }
        let draft = try store.load(report.id)
        for attachment in report.attachments where !state.uploaded.contains(attachment.name) {
            guard let photo = draft.photos.values.first(where: { $0.name == attachment.name }) else {
                throw Failure(description: "photo \(attachment.name) of report \(report.id) is not in the local store")
            }
            let path = store.path(of: photo, in: draft)
            let size = Int64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.int64Value ?? -1)
            guard size == attachment.size, let digest = try? SHA256.hex(fileAt: path), digest == attachment.sha256 else {
                throw Failure(description: "photo \(path) no longer matches the signed report (size or SHA-256 changed)")
            }
            let id = report.id
            let name = attachment.name
            let sha256 = attachment.sha256
            let upload = ResumableUpload(
                path: path, size: size, chunkSize: chunkSize,
                receivedOffset: { [client] () async throws(BackendError) -> Int64 in
                    try await client.inspectionAttachment(id, name: name).offset
                },
                putChunk: { [client] range, _ async throws(BackendError) -> Int64 in
                    try await client.putInspectionAttachmentChunk(id, name: name, path: path, range: range, sha256: sha256).offset
                })
            _ = try await upload.run()
            let held = try await client.inspectionAttachment(id, name: name)
            guard held.received, held.sha256 == sha256 else {
                throw BackendError.protocolViolation("attachment \(name) of report \(id) is not verified after its last byte")
            }
            state.uploaded.append(name)
            try progress.save(try JSONValue(encoding: state))
        }
        try? store.markSent(report.id, at: Date())
        return OutboxReceipt(id: report.id, receivedAt: receivedAt)
    }
}

extension Outbox {
    /// Queues a finished inspection for the backend. The entry's id and idempotency key are
    /// the report's id, so queueing twice (a rerun after a crash) keeps one entry, and the
    /// backend sees one report however often it is sent.
    @discardableResult
    public func enqueue(inspection draft: InspectionDraft, store: InspectionStore) throws(Error) -> OutboxEntry? {
        guard let report = draft.report, draft.sentAt == nil else { return nil }
        if let existing = entries().entries.first(where: { $0.id == report.id }) { return existing }
        let payload: JSONValue
        do {
            payload = try JSONValue(encoding: InspectionReportSender.Payload(report: report, store: store.directory))
        } catch {
            throw Error(path: directory, reason: "cannot encode inspection \(report.id): \(error)")
        }
        let entry = OutboxEntry(id: report.id, kind: InspectionReportSender.kind, idempotencyKey: report.id,
                                createdAt: report.finishedAt,
                                summary: "inspection report of \(report.chargerId) (\(report.verdict.rawValue))",
                                chargerId: report.chargerId, payload: payload)
        try save(entry)
        return entry
    }

    /// Queues every finished, unsent inspection that has no entry: the one step that can be
    /// cut short between signing a report and queueing it is repaired by the next command.
    @discardableResult
    public func enqueueUnsentInspections(from store: InspectionStore) -> [String] {
        let queued = Set(entries().entries.map(\.id))
        var added: [String] = []
        for draft in store.all().inspections where draft.isPending && !queued.contains(draft.id) {
            if (try? enqueue(inspection: draft, store: store)) != nil { added.append(draft.id) }
        }
        return added
    }
}
