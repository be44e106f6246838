import BackendAPI
import Foundation
import HTTPServerKit
import JSON

/// An error answer of the API: a problem document and the headers that go with it
/// (`Retry-After`, `WWW-Authenticate`, `Content-Range`).
struct APIError: Error, Sendable {
    var problem: Problem
    var headers: [(String, String)] = []

    init(_ problem: Problem, headers: [(String, String)] = []) {
        self.problem = problem
        self.headers = headers
    }

    init(_ type: ProblemType, status: Int? = nil, detail: String) {
        problem = Problem(type)
        problem.detail = detail
        if let status { problem.status = status }
    }

    var status: Int { problem.status ?? 500 }

    /// 400 (a malformed request) or 422 (invalid values), naming the field: a JSON Pointer
    /// into the body or a parameter or header name.
    static func validation(_ status: Int = 422, field: String, _ message: String) -> APIError {
        var error = APIError(.validation, status: status, detail: "\(field.isEmpty ? "the body" : field): \(message)")
        error.problem.errors = [FieldError(field: field, message: message)]
        return error
    }

    static func badRequest(field: String, _ message: String) -> APIError { validation(400, field: field, message) }

    static func unsupportedMediaType(expected: String) -> APIError {
        var error = APIError(.validation, status: 415, detail: "Send the body as \(expected).")
        error.problem.errors = [FieldError(field: HeaderName.contentType, message: "expected \(expected)")]
        return error
    }

    static func unauthorized(_ detail: String, invalidToken: Bool) -> APIError {
        var challenge = "Bearer realm=\"chargekit-sim\""
        if invalidToken { challenge += ", error=\"invalid_token\"" }
        return APIError(Problem(.unauthorized, detail: detail), headers: [(HeaderName.wwwAuthenticate, challenge)])
    }

    static func forbidden(_ detail: String) -> APIError { APIError(.forbidden, detail: detail) }

    static func notFound(_ detail: String) -> APIError { APIError(.notFound, detail: detail) }

    /// 404 for a charger that does not exist or is out of reach: the same answer for both.
    static func chargerNotFound(_ id: String) -> APIError {
        var error = APIError(.notFound, detail: "No charger \(id).")
        error.problem.chargerId = chargerIdMember(id)
        return error
    }

    /// `chargerId` only when it is one (1–48 characters): the member's schema says so.
    static func chargerIdMember(_ id: String) -> String? { Check.isChargerId(id) ? id : nil }

    static func chargerOffline(_ id: String) -> APIError {
        var error = APIError(.chargerOffline, detail: "\(id) is not connected.")
        error.problem.chargerId = chargerIdMember(id)
        return error
    }

    static func conflict(_ detail: String) -> APIError { APIError(.conflict, detail: detail) }

    static func inFlight() -> APIError {
        conflict("A request with this Idempotency-Key is still being processed.")
    }

    static func keyReuse() -> APIError {
        APIError(.idempotencyKeyReuse, detail: "This Idempotency-Key was used with a different request body.")
    }

    static func unavailable(_ detail: String, retryAfter: Int = 1) -> APIError {
        var error = APIError(.unavailable, detail: detail)
        error.problem.retryAfter = retryAfter
        error.headers = [(HeaderName.retryAfter, String(retryAfter))]
        return error
    }

    static func payloadTooLarge(_ detail: String) -> APIError { APIError(.payloadTooLarge, detail: detail) }

    static func offsetMismatch(start: Int64, offset: Int64) -> APIError {
        var error = APIError(.uploadOffsetMismatch, detail: "Chunk starts at \(start), received offset is \(offset).")
        error.problem.currentOffset = offset
        return error
    }

    static func checksumMismatch(expected: String, actual: String) -> APIError {
        var error = APIError(.checksumMismatch,
                             detail: "The received bytes do not hash to the declared sha256; they were discarded.")
        error.problem.expectedSha256 = expected
        error.problem.actualSha256 = actual
        error.problem.currentOffset = 0
        return error
    }

    /// The problem for a CSMS operation on a charger that failed.
    static func from(_ error: CSMSError, chargerId: String, action: String) -> APIError {
        var result: APIError
        switch error {
        case .unknownCharger:
            return chargerNotFound(chargerId)
        case .offline, .connectionLost:
            result = APIError(.chargerOffline, detail: "\(chargerId) is not connected.")
        case .timeout(_, let action, let after):
            result = APIError(.chargerTimeout, detail: "\(chargerId) did not answer \(action) within \(seconds(after)) s.")
        case .callError(_, let action, let code, let description, let details):
            result = APIError(.ocppCallError, detail: "\(chargerId) answered \(action) with CALLERROR \(code): \(description)")
            result.problem.ocppErrorCode = code
            result.problem.ocppErrorDescription = description
            result.problem.ocppErrorDetails = details.objectValue ?? [:]
        case .invalidResponse(_, let action, let reason):
            result = APIError(Problem(type: .aboutBlank, title: "Bad Gateway", status: 502,
                                      detail: "\(chargerId) answered \(action) with an invalid payload: \(reason)"))
        case .versionMismatch, .invalidRequest:
            return validation(field: "", error.description)
        case .cancelled, .stopped:
            return unavailable("The simulator is shutting down (\(action) on \(chargerId) was not answered).")
        }
        result.problem.chargerId = chargerIdMember(chargerId)
        return result
    }

    /// The same for an error of unknown type (closures lose typed throws).
    static func from(_ error: any Error, chargerId: String, action: String) -> APIError {
        if let error = error as? CSMSError { return from(error, chargerId: chargerId, action: action) }
        if let error = error as? APIError { return error }
        return APIError(Problem(type: .aboutBlank, title: "Internal Server Error", status: 500, detail: "\(error)"))
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// Answers built the way the contract spells them: JSON through `JSONCoding`, errors as
/// problem+json.
enum Reply {
    static func json(_ value: some Encodable, status: Int = 200, headers: [(String, String)] = []) -> ServerResponse {
        do {
            let data = try JSONCoding.write(value)
            var fields = HeaderFields([(HeaderName.contentType, MediaType.json)])
            for (name, value) in headers { fields.add(name, value) }
            return ServerResponse(status: status, headers: fields, data: data)
        } catch {
            return problem(APIError(Problem(type: .aboutBlank, title: "Internal Server Error", status: 500,
                                            detail: "the answer could not be encoded: \(error)")))
        }
    }

    /// A stored answer sent again (the command relay's replay).
    static func raw(status: Int, body: Data, headers: [(String, String)]) -> ServerResponse {
        var fields = HeaderFields([(HeaderName.contentType, MediaType.json)])
        for (name, value) in headers { fields.add(name, value) }
        return ServerResponse(status: status, headers: fields, data: body)
    }

    static func problem(_ error: APIError) -> ServerResponse {
        var fields = HeaderFields([(HeaderName.contentType, MediaType.problemJSON)])
        for (name, value) in error.headers { fields.add(name, value) }
        let data = (try? JSONCoding.write(error.problem)) ?? Data("{\"status\":\(error.status)}".utf8)
        return ServerResponse(status: error.status, headers: fields, data: data)
    }

    static let replayed = (HeaderName.idempotentReplayed, APILimits.idempotentReplayedValue)
}
