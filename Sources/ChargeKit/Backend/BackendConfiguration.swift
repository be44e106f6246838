import CurlHTTP

/// How to reach the CPO backend. The CLI fills this from flags, environment and config;
/// the library never reads those itself.
public struct BackendConfiguration: Sendable {
    /// Base URL, e.g. `https://cpo.example.com` (a trailing slash is ignored).
    public var baseURL: String
    /// The bearer token; nil sends no Authorization header.
    public var token: String?
    public var tls: TLSOptions
    public var timeouts: Timeouts
    public var retry: RetryPolicy
    /// Requests in flight at once (fleet commands raise it).
    public var maxConcurrentRequests: Int
    public var maxConnectionsPerHost: Int
    public var userAgent: String
    /// Told about every retry ("retrying in 2 s (3 left)").
    public var onRetry: (@Sendable (RetryEvent) -> Void)?
    /// Told about every request and response, already redacted (for --verbose).
    public var trace: (@Sendable (TraceEvent) -> Void)?

    public init(baseURL: String, token: String? = nil, tls: TLSOptions = TLSOptions(),
                timeouts: Timeouts = Timeouts(connect: .seconds(10), total: .seconds(120), stall: .seconds(60)),
                retry: RetryPolicy = .standard, maxConcurrentRequests: Int = 16, maxConnectionsPerHost: Int = 16,
                userAgent: String = "chargekit/\(ChargeKit.version)",
                onRetry: (@Sendable (RetryEvent) -> Void)? = nil, trace: (@Sendable (TraceEvent) -> Void)? = nil) {
        self.baseURL = baseURL
        self.token = token
        self.tls = tls
        self.timeouts = timeouts
        self.retry = retry
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.userAgent = userAgent
        self.onRetry = onRetry
        self.trace = trace
    }
}
