import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `stunnel` in front of a loopback test server so transport tests can speak TLS:
/// it accepts TLS on 127.0.0.1 at a free port and forwards plain TCP to `connectPort`.
///
/// ```swift
/// let tunnel = try Stunnel(connectPort: server.port, certificate: ..., key: ...)
/// defer { tunnel.stop() }
/// // https://localhost:\(tunnel.port)/...
/// ```
/// Gate such tests with `.enabled(if: Stunnel.isAvailable, "stunnel is not installed")`.
public final class Stunnel: @unchecked Sendable {
    // The process is started in init and only terminated in stop(), under `lock`.
    private let process: Process
    private let lock = NSLock()
    private var stopped = false
    private let directory: URL
    /// The TLS port on 127.0.0.1.
    public let port: UInt16

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Path of the stunnel executable on PATH (`stunnel` or `stunnel4`), if any.
    public static var executablePath: String? { TestSupport.executablePath(named: "stunnel", "stunnel4") }

    public static var isAvailable: Bool { executablePath != nil }

    /// Starts stunnel and waits until its port accepts connections.
    /// - Parameters:
    ///   - clientCA: when given, clients must present a certificate issued by it.
    ///   - maximumTLSVersion: e.g. "TLSv1.2", to make the server refuse a missing client
    ///     certificate inside the handshake (TLS 1.3 does it after the handshake).
    public init(connectPort: UInt16, certificate: String, key: String, clientCA: String? = nil,
                maximumTLSVersion: String? = nil, startTimeout: Double = 10) throws {
        guard let executable = Self.executablePath else {
            throw Failure(description: "stunnel is not installed")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("stunnel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lastError = "stunnel did not start"
        // The free port is found by binding port 0 and releasing it; another process may
        // grab it in between, so try a few times.
        for _ in 0..<5 {
            let candidate = try Self.freePort()
            let config = directory.appendingPathComponent("stunnel.conf")
            var text = """
            foreground = yes
            pid =
            debug = warning
            [chargekit-test]
            accept = 127.0.0.1:\(candidate)
            connect = 127.0.0.1:\(connectPort)
            cert = \(certificate)
            key = \(key)

            """
            if let maximumTLSVersion {
                text += "sslVersionMax = \(maximumTLSVersion)\n"
            }
            if let clientCA {
                text += "verifyChain = yes\nrequireCert = yes\nCAfile = \(clientCA)\n"
            }
            try text.write(to: config, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [config.path]
            let log = directory.appendingPathComponent("stunnel.log")
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
                throw Failure(description: "cannot create \(log.path)")
            }
            let logHandle = try FileHandle(forWritingTo: log)
            process.standardOutput = logHandle
            process.standardError = logHandle
            process.standardInput = FileHandle.nullDevice
            try Self.withTerminationSignalsUnblocked { try process.run() }
            try? logHandle.close()
            let deadline = Date().addingTimeInterval(startTimeout)
            while process.isRunning && Date() < deadline {
                if Self.accepts(port: candidate) {
                    self.process = process
                    self.port = candidate
                    return
                }
                usleep(20_000)
            }
            if process.isRunning {
                process.terminate()
            }
            process.waitUntilExit()
            lastError = "stunnel did not start: " + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        try? FileManager.default.removeItem(at: directory)
        throw Failure(description: lastError)
    }

    /// What stunnel logged so far (useful in a failing test's message).
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("stunnel.log"), encoding: .utf8)) ?? ""
    }

    /// Terminates stunnel, waits for it to exit and removes its files. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A child inherits the spawning thread's signal mask, and the threads that run Swift
    /// concurrency jobs block most signals: without this, stunnel would ignore SIGTERM.
    private static func withTerminationSignalsUnblocked<T>(_ body: () throws -> T) rethrows -> T {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&unblock, signal) }
        var previous = sigset_t()
        pthread_sigmask(SIG_UNBLOCK, &unblock, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    deinit { stop() }

    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    #if canImport(Glibc)
    private static let streamSocket = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamSocket = SOCK_STREAM
    #endif

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
