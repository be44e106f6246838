import Foundation
import Synchronization

/// An HTTP(S) client on libcurl: one I/O thread, many concurrent requests over reused
/// connections, retries, redirects and timeouts as configured.
///
/// ```swift
/// let client = try HTTPClient()
/// defer { client.shutdown() }
/// let response = try await client.send(HTTPRequest(url: "https://csms.example/api/v1/me"))
/// ```
///
/// Call ``shutdown()`` when done: it fails whatever is still running and frees every curl
/// handle deterministically. (Dropping the last reference only asks the I/O thread to do
/// the same, without waiting.)
public final class HTTPClient: Sendable {
    /// Settings shared by every request of a client.
    public struct Configuration: Sendable {
        /// Transfers running at once; more are queued in order until a slot frees up.
        public var maxConcurrentTransfers: Int
        /// Open connections per host (CURLMOPT_MAX_HOST_CONNECTIONS; 0 = unlimited).
        public var maxConnectionsPerHost: Int
        /// Open connections in total (CURLMOPT_MAX_TOTAL_CONNECTIONS; 0 = unlimited).
        public var maxTotalConnections: Int
        public var tls: TLSOptions
        /// Default timeouts; a request may override them.
        public var timeouts: Timeouts
        /// Default retry policy; a request may override it.
        public var retry: RetryPolicy
        /// Sent as `User-Agent` unless the request sets one.
        public var userAgent: String
        /// Offer HTTP/2 on https (multiplexing many requests over one connection).
        public var allowHTTP2: Bool
        /// Called before each retry's wait, e.g. to print "retrying in 2 s (3 left)".
        public var onRetry: (@Sendable (RetryEvent) -> Void)?
        /// Receives redacted trace events (for `--verbose`); nil switches tracing off.
        /// Called on the I/O thread: keep it quick.
        public var trace: (@Sendable (TraceEvent) -> Void)?

        public init(
            maxConcurrentTransfers: Int = 16,
            maxConnectionsPerHost: Int = 8,
            maxTotalConnections: Int = 32,
            tls: TLSOptions = TLSOptions(),
            timeouts: Timeouts = Timeouts(),
            retry: RetryPolicy = .standard,
            userAgent: String = "chargekit",
            allowHTTP2: Bool = true,
            onRetry: (@Sendable (RetryEvent) -> Void)? = nil,
            trace: (@Sendable (TraceEvent) -> Void)? = nil
        ) {
            self.maxConcurrentTransfers = maxConcurrentTransfers
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.tls = tls
            self.timeouts = timeouts
            self.retry = retry
            self.userAgent = userAgent
            self.allowHTTP2 = allowHTTP2
            self.onRetry = onRetry
            self.trace = trace
        }
    }

    public let configuration: Configuration
    private let loop: MultiLoop
    private let nextRequestID = Atomic<Int>(1)

