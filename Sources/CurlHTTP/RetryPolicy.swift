import Foundation

/// When and how often a request is tried again. Pure: every decision is a function of its
/// inputs (including the random number for jitter), so it is unit-tested without a network.
///
/// Only idempotent requests are retried: GET, HEAD, PUT, DELETE, and any request carrying an
/// `Idempotency-Key` header. A POST or PATCH without that header is never retried.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included (1 = never retry).
    public var maxAttempts: Int
    /// Delay before the first retry, before jitter.
    public var initialDelay: Duration
    /// Each further retry waits this many times longer.
    public var multiplier: Double
    /// Upper bound of a backoff delay (not of a server's `Retry-After`).
    public var maxDelay: Duration
    /// Fraction in 0...1 by which a backoff delay is randomly shortened (0 = none).
    public var jitter: Double
    /// No retry is started that would end its wait later than this after the first attempt
    /// began; this also bounds how long a `Retry-After` is honoured.
    public var maxTotalTime: Duration
    /// HTTP statuses worth another try.
    public var retryableStatuses: Set<Int>
    /// Whether a `Retry-After` on a retryable status sets the delay.
    public var honourRetryAfter: Bool

    public init(
        maxAttempts: Int = 4,
        initialDelay: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(30),
        jitter: Double = 0.2,
        maxTotalTime: Duration = .seconds(120),
        retryableStatuses: Set<Int> = [408, 429, 500, 502, 503, 504],
        honourRetryAfter: Bool = true
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
        self.jitter = min(1, max(0, jitter))
        self.maxTotalTime = maxTotalTime
        self.retryableStatuses = retryableStatuses
        self.honourRetryAfter = honourRetryAfter
    }

    /// The default policy: 4 attempts, 0.5 s doubling to at most 30 s, 20 % jitter, 2 min budget.
    public static let standard = RetryPolicy()
    /// Never retry.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Methods retried without an `Idempotency-Key`.
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE"]

    /// Whether a request may be sent twice without changing the outcome.
    public static func isIdempotent(method: String, headers: HTTPHeaders) -> Bool {
        idempotentMethods.contains(method.uppercased()) || headers.contains("Idempotency-Key")
    }

    /// The backoff before retry number `retry` (1 = first retry): `initialDelay * multiplier^(retry-1)`,
    /// capped at `maxDelay`, then shortened by up to `jitter` using `random` in 0..<1.
    public func backoff(retry: Int, random: Double) -> Duration {
        let exponent = Double(max(0, retry - 1))
        let nominal = min(initialDelay.seconds * pow(multiplier, exponent), maxDelay.seconds)
        let r = min(max(random, 0), 1)
        return .seconds(max(0, nominal * (1 - jitter * r)))
    }

    /// Parses a `Retry-After` value, delta-seconds or an HTTP-date, into a delay from `now`.
    /// A date in the past gives zero; anything else unparsable gives nil.
    public static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Absurd values saturate rather than overflow.
            guard let seconds = Int64(trimmed) else { return .seconds(Int64.max / 1_000_000_000) }
            return .seconds(seconds)
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }

    /// What an attempt produced, as far as retrying is concerned.
    public enum Outcome: Sendable {
        /// A response arrived; `retryAfter` is its raw `Retry-After` header, if any.
        case response(status: Int, retryAfter: String?)
        case failure(HTTPError)
    }

    /// Decides whether to retry after attempt number `attempt` (1-based) produced `outcome`,
    /// `elapsed` after the first attempt started.
    public func decide(
        method: String,
        headers: HTTPHeaders,
        outcome: Outcome,
        attempt: Int,
        elapsed: Duration,
        now: Date = Date(),
        random: Double = Double.random(in: 0..<1)
    ) -> RetryDecision {
        guard Self.isIdempotent(method: method, headers: headers) else { return .stop }
        guard attempt < maxAttempts else { return .stop }
        let reason: RetryReason
        var delay = backoff(retry: attempt, random: random)
        switch outcome {
        case .failure(let error):
            guard error.isRetryable else { return .stop }
            reason = .failure(error)
        case .response(let status, let retryAfter):
            guard retryableStatuses.contains(status) else { return .stop }
            reason = .status(status)
            if honourRetryAfter, let retryAfter, let wait = Self.parseRetryAfter(retryAfter, now: now) {
                delay = wait
            }
        }
        guard elapsed + delay <= maxTotalTime else { return .stop }
        return .retry(after: delay, reason: reason)
    }
}

/// The answer of ``RetryPolicy/decide(method:headers:outcome:attempt:elapsed:now:random:)``.
public enum RetryDecision: Sendable, Equatable {
    case retry(after: Duration, reason: RetryReason)
    case stop
}

/// Why an attempt is being retried.
public enum RetryReason: Sendable, Equatable, CustomStringConvertible {
    /// The server answered with this retryable status.
    case status(Int)
    /// The attempt failed with this retryable error.
    case failure(HTTPError)

    public var description: String {
        switch self {
        case .status(let code): return "HTTP \(code)"
        case .failure(let error): return error.summary
        }
    }
}

/// Reported through ``HTTPClient/Configuration/onRetry`` before each retry's wait begins.
public struct RetryEvent: Sendable, CustomStringConvertible {
    public var method: String
    /// The request URL, redacted.
    public var url: String
    /// The attempt that just failed (1-based).
    public var attempt: Int
    /// Attempts still allowed after this wait, this retry included.
    public var attemptsLeft: Int
    public var delay: Duration
    public var reason: RetryReason

    /// `retrying in 2 s (3 left): HTTP 503`
    public var description: String {
        "retrying in \(Self.format(delay)) (\(attemptsLeft) left): \(reason)"
    }

    /// `20 ms`, `2 s`, `1.3 s`.
    static func format(_ delay: Duration) -> String {
        if delay < .seconds(1) { return "\(delay.wholeMilliseconds) ms" }
        let tenths = (delay.seconds * 10).rounded()
        if tenths.truncatingRemainder(dividingBy: 10) == 0 { return "\(Int(tenths / 10)) s" }
        return "\(tenths / 10) s"
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// Whole milliseconds, rounded up so a positive duration never becomes zero.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let millis = attoseconds / 1_000_000_000_000_000 + (attoseconds % 1_000_000_000_000_000 > 0 ? 1 : 0)
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int64.max : product + millis
    }
}
