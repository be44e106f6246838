import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed spawn, pipe or wait, or a child that misbehaved; the run ends with exit 70.
struct BenchError: Error, CustomStringConvertible {
    let description: String
}

/// How a child ended, with what the kernel measured for it (wait4's rusage).
struct ChildExit {
    /// The exit code, or 128 + the signal that ended it.
    var status: Int32
    var usage: ProcessUsage
    /// From spawn to reaped.
    var wall: Duration
}

/// One child process started with posix_spawn: standard output (and optionally input) on
/// pipes, standard error inherited (or written to a file), reaped with wait4 so its peak RSS and CPU time are
/// its own. Used from one thread.
final class ChildProcess {
    let pid: pid_t
    let name: String
    private var stdinFD: Int32
    private var stdoutFD: Int32
    private let started = ContinuousClock.now
    private var unread: [UInt8] = []
    private var exitResult: ChildExit?

    /// `executable` is a path, or with `searchPath` a name looked up in PATH. `stderrPath`:
    /// a file that receives the child's standard error (created or truncated).
    init(_ executable: String, _ arguments: [String], searchPath: Bool = false, pipeStdin: Bool = false,
         stderrPath: String? = nil) throws {
        name = (executable as NSString).lastPathComponent
        let output = try Self.makePipe()
        var input: (read: Int32, write: Int32) = (-1, -1)
        if pipeStdin {
            do { input = try Self.makePipe() } catch {
                close(output.read); close(output.write)
                throw error
            }
        }
        defer {
            // The child's ends; ours stay open.
            close(output.write)
            if input.read >= 0 { close(input.read) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if pipeStdin {
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }

        // The parent ignores SIGINT/SIGTERM in favour of a handler; children get the defaults back.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child = pid_t()
        let code = searchPath
            ? posix_spawnp(&child, executable, &actions, &attributes, argv, environ)
            : posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            close(output.read)
            if input.write >= 0 { close(input.write) }
            throw BenchError(description: "cannot start \(executable): \(String(cString: strerror(code)))")
        }
        pid = child
        stdoutFD = output.read
        stdinFD = input.write
    }

    deinit {
        if stdinFD >= 0 { close(stdinFD) }
        if stdoutFD >= 0 { close(stdoutFD) }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw BenchError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec, so no other child inherits (and holds open) these ends.
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// The next line of standard output without its newline; nil at end of output.
    /// Throws when nothing arrives within `timeout`.
    func readLine(timeout: Duration) throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let newline = unread.firstIndex(of: 0x0A) {
                let line = String(decoding: unread[..<newline], as: UTF8.self)
                unread.removeSubrange(...newline)
                return line
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { throw BenchError(description: "\(name) (pid \(pid)) printed no line in time") }
            var entry = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(clamping: left.milliseconds))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            guard try readChunk() else {
                if unread.isEmpty { return nil }
                defer { unread.removeAll() }
                return String(decoding: unread, as: UTF8.self)
            }
        }
    }

    /// All remaining standard output (blocks until the child closes it). Meanwhile reads
    /// the child's VmHWM from /proc every 10 ms into ``sampledPeakRSSKiB``.
    func readToEnd() throws -> String {
        while true {
            samplePeakRSS()
            var entry = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, 10)
            if ready < 0 && errno != EINTR {
                throw BenchError(description: "poll on \(name)'s output: \(String(cString: strerror(errno)))")
            }
            if ready > 0, try !readChunk() { break }
        }
        defer { unread.removeAll() }
        return String(decoding: unread, as: UTF8.self)
    }

    /// The highest VmHWM seen in /proc/PID/status, in KiB (0 if never read).
    ///
    /// wait4's ru_maxrss cannot be used for a posix_spawn'ed child: glibc spawns with
    /// CLONE_VM, and execve records the hiwater mark of the mm it leaves, which is the
    /// parent's, so the child's figure is never below the parent's peak.
    private(set) var sampledPeakRSSKiB = 0

    private func samplePeakRSS() {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            if let kib = Int(line.dropFirst("VmHWM:".count).filter(\.isNumber)) {
                sampledPeakRSSKiB = max(sampledPeakRSSKiB, kib)
            }
        }
    }

    private func readChunk() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(stdoutFD, &buffer, buffer.count)
            if n > 0 {
                unread.append(contentsOf: buffer[..<n])
                return true
            }
            if n == 0 { return false }
            if errno == EINTR { continue }
            throw BenchError(description: "reading from \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `line` and a newline to the child's standard input.
    func send(line: String) throws {
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw BenchError(description: "writing to \(name): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Closes the child's standard input, which tells `serve` to stop.
    func closeStdin() {
        if stdinFD >= 0 { close(stdinFD) }
        stdinFD = -1
    }

    func signal(_ number: Int32) {
        if exitResult == nil { kill(pid, number) }
    }

    /// Reaps the child, waiting at most `timeout` (then SIGTERM, then SIGKILL) when given.
    @discardableResult
    func wait(timeout: Duration? = nil) -> ChildExit {
        if let exitResult { return exitResult }
        if let timeout {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let done = reap(options: WNOHANG) { return done }
                Thread.sleep(forTimeInterval: 0.01)
            }
            kill(pid, SIGTERM)
            let grace = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < grace {
                if let done = reap(options: WNOHANG) { return done }
                Thread.sleep(forTimeInterval: 0.01)
            }
            kill(pid, SIGKILL)
        }
        while true {
            if let done = reap(options: 0) { return done }
        }
    }

    private func reap(options: Int32) -> ChildExit? {
        var status: Int32 = 0
        var usage = rusage()
        let result = wait4(pid, &status, options, &usage)
        if result == 0 { return nil }
        if result < 0 {
            if errno == EINTR { return nil }
            // Already reaped elsewhere or never ours: nothing more to learn.
            let done = ChildExit(status: 70, usage: ProcessUsage(), wall: ContinuousClock.now - started)
            exitResult = done
            return done
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand: the macros do not reach Swift.
        let signalNumber = status & 0x7F
        let code = signalNumber == 0 ? (status >> 8) & 0xFF : 128 + signalNumber
        var reading = ProcessUsage(usage)
        reading.peakRSSKiB = sampledPeakRSSKiB // see there why not ru_maxrss
        let done = ChildExit(status: code, usage: reading, wall: ContinuousClock.now - started)
        exitResult = done
        return done
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// The absolute path of this executable, so children run the same build.
func currentExecutable() throws -> String {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { throw BenchError(description: "readlink /proc/self/exe: \(String(cString: strerror(errno)))") }
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

enum ProcessCPU {
    /// User and system CPU of a running process so far, from /proc/PID/stat (0 if unreadable).
    static func seconds(of pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
