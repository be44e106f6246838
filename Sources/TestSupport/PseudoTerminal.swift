import Foundation
import Synchronization

/// A program run on a pseudo-terminal, as a person at a keyboard runs it: its standard input,
/// output and error are the terminal, so it sees a TTY and prompts. The test types lines and
/// waits for text to appear.
public final class PseudoTerminal {
    public enum Failure: Error, CustomStringConvertible {
        case openpt(Int32)
        case timeout(waitingFor: String, output: String)

        public var description: String {
            switch self {
            case .openpt(let code): "cannot open a pseudo-terminal: \(String(cString: strerror(code)))"
            case .timeout(let text, let output): "timed out waiting for \"\(text)\"; the terminal shows:\n\(output)"
            }
        }
    }

    private let master: Int32
    private let process: Process
    private final class Buffer: Sendable {
        let data = Mutex(Data())
        /// How far `expect` has consumed the output, so each wait looks only at what is new.
        let consumed = Mutex(0)
    }
    private let buffer = Buffer()

    public init(executable: URL, arguments: [String], environment: [String: String], workingDirectory: String? = nil) throws {
        let pty = try PTYFunctions()
        let master = pty.openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, pty.grantpt(master) == 0, pty.unlockpt(master) == 0, let name = pty.ptsname(master) else {
            throw Failure.openpt(errno)
        }
        let slave = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw Failure.openpt(errno) }
        self.master = master
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        self.process = process
        try process.run()
        close(slave)
        let output = buffer
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                // EIO once the last process holding the terminal is gone.
                guard count > 0 else { break }
                output.data.withLock { $0.append(contentsOf: buffer[0..<count]) }
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        close(master)
    }

    /// Everything the program wrote so far (with the terminal's echo of what was typed).
    public var transcript: String { buffer.data.withLock { String(decoding: $0, as: UTF8.self) } }

    public var pid: Int32 { process.processIdentifier }

    /// Types one line.
    public func send(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { _ = write(master, $0.baseAddress, $0.count) }
    }

    /// Waits until `text` appears after what earlier waits consumed, and consumes up to it.
    public func expect(_ text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let buffer = self.buffer
            let found: Bool = buffer.data.withLock { data in
                let start = buffer.consumed.withLock { $0 }
                let tail = data.count > start ? data[data.startIndex.advanced(by: start)...] : Data()
                guard let range = tail.range(of: Data(text.utf8)) else { return false }
                buffer.consumed.withLock { $0 = range.upperBound - data.startIndex }
                return true
            }
            if found { return }
            guard ContinuousClock.now < deadline else { throw Failure.timeout(waitingFor: text, output: transcript) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the program to end; its exit status, or 128 + the signal that ended it.
    public func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw Failure.timeout(waitingFor: "exit", output: transcript)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }
}

/// Glibc declares the pseudo-terminal calls only under _XOPEN_SOURCE, which Swift's Glibc
/// module does not set; they are in libc all the same, so look them up by name.
private struct PTYFunctions {
    typealias Open = @convention(c) (Int32) -> Int32
    typealias Name = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
    let openpt: Open
    let grantpt: Open
    let unlockpt: Open
    let ptsname: Name

    init() throws {
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let pointer = dlsym(nil, name) else { throw PseudoTerminal.Failure.openpt(ENOSYS) }
            return pointer
        }
        openpt = unsafeBitCast(try symbol("posix_openpt"), to: Open.self)
        grantpt = unsafeBitCast(try symbol("grantpt"), to: Open.self)
        unlockpt = unsafeBitCast(try symbol("unlockpt"), to: Open.self)
        ptsname = unsafeBitCast(try symbol("ptsname"), to: Name.self)
    }
}
