#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an atomic write (or the directory creation before it) failed.
public struct AtomicFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Operation: String, Sendable, Equatable {
        case createDirectory = "create directory"
        case createTemporaryFile = "create a temporary file for"
        case write = "write"
        case sync = "sync"
        case rename = "replace"
        case syncDirectory = "sync the directory of"
        case remove = "remove"
    }

    public let operation: Operation
    /// The path the caller asked for (the final file, or the directory being created).
    public let path: String
    /// The errno of the failed system call.
    public let code: Int32

    public init(operation: Operation, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String {
        "cannot \(operation.rawValue) \(path): \(POSIX.message(for: code))"
    }
}

/// Crash-safe file replacement: a reader sees either the old file or the complete new one,
/// never a half-written file, and a new file never has a wider mode than asked, not even
/// for an instant.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically: a temporary file in the same directory (created
    /// with mode 0600 by mkstemp, then set to `mode`), written fully, fsync'd, renamed over
    /// `path`, and the directory fsync'd so the rename itself survives a crash. The
    /// directory must exist (see `createDirectories`). On failure the temporary file is
    /// removed and `path` is untouched.
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o600) throws(AtomicFileError) {
        let temporary = try openTemporary(bytes, for: path, mode: mode)
        try temporary.sync()
        try temporary.install()
        try syncDirectory(POSIX.directory(of: path), for: path)
    }

    /// A temporary file written but not yet synced: `GroupCommit` writes a whole group
    /// before it syncs any, so the syncs find the data already on its way to the disk.
    public struct Temporary: Sendable {
        public let fd: Int32
        public let path: String
        /// The file it will replace.
        public let target: String

        /// fsync and close; on failure the file is removed.
        public func sync() throws(AtomicFileError) {
            guard fsync(fd) == 0 else { throw fail(.sync, errno, closing: true) }
            guard Glue.close(fd) == 0 else { throw fail(.write, errno, closing: false) }
        }

        /// Closes without a sync, for files that need not outlive a crash; on failure the
        /// file is removed.
        public func closeUnsynced() throws(AtomicFileError) {
            guard Glue.close(fd) == 0 else { throw fail(.write, errno, closing: false) }
        }

        /// Renames the synced file over `target` (durable once the directory is synced);
        /// on failure removes it.
        public func install() throws(AtomicFileError) {
            guard rename(path, target) == 0 else { throw fail(.rename, errno, closing: false) }
        }

        /// Closes (when asked) and removes the temporary file: the error for `target`.
        public func fail(_ operation: AtomicFileError.Operation, _ code: Int32, closing: Bool) -> AtomicFileError {
            if closing { _ = Glue.close(fd) }
            unlink(path)
            return AtomicFileError(operation: operation, path: target, code: code)
        }
    }

    /// `bytes` in a new temporary file next to `path`, written fully, not synced.
    public static func openTemporary(_ bytes: [UInt8], for path: String, mode: UInt32) throws(AtomicFileError) -> Temporary {
        let directory = POSIX.directory(of: path)
        var template = Array("\(directory)/.\(POSIX.baseName(of: path)).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else {
            throw AtomicFileError(operation: .createTemporaryFile, path: path, code: errno)
        }
        let temporaryPath = template.withUnsafeBufferPointer { buffer in
            String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        // mkostemp(O_CLOEXEC) is not exported by the Glibc module; set the flag right away.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        let temporary = Temporary(fd: fd, path: temporaryPath, target: path)
        func fail(_ operation: AtomicFileError.Operation, _ code: Int32) -> AtomicFileError {
            temporary.fail(operation, code, closing: true)
        }
        // fchmod is not subject to the umask, so the mode is exactly what was asked.
        guard fchmod(fd, mode_t(mode)) == 0 else { throw fail(.write, errno) }
        let code = Glue.writeAll(fd, bytes)
        guard code == 0 else { throw fail(.write, code) }
        return temporary
    }

    /// Convenience for text.
    public static func write(_ text: String, to path: String, mode: UInt32 = 0o600) throws(AtomicFileError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// Creates `path` and any missing parents with `mode` (0700 by default, as the XDG base
    /// directory spec asks). Existing directories are left as they are.
    public static func createDirectories(_ path: String, mode: UInt32 = 0o700) throws(AtomicFileError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            if mkdir(prefix, mode_t(mode)) == 0 { continue }
            let code = errno
            guard code == EEXIST else {
                throw AtomicFileError(operation: .createDirectory, path: prefix, code: code)
            }
            var info = stat()
            guard stat(prefix, &info) == 0 else {
                throw AtomicFileError(operation: .createDirectory, path: prefix, code: errno)
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw AtomicFileError(operation: .createDirectory, path: prefix, code: ENOTDIR)
            }
        }
    }

    /// Removes `path` and syncs its directory. Returns false when there was nothing to remove.
    @discardableResult
    public static func remove(_ path: String) throws(AtomicFileError) -> Bool {
        guard try unlinkUnsynced(path) else { return false }
        try syncDirectory(POSIX.directory(of: path), for: path)
        return true
    }

    /// The first half of `remove`: the unlink, durable once the directory is synced.
    public static func unlinkUnsynced(_ path: String) throws(AtomicFileError) -> Bool {
        guard unlink(path) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw AtomicFileError(operation: .remove, path: path, code: code)
        }
        return true
    }

    public static func syncDirectory(_ directory: String, for path: String) throws(AtomicFileError) {
        let fd = Glue.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(operation: .syncDirectory, path: path, code: errno) }
        defer { close(fd) }
        // Some file systems cannot fsync a directory (EINVAL); the rename is done either way.
        if fsync(fd) != 0, errno != EINVAL {
            throw AtomicFileError(operation: .syncDirectory, path: path, code: errno)
        }
    }
}
