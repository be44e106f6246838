#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ReadFailure: Error {
    /// The peer closed the connection.
    case closed
    /// No byte arrived in time.
    case timedOut
    /// The head grew past the limit before its blank line.
    case headTooLarge
    /// A line of chunked framing was malformed or too long.
    case badFraming
    case socket(SocketError)
}

/// A buffered reader over one socket, owned by the connection's thread.
final class SocketReader {
    let fd: Int32
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var scanned = 0

    init(fd: Int32, capacity: Int) {
        self.fd = fd
        storage = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    var buffered: Int { end - start }

    /// Reads whatever the socket has; false at end of stream.
    private func fill(timeoutMilliseconds: Int32) throws(ReadFailure) -> Bool {
        if start == end {
            start = 0; end = 0; scanned = 0
        } else if end == storage.count, start > 0, let base = storage.baseAddress {
            memmove(base, base + start, end - start)
            scanned -= start
            end -= start
            start = 0
        }
        if end == storage.count { throw .headTooLarge }
        do {
            guard try Socket.waitReadable(fd, timeoutMilliseconds: timeoutMilliseconds) else { throw ReadFailure.timedOut }
        } catch let error as SocketError {
            throw .socket(error)
        } catch {
            throw .timedOut
        }
        guard let base = storage.baseAddress else { throw .closed }
        while true {
            let n = recv(fd, base + end, storage.count - end, 0)
            if n > 0 { end += n; return true }
            if n == 0 { return false }
            if errno == EINTR { continue }
            if errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN { throw .closed }
            throw .socket(SocketError(call: "recv", code: errno))
        }
    }

    /// Reads a request head up to and including its blank line. Returns nil on a clean
    /// close before the first byte. `firstByteTimeout` is the keep-alive idle time;
    /// once a byte has arrived the whole head must arrive within `headTimeout`.
    func readHead(maxBytes: Int, firstByteTimeout: Double, headTimeout: Double) throws(ReadFailure) -> [UInt8]? {
        var deadline: Double? = buffered > 0 ? monotonicSeconds() + headTimeout : nil
        while true {
            if let range = findHeadEnd() {
                if range - start > maxBytes { throw .headTooLarge }
                let head = Array(UnsafeRawBufferPointer(rebasing: storage[start..<range]))
                start = range
                scanned = start
                return head
            }
            if buffered >= maxBytes { throw .headTooLarge }
            let wait: Double
            if let deadline {
                wait = deadline - monotonicSeconds()
                if wait <= 0 { throw .timedOut }
            } else {
                wait = firstByteTimeout
            }
            let hadBytes = buffered > 0
            guard try fill(timeoutMilliseconds: milliseconds(wait)) else {
                if hadBytes { throw .closed }
                return nil
            }
            if deadline == nil { deadline = monotonicSeconds() + headTimeout }
        }
    }

    /// Index just past "\r\n\r\n" (or "\n\n"), scanning only new bytes.
    private func findHeadEnd() -> Int? {
        var i = max(start, scanned - 3)
        while i < end {
            if storage[i] == 0x0A {
                if i + 1 < end, storage[i + 1] == 0x0A { return i + 2 }
                if i + 2 < end, storage[i + 1] == 0x0D, storage[i + 2] == 0x0A { return i + 3 }
            }
            i += 1
        }
        scanned = end
        return nil
    }

    /// Hands up to `count` body bytes to `consume` as they arrive.
    func readBody(count: Int64, timeout: Double, consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Void {
        var remaining = count
        while remaining > 0 {
            if buffered == 0 {
                guard try fill(timeoutMilliseconds: milliseconds(timeout)) else { throw ReadFailure.closed }
            }
            let n = Int(min(Int64(buffered), remaining))
            try consume(UnsafeRawBufferPointer(rebasing: storage[start..<(start + n)]))
            start += n
            scanned = start
            remaining -= Int64(n)
        }
    }

    /// One CRLF-terminated line of chunked framing, without the terminator.
    func readLine(maxLength: Int, timeout: Double) throws(ReadFailure) -> String {
        while true {
            var i = start
            while i < end {
                if storage[i] == 0x0A {
                    var lineEnd = i
                    if lineEnd > start, storage[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                    let line = String(decoding: UnsafeRawBufferPointer(rebasing: storage[start..<lineEnd]), as: UTF8.self)
                    start = i + 1
                    scanned = start
                    return line
                }
                i += 1
            }
            if buffered > maxLength { throw .badFraming }
            guard try fill(timeoutMilliseconds: milliseconds(timeout)) else { throw .closed }
        }
    }

    /// Decodes a chunked body into `consume`; returns the decoded length.
    func readChunked(timeout: Double, consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var total: Int64 = 0
        while true {
            let line = try readLine(maxLength: 1024, timeout: timeout)
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: " \t") } ?? ""
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int64(sizeText, radix: 16), size >= 0 else {
                throw ReadFailure.badFraming
            }
            if size == 0 {
                // Trailer fields, up to the blank line; ignored.
                while try !readLine(maxLength: 8192, timeout: timeout).isEmpty {}
                return total
            }
            try readBody(count: size, timeout: timeout, consume: consume)
            total += size
            guard try readLine(maxLength: 2, timeout: timeout).isEmpty else { throw ReadFailure.badFraming }
        }
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1_000_000_000
}

func milliseconds(_ seconds: Double) -> Int32 {
    Int32(max(0, min(seconds * 1000, Double(Int32.max))).rounded(.up))
}
