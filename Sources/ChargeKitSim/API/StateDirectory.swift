import BackendAPI
import DurableFiles
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the simulator's state directory cannot be used.
public struct StateDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public var description: String { "state directory \(path): \(reason)" }
}

/// Where the simulated backend keeps what outlives a restart: the firmware catalogue and its
/// images, uploads (partial ones too), inspection reports with their attachments, QA runs and
/// idempotency records. Records are written atomically (temporary file, fsync, rename, fsync
/// of the directory), so a crash leaves the old or the new version, never half of one; the
/// idempotency records are a log of lines appended and synced, rewritten at start.
///
///     DIR/catalogue.json            the firmware catalogue
///     DIR/firmware/ID.bin           catalogue images
///     DIR/uploads/ID.json, ID.part  upload declarations and the bytes received so far
///     DIR/inspections/ID/report.json, NAME.part, NAME.bin
///     DIR/qa-runs/ID.json
///     DIR/idempotency.jsonl         one line per remembered request
///     DIR/spool/                    request bodies in transit (emptied at start)
///
/// Without `--state-dir` the same layout lives in a temporary directory removed at stop.
/// Nothing in it outlives the process, so its writes are atomic but not fsync'd: a sync
/// there would make a crash lose nothing less, only make every recording request wait
/// (and, in an actor, every request queued behind it).
struct StateDirectory: Sendable {
    let root: String
    /// Whether the directory is the caller's (kept) or a temporary one (removed at stop).
    let persistent: Bool

    static func open(_ path: String?) throws(StateDirectoryError) -> StateDirectory {
        let directory: StateDirectory
        if let path {
            directory = StateDirectory(root: path, persistent: true)
        } else {
            let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("chargekit-sim-\(UUID().uuidString)").path
            directory = StateDirectory(root: base, persistent: false)
        }
        for sub in ["", "firmware", "uploads", "inspections", "qa-runs", "spool"] {
            try directory.makeDirectory(directory.path(sub))
        }
        // Bodies of requests cut short by the last stop.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path("spool"))) ?? [] {
            try? FileManager.default.removeItem(atPath: directory.path("spool/" + name))
        }
        guard access(directory.root, W_OK) == 0 else {
            throw StateDirectoryError(path: directory.root, reason: "not writable")
        }
        return directory
    }

    func path(_ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }

    func makeDirectory(_ path: String) throws(StateDirectoryError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw StateDirectoryError(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Removes a temporary directory; keeps a persistent one.
    func close() {
        if !persistent { try? FileManager.default.removeItem(atPath: root) }
    }

    // MARK: Records

    /// Writes `value` as JSON atomically.
    func write(_ value: some Encodable, to relative: String) throws {
        try writeAtomically(try JSONCoding.write(value), to: path(relative))
    }

    /// The record at `relative`, nil when there is none; a record that does not decode is
    /// reported rather than silently dropped.
    func read<T: Decodable>(_ type: T.Type, from relative: String) throws -> T? {
        let file = path(relative)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return try JSONCoding.decode(type, from: try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    func remove(_ relative: String) {
        try? FileManager.default.removeItem(atPath: path(relative))
    }

    func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).sorted()
    }

    /// temp + fsync + rename + fsync(directory), as the client's own files; without the
    /// syncs in a temporary directory.
    func writeAtomically(_ data: Data, to file: String) throws {
        guard persistent else {
            let temporary = try AtomicFile.openTemporary([UInt8](data), for: file, mode: 0o600)
            try temporary.closeUnsynced()
            try temporary.install()
            return
        }
        try AtomicFile.write([UInt8](data), to: file)
    }

    /// Moves a finished file into place durably.
    func moveDurably(_ from: String, to: String) throws {
        guard rename(from, to) == 0 else { throw FileFailure(call: "rename", path: to, code: errno) }
        if persistent { try? AtomicFile.syncDirectory(POSIX.directory(of: to), for: to) }
    }
}

/// A failed system call on a file.
struct FileFailure: Error, CustomStringConvertible {
    let call: String
    let path: String
    let code: Int32

    var description: String { "\(call)(\(path)): \(String(cString: strerror(code)))" }
}

// The C calls under names the types above do not shadow.
func sysOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 { open(path, flags, mode) }
func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
@discardableResult func sysClose(_ fd: Int32) -> Int32 { close(fd) }
