import BackendAPI
import Checksum
import CurlHTTP
import DurableFiles
import Foundation

/// What `chargekit firmware upload` declares about an image.
public struct FirmwareImage: Sendable, Equatable {
    public var path: String
    public var version: String
    public var models: [String]
    public var notes: String?
    /// Base64 of the firmware signature (signed updates).
    public var signature: String?
    /// The PEM certificate that signed the firmware.
    public var signingCertificate: String?

    public init(path: String, version: String, models: [String], notes: String? = nil, signature: String? = nil,
                signingCertificate: String? = nil) {
        self.path = path
        self.version = version
        self.models = models
        self.notes = notes
        self.signature = signature
        self.signingCertificate = signingCertificate
    }
}

/// Why an image cannot be uploaded, before or after talking to the backend.
public enum FirmwareUploadError: Error, Sendable, CustomStringConvertible {
    /// The file is missing or unreadable.
    case unreadable(path: String, reason: String)
    case empty(path: String)
    /// The backend completed the upload with another digest than the file's.
    case digestMismatch(local: String, backend: String)
    /// The backend keeps one catalogue entry per image and already has this one.
    case alreadyInCatalogue(firmwareId: String)
    /// The upload's local state could not be written.
    case state(path: String, reason: String)
    case transfer(ResumableUpload.Failure)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .empty(let path): "\(path): the file is empty"
        case .digestMismatch(let local, let backend):
            "the backend's sha256 \(backend) differs from the file's \(local); the file changed during the upload?"
        case .alreadyInCatalogue(let id): "the backend already holds this image as \(id)"
        case .state(let path, let reason): "upload state \(path): \(reason)"
        case .transfer(let failure): "upload failed: \(failure)"
        }
    }
}

/// A firmware upload in the local store, `$XDG_DATA_HOME/chargekit/firmware-uploads`: written
/// before the upload is created (with the Idempotency-Key the creation uses) and again with
/// its id, so a rerun after a crash at any point finds the same upload and resumes it.
public struct FirmwareUploadState: Codable, Sendable, Equatable {
    public var backend: String
    public var path: String
    public var size: Int64
    public var sha256: String
    public var version: String
    public var models: [String]
    public var idempotencyKey: String
    public var uploadId: String?
    public var createdAt: Date
}

/// Uploads firmware images: digest while reading, duplicate check against the catalogue,
/// a resumable chunked transfer with its state in the local store, then completion and a
/// check of the backend's digest.
public struct FirmwareUploader: Sendable {
    public enum Phase: Sendable, Equatable {
        case hashing
        case uploading(resumedAt: Int64?)
    }

    public struct Result: Sendable, Equatable {
        public var firmware: Firmware
        /// The catalogue already had the image; nothing was sent.
        public var duplicate: Bool
        /// Where the transfer resumed, when an earlier run had sent part of it.
        public var resumedAt: Int64?
        public var bytesSent: Int64
    }

    public let client: BackendClient
    /// `$XDG_DATA_HOME/chargekit`.
    public let dataDirectory: String

    public init(client: BackendClient, dataDirectory: String) {
        self.client = client
        self.dataDirectory = dataDirectory
    }

    var stateDirectory: String { dataDirectory + "/firmware-uploads" }

