import BackendAPI
import Checksum
import DurableFiles
import Foundation

/// Inspections in the local store, `$XDG_DATA_HOME/chargekit/inspections`: one JSON file per
/// inspection, rewritten atomically after every answer, and a directory per inspection with
/// copies of its photos. Installers work without signal; nothing they enter lives only in
/// memory.
public struct InspectionStore: Sendable {
    public let directory: String

    /// Why the store cannot do something; `description` names the file.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// What went wrong, for the exit status.
        public enum Kind: Sendable, Equatable {
            /// No inspection of that id, or an id prefix matching several.
            case notFound
            /// The request does not fit the inspection's state (finished, another version).
            case conflict
            /// A file given as an answer (a photo) is unusable, or a stored file is damaged.
            case badInput
            /// The store itself cannot be written or read.
            case io
        }
        public var path: String
        public var reason: String
        public var kind: Kind
        public var description: String { "\(path): \(reason)" }

        public init(path: String, reason: String, kind: Kind = .io) {
            self.path = path
            self.reason = reason
            self.kind = kind
        }
    }

    public init(dataDirectory: String) {
        directory = dataDirectory + "/inspections"
    }

    /// The store whose inspections directory is `directory` itself.
    public init(directory: String) {
        self.directory = directory
    }

    /// Records that the backend confirmed a finished report and all its photos.
    public func markSent(_ id: String, at date: Date) throws(Error) {
        var draft = try load(id)
        guard draft.isFinished, draft.sentAt == nil else { return }
        draft.sentAt = InspectionDraft.wholeMilliseconds(date)
        try save(draft)
    }

    func file(_ id: String) -> String { directory + "/" + id + ".json" }
    func attachmentDirectory(_ id: String) -> String { directory + "/" + id }

    public func save(_ draft: InspectionDraft) throws(Error) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw Error(path: directory, reason: "cannot be created: \(error.localizedDescription)")
        }
        let data: Data
        do {
            let encoder = JSONCoding.makeEncoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            data = try encoder.encode(draft)
        } catch {
            throw Error(path: file(draft.id), reason: "cannot be encoded: \(error)")
        }
        do {
            try AtomicFile.write(Array(data), to: file(draft.id))
        } catch {
            throw Error(path: file(draft.id), reason: error.description)
        }
    }

    public func load(_ id: String) throws(Error) -> InspectionDraft {
        let path = file(id)
        guard let data = FileManager.default.contents(atPath: path) else { throw Error(path: path, reason: "no such inspection", kind: .notFound) }
        do {
            return try JSONCoding.decode(InspectionDraft.self, from: data)
        } catch {
            throw Error(path: path, reason: "is damaged: \(error)", kind: .badInput)
        }
    }

    /// Every inspection, oldest first. Damaged files are skipped and reported in `damaged`.
    public func all() -> (inspections: [InspectionDraft], damaged: [Error]) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var inspections: [InspectionDraft] = []
        var damaged: [Error] = []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            do {
                inspections.append(try load(String(name.dropLast(5))))
            } catch {
                damaged.append(error)
            }
        }
        return (inspections.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }, damaged)
    }

    /// The unfinished inspection of `charger` with `checklist`, if one is open: running the
    /// command again resumes it.
    public func openDraft(charger: String, checklist: String) -> InspectionDraft? {
        all().inspections.last { $0.chargerId == charger && $0.checklist.id == checklist && !$0.isFinished }
    }

    /// The inspection whose id is `id` or starts with it (at least 4 characters, unique).
    public func find(_ id: String) throws(Error) -> InspectionDraft {
        if FileManager.default.fileExists(atPath: file(id)) { return try load(id) }
        let matches = all().inspections.filter { $0.id.hasPrefix(id.lowercased()) }
        guard id.count >= 4, matches.count == 1, let match = matches.first else {
            throw Error(path: directory, reason: matches.count > 1 ? "'\(id)' matches \(matches.count) inspections; give more of the id"
                                                                     : "no inspection '\(id)'", kind: .notFound)
        }
        return match
    }

    /// Removes an unfinished inspection and its photos. A finished one is the record of what
    /// was inspected and is kept.
    public func discard(_ id: String) throws(Error) {
        let draft = try load(id)
        guard !draft.isFinished else { throw Error(path: file(id), reason: "is finished; only drafts can be discarded", kind: .conflict) }
        try? FileManager.default.removeItem(atPath: attachmentDirectory(id))
        do {
            try FileManager.default.removeItem(atPath: file(id))
        } catch {
            throw Error(path: file(id), reason: "cannot be removed: \(error.localizedDescription)")
        }
    }

    /// Copies the photo at `path` into the store for `item` and records it in `draft` (not
    /// saved: the caller saves the draft with the answer).
    public func storePhoto(at path: String, item: String, in draft: inout InspectionDraft) throws(Error) -> InspectionDraft.StoredPhoto {
        guard let data = FileManager.default.contents(atPath: path) else { throw Error(path: path, reason: "cannot be read", kind: .badInput) }
        guard !data.isEmpty else { throw Error(path: path, reason: "is empty", kind: .badInput) }
        let original = (path as NSString).lastPathComponent
        let ext = (original as NSString).pathExtension.lowercased()
        let mediaType: String
        switch ext {
        case "jpg", "jpeg": mediaType = "image/jpeg"
        case "png": mediaType = "image/png"
        case "heic": mediaType = "image/heic"
        case "webp": mediaType = "image/webp"
        default: throw Error(path: path, reason: "is not a photo chargekit takes (jpg, png, heic, webp)", kind: .badInput)
        }
        let sha = SHA256.hex(data)
        let name = Self.attachmentName(item: item, sha256: sha, extension: ext)
        let directory = attachmentDirectory(draft.id)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try AtomicFile.write(Array(data), to: directory + "/" + name)
        } catch {
            throw Error(path: directory + "/" + name, reason: "cannot be written: \(error)")
        }
        let photo = InspectionDraft.StoredPhoto(name: name, file: name, sha256: sha, size: Int64(data.count), mediaType: mediaType,
                                                originalName: original)
        draft.photos[item] = photo
        return photo
    }

    /// Where a stored photo's bytes are.
    public func path(of photo: InspectionDraft.StoredPhoto, in draft: InspectionDraft) -> String {
        attachmentDirectory(draft.id) + "/" + photo.file
    }

    /// `B8-3fa2c1d0.jpg`: the item, the start of the hash; valid as a contract attachment name.
    static func attachmentName(item: String, sha256: String, extension ext: String) -> String {
        let safeItem = String(item.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        let prefix = safeItem.first.map { $0.isLetter || $0.isNumber } == true ? safeItem : "photo-" + safeItem
        return "\(prefix)-\(sha256.prefix(8)).\(ext)"
    }
}
