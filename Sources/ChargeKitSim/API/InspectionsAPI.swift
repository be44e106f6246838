import BackendAPI
import Foundation
import HTTPServerKit

/// Inspection reports: `createInspection` (Idempotency-Key required), `getInspection`,
/// `getInspectionAttachment`, `putInspectionAttachmentChunk`, `listChargerInspections`.
struct InspectionsAPI {
    let services: SimServices

    /// The largest attachment a report may declare.
    static let maxAttachment: Int64 = 256 << 20
    /// The largest attachment chunk.
    static let maxChunk: Int64 = 16 << 20

    func create(_ request: APIRequest) async throws -> ServerResponse {
        guard let key = try request.idempotencyKey(required: true) else {
            throw APIError.badRequest(field: HeaderName.idempotencyKey, "required for this operation")
        }
        let report = try request.decode(InspectionReport.self)
        try Self.validate(report)
        _ = try services.fleet.reachable(report.chargerId, by: request.user)
        let records = services.records
        let user = request.user.user
        return try await Idempotency(store: services.idempotency).run(request, key: key, replay: { outcome in
            guard case .resource(let id) = outcome, let receipt = await records.receipt(id) else {
                throw APIError.notFound("The report this key recorded is gone.")
            }
            return Reply.json(receipt, headers: [Reply.replayed])
        }, work: {
            let (receipt, created) = try await records.record(report, by: user, at: Date())
            let answer = created
                ? Reply.json(receipt, status: 201, headers: [(HeaderName.location, APIPaths.inspection(report.id))])
                : Reply.json(receipt)
            return (answer, .resource(report.id))
        })
    }

    static func validate(_ report: InspectionReport) throws {
        try Check.uuid(report.id, "/id")
        guard Check.isChargerId(report.chargerId) else { throw APIError.validation(field: "/chargerId", "1 to 48 characters") }
        try Check.sha256(report.contentHash, "/contentHash")
        for (n, instrument) in report.instruments.enumerated() where !isCalendarDate(instrument.calibratedAt) {
            throw APIError.validation(field: "/instruments/\(n)/calibratedAt", "must be a date YYYY-MM-DD")
        }
        var names: Set<String> = []
        for (n, attachment) in report.attachments.enumerated() {
            guard AttachmentDescriptor.isValidName(attachment.name) else {
                throw APIError.validation(field: "/attachments/\(n)/name", "letters, digits, '.', '_' and '-' only, at most 128")
            }
            guard names.insert(attachment.name).inserted else {
                throw APIError.validation(field: "/attachments/\(n)/name", "duplicate attachment \(attachment.name)")
            }
            try Check.sha256(attachment.sha256, "/attachments/\(n)/sha256")
            guard (1...maxAttachment).contains(attachment.size) else {
                throw APIError.validation(field: "/attachments/\(n)/size", "must be 1 to \(maxAttachment) bytes")
            }
        }
        for (n, answer) in report.answers.enumerated() {
            for (m, name) in (answer.attachments ?? []).enumerated() where !names.contains(name) {
                throw APIError.validation(field: "/answers/\(n)/attachments/\(m)", "\(name) is not a declared attachment")
            }
        }
    }

    static func isCalendarDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
              let month = Int(parts[1]), let day = Int(parts[2]) else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// The record, when it exists and its charger is within reach.
    private func reachableRecord(_ id: String, user: SimUser) async throws -> InspectionRecord {
        guard let record = await services.records.inspection(id),
              user.reaches(site: services.fleet.site(of: record.report.chargerId)) else {
            throw APIError.notFound("No inspection \(id).")
        }
        return record
    }

    func get(_ request: APIRequest) async throws -> ServerResponse {
        Reply.json(try await reachableRecord(request.parameter("inspectionId"), user: request.user))
    }

    func attachment(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("inspectionId"), name = request.parameter("name")
        _ = try await reachableRecord(id, user: request.user)
        guard let attachment = await services.records.attachment(id, name: name) else {
            throw APIError.notFound("No attachment \(name) in inspection \(id).")
        }
        return Reply.json(attachment)
    }

    func putChunk(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("inspectionId"), name = request.parameter("name")
        let (range, spool) = try FirmwareUploadsAPI.chunk(request, limit: Self.maxChunk)
        guard let claimed = request.header(HeaderName.contentSHA256) else {
            throw APIError.badRequest(field: HeaderName.contentSHA256, "required: the SHA-256 of the whole file")
        }
        guard Check.isSha256(claimed) else {
            throw APIError.badRequest(field: HeaderName.contentSHA256, "must be 64 lowercase hexadecimal characters")
        }
        _ = try await reachableRecord(id, user: request.user)
        let offset = try await services.records.putAttachment(id, name: name, range: range, declaredSha256: claimed, spool: spool)
        return Reply.json(UploadProgress(offset: offset))
    }

    func list(_ request: APIRequest) async throws -> ServerResponse {
        let chargerId = request.parameter("chargerId")
        _ = try services.fleet.reachable(chargerId, by: request.user)
        let limit = try request.limit()
        let items = await services.records.inspections(chargerId: chargerId)
        return Reply.json(try Pager.page(items, key: { Pager.newestFirstKey($0.finishedAt, $0.id) },
                                         cursor: request.string(QueryName.cursor), limit: limit))
    }
}