    /// Starts the I/O thread. Throws if libcurl cannot be initialised or rejects a limit.
    public init(configuration: Configuration = Configuration()) throws(HTTPError) {
        self.configuration = configuration
        do {
            loop = try MultiLoop(limits: MultiLoop.Limits(
                maxConcurrentTransfers: configuration.maxConcurrentTransfers,
                maxConnectionsPerHost: configuration.maxConnectionsPerHost,
                maxTotalConnections: configuration.maxTotalConnections))
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.other, message: "\(error)")
        }
    }

    deinit {
        // Only a message to the I/O thread; it frees curl's handles itself.
        loop.shutdown(wait: false)
    }

    /// Fails queued and running requests with ``HTTPError/Kind/clientShutdown``, frees all
    /// curl handles and stops the I/O thread; returns when that is done. Idempotent.
    /// Later calls to ``send(_:)`` fail at once.
    public func shutdown() {
        loop.shutdown(wait: true)
    }

    /// Sends `request`, following redirects (GET/HEAD) and retrying (idempotent requests)
    /// as configured, and returns the final response, whatever its status.
    /// Cancelling the calling task stops the transfer promptly with ``HTTPError/Kind/cancelled``.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        try Self.validate(request)
        let requestID = nextRequestID.add(1, ordering: .relaxed).oldValue
        var hop = request
        var redirects = 0
        var attempts = 0
        while true {
            var response = try await sendWithRetries(hop, requestID: requestID, attempts: &attempts)
            response.attempts = attempts
            response.redirects = redirects
            guard hop.followRedirects else { return response }
            switch Redirects.decide(method: hop.method, status: response.status, location: response.headers["Location"],
                                    currentURL: hop.url, redirectsSoFar: redirects) {
            case .doNotFollow:
                return response
            case .fail(let kind, let reason):
                throw HTTPError(kind, message: reason, url: hop.url)
            case .follow(let next, let crossOrigin):
                configuration.trace?(TraceEvent(requestID: requestID,
                                                kind: .redirect(status: response.status, to: Redaction.url(next))))
                if crossOrigin {
                    for name in Redirects.credentialHeaders { hop.headers.remove(name) }
                }
                hop.url = next
                redirects += 1
            }
        }
    }

    /// One hop: attempts until success, a non-retryable outcome or the policy's limits.
    private func sendWithRetries(_ request: HTTPRequest, requestID: Int,
                                 attempts: inout Int) async throws(HTTPError) -> HTTPResponse {
        let policy = request.retry ?? configuration.retry
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            attempt += 1
            attempts += 1
            if Task.isCancelled { throw HTTPError(.cancelled, url: request.url) }
            let result = await perform(spec(for: request, requestID: requestID, attempt: attempt))
            let outcome: RetryPolicy.Outcome
            switch result {
            case .success(let response):
                outcome = .response(status: response.status, retryAfter: response.headers["Retry-After"])
            case .failure(let error):
                if error.kind == .cancelled || error.kind == .clientShutdown { throw error }
                outcome = .failure(error)
            }
            let decision = policy.decide(method: request.method, headers: request.headers, outcome: outcome,
                                         attempt: attempt, elapsed: clock.now - start)
            guard case .retry(let delay, let reason) = decision else { return try result.get() }
            let event = RetryEvent(method: request.method, url: Redaction.url(request.url), attempt: attempt,
                                   attemptsLeft: policy.maxAttempts - attempt, delay: delay, reason: reason)
            configuration.onRetry?(event)
            configuration.trace?(TraceEvent(requestID: requestID, kind: .retry(event)))
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw HTTPError(.cancelled, message: "cancelled while waiting to retry", url: request.url)
            }
        }
    }

    private func spec(for request: HTTPRequest, requestID: Int, attempt: Int) -> AttemptSpec {
        AttemptSpec(requestID: requestID, attempt: attempt, method: request.method, url: request.url,
                    headers: request.headers, body: request.body, destination: request.response,
                    timeouts: request.timeouts ?? configuration.timeouts, tls: configuration.tls,
                    userAgent: configuration.userAgent, allowHTTP2: configuration.allowHTTP2,
                    progress: request.progress, trace: configuration.trace)
    }

    /// One attempt on the I/O thread; task cancellation becomes a command to that thread.
    private func perform(_ spec: AttemptSpec) async -> Result<HTTPResponse, HTTPError> {
        let box = Mutex<Transfer?>(nil)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let transfer = Transfer(spec: spec, continuation: continuation)
                let cancelledAlready = box.withLock { slot -> Bool in
                    slot = transfer
                    return Task.isCancelled
                }
                if cancelledAlready { transfer.isCancelled.store(true, ordering: .sequentiallyConsistent) }
                loop.submit(transfer)
            }
        } onCancel: {
            if let transfer = box.withLock({ $0 }) { loop.cancel(transfer) }
        }
    }

    /// Rejects what libcurl would misread: non-http(s) URLs, line breaks in headers.
    static func validate(_ request: HTTPRequest) throws(HTTPError) {
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw HTTPError(.invalidRequest, message: "only http:// and https:// URLs are supported", url: request.url)
        }
        guard !request.method.isEmpty, request.method.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-" || $0 == "_") }) else {
            throw HTTPError(.invalidRequest, message: "bad method \"\(request.method)\"", url: request.url)
        }
        // Scalars, not Characters: "\r\n" is a single Character and would slip past.
        func hasControl(_ text: String) -> Bool {
            text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
        }
        if hasControl(request.url) || request.url.unicodeScalars.contains(" ") {
            throw HTTPError(.invalidRequest, message: "URL contains spaces or line breaks", url: request.url)
        }
        for (name, value) in request.headers {
            if name.isEmpty || hasControl(name) || name.unicodeScalars.contains(where: { $0 == ":" || $0 == " " })
                || hasControl(value) {
                throw HTTPError(.invalidRequest, message: "bad header \"\(Redaction.text(name))\"", url: request.url)
            }
        }
    }
}
