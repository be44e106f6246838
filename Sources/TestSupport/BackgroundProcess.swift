import Foundation
import Synchronization

/// A built executable running in the background for an end-to-end test (a `chargekit sim`):
/// started, waited for until it prints a ready line, then stopped with a signal.
///
///     let sim = try await BackgroundProcess.start(try BinaryRunner(product: "chargekit").executable,
///                                                 ["sim", "--port", "0"], readyPrefix: "chargekit sim listening on ")
///     let url = sim.readyLine.dropFirst("chargekit sim listening on ".count)
///     ...
///     let end = await sim.stop()          // SIGTERM, then SIGKILL after the timeout
///     #expect(end.status == 0 && !end.killed)
///
/// Output is collected on threads of its own and every wait happens off the concurrency
/// pool. The environment is exactly what is passed.
public final class BackgroundProcess: Sendable {
    public struct Ending: Sendable {
        public let status: Int32
        /// Ended by a signal it did not handle (the status is then the signal number).
        public let bySignal: Bool
        /// It did not end within the timeout and was killed with SIGKILL.
        public let killed: Bool
        public let stdout: String
        public let stderr: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private final class Output: Sendable {
        let data = Mutex((stdout: Data(), stderr: Data()))
        let changed = DispatchSemaphore(value: 0)
    }

    private let process: Mutex<Process>
    private let output: Output
    private let exited: DispatchSemaphore
    private let readers: DispatchGroup
    private let ended = Mutex<Ending?>(nil)
    public let pid: Int32
    /// The first line that started with the ready prefix.
    public let readyLine: String

    private init(process: Process, output: Output, exited: DispatchSemaphore, readers: DispatchGroup, readyLine: String) {
        pid = process.processIdentifier
        self.process = Mutex(process)
        self.output = output
        self.exited = exited
        self.readers = readers
        self.readyLine = readyLine
    }

    /// Starts `executable` and waits (at most `timeout` seconds) for a stdout line starting
    /// with `readyPrefix`. Throws, after stopping the process, when it ends or stays silent.
    ///
    /// With `signal`, that signal is sent the moment the ready line (and `marker`, when given,
    /// anywhere in stdout) has appeared, from the thread that watches the output: a test whose
    /// task a loaded executor resumes late still catches the process at that point. If the
    /// process ends or the timeout passes first, nothing is sent; the caller sees it in ``stop``.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                             readyPrefix: String, timeout: Double = 60, signal: Int32? = nil,
                             whenStdoutContains marker: String? = nil) async throws -> BackgroundProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let started = try await offPool { () -> BackgroundProcess in
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            do {
                try process.run()
            } catch {
                throw Failure(description: "cannot start \(executable.path): \(error)")
            }
            let output = Output()
            let readers = DispatchGroup()
            for (pipe, isStdout) in [(stdout, true), (stderr, false)] {
                readers.enter()
                Thread.detachNewThread {
                    let handle = pipe.fileHandleForReading
                    // availableData answers what a read gets, not a full buffer (read(upToCount:) waits for that).
                    while case let piece = handle.availableData, !piece.isEmpty {
                        output.data.withLock { if isStdout { $0.stdout.append(piece) } else { $0.stderr.append(piece) } }
                        output.changed.signal()
                    }
                    readers.leave()
                    output.changed.signal()
                }
            }
            let deadline = Date().addingTimeInterval(timeout)
            var readyLine: String?
            while true {
                let text = output.data.withLock { String(decoding: $0.stdout, as: UTF8.self) }
                if readyLine == nil {
                    readyLine = text.split(separator: "\n").first(where: { $0.hasPrefix(readyPrefix) }).map(String.init)
                }
                let left = deadline.timeIntervalSinceNow
                if let line = readyLine {
                    let caught = marker.map { text.contains($0) } ?? true
                    if let signal, caught, process.isRunning { kill(process.processIdentifier, signal) }
                    if signal == nil || caught || left <= 0 || !process.isRunning {
                        return BackgroundProcess(process: process, output: output, exited: exited, readers: readers,
                                                 readyLine: line)
                    }
                } else if left <= 0 || !process.isRunning {
                    if process.isRunning { process.terminate() }
                    _ = exited.wait(timeout: .now() + 5)
                    let err = output.data.withLock { String(decoding: $0.stderr, as: UTF8.self) }
                    throw Failure(description: "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) printed no "
                                  + "'\(readyPrefix)' line (stdout: \(text), stderr: \(err))")
                }
                _ = output.changed.wait(timeout: .now() + min(left, 0.5))
            }
        }
        return started
    }

    /// What it wrote to stdout so far.
    public var stdoutSoFar: String { output.data.withLock { String(decoding: $0.stdout, as: UTF8.self) } }

    /// What it wrote to stderr so far.
    public var stderrSoFar: String { output.data.withLock { String(decoding: $0.stderr, as: UTF8.self) } }

    /// Sends `signal`, waits up to `timeout` seconds for the process to end (then SIGKILL),
    /// and answers how it ended with everything it printed. Safe to call more than once.
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 30) async -> Ending {
        if let done = ended.withLock({ $0 }) { return done }
        let ending = (try? await offPool { [self] () -> Ending in
            if isRunning { kill(pid, signal) }
            var killed = false
            if exited.wait(timeout: .now() + timeout) == .timedOut {
                killed = true
                kill(pid, SIGKILL)
                exited.wait()
            }
            _ = readers.wait(timeout: .now() + 10)
            let (stdout, stderr) = output.data.withLock { ($0.stdout, $0.stderr) }
            let (status, bySignal) = process.withLock { ($0.terminationStatus, $0.terminationReason == .uncaughtSignal) }
            return Ending(status: status, bySignal: bySignal, killed: killed,
                          stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
        }) ?? Ending(status: -1, bySignal: false, killed: false, stdout: "", stderr: "")
        ended.withLock { $0 = ending }
        return ending
    }

    /// Whether the process is still running.
    public var isRunning: Bool { process.withLock { $0.isRunning } }
}
