import Foundation
import Synchronization

/// Where text goes: standard output, standard error, or a buffer in a test.
public protocol TextOutput: Sendable {
    func write(_ text: String)
}

/// Where input comes from: standard input, or a string in a test.
public protocol TextInput: Sendable {
    /// Reads one line without its newline; nil at end of input. Reads no further than the
    /// newline, so what follows stays for the next reader.
    func readLine() throws -> String?
    /// Reads to end of input, but at most `limit + 1` bytes (so the caller can tell "too long").
    func readAll(limit: Int) throws -> [UInt8]
    /// Runs `body` with terminal echo turned off when the input is a terminal, restoring it
    /// afterwards, on error, and on SIGINT/SIGTERM/SIGHUP/SIGQUIT.
    func withEchoDisabled<T>(_ body: () throws -> T) throws -> T
}

/// Everything a command may touch of its process, injected so commands run in-process in
/// tests: the three streams, whether each is a terminal, the environment, the working
/// directory and a monotonic clock (seconds).
public struct IO: Sendable {
    public var stdin: any TextInput
    public var stdout: any TextOutput
    public var stderr: any TextOutput
    public var stdinIsTTY: Bool
    public var stdoutIsTTY: Bool
    public var stderrIsTTY: Bool
    public var environment: [String: String]
    public var workingDirectory: String
    public var now: @Sendable () -> Double

    public init(stdin: any TextInput, stdout: any TextOutput, stderr: any TextOutput,
                stdinIsTTY: Bool = false, stdoutIsTTY: Bool = false, stderrIsTTY: Bool = false,
                environment: [String: String] = [:], workingDirectory: String = "/",
                now: @escaping @Sendable () -> Double = IO.monotonicSeconds) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.stdinIsTTY = stdinIsTTY
        self.stdoutIsTTY = stdoutIsTTY
        self.stderrIsTTY = stderrIsTTY
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.now = now
    }

    /// The real process: file descriptors 0, 1 and 2, the process environment and cwd.
    public static var standard: IO {
        IO(stdin: StandardInput(),
           stdout: FileDescriptorOutput(fileDescriptor: 1),
           stderr: FileDescriptorOutput(fileDescriptor: 2),
           stdinIsTTY: isatty(0) == 1,
           stdoutIsTTY: isatty(1) == 1,
           stderrIsTTY: isatty(2) == 1,
           environment: ProcessInfo.processInfo.environment,
           workingDirectory: FileManager.default.currentDirectoryPath)
    }

    @Sendable public static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// Collects what a command wrote, for tests and for callers embedding the CLI.
public final class CapturedOutput: TextOutput {
    private let buffer = Mutex("")

    public init() {}

    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    public var text: String {
        buffer.withLock { $0 }
    }
}

/// Input from a string, for tests. Records whether reads happened with echo disabled.
public final class StringInput: TextInput {
    private struct State {
        var remaining: [UInt8]
        var echoDisabled = false
        var readsWithEchoOff = 0
        var readsWithEchoOn = 0
    }

    private let state: Mutex<State>

    public init(_ text: String) {
        state = Mutex(State(remaining: Array(text.utf8)))
    }

    /// How many reads happened inside `withEchoDisabled`.
    public var readsWithEchoDisabled: Int { state.withLock { $0.readsWithEchoOff } }
    /// How many reads happened with echo on.
    public var readsWithEchoEnabled: Int { state.withLock { $0.readsWithEchoOn } }

    public func readLine() throws -> String? {
        state.withLock { state in
            if state.echoDisabled { state.readsWithEchoOff += 1 } else { state.readsWithEchoOn += 1 }
            guard !state.remaining.isEmpty else { return nil }
            let end = state.remaining.firstIndex(of: UInt8(ascii: "\n")) ?? state.remaining.count
            let line = String(decoding: state.remaining[..<end], as: UTF8.self)
            state.remaining.removeFirst(min(end + 1, state.remaining.count))
            return line
        }
    }

    public func readAll(limit: Int) throws -> [UInt8] {
        state.withLock { state in
            if state.echoDisabled { state.readsWithEchoOff += 1 } else { state.readsWithEchoOn += 1 }
            let bytes = Array(state.remaining.prefix(limit + 1))
            state.remaining.removeFirst(bytes.count)
            return bytes
        }
    }

    public func withEchoDisabled<T>(_ body: () throws -> T) throws -> T {
        state.withLock { $0.echoDisabled = true }
        defer { state.withLock { $0.echoDisabled = false } }
        return try body()
    }
}
