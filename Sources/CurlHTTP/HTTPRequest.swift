import Foundation

/// One HTTP request as the caller describes it.
public struct HTTPRequest: Sendable {
    /// Where the request body comes from.
    public enum Body: Sendable, Equatable {
        case none
        /// The bytes, held in memory.
        case data(Data)
        /// `length` bytes of the file at `path` starting at `offset`, read on demand
        /// (for chunked, resumable uploads; the file is never loaded as a whole).
        case file(path: String, offset: Int64, length: Int64)
    }

    /// Where the response body goes.
    public enum ResponseDestination: Sendable, Equatable {
        /// Into ``HTTPResponse/body``; more than `limit` bytes fails with
        /// ``HTTPError/Kind/bodyTooLarge(limit:)``.
        case memory(limit: Int64)
        /// Streamed into the file at `path` (created or truncated for each attempt).
        case file(path: String)

        /// In memory, up to 16 MiB.
        public static let memory = ResponseDestination.memory(limit: 16 << 20)
    }

    /// `GET`, `POST`, ... (sent as given, upper case recommended).
    public var method: String
    /// Absolute http:// or https:// URL.
    public var url: String
    /// Request headers in order. `Content-Length` and `Host` are set by the transport, and
    /// `Expect: 100-continue` is not sent unless given here.
    public var headers: HTTPHeaders
    public var body: Body
    public var response: ResponseDestination
    /// Overrides ``HTTPClient/Configuration/timeouts`` for this request.
    public var timeouts: Timeouts?
    /// Overrides ``HTTPClient/Configuration/retry`` for this request.
    public var retry: RetryPolicy?
    /// Whether GET/HEAD follow redirects (see ``Redirects``).
    public var followRedirects: Bool
    /// Called on the client's I/O thread with byte counts as the transfer moves; keep it quick.
    public var progress: (@Sendable (TransferProgress) -> Void)?

    public init(
        method: String = "GET",
        url: String,
        headers: HTTPHeaders = [:],
        body: Body = .none,
        response: ResponseDestination = .memory,
        timeouts: Timeouts? = nil,
        retry: RetryPolicy? = nil,
        followRedirects: Bool = true,
        progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.response = response
        self.timeouts = timeouts
        self.retry = retry
        self.followRedirects = followRedirects
        self.progress = progress
    }
}

/// Byte counts of the running attempt. Totals are nil while unknown.
public struct TransferProgress: Sendable, Equatable {
    public var bytesSent: Int64
    public var totalBytesToSend: Int64?
    public var bytesReceived: Int64
    public var totalBytesToReceive: Int64?
    /// The attempt these counts belong to (1-based); counts restart on a retry.
    public var attempt: Int

    public init(bytesSent: Int64, totalBytesToSend: Int64?, bytesReceived: Int64,
                totalBytesToReceive: Int64?, attempt: Int) {
        self.bytesSent = bytesSent
        self.totalBytesToSend = totalBytesToSend
        self.bytesReceived = bytesReceived
        self.totalBytesToReceive = totalBytesToReceive
        self.attempt = attempt
    }
}
