import Foundation

/// Text to a file descriptor, written through completely (EINTR and short writes retried).
///
/// A broken pipe on standard output or error (`chargekit ... | head`) ends the process
/// the way SIGPIPE would have, as Go does for fds 1 and 2: main.swift ignores SIGPIPE so a
/// closed socket cannot kill the process, and this restores the usual shell behaviour for
/// the streams a pipeline reads.
public final class FileDescriptorOutput: TextOutput {
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return systemWrite(fileDescriptor, base + offset, buffer.count - offset)
            }
            if count < 0 {
                let code = errno
                if code == EINTR || code == EAGAIN { continue }
                if code == EPIPE {
                    signal(SIGPIPE, SIG_DFL)
                    raise(SIGPIPE)
                }
                return
            }
            offset += count
        }
        bytes.removeAll()
    }
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// Standard input, read unbuffered (a line read leaves the rest for the next reader).
public final class StandardInput: TextInput {
    public init() {}

    public func readLine() throws -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(0, &byte, 1)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(code: errno)
            }
            if count == 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
    }

    public func readAll(limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= limit {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(code: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return Array(bytes.prefix(limit + 1))
    }

    public func withEchoDisabled<T>(_ body: () throws -> T) throws -> T {
        guard isatty(0) == 1 else { return try body() }
        var original = termios()
        guard tcgetattr(0, &original) == 0 else { return try body() }
        EchoGuard.arm(original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        // Canonical mode keeps line editing; ECHONL still shows the final newline.
        silent.c_lflag |= tcflag_t(ECHONL)
        _ = tcsetattr(0, TCSAFLUSH, &silent)
        defer {
            _ = tcsetattr(0, TCSAFLUSH, &original)
            EchoGuard.disarm()
        }
        return try body()
    }
}

/// Reading standard input failed (errno).
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: Int32

    public init(code: Int32) {
        self.code = code
    }

    public var description: String { "cannot read standard input: \(String(cString: strerror(code)))" }
}

/// Restores the terminal if a signal arrives while echo is off, then lets the signal do
/// what it would have done. The saved state is process-wide because the terminal is; it is
/// only touched by `StandardInput`, never by tests.
private enum EchoGuard {
    typealias Handler = @convention(c) (Int32) -> Void
    nonisolated(unsafe) static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    nonisolated(unsafe) static var previousHandlers: [(Int32, Handler?)] = []
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static func arm(_ original: termios) {
        saved.pointee = original
        previousHandlers = signals.map { signalNumber in
            (signalNumber, signal(signalNumber) { received in
                _ = tcsetattr(0, TCSANOW, EchoGuard.saved)
                signal(received, SIG_DFL)
                raise(received)
            })
        }
    }

    /// Puts back whatever handlers were there before.
    static func disarm() {
        for (signalNumber, handler) in previousHandlers { signal(signalNumber, handler) }
        previousHandlers = []
    }
}
