import BackendAPI
import DurableFiles
import Foundation
import JSON

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Something waiting to reach the backend: a QA run, an inspection report, a charger update.
///
/// The idempotency key is fixed when the entry is created and sent with every attempt, so a
/// retry after a lost answer (or after chargekit was killed mid-send) is a replay at the
/// backend, never a second record. `progress` belongs to the kind's sender: a kind that sends
/// in steps (create a report, then upload its photos) records there how far it got, and picks
/// up from there on the next push.
public struct OutboxEntry: Codable, Sendable, Equatable {
    /// The file format; an older chargekit leaves newer entries alone.
    public static let currentFormat = 1

    public var format: Int
    /// A lowercase UUID; also the file name.
    public var id: String
    /// Which sender handles it (`qa-run`, ...): see `OutboxSender.kind`.
    public var kind: String
    public var idempotencyKey: String
    public var createdAt: Date
    /// One line for people: "QA run of CP-0001 (pass)".
    public var summary: String
    public var chargerId: String?
    /// What to send, as the kind's sender expects it.
    public var payload: JSONValue
    /// The sender's own record of finished steps; nil before the first.
    public var progress: JSONValue?
    /// Push attempts so far, and how the last one ended when it did not deliver.
    public var attempts: Int
    public var lastAttemptAt: Date?
    public var lastError: String?

    public init(id: String = UUID().uuidString.lowercased(), kind: String, idempotencyKey: String = UUID().uuidString.lowercased(),
                createdAt: Date = Date(), summary: String, chargerId: String? = nil, payload: JSONValue) {
        format = Self.currentFormat
        self.id = id
        self.kind = kind
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.summary = summary
        self.chargerId = chargerId
        self.payload = payload
        progress = nil
        attempts = 0
        lastAttemptAt = nil
        lastError = nil
    }

    /// The payload decoded as the backend API decodes it.
    public func payload<T: Decodable>(as type: T.Type) throws -> T {
        try JSONCoding.decode(type, from: payload)
    }
}

/// The outbox in the local store, `$XDG_DATA_HOME/chargekit/outbox`: one JSON file per entry,
/// each written atomically (temporary file, fsync, rename, directory fsync), so that a crash
/// or SIGKILL at any moment leaves every entry either absent, as it was, or complete. An
/// entry is removed only after the backend confirmed it (see `OutboxSync`).
public struct Outbox: Sendable {
    public let directory: String
    /// Where the grouped writes and removals of this outbox value meet (`save(grouped:)`).
    let committer: GroupCommit