    /// Uploads `image` (or finds it in the catalogue, unless `force`). `progress` gets the
    /// phase and bytes done of the file's size.
    public func upload(_ image: FirmwareImage, force: Bool = false,
                       progress: @escaping @Sendable (Phase, Int64, Int64) -> Void = { _, _, _ in }) async throws -> Result {
        let size = try Self.size(of: image.path)
        let sha256 = try Self.sha256(of: image.path, size: size) { done in progress(.hashing, done, size) }
        if !force, let existing = try await client.firmwareCatalogue(sha256: sha256).items.first {
            try? removeState(sha256)
            return Result(firmware: existing, duplicate: true, resumedAt: nil, bytesSent: 0)
        }
        let backend = client.configuration.baseURL
        var state = loadState(sha256)
        if let known = state, known.backend != backend || known.size != size || known.version != image.version
            || known.models != image.models {
            state = nil  // another declaration of the same bytes: start afresh
        }
        var current = state ?? FirmwareUploadState(
            backend: backend, path: image.path, size: size, sha256: sha256, version: image.version, models: image.models,
            idempotencyKey: "fwup-" + UUID().uuidString.lowercased(), uploadId: nil, createdAt: Date())
        if state == nil { try save(current) }

        var upload: FirmwareUpload?
        if let id = current.uploadId {
            upload = try await existingUpload(id)
            if upload == nil {
                // Expired or discarded by the backend: a new upload under a new key.
                current.uploadId = nil
                current.idempotencyKey = "fwup-" + UUID().uuidString.lowercased()
                try save(current)
            }
        }
        if upload == nil {
            let request = FirmwareUploadRequest(
                filename: (image.path as NSString).lastPathComponent, size: size, sha256: sha256, version: image.version,
                models: image.models, notes: image.notes, signature: image.signature,
                signingCertificate: image.signingCertificate)
            let created = await Swift.Result(awaiting: { () async throws(BackendError) -> FirmwareUpload in
                try await self.client.createFirmwareUpload(request, idempotencyKey: current.idempotencyKey)
            })
            if case .failure(let error) = created, let id = error.problem?.firmwareId, error.status == 409 {
                try? removeState(sha256)
                throw FirmwareUploadError.alreadyInCatalogue(firmwareId: id)
            }
            upload = try created.get()
        }
        guard let upload else { throw BackendError.protocolViolation("no upload") }
        if current.uploadId != upload.uploadId {
            current.uploadId = upload.uploadId
            try save(current)
        }

        let id = upload.uploadId
        let path = image.path
        let resumedAt: Int64? = upload.offset > 0 ? upload.offset : nil
        progress(.uploading(resumedAt: resumedAt), upload.offset, size)
        var sent: Int64 = 0
        if upload.state != .completed {
            let transfer = ResumableUpload(
                path: path, size: size, chunkSize: upload.chunkSize > 0 ? upload.chunkSize : 1 << 20,
                receivedOffset: { [client] () async throws(BackendError) -> Int64 in try await client.firmwareUpload(id).offset },
                putChunk: { [client] range, onProgress async throws(BackendError) -> Int64 in
                    try await client.putFirmwareChunk(id, path: path, range: range, progress: onProgress).offset
                })
            do {
                sent = try await transfer.run { p in progress(.uploading(resumedAt: resumedAt), p.offset, size) }.bytesSent
            } catch let failure as ResumableUpload.Failure {
                throw FirmwareUploadError.transfer(failure)
            }
        }
        let completed = await Swift.Result(awaiting: { () async throws(BackendError) -> Firmware in
            try await client.completeFirmwareUpload(id)
        })
        if case .failure(let error) = completed {
            if let other = error.problem?.firmwareId, error.status == 409 {
                try? removeState(sha256)
                throw FirmwareUploadError.alreadyInCatalogue(firmwareId: other)
            }
            if error.problem?.effectiveType == .checksumMismatch {
                // The backend discarded the bytes; the next run starts over.
                throw FirmwareUploadError.digestMismatch(local: sha256, backend: error.problem?.actualSha256 ?? "?")
            }
        }
        let firmware = try completed.get()
        guard firmware.sha256 == sha256 else {
            throw FirmwareUploadError.digestMismatch(local: sha256, backend: firmware.sha256)
        }
        try? removeState(sha256)
        return Result(firmware: firmware, duplicate: false, resumedAt: resumedAt, bytesSent: sent)
    }

    /// The upload, or nil when the backend no longer has it.
    private func existingUpload(_ id: String) async throws(BackendError) -> FirmwareUpload? {
        let result = await Swift.Result(awaiting: { () async throws(BackendError) -> FirmwareUpload in try await client.firmwareUpload(id) })
        if case .failure(.notFound) = result { return nil }
        return try result.get()
    }

    // MARK: The file

    static func size(of path: String) throws(FirmwareUploadError) -> Int64 {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(path: path, reason: "not readable") }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.int64Value else {
            throw .unreadable(path: path, reason: "cannot read its size")
        }
        guard size > 0 else { throw .empty(path: path) }
        return size
    }

    /// SHA-256 of the file, read 1 MiB at a time into one buffer (never whole).
    public static func sha256(of path: String, size: Int64,
                              progress: (Int64) -> Void = { _ in }) throws(FirmwareUploadError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: POSIX.message(for: errno)) }
        defer { close(fd) }
        var hasher = SHA256()
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while true {
            let n = read(fd, buffer.baseAddress, capacity)
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: POSIX.message(for: errno))
            }
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            done += Int64(n)
            progress(done)
        }
        guard done == size else { throw .unreadable(path: path, reason: "changed size while being read (\(size) → \(done) bytes)") }
        return hasher.hexDigest()
    }

    // MARK: Local state

    func statePath(_ sha256: String) -> String { stateDirectory + "/" + sha256 + ".json" }

    /// The stored state of an upload of these bytes; nil when absent or unreadable (a
    /// damaged file only costs a fresh upload).
    public func loadState(_ sha256: String) -> FirmwareUploadState? {
        guard let data = FileManager.default.contents(atPath: statePath(sha256)) else { return nil }
        return try? JSONCoding.decode(FirmwareUploadState.self, from: data)
    }

    func save(_ state: FirmwareUploadState) throws(FirmwareUploadError) {
        let path = statePath(state.sha256)
        do {
            try AtomicFile.createDirectories(stateDirectory)
            let data = try JSONCoding.encode(state)
            try AtomicFile.write(Array(data), to: path)
        } catch let error as AtomicFileError {
            throw .state(path: path, reason: error.description)
        } catch {
            throw .state(path: path, reason: "\(error)")
        }
    }

    func removeState(_ sha256: String) throws {
        try AtomicFile.remove(statePath(sha256))
    }
}

extension Result where Failure == BackendError {
    /// The outcome of a backend call, to look at its error before deciding to throw it.
    init(isolation: isolated (any Actor)? = #isolation, awaiting body: () async throws(BackendError) -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
