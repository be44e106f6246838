#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
@preconcurrency import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small errno-aware wrappers for the files chargekit and its simulator keep.
public enum POSIX {
    /// The message strerror gives for an errno value.
    public static func message(for code: Int32) -> String {
        guard let cString = strerror(code) else { return "error \(code)" }
        return String(cString: cString)
    }

    /// The directory part of a path ("." for a bare name, "/" for a file in the root).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// The last component of a path.
    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Reads a whole file. Returns nil when it does not exist; throws the errno otherwise.
    public static func readFile(_ path: String) throws(POSIXFailure) -> (bytes: [UInt8], mode: UInt32)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw POSIXFailure(code: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw POSIXFailure(code: errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw POSIXFailure(code: EISDIR) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXFailure(code: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return (bytes, UInt32(info.st_mode) & 0o7777)
    }
}

/// An errno captured right after a failed system call.
public struct POSIXFailure: Error, Sendable {
    public let code: Int32

    public init(code: Int32) { self.code = code }
}

/// Unambiguous names for libc calls that the Store types' own members shadow.
enum Glue {
    /// Writes all of `bytes`, retrying short writes and EINTR. Answers 0, or the errno.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(fd, base + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return 0
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.write(fd, buffer, count)
        #elseif canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #else
        return Musl.write(fd, buffer, count)
        #endif
    }

    static func open(_ path: String, _ flags: Int32) -> Int32 {
        #if canImport(Darwin)
        return Darwin.open(path, flags)
        #elseif canImport(Glibc)
        return Glibc.open(path, flags)
        #else
        return Musl.open(path, flags)
        #endif
    }

    static func close(_ fd: Int32) -> Int32 {
        #if canImport(Darwin)
        return Darwin.close(fd)
        #elseif canImport(Glibc)
        return Glibc.close(fd)
        #else
        return Musl.close(fd)
        #endif
    }
}
