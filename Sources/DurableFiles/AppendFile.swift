#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

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
/// The syncs run on a queue of their own, so no thread of the cooperative pool waits for
/// the disk (as in `GroupCommit`).
public final class GroupCommitLog: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var flushing = false
    }

    private let file: AppendFile
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "chargekit.append-log")

    public init(file: AppendFile) {
        self.file = file
    }

    public func append(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { s -> Bool in
                s.pending += bytes
                s.waiters.append(continuation)
                guard !s.flushing else { return false }
                s.flushing = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
    }

    /// Writes and syncs groups until none waits.
    private func drain() {
        while true {
            let (bytes, batch) = state.withLock { s -> ([UInt8], [CheckedContinuation<Void, any Error>]) in
                defer {
                    s.pending = []
                    s.waiters = []
                }
                if s.waiters.isEmpty { s.flushing = false }
                return (s.pending, s.waiters)
            }
            if batch.isEmpty { return }
            do {
                try file.append(bytes)
                for waiter in batch { waiter.resume() }
            } catch {
                for waiter in batch { waiter.resume(throwing: error) }
            }
        }
    }
}
