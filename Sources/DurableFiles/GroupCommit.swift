import Dispatch
import Synchronization

/// Atomic writes and removals of files in one directory, committed in groups.
///
/// Each operation keeps the guarantee of `AtomicFile.write` or `AtomicFile.remove`: a
/// written file is complete and fsync'd before it is renamed into place, and the directory
/// is fsync'd after the renames and unlinks, before any caller of the group is answered.
/// Operations that arrive while a group is being committed form the next group, so N
/// concurrent writers cost N file syncs and one directory sync per group rather than N of
/// each. The syncs run on a queue of their own: no thread of the (core-sized) cooperative
/// pool waits for the disk.
public final class GroupCommit: Sendable {
    public enum Operation: Sendable {
        case write(path: String, bytes: [UInt8], mode: UInt32)
        /// Answers false when there was nothing to remove.
        case remove(path: String)
    }

    /// What a commit did, in order, for tests that check the guarantee.
    public enum Step: Sendable, Equatable {
        case fileSynced(String)
        case renamed(String)
        case removed(String)
        case directorySynced(count: Int)
    }

    private struct Pending {
        var operation: Operation
        var continuation: CheckedContinuation<Result<Bool, AtomicFileError>, Never>
    }

    private struct State {
        var pending: [Pending] = []
        var committing = false
    }

    /// Files a group holds open at once, at most.
    public static let maximumGroup = 64

    public let directory: String
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "chargekit.group-commit")
    private let observe: (@Sendable (Step) -> Void)?

    public init(directory: String, observe: (@Sendable (Step) -> Void)? = nil) {
        self.directory = directory
        self.observe = observe
    }

    /// Performs `operation` in the next group; returns once the group is durable.
    @discardableResult
    public func perform(_ operation: Operation) async throws(AtomicFileError) -> Bool {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Bool, AtomicFileError>, Never>) in
            let start = state.withLock { s -> Bool in
                s.pending.append(Pending(operation: operation, continuation: continuation))
                guard !s.committing else { return false }
                s.committing = true
                return true
            }
            if start { queue.async { self.drain() } }
        }
        return try result.get()
    }

    /// Commits groups until none waits.
    private func drain() {
        while true {
            let group = state.withLock { s -> [Pending] in
                let group = Array(s.pending.prefix(Self.maximumGroup))
                s.pending.removeFirst(group.count)
                if group.isEmpty { s.committing = false }
                return group
            }
            if group.isEmpty { return }
            let results = commit(group.map(\.operation))
            for (pending, result) in zip(group, results) { pending.continuation.resume(returning: result) }
        }
    }

    private func commit(_ operations: [Operation]) -> [Result<Bool, AtomicFileError>] {
        var results = [Result<Bool, AtomicFileError>](repeating: .success(true), count: operations.count)
        var changed: [(index: Int, path: String)] = []
        // Every file's data is on disk before any rename: a crash after a rename finds the
        // new file complete, never empty. All are written before the first sync, which
        // lets the file system put the group's data in fewer journal commits.
        var written: [Int: AtomicFile.Temporary] = [:]
        for (i, operation) in operations.enumerated() {
            guard case .write(let path, let bytes, let mode) = operation else { continue }
            do {
                written[i] = try AtomicFile.openTemporary(bytes, for: path, mode: mode)
            } catch {
                results[i] = .failure(error)
            }
        }
        var synced: [Int: AtomicFile.Temporary] = [:]
        for (i, file) in written.sorted(by: { $0.key < $1.key }) {
            do {
                try file.sync()
                synced[i] = file
                observe?(.fileSynced(file.target))
            } catch {
                results[i] = .failure(error)
            }
        }
        for (i, operation) in operations.enumerated() {
            do {
                switch operation {
                case .write(let path, _, _):
                    guard let file = synced[i] else { continue }
                    try file.install()
                    observe?(.renamed(path))
                    changed.append((i, path))
                case .remove(let path):
                    guard try AtomicFile.unlinkUnsynced(path) else {
                        results[i] = .success(false)
                        continue
                    }
                    observe?(.removed(path))
                    changed.append((i, path))
                }
            } catch {
                results[i] = .failure(error)
            }
        }
        guard let first = changed.first else { return results }
        // One directory sync makes every rename and unlink of the group durable; until it
        // succeeded no caller hears of success.
        do {
            try AtomicFile.syncDirectory(directory, for: first.path)
            observe?(.directorySynced(count: changed.count))
        } catch {
            for (i, path) in changed {
                results[i] = .failure(AtomicFileError(operation: .syncDirectory, path: path, code: error.code))
            }
        }
        return results
    }
}
