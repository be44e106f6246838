import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves the requests of one TCP connection on its own thread, one at a time
/// (HTTP/1.1 keep-alive, no pipelining of responses).
final class Connection {
    let fd: Int32
    let id: Int
    let remoteAddress: String
    let server: HTTPServer
    private let reader: SocketReader
    private var configuration: HTTPServer.Configuration { server.configuration }

    init(fd: Int32, id: Int, remoteAddress: String, server: HTTPServer) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.server = server
        reader = SocketReader(fd: fd, capacity: server.configuration.maxHeadBytes + 16 * 1024)
    }

    func run() {
        while serveOne() {}
    }

    /// Serves one request; false when the connection must end.
    private func serveOne() -> Bool {
        let headBytes: [UInt8]
        do {
            guard let bytes = try reader.readHead(maxBytes: configuration.maxHeadBytes,
                                                  firstByteTimeout: configuration.idleTimeout,
                                                  headTimeout: configuration.readTimeout) else { return false }
            headBytes = bytes
        } catch ReadFailure.headTooLarge {
            return refuse(431, "request head larger than \(configuration.maxHeadBytes) bytes")
        } catch ReadFailure.timedOut {
            // Idle keep-alive connections just end; a half-sent head gets a 408.
            return reader.buffered > 0 ? refuse(408, "request head not received in time") : false
        } catch {
            return false
        }

        let parsed: (method: String, target: String, version: String, headers: HeaderFields)
        let framing: RequestParser.Framing
        do {
            parsed = try RequestParser.parse(headBytes)
            framing = try RequestParser.framing(parsed.headers)
        } catch {
            return refuse(error.status, error.detail)
        }
        let head = RequestHead(method: parsed.method, target: parsed.target, version: parsed.version,
                               headers: parsed.headers, connectionID: id, remoteAddress: remoteAddress)
        let connectionHeader = parsed.headers["Connection"]?.lowercased() ?? ""
        var keepAlive = parsed.version == "HTTP/1.1"
            ? !connectionHeader.contains("close")
            : connectionHeader.contains("keep-alive")

        let disposition = server.handler.bodyDisposition(for: head)
        if case .reject(let response) = disposition {
            try? write(response, method: head.method, close: true)
            return false
        }
        if framing != .none, parsed.headers["Expect"]?.lowercased() == "100-continue" {
            let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            do { try interim.withUnsafeBytes { try Socket.sendAll(fd, $0) } } catch { return false }
        }

        var body = Data()
        var bodyLength: Int64 = 0
        var sink: (any RequestBodySink)?
        do {
            switch disposition {
            case .buffer(let limit):
                let cap = limit ?? configuration.maxBodyBytes
                if case .length(let n) = framing, n > Int64(cap) {
                    return refuse(413, "request body larger than \(cap) bytes")
                }
                bodyLength = try readBody(framing) { bytes in
                    guard body.count + bytes.count <= cap else { throw BodyTooLarge(limit: cap) }
                    body.append(contentsOf: bytes)
                }
            case .stream(let target):
                sink = target
                bodyLength = try readBody(framing) { bytes in try target.consume(bytes) }
                try target.finish()
            case .reject:
                return false
            }
        } catch let error as BodyTooLarge {
            return refuse(413, "request body larger than \(error.limit) bytes")
        } catch ReadFailure.timedOut {
            return refuse(408, "request body not received in time")
        } catch ReadFailure.badFraming {
            return refuse(400, "malformed chunked body")
        } catch is ReadFailure {
            return false
        } catch {
            return refuse(500, "request body could not be stored: \(error)")
        }

        let request = ServerRequest(head: head, body: body, bodyLength: bodyLength, sink: sink)
        switch dispatch(request) {
        case .raw(let steps):
            perform(steps)
            return false
        case .response(let response):
            if server.isStopping || response.headers["Connection"]?.lowercased() == "close" { keepAlive = false }
            do {
                try write(response, method: head.method, close: !keepAlive)
            } catch {
                return false
            }
            return keepAlive
        }
    }

    private struct BodyTooLarge: Error { let limit: Int }

    private func readBody(_ framing: RequestParser.Framing,
                          _ consume: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        switch framing {
        case .none:
            return 0
        case .length(let n):
            try reader.readBody(count: n, timeout: configuration.readTimeout, consume: consume)
            return n
        case .chunked:
            return try reader.readChunked(timeout: configuration.readTimeout, consume: consume)
        }
    }

    private func dispatch(_ request: ServerRequest) -> ServerReply {
        switch server.handler.respond(to: request) {
        case .now(let reply):
            return reply
        case .later(let work):
            let done = DispatchSemaphore(value: 0)
            let box = ReplyBox()
            let task = Task {
                box.value = await work()
                done.signal()
            }
            server.attach(task, to: id)
            done.wait()
            server.attach(nil, to: id)
            return box.value ?? .response(problem(503, "the server is shutting down"))
        }
    }

    /// Answers with a problem document and ends the connection.
    private func refuse(_ status: Int, _ detail: String) -> Bool {
        try? write(problem(status, detail), method: "GET", close: true)
        lingeringClose()
        return false
    }

    /// Half-closes and drains what the client still sends, briefly: closing with unread
    /// input makes the kernel send an RST that can destroy the answer before it is read.
    private func lingeringClose() {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = monotonicSeconds() + 1
        var drained = 0
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while drained < 4 * 1024 * 1024 {
            let left = deadline - monotonicSeconds()
            guard left > 0, (try? Socket.waitReadable(fd, timeoutMilliseconds: milliseconds(left))) == true else { return }
            let n = recv(fd, &scratch, scratch.count, 0)
            if n <= 0 { return }
            drained += n
        }
    }

    private func perform(_ steps: [RawStep]) {
        for step in steps {
            switch step {
            case .write(let data):
                do { try data.withUnsafeBytes { try Socket.sendAll(fd, $0) } } catch { return }
            case .pause(let seconds):
                Thread.sleep(forTimeInterval: seconds)
            case .close:
                shutdown(fd, Int32(SHUT_WR))
                return
            case .reset:
                // Linger 0: the close at the end of the thread sends an RST.
                var option = linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
                return
            }
        }
    }

    func write(_ response: ServerResponse, method: String, close: Bool) throws {
        var headers = response.headers
        let status = response.status
        let bodyless = (100...199).contains(status) || status == 204 || status == 304
        let sendBody = !bodyless && method != "HEAD"
        var chunked = false
        if !bodyless && headers["Content-Length"] == nil && headers["Transfer-Encoding"] == nil {
            switch response.body {
            case .data(let data): headers.add("Content-Length", String(data.count))
            case .file(_, _, let length): headers.add("Content-Length", String(length))
            case .producer(let length, _):
                if let length { headers.add("Content-Length", String(length)) } else {
                    headers.add("Transfer-Encoding", "chunked")
                    chunked = true
                }
            }
        }
        if headers["Date"] == nil { headers.add("Date", httpDate()) }
        if close { headers.set("Connection", "close") }
        var text = "HTTP/1.1 \(status) \(StatusText.reason(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        var out = Data(text.utf8)

        switch response.body {
        case .data(let data):
            // Head and a small body in one send: one segment for the common case.
            if sendBody { out.append(data) }
            try send(out)
        case .file(let path, let offset, let length):
            try send(out)
            if sendBody { try sendFile(path: path, offset: offset, length: length) }
        case .producer(_, let next):
            try send(out)
            guard sendBody else { break }
            while let piece = try next() {
                if piece.isEmpty { continue }
                if chunked {
                    var framed = Data(String(piece.count, radix: 16).utf8)
                    framed.append(contentsOf: [0x0D, 0x0A])
                    framed.append(piece)
                    framed.append(contentsOf: [0x0D, 0x0A])
                    try send(framed)
                } else {
                    try send(piece)
                }
            }
            if chunked { try send(Data("0\r\n\r\n".utf8)) }
        }
    }

    private func send(_ data: Data) throws {
        try data.withUnsafeBytes { try Socket.sendAll(fd, $0) }
    }

    private func sendFile(path: String, offset: Int64, length: Int64) throws {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { throw SocketError(call: "open(\(path))", code: errno) }
        defer { Glibc_close(file) }
        let chunk = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 8)
        defer { buffer.deallocate() }
        var position = offset
        var remaining = length
        while remaining > 0 {
            let want = Int(min(Int64(chunk), remaining))
            let n = pread(file, buffer.baseAddress, want, off_t(position))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SocketError(call: "pread(\(path))", code: n == 0 ? EIO : errno) }
            try Socket.sendAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            position += Int64(n)
            remaining -= Int64(n)
        }
    }
}

private final class ReplyBox: @unchecked Sendable {
    // Written by the task before it signals the semaphore, read after the wait.
    var value: ServerReply?
}

/// An RFC 9457 problem document for errors the server itself answers.
func problem(_ status: Int, _ detail: String) -> ServerResponse {
    let object: [String: Any] = ["type": "about:blank", "title": StatusText.reason(status), "status": status, "detail": detail]
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    return ServerResponse(status: status, headers: ["Content-Type": "application/problem+json"], data: data)
}

/// An IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
public func httpDate(_ seconds: time_t = time(nil)) -> String {
    var t = seconds
    var parts = tm()
    gmtime_r(&t, &parts)
    var buffer = [CChar](repeating: 0, count: 64)
    let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
    return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

@inline(__always)
func Glibc_close(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
