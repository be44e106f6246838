import BackendAPI
import Checksum
import Foundation
import HTTPServerKit
import Synchronization

/// A request body written to a file in the spool directory as it arrives (on the
/// connection's thread), so a chunk is never held in memory whole. Past `limit` bytes it
/// stops writing and only counts, so the handler can answer 413 after reading the body.
final class SpoolSink: RequestBodySink {
    let path: String
    let limit: Int64
    private struct State {
        var fd: Int32
        var count: Int64 = 0
    }
    private let state: Mutex<State>

    init(directory: String, limit: Int64) throws {
        path = directory + "/" + UUID().uuidString
        self.limit = limit
        let fd = sysOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileFailure(call: "open", path: path, code: errno) }
        state = Mutex(State(fd: fd))
    }

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        try state.withLock { (s: inout State) throws -> Void in
            let before = s.count
            s.count += Int64(bytes.count)
            guard before < limit, s.fd >= 0 else { return }
            let keep = Int(min(Int64(bytes.count), limit - before))
            var offset = 0
            while offset < keep {
                let n = sysWrite(s.fd, bytes.baseAddress.map { $0 + offset }, keep - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileFailure(call: "write", path: path, code: errno)
                }
                offset += n
            }
        }
    }

    deinit {
        // A body cut short never reaches the handler, which would have discarded it.
        discard()
    }

    func finish() throws {
        state.withLock { s in
            if s.fd >= 0 { sysClose(s.fd) }
            s.fd = -1
        }
    }

    /// Bytes the client sent (also those past the limit).
    var count: Int64 { state.withLock { $0.count } }
    var overflowed: Bool { count > limit }

    /// Closes (if the body was cut short) and deletes the spool file.
    func discard() {
        state.withLock { s in
            if s.fd >= 0 { sysClose(s.fd) }
            s.fd = -1
        }
        unlink(path)
    }
}

/// A declared file arriving in `Content-Range` chunks (a firmware upload, an inspection
/// attachment): the bytes so far on disk in a `.part` file, and the SHA-256 of them, fed as
/// they are appended. The offset is the file's length, so after a restart the file itself
/// says where to resume (the digest is recomputed once by reading it).
struct ReceivingFile: Sendable {
    let path: String
    let size: Int64
    private(set) var offset: Int64
    private var hasher: SHA256

    /// Opens the part file at `path`, creating it empty when absent.
    init(path: String, size: Int64) throws {
        self.path = path
        self.size = size
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw FileFailure(call: "create", path: path, code: errno)
            }
        }
        var hasher = SHA256()
        var offset: Int64 = 0
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        while let piece = try handle.read(upToCount: 256 * 1024), !piece.isEmpty {
            // More than declared (a crash mid-chunk cannot do this, a foreign file can).
            let room = Int(max(0, size - offset))
            let usable = piece.prefix(room)
            hasher.update(usable)
            offset += Int64(usable.count)
            if usable.count < piece.count { break }
        }
        self.offset = offset
        self.hasher = hasher
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let length = attributes[.size] as? Int64, length > offset {
            truncate(path, off_t(offset))
        }
    }

    var isComplete: Bool { offset == size }

    /// The digest of the bytes so far.
    var digest: String {
        let copy = hasher
        return copy.hexDigest()
    }

    /// Applies a chunk whose bytes are in `spool`, by the contract's offset rules: a chunk
    /// at the offset is appended; one wholly below it is a no-op; one starting below and
    /// reaching past it has the known part skipped; one starting past it is 409 with the
    /// offset. Answers the new offset.
    mutating func accept(_ range: ContentRange, spool: SpoolSink) throws -> Int64 {
        guard range.total == size else {
            throw APIError.validation(field: HeaderName.contentRange, "total \(range.total) differs from the declared size \(size)")
        }
        guard spool.count == range.length else {
            throw APIError.badRequest(field: HeaderName.contentRange,
                                      "the range holds \(range.length) bytes, the body \(spool.count)")
        }
        if range.start > offset { throw APIError.offsetMismatch(start: range.start, offset: offset) }
        if range.end < offset { return offset }
        try append(from: spool.path, skipping: offset - range.start, count: range.end + 1 - offset)
        return offset
    }

    private mutating func append(from source: String, skipping skip: Int64, count: Int64) throws {
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
        defer { try? input.close() }
        try input.seek(toOffset: UInt64(skip))
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? output.close() }
        try output.seek(toOffset: UInt64(offset))
        var left = count
        while left > 0 {
            guard let piece = try input.read(upToCount: Int(min(left, 256 * 1024))), !piece.isEmpty else {
                throw FileFailure(call: "read", path: source, code: EIO)
            }
            try output.write(contentsOf: piece)
            hasher.update(piece)
            left -= Int64(piece.count)
            offset += Int64(piece.count)
        }
        try output.synchronize()
    }

    /// Discards the bytes: back to offset 0 (after a checksum mismatch).
    mutating func reset() throws {
        guard truncate(path, 0) == 0 else { throw FileFailure(call: "truncate", path: path, code: errno) }
        offset = 0
        hasher = SHA256()
    }
}
