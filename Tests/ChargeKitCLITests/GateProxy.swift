import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP forwarder between chargekit and the simulator that acts on the first request whose
/// bytes contain `trigger`: `.holdRequest` keeps it until the test lets it go (so the test can
/// stop the simulator at exactly the moment a record is about to be sent); `.swallowResponse`
/// forwards it but never passes the answer back (so the backend has recorded it while the
/// client still waits, and the test can kill the client then). Everything else passes untouched.
final class GateProxy: @unchecked Sendable {
    enum Mode {
        case holdRequest
        case swallowResponse
    }

    let port: UInt16
    private let mode: Mode
    private let listener: Int32
    private let upstreamPort: UInt16
    private let trigger: [UInt8]
    private let state = Mutex<(armed: Bool, held: CheckedContinuation<Void, Never>?, heldAlready: Bool, stopped: Bool)>(
        (true, nil, false, false))
    private let release = DispatchSemaphore(value: 0)

    var url: String { "http://127.0.0.1:\(port)" }

    init(upstreamPort: UInt16, trigger: String, mode: Mode = .holdRequest) throws {
        self.mode = mode
        self.upstreamPort = upstreamPort
        self.trigger = Array(trigger.utf8)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw CocoaError(.fileWriteUnknown)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Returns once a request with the trigger has arrived and is being held.
    func waitUntilHeld() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Bool in
                if s.heldAlready { return true }
                s.held = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Lets the held request go on (to wherever the upstream now is).
    func letGo() { release.signal() }

    func stop() {
        state.withLock { $0.stopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { return }
                continue
            }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = upstreamPort.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard upstream >= 0, connected == 0 else {
            close(upstream)
            close(client)
            return
        }
        let swallow = Flag()
        Thread.detachNewThread { [self] in pump(from: upstream, to: client, inspect: false, swallow: swallow) }
        pump(from: client, to: upstream, inspect: true, swallow: swallow)
    }

    private func pump(from source: Int32, to sink: Int32, inspect: Bool, swallow: Flag) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            let chunk = Array(buffer[0..<count])
            if inspect, contains(chunk, trigger) {
                let hold = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
                    guard s.armed else { return (false, nil) }
                    s.armed = false
                    s.heldAlready = true
                    defer { s.held = nil }
                    return (true, s.held)
                }
                if hold.0 {
                    if mode == .swallowResponse { swallow.value.withLock { $0 = true } }
                    hold.1?.resume()
                    if mode == .holdRequest { release.wait() }
                }
            }
            if !inspect, swallow.value.withLock({ $0 }) { continue }
            var sent = 0
            while sent < chunk.count {
                let n = chunk[sent...].withUnsafeBytes { send(sink, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { break }
                sent += n
            }
            if sent < chunk.count { break }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(sink, Int32(SHUT_RDWR))
        close(source)
    }

    /// Whether a connection's answers are being dropped.
    final class Flag: Sendable {
        let value = Mutex(false)
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }
}
