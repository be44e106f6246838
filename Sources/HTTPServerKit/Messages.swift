import Foundation

/// Header fields in arrival order; lookups ignore case.
public struct HeaderFields: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var entries: [(name: String, value: String)]

    public init(_ entries: [(name: String, value: String)] = []) { self.entries = entries }
    public init(dictionaryLiteral elements: (String, String)...) {
        entries = elements.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> String? {
        entries.first { Self.sameName($0.name, name) }?.value
    }

    public func values(_ name: String) -> [String] {
        entries.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Field names are ASCII tokens, compared ignoring ASCII case, byte by byte: Foundation's
    /// `caseInsensitiveCompare` bridges through NSString on Linux, and every API request
    /// looks up several headers.
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (0x61...0x7A).contains(x | 0x20))
        }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { entries.append((name, value)) }

    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        entries.append((name, value))
    }

    public mutating func remove(_ name: String) {
        entries.removeAll { Self.sameName($0.name, name) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }
}

/// The request line and headers, known before the body is read.
public struct RequestHead: Sendable {
    public var method: String
    /// The request target as sent: path and query.
    public var target: String
    public var version: String
    public var headers: HeaderFields
    /// Distinct per TCP connection accepted by this server.
    public var connectionID: Int
    public var remoteAddress: String

    public var path: String {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        return raw.removingPercentEncoding ?? raw
    }

    /// The raw query string, without "?", or "" when there is none.
    public var query: String {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: mark)...])
    }

    /// Query parameters, percent-decoded ("+" as space), in order.
    public var queryItems: [(name: String, value: String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    public func queryValue(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }
    public func queryValues(_ name: String) -> [String] { queryItems.filter { $0.name == name }.map(\.value) }
}

/// Receives a request body as it arrives, for bodies too large to hold in memory.
/// Called from the connection's thread only, one request at a time.
public protocol RequestBodySink: AnyObject, Sendable {
    func consume(_ bytes: UnsafeRawBufferPointer) throws
    /// The body ended normally; not called when the client went away mid-body.
    func finish() throws
}

/// How the server reads a request's body, decided from the head.
public enum BodyDisposition: Sendable {
    /// Hold the body in memory, refusing it with 413 past `limit` bytes (nil: the server's limit).
    case buffer(limit: Int?)
    /// Hand the body to a sink as it arrives.
    case stream(any RequestBodySink)
    /// Answer at once without reading the body; the connection is then closed.
    case reject(ServerResponse)
}

public struct ServerRequest: Sendable {
    public var head: RequestHead
    /// The body when buffered; empty when streamed to a sink.
    public var body: Data
    /// Bytes of body received (after removing chunked framing).
    public var bodyLength: Int64
    /// The sink the body went to, when streamed.
    public var sink: (any RequestBodySink)?

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: HeaderFields { head.headers }
}

public enum ResponseBody: Sendable {
    case data(Data)
    /// A region of a file, read as it is sent.
    case file(path: String, offset: Int64, length: Int64)
    /// Produced piece by piece; nil ends it. Sent chunked when `length` is nil.
    case producer(length: Int64?, next: @Sendable () throws -> Data?)
}

public struct ServerResponse: Sendable {
    public var status: Int
    public var headers: HeaderFields
    public var body: ResponseBody

    public init(status: Int, headers: HeaderFields = [:], body: ResponseBody = .data(Data())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: Int, headers: HeaderFields = [:], data: Data) {
        self.init(status: status, headers: headers, body: .data(data))
    }
}

/// One step of a deliberately broken reply, for fault tests.
public enum RawStep: Sendable {
    case write(Data)
    case pause(seconds: Double)
    /// Close with FIN.
    case close
    /// Close with RST.
    case reset
}

public enum ServerReply: Sendable {
    case response(ServerResponse)
    /// Bytes written exactly as given; the connection is closed afterwards.
    case raw([RawStep])
}

/// Answers requests. `respond` runs on the connection's thread; return `.later` to run
/// async work (the connection waits for it, and stop() cancels it).
public protocol HTTPServerHandler: Sendable {
    func bodyDisposition(for head: RequestHead) -> BodyDisposition
    func respond(to request: ServerRequest) -> ServerResponder
}

extension HTTPServerHandler {
    public func bodyDisposition(for head: RequestHead) -> BodyDisposition { .buffer(limit: nil) }
}

public enum ServerResponder: Sendable {
    case now(ServerReply)
    case later(@Sendable () async -> ServerReply)
}

public enum StatusText {
    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 416: "Range Not Satisfiable"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
