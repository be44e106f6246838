import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on POSIX sockets: one accept thread and one thread per connection,
/// keep-alive, Content-Length and chunked bodies, limits on head and body size, and read
/// timeouts so a slow client holds only its own thread.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String = "127.0.0.1"
        /// 0 lets the OS choose; read the chosen one from `port`.
        public var port: UInt16 = 0
        public var backlog: Int32 = 1024
        /// Connections beyond this are answered 503 and closed.
        public var maxConnections: Int = 4096
        public var maxHeadBytes: Int = 64 * 1024
        /// The cap for buffered bodies, unless the handler gives its own.
        public var maxBodyBytes: Int = 16 * 1024 * 1024
        /// How long an idle keep-alive connection is kept.
        public var idleTimeout: Double = 60
        /// How long a started head may take, and the longest gap between body bytes.
        public var readTimeout: Double = 15
        /// How long a send may block on a client that does not read.
        public var writeTimeout: Double = 30
        /// Stack size of connection threads.
        public var threadStackSize: Int = 512 * 1024

        public init() {}
    }

    private struct Record {
        let fd: Int32
        var task: Task<Void, Never>?
    }

    private struct State {
        var started = false
        var stopping = false
        var nextID = 1
        var connections: [Int: Record] = [:]
    }

    public let configuration: Configuration
    /// The bound port (the OS's choice when configured with 0).
    public let port: UInt16
    let handler: any HTTPServerHandler
    private let listenFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let state = Mutex(State())
    private let acceptDone = DispatchSemaphore(value: 0)
    private let connectionsDone = DispatchGroup()

    public init(configuration: Configuration = Configuration(), handler: any HTTPServerHandler) throws(SocketError) {
        let listener = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            let code = errno
            Glibc_close(listener.fd)
            throw SocketError(call: "pipe", code: code)
        }
        for fd in [listener.fd, pipeFDs[0], pipeFDs[1]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        self.configuration = configuration
        self.handler = handler
        listenFD = listener.fd
        port = listener.port
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
    }

    /// "http://HOST:PORT", with IPv6 hosts in brackets.
    public var baseURL: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)"
    }

    public var isStopping: Bool { state.withLock { $0.stopping } }

    public var activeConnections: Int { state.withLock { $0.connections.count } }

    /// Starts accepting on a thread of its own.
    public func start() {
        let first = state.withLock { s in
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        let thread = Thread { [self] in
            acceptLoop()
            acceptDone.signal()
        }
        thread.name = "http-accept"
        thread.start()
    }

    /// Stops accepting, ends every connection (cancelling handlers that are still
    /// running) and waits for their threads. Safe to call more than once.
    public func stop() {
        let (wasStarted, alreadyStopping) = state.withLock { s in
            defer { s.stopping = true }
            return (s.started, s.stopping)
        }
        guard !alreadyStopping else { return }
        var byte: UInt8 = 1
        _ = Glibc_write(wakeWrite, &byte, 1)
        if wasStarted { acceptDone.wait() } else { Glibc_close(listenFD) }
        state.withLock { s in
            for record in s.connections.values {
                shutdown(record.fd, Int32(SHUT_RDWR))
                record.task?.cancel()
            }
        }
        _ = connectionsDone.wait(timeout: .now() + 10)
        Glibc_close(wakeRead)
        Glibc_close(wakeWrite)
    }

    func attach(_ task: Task<Void, Never>?, to id: Int) {
        let stopping = state.withLock { s in
            s.connections[id]?.task = task
            return s.stopping
        }
        if stopping { task?.cancel() }
    }

    private func acceptLoop() {
        defer { Glibc_close(listenFD) }
        while true {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 || isStopping { return }
            guard fds[0].revents != 0 else { continue }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &length) }
            }
            if client < 0 {
                // Out of descriptors: back off rather than spin.
                if errno == EMFILE || errno == ENFILE { Thread.sleep(forTimeInterval: 0.01) }
                continue
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            setOption(client, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            setTimeoutOption(client, SO_SNDTIMEO, seconds: configuration.writeTimeout)
            #if canImport(Darwin)
            setOption(client, SOL_SOCKET, SO_NOSIGPIPE, 1)
            #endif
            admit(client, remote: Socket.describe(address))
        }
    }

    private func admit(_ fd: Int32, remote: String) {
        let id: Int? = state.withLock { s in
            guard s.connections.count < configuration.maxConnections else { return nil }
            let id = s.nextID
            s.nextID += 1
            s.connections[id] = Record(fd: fd)
            return id
        }
        guard let id else {
            let busy = Array("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            busy.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, sendFlags) }
            Glibc_close(fd)
            return
        }
        connectionsDone.enter()
        let thread = Thread { [self] in
            Connection(fd: fd, id: id, remoteAddress: remote, server: self).run()
            // Deregister before closing, so stop() never shuts down a reused descriptor.
            state.withLock { _ = $0.connections.removeValue(forKey: id) }
            Glibc_close(fd)
            connectionsDone.leave()
        }
        thread.stackSize = configuration.threadStackSize
        thread.name = "http-conn-\(id)"
        thread.start()
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, pointer, count)
    #else
    return Darwin.write(fd, pointer, count)
    #endif
}
