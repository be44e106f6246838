import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain TCP client for tests that must control the exact bytes on the wire.
public final class RawClient {
    public let fd: Int32

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(host: String = "127.0.0.1", port: UInt16, receiveTimeout: Double = 5) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let ai = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
        guard s >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        guard connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(s)
            throw Failure(description: "connect to \(host):\(port): errno \(code)")
        }
        var tv = timeval(tv_sec: Int(receiveTimeout), tv_usec: .init(Int((receiveTimeout - Double(Int(receiveTimeout))) * 1_000_000)))
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        fd = s
    }

    deinit { close(fd) }

    public func send(_ text: String) throws { try send(Data(text.utf8)) }

    public func send(_ data: Data) throws {
        try data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Glibc)
                let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                let n = Darwin.send(fd, bytes.baseAddress! + offset, bytes.count - offset, 0)
                #endif
                guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
                offset += n
            }
        }
    }

    /// Reads until the peer closes or the receive timeout passes.
    public func readAll() -> Data {
        var out = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return out }
            out.append(contentsOf: buffer[0..<n])
        }
    }

    /// Reads one response with a Content-Length body (or none): head and body.
    public func readResponse() throws -> (status: Int, head: String, body: Data) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        func fill() throws {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw Failure(description: n == 0 ? "connection closed" : "recv: errno \(errno)") }
            data.append(contentsOf: buffer[0..<n])
        }
        let separator = Data("\r\n\r\n".utf8)
        var headEnd: Range<Data.Index>?
        while headEnd == nil {
            try fill()
            headEnd = data.range(of: separator)
        }
        guard let headRange = headEnd else { throw Failure(description: "no head") }
        let head = String(decoding: data[..<headRange.lowerBound], as: UTF8.self)
        let statusText = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        guard let status = Int(statusText) else { throw Failure(description: "bad status line: \(head)") }
        var length = 0
        for line in head.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        let bodyStart = headRange.upperBound
        while data.count - bodyStart < length { try fill() }
        return (status, head, data.subdata(in: bodyStart..<(bodyStart + length)))
    }

    /// True when the peer has closed (reads end of stream within the timeout).
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}
