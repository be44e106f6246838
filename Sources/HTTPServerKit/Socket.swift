#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, with the errno it left.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32

    public var description: String {
        "\(call): \(String(cString: strerror(code)))"
    }
}

#if canImport(Glibc)
let streamSocketType = Int32(SOCK_STREAM.rawValue)
let sendFlags = Int32(MSG_NOSIGNAL)
#else
let streamSocketType = SOCK_STREAM
let sendFlags: Int32 = 0
#endif

/// Runs a syscall that returns -1 on failure, retrying on EINTR.
@discardableResult
func check(_ call: String, _ body: () -> Int32) throws(SocketError) -> Int32 {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SocketError(call: call, code: code)
    }
}

func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
    var v = value
    _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
}

func setTimeoutOption(_ fd: Int32, _ name: Int32, seconds: Double) {
    var tv = timeval()
    tv.tv_sec = Int(seconds)
    tv.tv_usec = .init(Int((seconds - Double(Int(seconds))) * 1_000_000))
    _ = setsockopt(fd, SOL_SOCKET, name, &tv, socklen_t(MemoryLayout<timeval>.size))
}

enum Socket {
    /// Opens a listening TCP socket; port 0 lets the OS choose. Returns the bound port.
    static func listen(host: String, port: UInt16, backlog: Int32) throws(SocketError) -> (fd: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocketType
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SocketError(call: "getaddrinfo(\(host))", code: rc == EAI_SYSTEM ? errno : EADDRNOTAVAIL)
        }
        defer { freeaddrinfo(list) }
        var lastError = SocketError(call: "bind(\(host):\(port))", code: EADDRNOTAVAIL)
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { lastError = SocketError(call: "socket", code: errno); continue }
            setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if ai.pointee.ai_family == AF_INET6 { setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
            do {
                try check("bind(\(host):\(port))") { bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) }
                try check("listen") { Glibc_listen(fd, backlog) }
                return (fd, try boundPort(fd))
            } catch {
                lastError = error
                close(fd)
            }
        }
        throw lastError
    }

    static func boundPort(_ fd: Int32) throws(SocketError) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw SocketError(call: "getsockname", code: errno) }
        return peerPort(storage)
    }

    static func peerPort(_ storage: sockaddr_storage) -> UInt16 {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            if Int32(storage.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    static func describe(_ storage: sockaddr_storage) -> String {
        var copy = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        withUnsafePointer(to: &copy) { pointer in
            if family == AF_INET6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var a = address.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &a, &text, socklen_t(text.count))
                }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var a = address.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &a, &text, socklen_t(text.count))
                }
            }
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(host)]:\(peerPort(storage))" : "\(host):\(peerPort(storage))"
    }

    /// Writes every byte, or throws. Never raises SIGPIPE.
    static func sendAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SocketError) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = send(fd, base, remaining, sendFlags)
            if n < 0 {
                if errno == EINTR { continue }
                throw SocketError(call: "send", code: errno)
            }
            base += n
            remaining -= n
        }
    }

    /// Waits until `fd` is readable. Returns false on timeout.
    static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) throws(SocketError) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let n = try check("poll") { poll(&entry, 1, timeoutMilliseconds) }
        return n > 0
    }

    /// Closes with an RST instead of a FIN, as a crashed peer would.
    static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }
}

// `listen` is shadowed by Socket.listen inside the enum.
@inline(__always)
private func Glibc_listen(_ fd: Int32, _ backlog: Int32) -> Int32 {
    #if canImport(Glibc)
    return Glibc.listen(fd, backlog)
    #else
    return Darwin.listen(fd, backlog)
    #endif
}
