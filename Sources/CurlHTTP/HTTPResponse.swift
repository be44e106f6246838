import Foundation

/// The final response to an ``HTTPRequest`` (after redirects and retries).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Headers of the final response, in order; lookup is case-insensitive.
    public var headers: HTTPHeaders
    /// The body, for ``HTTPRequest/ResponseDestination/memory(limit:)``; empty otherwise.
    public var body: Data
    /// The file the body was written to, for ``HTTPRequest/ResponseDestination/file(path:)``.
    public var bodyFile: String?
    /// Bytes of body received.
    public var bodyLength: Int64
    /// The URL that produced this response (after redirects).
    public var url: String
    /// `HTTP/1.1`, `HTTP/2`, ...
    public var httpVersion: String
    /// Timing of the last attempt.
    public var timing: Timing
    /// Attempts made over all hops, 1 when the first one succeeded.
    public var attempts: Int
    /// Redirects followed.
    public var redirects: Int

    /// The body as UTF-8 text (lossy).
    public var bodyString: String { String(decoding: body, as: UTF8.self) }

    public init(status: Int, headers: HTTPHeaders, body: Data = Data(), bodyFile: String? = nil,
                bodyLength: Int64 = 0, url: String, httpVersion: String = "HTTP/1.1",
                timing: Timing = Timing(), attempts: Int = 1, redirects: Int = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyFile = bodyFile
        self.bodyLength = bodyLength
        self.url = url
        self.httpVersion = httpVersion
        self.timing = timing
        self.attempts = attempts
        self.redirects = redirects
    }
}

/// Where the time of one attempt went, each measured from its start (curl's *_TIME_T).
public struct Timing: Sendable, Equatable, CustomStringConvertible {
    public var nameLookup: Duration
    /// TCP connected.
    public var connect: Duration
    /// TLS handshake done (zero for http).
    public var tlsHandshake: Duration
    /// First response byte (time to first byte).
    public var firstByte: Duration
    public var total: Duration
    /// Whether the attempt ran on a reused (keep-alive) connection.
    public var reusedConnection: Bool

    public init(nameLookup: Duration = .zero, connect: Duration = .zero, tlsHandshake: Duration = .zero,
                firstByte: Duration = .zero, total: Duration = .zero, reusedConnection: Bool = false) {
        self.nameLookup = nameLookup
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.firstByte = firstByte
        self.total = total
        self.reusedConnection = reusedConnection
    }

    /// `total 12.3 ms, connect 0.4 ms, TTFB 11.9 ms (reused connection)`
    public var description: String {
        func ms(_ d: Duration) -> String {
            let value = (d.seconds * 10_000).rounded() / 10
            return "\(value) ms"
        }
        var text = "total \(ms(total)), connect \(ms(connect))"
        if tlsHandshake > .zero { text += ", TLS \(ms(tlsHandshake))" }
        text += ", TTFB \(ms(firstByte))"
        if reusedConnection { text += " (reused connection)" }
        return text
    }
}
