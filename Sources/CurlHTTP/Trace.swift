/// One thing worth showing under `--verbose`. Every string in it is already redacted
/// (see ``Redaction``), so it can be printed as is.
public struct TraceEvent: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// An attempt starts.
        case start(method: String, url: String, attempt: Int)
        /// One request header line as sent on the wire (the request line included).
        case requestHeader(String)
        /// One response header line as received (the status line included).
        case responseHeader(String)
        /// libcurl's informational text (connecting, reusing a connection, TLS, ...).
        case info(String)
        /// An attempt got a response.
        case finished(method: String, url: String, status: Int, timing: Timing)
        /// An attempt failed.
        case failed(method: String, url: String, error: HTTPError)
        /// A redirect is followed.
        case redirect(status: Int, to: String)
        /// A retry is scheduled.
        case retry(RetryEvent)
    }

    /// Identifies the ``HTTPClient/send(_:)`` call, to tell concurrent requests apart.
    public var requestID: Int
    public var kind: Kind

    public init(requestID: Int, kind: Kind) {
        self.requestID = requestID
        self.kind = kind
    }

    /// curl -v style: `> ` request headers, `< ` response headers, `* ` everything else.
    public var description: String {
        let prefix = "[\(requestID)] "
        switch kind {
        case .start(let method, let url, let attempt):
            return prefix + "* \(method) \(url)" + (attempt > 1 ? " (attempt \(attempt))" : "")
        case .requestHeader(let line): return prefix + "> \(line)"
        case .responseHeader(let line): return prefix + "< \(line)"
        case .info(let text): return prefix + "* \(text)"
        case .finished(let method, let url, let status, let timing):
            return prefix + "* \(method) \(url) -> \(status) (\(timing))"
        case .failed(let method, let url, let error):
            return prefix + "* \(method) \(url) failed: \(error.summary)" + (error.message.isEmpty ? "" : ": \(error.message)")
        case .redirect(let status, let to): return prefix + "* \(status) redirect to \(to)"
        case .retry(let event): return prefix + "* \(event)"
        }
    }
}