    /// Why the outbox cannot do something; `description` names the file.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        public var description: String { "\(path): \(reason)" }
    }

    public init(dataDirectory: String) {
        directory = dataDirectory + "/outbox"
        committer = GroupCommit(directory: directory)
    }

    init(dataDirectory: String, observe: @escaping @Sendable (GroupCommit.Step) -> Void) {
        directory = dataDirectory + "/outbox"
        committer = GroupCommit(directory: directory, observe: observe)
    }

    public func path(of id: String) -> String { directory + "/" + id + ".json" }

    /// Writes a new entry for `payload` and returns it.
    @discardableResult
    public func enqueue(kind: String, payload: some Encodable, summary: String, chargerId: String? = nil,
                        createdAt: Date = Date()) throws(Error) -> OutboxEntry {
        let entry = try makeEntry(kind: kind, payload: payload, summary: summary, chargerId: chargerId, createdAt: createdAt)
        try save(entry)
        return entry
    }

    /// `enqueue`, committed with the other grouped writes in flight (see `save(grouped:)`).
    @discardableResult
    public func enqueue(grouped kind: String, payload: some Encodable, summary: String, chargerId: String? = nil,
                        createdAt: Date = Date()) async throws(Error) -> OutboxEntry {
        let entry = try makeEntry(kind: kind, payload: payload, summary: summary, chargerId: chargerId, createdAt: createdAt)
        try await save(grouped: entry)
        return entry
    }

    private func makeEntry(kind: String, payload: some Encodable, summary: String, chargerId: String?,
                           createdAt: Date) throws(Error) -> OutboxEntry {
        let value: JSONValue
        do {
            value = try JSONCoding.value(payload)
        } catch {
            throw Error(path: directory, reason: "cannot encode the \(kind) payload: \(error)")
        }
        return OutboxEntry(kind: kind, createdAt: createdAt, summary: summary, chargerId: chargerId, payload: value)
    }

    /// Writes `entry` (new or changed) atomically.
    public func save(_ entry: OutboxEntry) throws(Error) {
        let bytes = try encoded(entry)
        do {
            try AtomicFile.write(bytes, to: path(of: entry.id))
        } catch {
            throw Error(path: path(of: entry.id), reason: error.description)
        }
    }

    /// `save`, with the same guarantee when it returns, but committed together with the
    /// other grouped saves and removals of this outbox value in flight at the same time:
    /// a fleet run's records share their directory syncs, and no cooperative thread waits
    /// for the disk.
    public func save(grouped entry: OutboxEntry) async throws(Error) {
        let bytes = try encoded(entry)
        do {
            try await committer.perform(.write(path: path(of: entry.id), bytes: bytes, mode: 0o600))
        } catch {
            throw Error(path: path(of: entry.id), reason: error.description)
        }
    }

    /// The entry's file contents, once the directory exists.
    private func encoded(_ entry: OutboxEntry) throws(Error) -> [UInt8] {
        do {
            try AtomicFile.createDirectories(directory)
        } catch {
            throw Error(path: directory, reason: error.description)
        }
        do {
            return Array(try JSONCoding.value(entry).formatted().utf8)
        } catch {
            throw Error(path: path(of: entry.id), reason: "cannot be encoded: \(error)")
        }
    }

    /// Removes a delivered entry.
    public func remove(_ entry: OutboxEntry) throws(Error) {
        do {
            try AtomicFile.remove(path(of: entry.id))
        } catch {
            throw Error(path: path(of: entry.id), reason: error.description)
        }
    }

    /// `remove`, committed with the other grouped saves and removals in flight.
    public func remove(grouped entry: OutboxEntry) async throws(Error) {
        do {
            try await committer.perform(.remove(path: path(of: entry.id)))
        } catch {
            throw Error(path: path(of: entry.id), reason: error.description)
        }
    }

    /// Every entry, oldest first. Files that cannot be read as an entry are left where they
    /// are (nothing is thrown away) and reported in `damaged`.
    public func entries() -> (entries: [OutboxEntry], damaged: [Error]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            // No directory yet is an empty outbox.
            return ([], FileManager.default.fileExists(atPath: directory)
                ? [Error(path: directory, reason: "cannot be listed: \(error.localizedDescription)")] : [])
        }
        var entries: [OutboxEntry] = []
        var damaged: [Error] = []
        // Dot files are the lock and temporary files of writes in progress (or cut short).
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = directory + "/" + name
            do {
                let entry = try load(path)
                guard entry.id + ".json" == name else {
                    damaged.append(Error(path: path, reason: "holds entry \(entry.id), not the one its name says"))
                    continue
                }
                entries.append(entry)
            } catch {
                damaged.append(error)
            }
        }
        return (entries.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }, damaged)
    }

    /// One entry as it is on disk now; nil when it is gone or unreadable.
    public func entry(_ id: String) -> OutboxEntry? {
        try? load(path(of: id))
    }

    private func load(_ path: String) throws(Error) -> OutboxEntry {
        let contents: (bytes: [UInt8], mode: UInt32)?
        do {
            contents = try POSIX.readFile(path)
        } catch {
            throw Error(path: path, reason: "cannot be read: \(POSIX.message(for: error.code))")
        }
        guard let contents else { throw Error(path: path, reason: "vanished while reading") }
        let entry: OutboxEntry
        do {
            entry = try JSONCoding.decode(OutboxEntry.self, from: JSONValue(parsing: contents.bytes))
        } catch {
            throw Error(path: path, reason: "is not an outbox entry: \(error)")
        }
        guard entry.format <= OutboxEntry.currentFormat else {
            throw Error(path: path, reason: "was written by a newer chargekit (format \(entry.format))")
        }
        return entry
    }

    // MARK: - One pusher at a time

    /// An exclusive hold on the outbox, so two chargekit processes never send the same entry
    /// at once. It is an flock(2) lock, so the kernel drops it when the process dies, even
    /// by SIGKILL.
    public final class Lock: Sendable {
        private let fd: Int32

        fileprivate init(fd: Int32) { self.fd = fd }

        /// Gives the outbox back.
        public func release() {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// Takes the lock: nil when another process holds it and `wait` ran out (zero: do not wait).
    public func lock(wait: Duration = .zero) async throws(Error) -> Lock? {
        do {
            try AtomicFile.createDirectories(directory)
        } catch {
            throw Error(path: directory, reason: error.description)
        }
        let lockPath = directory + "/.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Error(path: lockPath, reason: "cannot be opened: \(POSIX.message(for: errno))") }
        let deadline = ContinuousClock.now + wait
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return Lock(fd: fd) }
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw Error(path: lockPath, reason: "cannot be locked: \(POSIX.message(for: code))")
            }
            guard ContinuousClock.now < deadline else {
                close(fd)
                return nil
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
