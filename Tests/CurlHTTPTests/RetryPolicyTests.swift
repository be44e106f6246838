import Foundation
import Testing
@testable import CurlHTTP

@Suite("Retry-After parsing")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777) // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func deltaSeconds() {
        #expect(RetryPolicy.parseRetryAfter("120", now: now) == .seconds(120))
        #expect(RetryPolicy.parseRetryAfter(" 0 ", now: now) == .zero)
    }

    @Test func hugeDeltaSaturatesInsteadOfOverflowing() throws {
        let delay = try #require(RetryPolicy.parseRetryAfter("99999999999999999999999", now: now))
        #expect(delay > .seconds(1_000_000_000))
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:47 GMT",   // IMF-fixdate
        "Sunday, 06-Nov-94 08:49:47 GMT",  // RFC 850
        "Sun Nov  6 08:49:47 1994",        // asctime
    ])
    func httpDateForms(_ value: String) {
        #expect(RetryPolicy.parseRetryAfter(value, now: now) == .seconds(10))
    }

    @Test func dateInThePastMeansNow() {
        #expect(RetryPolicy.parseRetryAfter("Sat, 05 Nov 1994 08:49:37 GMT", now: now) == .zero)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "12s", "Sun, 06 Nov 1994 08:49:37", "Sun, 32 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT"])
    func garbageIsNil(_ value: String) {
        #expect(RetryPolicy.parseRetryAfter(value, now: now) == nil)
    }

    @Test func formatAndParseRoundTrip() throws {
        for seconds in [0.0, 951_782_400, 1_700_000_000, 4_102_444_800] { // incl. 2000-02-29 and 2100-01-01
            let date = Date(timeIntervalSince1970: seconds)
            let text = HTTPDate.format(date)
            #expect(try #require(HTTPDate.parse(text)) == date, "\(text)")
        }
        #expect(HTTPDate.format(now) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        let policy = RetryPolicy(initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(5), jitter: 0)
        let delays = (1...5).map { policy.backoff(retry: $0, random: 0.7) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
    }

    @Test func jitterOnlyShortensWithinItsFraction() {
        let policy = RetryPolicy(initialDelay: .seconds(2), multiplier: 2, maxDelay: .seconds(60), jitter: 0.25)
        #expect(policy.backoff(retry: 1, random: 0) == .seconds(2))
        #expect(policy.backoff(retry: 1, random: 1) == .seconds(1.5))
        for _ in 0..<200 {
            let delay = policy.backoff(retry: 3, random: Double.random(in: 0..<1))
            #expect(delay >= .seconds(6) && delay <= .seconds(8))
        }
    }

    @Test func parametersAreClamped() {
        let policy = RetryPolicy(maxAttempts: 0, multiplier: 0.5, jitter: 3)
        #expect(policy.maxAttempts == 1)
        #expect(policy.multiplier == 1)
        #expect(policy.jitter == 1)
    }
}

@Suite("Retry decisions")
struct RetryDecisionTests {
    let policy = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(10),
                             jitter: 0, maxTotalTime: .seconds(30))
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func decide(_ method: String, _ outcome: RetryPolicy.Outcome, headers: HTTPHeaders = [:],
                attempt: Int = 1, elapsed: Duration = .zero) -> RetryDecision {
        policy.decide(method: method, headers: headers, outcome: outcome, attempt: attempt,
                      elapsed: elapsed, now: now, random: 0)
    }

    @Test(arguments: ["GET", "HEAD", "PUT", "DELETE", "get"])
    func idempotentMethodsRetry(_ method: String) {
        #expect(decide(method, .response(status: 503, retryAfter: nil)) == .retry(after: .seconds(1), reason: .status(503)))
    }

    @Test(arguments: ["POST", "PATCH"])
    func postAndPatchNeverRetryWithoutKey(_ method: String) {
        #expect(decide(method, .response(status: 503, retryAfter: nil)) == .stop)
        #expect(decide(method, .failure(HTTPError(.connectionRefused))) == .stop)
        #expect(decide(method, .failure(HTTPError(.timeout(.stall)))) == .stop)
    }

    @Test func idempotencyKeyMakesPostRetryable() {
        let headers: HTTPHeaders = ["idempotency-key": "abc"]
        #expect(decide("POST", .response(status: 502, retryAfter: nil), headers: headers)
                == .retry(after: .seconds(1), reason: .status(502)))
    }

    @Test(arguments: [408, 429, 500, 502, 503, 504])
    func retryableStatuses(_ status: Int) {
        #expect(decide("GET", .response(status: status, retryAfter: nil)) != .stop)
    }

    @Test(arguments: [200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 501, 505])
    func finalStatuses(_ status: Int) {
        #expect(decide("GET", .response(status: status, retryAfter: nil)) == .stop)
    }

    @Test func retryableErrors() {
        let retryable: [HTTPError.Kind] = [.connectionRefused, .connectFailed, .connectionLost,
                                           .timeout(.connect), .timeout(.total), .timeout(.stall)]
        let final: [HTTPError.Kind] = [.dnsFailure, .tls(.verificationFailed), .cancelled, .bodyTooLarge(limit: 1),
                                       .protocolError, .fileIO, .setoptFailed(option: "X"), .tooManyRedirects,
                                       .insecureRedirect, .invalidRequest, .clientShutdown, .other]
        for kind in retryable {
            #expect(HTTPError(kind).isRetryable, "\(kind)")
            #expect(decide("GET", .failure(HTTPError(kind))) != .stop, "\(kind)")
        }
        for kind in final {
            #expect(!HTTPError(kind).isRetryable, "\(kind)")
            #expect(decide("GET", .failure(HTTPError(kind))) == .stop, "\(kind)")
        }
    }

    @Test func attemptsAreCapped() {
        #expect(decide("GET", .response(status: 503, retryAfter: nil), attempt: 2) == .retry(after: .seconds(2), reason: .status(503)))
        #expect(decide("GET", .response(status: 503, retryAfter: nil), attempt: 3) == .stop)
    }

    @Test func totalTimeIsCapped() {
        #expect(decide("GET", .response(status: 503, retryAfter: nil), elapsed: .seconds(29.5)) == .stop)
        #expect(decide("GET", .response(status: 503, retryAfter: nil), elapsed: .seconds(29)) != .stop)
    }

    @Test func retryAfterOverridesBackoff() {
        #expect(decide("GET", .response(status: 429, retryAfter: "7")) == .retry(after: .seconds(7), reason: .status(429)))
        #expect(decide("GET", .response(status: 503, retryAfter: HTTPDate.format(now + 4)))
                == .retry(after: .seconds(4), reason: .status(503)))
        // Garbage falls back to the backoff.
        #expect(decide("GET", .response(status: 503, retryAfter: "later")) == .retry(after: .seconds(1), reason: .status(503)))
        // A wait beyond the time budget is not taken.
        #expect(decide("GET", .response(status: 503, retryAfter: "3600")) == .stop)
    }

    @Test func retryAfterCanBeIgnored() {
        var ignoring = policy
        ignoring.honourRetryAfter = false
        #expect(ignoring.decide(method: "GET", headers: [:], outcome: .response(status: 429, retryAfter: "7"),
                                attempt: 1, elapsed: .zero, now: now, random: 0)
                == .retry(after: .seconds(1), reason: .status(429)))
    }

    @Test func neverPolicy() {
        #expect(RetryPolicy.never.decide(method: "GET", headers: [:], outcome: .response(status: 503, retryAfter: nil),
                                         attempt: 1, elapsed: .zero) == .stop)
    }

    @Test func eventDescriptionReadsLikeTheCLI() {
        let event = RetryEvent(method: "GET", url: "http://x/", attempt: 1, attemptsLeft: 3, delay: .seconds(2),
                               reason: .status(503))
        #expect(event.description == "retrying in 2 s (3 left): HTTP 503")
        #expect(RetryEvent.format(.milliseconds(500)) == "500 ms")
        #expect(RetryEvent.format(.milliseconds(1260)) == "1.3 s")
    }
}
