#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that only grows, for journals: each `append` writes its bytes with O_APPEND and
/// returns once they are on disk (fdatasync). A crash can leave the last append cut short,
/// never an earlier one damaged, so a reader ignores an unfinished last line.
///
/// Not thread-safe: one owner appends at a time (hence unchecked; `GroupCommitLog` is one).
public final class AppendFile: @unchecked Sendable {
    public let path: String
    private var fd: Int32

    /// Opens an existing file for appending.
    public init(path: String) throws(AtomicFileError) {
        self.path = path
        fd = Glue.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(operation: .write, path: path, code: errno) }
    }

    deinit { close() }

    public func append(_ bytes: [UInt8]) throws(AtomicFileError) {
        guard fd >= 0 else { throw AtomicFileError(operation: .write, path: path, code: EBADF) }
        let code = Glue.writeAll(fd, bytes)
        guard code == 0 else { throw AtomicFileError(operation: .write, path: path, code: code) }
        // The data and the new size; the name is already durable (the file existed).
        guard fdatasync(fd) == 0 else { throw AtomicFileError(operation: .sync, path: path, code: errno) }
    }

    public func close() {
        if fd >= 0 { _ = Glue.close(fd) }
        fd = -1
    }
}

/// Appends from many tasks to one file with group commit: each `append` returns once its
/// bytes are on disk, and everything that arrives while a sync is under way shares the next
/// write and sync, so a hundred concurrent appends cost a few syncs rather than a hundred.
public actor GroupCommitLog {
    private let file: AppendFile
    private var pending: [UInt8] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var flushing = false

    public init(file: AppendFile) {
        self.file = file
    }

    public func append(_ bytes: [UInt8]) async throws {
        pending += bytes
        try await withCheckedThrowingContinuation { continuation in
            waiters.append(continuation)
            if !flushing {
                flushing = true
                Task { await flush() }
            }
        }
    }

    private func flush() async {
        while !waiters.isEmpty {
            let bytes = pending
            let batch = waiters
            pending = []
            waiters = []
            let failure = await Self.write(bytes, to: file)
            for waiter in batch {
                if let failure { waiter.resume(throwing: failure) } else { waiter.resume() }
            }
        }
        flushing = false
    }

    /// Off the actor, so appends keep queueing during the sync.
    private nonisolated static func write(_ bytes: [UInt8], to file: AppendFile) async -> AtomicFileError? {
        do {
            try file.append(bytes)
            return nil
        } catch {
            return error
        }
    }
}
