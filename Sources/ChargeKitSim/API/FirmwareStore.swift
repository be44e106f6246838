import BackendAPI
import Foundation

/// A catalogue entry with what the wire type does not show: the signature material that
/// makes an update a signed one.
struct CatalogueEntry: Codable, Sendable {
    var firmware: Firmware
    var signature: String?
    var signingCertificate: String?
}

/// A firmware upload as stored: its declaration, owner and, once completed, its firmware.
struct UploadRecord: Codable, Sendable {
    var id: String
    var owner: String
    var request: FirmwareUploadRequest
    var createdAt: Date
    var expiresAt: Date
    var firmwareId: String?
}

/// The firmware catalogue and the resumable uploads that feed it, on disk in the state
/// directory (`catalogue.json`, `firmware/`, `uploads/`).
actor FirmwareStore {
    /// Recommended chunk size, always accepted.
    static let chunkSize: Int64 = 1 << 20
    /// Larger chunks are 413.
    static let maxChunk: Int64 = 16 << 20
    /// Larger declared images are 413.
    static let maxImage: Int64 = 1 << 30
    /// How long an upload may take to complete.
    static let uploadLifetime: TimeInterval = 24 * 3600

    private let state: StateDirectory
    private var catalogue: [String: CatalogueEntry] = [:]
    private var uploads: [String: UploadRecord] = [:]
    private var files: [String: ReceivingFile] = [:]

    init(state: StateDirectory, seeds: [FirmwareSeed.Image], now: Date) throws {
        self.state = state
        var catalogue: [String: CatalogueEntry] = [:]
        for entry in try state.read([CatalogueEntry].self, from: "catalogue.json") ?? []
        where FileManager.default.fileExists(atPath: state.path(Self.imagePath(entry.firmware.id))) {
            catalogue[entry.firmware.id] = entry
        }
        for name in state.list("uploads") where name.hasSuffix(".json") {
            guard let record = try? state.read(UploadRecord.self, from: "uploads/" + name) else { continue }
            if record.firmwareId == nil {
                guard record.expiresAt > now,
                      let file = try? ReceivingFile(path: state.path(Self.partPath(record.id)), size: record.request.size) else {
                    state.remove("uploads/\(record.id).json")
                    state.remove(Self.partPath(record.id))
                    continue
                }
                files[record.id] = file
            }
            uploads[record.id] = record
        }
        var added = false
        let known = Set(catalogue.values.map(\.firmware.sha256))
        for seed in seeds where !known.contains(seed.sha256) {
            let id = Self.firmwareId(seed.sha256)
            try state.writeAtomically(seed.data, to: state.path(Self.imagePath(id)))
            let at = now.addingTimeInterval(seed.isUpgrade ? -86_400 : -30 * 86_400)
            catalogue[id] = CatalogueEntry(firmware: Firmware(
                id: id, version: seed.version, models: seed.models, filename: seed.filename, size: Int64(seed.data.count),
                sha256: seed.sha256, approved: true, uploadedAt: at, uploadedBy: "chargekit-sim", approvedAt: at,
                approvedBy: "chargekit-sim", notes: seed.notes, signed: false))
            added = true
        }
        if added { try Self.write(catalogue, to: state) }
        self.catalogue = catalogue
    }

    static func firmwareId(_ sha256: String) -> String { "fw_" + sha256.prefix(12) }
    static func imagePath(_ id: String) -> String { "firmware/\(id).bin" }
    static func partPath(_ id: String) -> String { "uploads/\(id).part" }

    // MARK: Catalogue

    /// Newest upload first (then by id).
    func list(model: String?, version: String?, sha256: String?, approved: Bool?) -> [Firmware] {
        catalogue.values.map(\.firmware).filter { f in
            (model.map { f.models.contains($0) } ?? true) && (version.map { f.version == $0 } ?? true)
                && (sha256.map { f.sha256 == $0 } ?? true) && (approved.map { f.approved == $0 } ?? true)
        }.sorted { Pager.newestFirstKey($0.uploadedAt, $0.id) < Pager.newestFirstKey($1.uploadedAt, $1.id) }
    }

    func entry(_ id: String) -> CatalogueEntry? { catalogue[id] }

    /// The image file of a catalogue entry.
    func imageFile(_ id: String) -> (firmware: Firmware, path: String)? {
        catalogue[id].map { ($0.firmware, state.path(Self.imagePath(id))) }
    }

    func setApproved(_ id: String, _ approved: Bool, by user: String, at now: Date) throws -> Firmware? {
        guard var entry = catalogue[id] else { return nil }
        if entry.firmware.approved != approved {
            entry.firmware.approved = approved
            entry.firmware.approvedAt = approved ? now : nil
            entry.firmware.approvedBy = approved ? user : nil
            catalogue[id] = entry
            try persistCatalogue()
        }
        return entry.firmware
    }

    private func persistCatalogue() throws { try Self.write(catalogue, to: state) }

    private static func write(_ catalogue: [String: CatalogueEntry], to state: StateDirectory) throws {
        try state.write(catalogue.values.sorted { $0.firmware.id < $1.firmware.id }, to: "catalogue.json")
    }

    // MARK: Uploads

    func createUpload(_ request: FirmwareUploadRequest, owner: String, now: Date) throws -> FirmwareUpload {
        if let existing = catalogue.values.first(where: { $0.firmware.sha256 == request.sha256 }) {
            var error = APIError.conflict("This image is already in the catalogue as \(existing.firmware.id).")
            error.problem.firmwareId = existing.firmware.id
            throw error
        }
        let id = "up_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let record = UploadRecord(id: id, owner: owner, request: request, createdAt: now,
                                  expiresAt: now.addingTimeInterval(Self.uploadLifetime))
        files[id] = try ReceivingFile(path: state.path(Self.partPath(id)), size: request.size)
        try state.write(record, to: "uploads/\(id).json")
        uploads[id] = record
        return wire(record)
    }

    /// The upload as its owner sees it; nil when absent, expired or someone else's.
    func upload(_ id: String, owner: String, now: Date) -> FirmwareUpload? {
        record(id, owner: owner, now: now).map(wire)
    }

    private func record(_ id: String, owner: String, now: Date) -> UploadRecord? {
        guard let record = uploads[id] else { return nil }
        if record.firmwareId == nil, record.expiresAt <= now {
            discard(id)
            return nil
        }
        return record.owner == owner ? record : nil
    }

    private func discard(_ id: String) {
        uploads[id] = nil
        files[id] = nil
        state.remove("uploads/\(id).json")
        state.remove(Self.partPath(id))
    }

    func putChunk(_ id: String, owner: String, range: ContentRange, spool: SpoolSink, now: Date) throws -> Int64 {
        guard let record = record(id, owner: owner, now: now) else { throw APIError.notFound("No firmware upload \(id).") }
        guard var file = files[id] else { return record.request.size }  // completed: everything is in
        defer { files[id] = file }
        return try file.accept(range, spool: spool)
    }

    /// Completes an upload: the firmware and whether it was created now (false: completed before).
    func complete(_ id: String, owner: String, now: Date) throws -> (Firmware, created: Bool) {
        guard var record = record(id, owner: owner, now: now) else { throw APIError.notFound("No firmware upload \(id).") }
        if let done = record.firmwareId, let entry = catalogue[done] { return (entry.firmware, false) }
        guard var file = files[id] else { throw APIError.notFound("No firmware upload \(id).") }
        guard file.isComplete else {
            var error = APIError.conflict("\(file.offset) of \(file.size) bytes received.")
            error.problem.currentOffset = file.offset
            throw error
        }
        let actual = file.digest
        guard actual == record.request.sha256 else {
            try file.reset()
            files[id] = file
            throw APIError.checksumMismatch(expected: record.request.sha256, actual: actual)
        }
        if let existing = catalogue.values.first(where: { $0.firmware.sha256 == actual }) {
            var error = APIError.conflict("This image is already in the catalogue as \(existing.firmware.id).")
            error.problem.firmwareId = existing.firmware.id
            throw error
        }
        let request = record.request
        let firmwareId = Self.firmwareId(actual)
        try state.moveDurably(file.path, to: state.path(Self.imagePath(firmwareId)))
        let signed = request.signature != nil && request.signingCertificate != nil
        let firmware = Firmware(id: firmwareId, version: request.version, models: request.models, filename: request.filename,
                                size: request.size, sha256: actual, approved: false, uploadedAt: now, uploadedBy: owner,
                                notes: request.notes, signed: signed)
        catalogue[firmwareId] = CatalogueEntry(firmware: firmware, signature: signed ? request.signature : nil,
                                               signingCertificate: signed ? request.signingCertificate : nil)
        try persistCatalogue()
        record.firmwareId = firmwareId
        uploads[id] = record
        files[id] = nil
        try state.write(record, to: "uploads/\(id).json")
        return (firmware, true)
    }

    private func wire(_ record: UploadRecord) -> FirmwareUpload {
        let offset = record.firmwareId != nil ? record.request.size : files[record.id]?.offset ?? 0
        let state: FirmwareUploadState = record.firmwareId != nil ? .completed : offset == record.request.size ? .received : .receiving
        return FirmwareUpload(uploadId: record.id, filename: record.request.filename, version: record.request.version,
                              size: record.request.size, sha256: record.request.sha256, offset: offset,
                              chunkSize: Self.chunkSize, state: state, expiresAt: record.expiresAt, firmwareId: record.firmwareId)
    }
}
