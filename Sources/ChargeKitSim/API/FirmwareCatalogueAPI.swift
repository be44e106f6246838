import BackendAPI
import Foundation
import HTTPServerKit

/// The catalogue (`listFirmware`, `getFirmware`, `updateFirmware`) and the charger-facing
/// download (`downloadFirmware`, `headFirmwareDownload`), authorised by `sig` alone.
struct FirmwareCatalogueAPI {
    let services: SimServices

    func list(_ request: APIRequest) async throws -> ServerResponse {
        let limit = try request.limit()
        let sha256 = request.string(QueryName.sha256)
        if let sha256, !Check.isSha256(sha256) {
            throw APIError.badRequest(field: QueryName.sha256, "must be 64 lowercase hexadecimal characters")
        }
        let approved = try request.bool(QueryName.approved)
        let items = await services.firmware.list(model: request.string(QueryName.model), version: request.string(QueryName.version),
                                                 sha256: sha256, approved: approved)
        let page = try Pager.page(items, key: { Pager.newestFirstKey($0.uploadedAt, $0.id) },
                                  cursor: request.string(QueryName.cursor), limit: limit)
        return Reply.json(page)
    }

    func get(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("firmwareId")
        guard let entry = await services.firmware.entry(id) else { throw APIError.notFound("No firmware \(id).") }
        return Reply.json(entry.firmware)
    }

    func update(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("firmwareId")
        let patch = try request.jsonObject(mediaType: MediaType.mergePatchJSON)
        guard request.user.mayApproveFirmware else {
            throw APIError.forbidden("Only operators and admins may approve firmware.")
        }
        for key in patch.keys where key != "approved" {
            throw APIError.validation(field: "/" + key, "only approved may be patched")
        }
        guard let approved = patch["approved"]?.boolValue else {
            throw APIError.validation(field: "/approved", "required: true or false")
        }
        guard let firmware = try await services.firmware.setApproved(id, approved, by: request.user.user, at: Date()) else {
            throw APIError.notFound("No firmware \(id).")
        }
        return Reply.json(firmware)
    }

    // MARK: Download

    func download(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("firmwareId")
        switch services.signer.verify(request.string(QueryName.sig), firmwareId: id) {
        case .valid: break
        case .missing: throw APIError.forbidden("The download signature is missing.")
        case .malformed, .badSignature: throw APIError.forbidden("The download signature is not valid.")
        case .expired: throw APIError.forbidden("The download signature expired.")
        }
        guard let (firmware, path) = await services.firmware.imageFile(id) else { throw APIError.notFound("No firmware \(id).") }
        var headers = HeaderFields([(HeaderName.contentType, MediaType.octetStream), (HeaderName.acceptRanges, "bytes"),
                                    (HeaderName.eTag, "\"\(firmware.sha256)\"")])
        let size = firmware.size
        if let rangeHeader = request.header(HeaderName.range), let (start, end) = Self.range(rangeHeader, size: size) {
            guard start <= end else {
                var error = APIError(.rangeNotSatisfiable, detail: "The image has \(size) bytes.")
                error.headers = [(HeaderName.contentRange, ContentRange.unsatisfied(total: size))]
                throw error
            }
            headers.add(HeaderName.contentRange, "bytes \(start)-\(end)/\(size)")
            return ServerResponse(status: 206, headers: headers, body: .file(path: path, offset: start, length: end - start + 1))
        }
        if let digest = Self.base64(hex: firmware.sha256) { headers.add(HeaderName.contentDigest, "sha-256=:\(digest):") }
        return ServerResponse(status: 200, headers: headers, body: .file(path: path, offset: 0, length: size))
    }

    /// One `bytes=` range resolved against `size`: nil to ignore the header (malformed or
    /// several ranges: the whole file is sent), start > end when it cannot be satisfied.
    static func range(_ header: String, size: Int64) -> (Int64, Int64)? {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes=") else { return nil }
        let spec = value.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ text: String) -> Int64? {
            text.isEmpty || text.count > 18 || !text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) ? nil : Int64(text)
        }
        if first.isEmpty {
            guard let suffix = number(last) else { return nil }
            guard suffix > 0, size > 0 else { return (1, 0) }
            return (max(0, size - suffix), size - 1)
        }
        guard let start = number(first) else { return nil }
        if last.isEmpty { return start < size ? (start, size - 1) : (1, 0) }
        guard let end = number(last), end >= start else { return nil }
        return start < size ? (start, min(end, size - 1)) : (1, 0)
    }

    static func base64(hex: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = nibble(high), let l = nibble(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return Data(bytes).base64EncodedString()
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
