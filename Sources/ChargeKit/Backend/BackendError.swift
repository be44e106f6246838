import BackendAPI
import CurlHTTP

/// What can go wrong talking to the backend, sorted by what the user can do about it.
public enum BackendError: Error, Sendable, CustomStringConvertible {
    /// The backend could not be reached at all (DNS, refused, TLS, bad URL).
    case unreachable(HTTPError)
    /// The backend kept failing in ways worth retrying until the retries ran out.
    case retriesExhausted(attempts: Int, last: String)
    /// 401: no token, or a token the backend does not accept.
    case unauthorized(Problem)
    /// 403: the token may not do this (another site, a role limit).
    case forbidden(Problem)
    /// 404: no such resource within reach of the token.
    case notFound(Problem)
    /// Any other error answer, with the backend's problem document.
    case problem(status: Int, Problem)
    /// The answer was not what the contract promises (bad JSON, wrong content).
    case protocolViolation(String)
    /// The transfer failed after it started (connection lost, timeout) and was not retried.
    case transfer(HTTPError)
    case cancelled

    public var description: String {
        switch self {
        case .unreachable(let error):
            return "backend unreachable: \(error.summary)"
        case .retriesExhausted(let attempts, let last):
            return "backend still failing after \(attempts) attempts: \(last)"
        case .unauthorized(let problem):
            return "not authorised: \(problem.detail ?? problem.title ?? "the backend refused the token") (run 'chargekit login')"
        case .forbidden(let problem):
            return "forbidden: \(problem.detail ?? problem.title ?? "the token may not do this")"
        case .notFound(let problem):
            return problem.detail ?? problem.title ?? "not found"
        case .problem(let status, let problem):
            let text = [problem.title, problem.detail].compactMap { $0 }.joined(separator: ": ")
            return "backend answered \(status)\(text.isEmpty ? "" : ": " + text)"
        case .protocolViolation(let message):
            return "unexpected answer from the backend: \(message)"
        case .transfer(let error):
            return "request failed: \(error.summary)"
        case .cancelled:
            return "cancelled"
        }
    }

    /// The problem document, when the backend sent one.
    public var problem: Problem? {
        switch self {
        case .unauthorized(let p), .forbidden(let p), .notFound(let p), .problem(_, let p): p
        default: nil
        }
    }

    public var status: Int? {
        switch self {
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .problem(let status, _): status
        default: nil
        }
    }
}
