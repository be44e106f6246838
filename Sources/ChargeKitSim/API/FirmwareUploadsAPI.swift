import BackendAPI
import Foundation
import HTTPServerKit

/// Resumable firmware uploads: `createFirmwareUpload`, `getFirmwareUpload`,
/// `putFirmwareUploadChunk`, `completeFirmwareUpload`. Chunks are streamed to the spool
/// directory by the server and appended to the upload's part file from there.
struct FirmwareUploadsAPI {
    let services: SimServices

    var store: FirmwareStore { services.firmware }

    func create(_ request: APIRequest) async throws -> ServerResponse {
        let key = try request.idempotencyKey()
        let body = try request.decode(FirmwareUploadRequest.self)
        try Self.validate(body)
        let owner = request.user.user
        return try await Idempotency(store: services.idempotency).run(request, key: key, replay: { outcome in
            guard case .resource(let id) = outcome,
                  let upload = await store.upload(id, owner: owner, now: Date()) else {
                throw APIError.notFound("The upload this key created is gone.")
            }
            return Reply.json(upload, headers: [Reply.replayed])
        }, work: {
            let upload = try await store.createUpload(body, owner: owner, now: Date())
            return (Reply.json(upload, status: 201, headers: [(HeaderName.location, APIPaths.firmwareUpload(upload.uploadId))]),
                    .resource(upload.uploadId))
        })
    }

    static func validate(_ body: FirmwareUploadRequest) throws {
        try Check.length(body.filename, 1...255, "/filename")
        guard body.size >= 1 else { throw APIError.validation(field: "/size", "must be at least 1") }
        guard body.size <= FirmwareStore.maxImage else {
            throw APIError.payloadTooLarge("Images may be at most \(FirmwareStore.maxImage) bytes.")
        }
        try Check.sha256(body.sha256, "/sha256")
        guard !body.version.isEmpty else { throw APIError.validation(field: "/version", "must not be empty") }
        guard !body.models.isEmpty else { throw APIError.validation(field: "/models", "name at least one charger model") }
        if let signature = body.signature, Data(base64Encoded: signature) == nil {
            throw APIError.validation(field: "/signature", "must be base64")
        }
    }

    func get(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("uploadId")
        guard let upload = await store.upload(id, owner: request.user.user, now: Date()) else {
            throw APIError.notFound("No firmware upload \(id).")
        }
        return Reply.json(upload)
    }

    func putChunk(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("uploadId")
        let (range, spool) = try Self.chunk(request, limit: FirmwareStore.maxChunk)
        let offset = try await store.putChunk(id, owner: request.user.user, range: range, spool: spool, now: Date())
        return Reply.json(UploadProgress(offset: offset))
    }

    func complete(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("uploadId")
        // The key is accepted for uniformity; completing is repeatable without it.
        let (firmware, created) = try await store.complete(id, owner: request.user.user, now: Date())
        if created {
            return Reply.json(firmware, status: 201, headers: [(HeaderName.location, APIPaths.firmware(firmware.id))])
        }
        return Reply.json(firmware)
    }

    /// The Content-Range of a chunk and its spooled body; 400 when the header is missing or
    /// malformed, 413 past `limit`.
    static func chunk(_ request: APIRequest, limit: Int64) throws -> (ContentRange, SpoolSink) {
        guard let spool = request.raw.sink as? SpoolSink else {
            throw APIError.badRequest(field: "", "the chunk body is missing")
        }
        guard let header = request.header(HeaderName.contentRange) else {
            throw APIError.badRequest(field: HeaderName.contentRange, "required: bytes START-END/TOTAL")
        }
        guard let range = ContentRange(headerValue: header) else {
            throw APIError.badRequest(field: HeaderName.contentRange, "must be bytes START-END/TOTAL with START <= END < TOTAL")
        }
        guard !spool.overflowed, range.length <= limit else {
            throw APIError.payloadTooLarge("Chunks may be at most \(limit) bytes.")
        }
        return (range, spool)
    }
}
