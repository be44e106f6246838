import Foundation
import JSON

/// An RFC 9457 problem document (`application/problem+json`): how the backend reports
/// every error.
///
/// The standard members and the extension members the contract defines are typed; any
/// other member is kept in `extensions`, so a problem survives decoding and encoding
/// unchanged. Clients branch on `type`, never on `title` or `detail`.
public struct Problem: Sendable, Equatable, Error {
    public var type: ProblemType?
    public var title: String?
    public var status: Int?
    public var detail: String?
    public var instance: String?

    /// The charger the problem is about (not-found, charger-offline, charger-timeout,
    /// ocpp-call-error, update-in-progress).
    public var chargerId: String?
    /// The received offset to resume an upload from (upload-offset-mismatch).
    public var currentOffset: Int64?
    /// Seconds to wait, as in the Retry-After header (rate-limited, unavailable).
    public var retryAfter: Int?
    /// The CALLERROR's code, description and details (ocpp-call-error).
    public var ocppErrorCode: String?
    public var ocppErrorDescription: String?
    public var ocppErrorDetails: JSONObject?
    /// The invalid fields (validation).
    public var errors: [FieldError]?
    /// The active firmware update job (update-in-progress).
    public var updateId: String?
    /// The catalogue entry with the same sha256 (conflict on upload).
    public var firmwareId: String?
    /// The oldest event cursor still retained (events-expired).
    public var oldestCursor: String?
    /// The declared and the actual digest (checksum-mismatch, conflict on attachments).
    public var expectedSha256: String?
    public var actualSha256: String?
    /// The configuration answers received before the charger went away (changeConfiguration).
    public var results: [ConfigurationChangeResult]?
    /// Every other member, as it came.
    public var extensions: JSONObject

    public init(type: ProblemType? = nil, title: String? = nil, status: Int? = nil,
                detail: String? = nil, instance: String? = nil, chargerId: String? = nil,
                currentOffset: Int64? = nil, retryAfter: Int? = nil, ocppErrorCode: String? = nil,
                ocppErrorDescription: String? = nil, ocppErrorDetails: JSONObject? = nil,
                errors: [FieldError]? = nil, updateId: String? = nil, firmwareId: String? = nil,
                oldestCursor: String? = nil, expectedSha256: String? = nil, actualSha256: String? = nil,
                results: [ConfigurationChangeResult]? = nil, extensions: JSONObject = [:]) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
        self.chargerId = chargerId
        self.currentOffset = currentOffset
        self.retryAfter = retryAfter
        self.ocppErrorCode = ocppErrorCode
        self.ocppErrorDescription = ocppErrorDescription
        self.ocppErrorDetails = ocppErrorDetails
        self.errors = errors
        self.updateId = updateId
        self.firmwareId = firmwareId
        self.oldestCursor = oldestCursor
        self.expectedSha256 = expectedSha256
        self.actualSha256 = actualSha256
        self.results = results
        self.extensions = extensions
    }

    /// A problem of a known type with its usual status and title.
    public init(_ type: ProblemType, detail: String? = nil) {
        self.init(type: type, title: type.defaultTitle, status: type.defaultStatus, detail: detail)
    }

    public static let mediaType = "application/problem+json"

    /// The type, with an absent `type` read as `about:blank` as RFC 9457 says.
    public var effectiveType: ProblemType { type ?? .aboutBlank }
}

extension Problem: Codable {
    private enum Key: String, CodingKey, CaseIterable {
        case type, title, status, detail, instance, chargerId, currentOffset, retryAfter
        case ocppErrorCode, ocppErrorDescription, ocppErrorDetails, errors, updateId, firmwareId
        case oldestCursor, expectedSha256, actualSha256, results
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        type = try container.decodeIfPresent(ProblemType.self, forKey: .type)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        status = try container.decodeIfPresent(Int.self, forKey: .status)
        detail = try container.decodeIfPresent(String.self, forKey: .detail)
        instance = try container.decodeIfPresent(String.self, forKey: .instance)
        chargerId = try container.decodeIfPresent(String.self, forKey: .chargerId)
        currentOffset = try container.decodeIfPresent(Int64.self, forKey: .currentOffset)
        retryAfter = try container.decodeIfPresent(Int.self, forKey: .retryAfter)
        ocppErrorCode = try container.decodeIfPresent(String.self, forKey: .ocppErrorCode)
        ocppErrorDescription = try container.decodeIfPresent(String.self, forKey: .ocppErrorDescription)
        ocppErrorDetails = try container.decodeIfPresent(JSONObject.self, forKey: .ocppErrorDetails)
        errors = try container.decodeIfPresent([FieldError].self, forKey: .errors)
        updateId = try container.decodeIfPresent(String.self, forKey: .updateId)
        firmwareId = try container.decodeIfPresent(String.self, forKey: .firmwareId)
        oldestCursor = try container.decodeIfPresent(String.self, forKey: .oldestCursor)
        expectedSha256 = try container.decodeIfPresent(String.self, forKey: .expectedSha256)
        actualSha256 = try container.decodeIfPresent(String.self, forKey: .actualSha256)
        results = try container.decodeIfPresent([ConfigurationChangeResult].self, forKey: .results)

        let all = try decoder.container(keyedBy: AnyKey.self)
        var extensions = JSONObject()
        for key in all.allKeys where Key(rawValue: key.stringValue) == nil {
            extensions[key.stringValue] = try all.decode(JSONValue.self, forKey: key)
        }
        self.extensions = extensions
    }

    public func encode(to encoder: any Encoder) throws {
        var all = encoder.container(keyedBy: AnyKey.self)
        for (key, value) in extensions where Key(rawValue: key) == nil {
            try all.encode(value, forKey: AnyKey(stringValue: key))
        }
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(title, forKey: .title)
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encodeIfPresent(instance, forKey: .instance)
        try container.encodeIfPresent(chargerId, forKey: .chargerId)
        try container.encodeIfPresent(currentOffset, forKey: .currentOffset)
        try container.encodeIfPresent(retryAfter, forKey: .retryAfter)
        try container.encodeIfPresent(ocppErrorCode, forKey: .ocppErrorCode)
        try container.encodeIfPresent(ocppErrorDescription, forKey: .ocppErrorDescription)
        try container.encodeIfPresent(ocppErrorDetails, forKey: .ocppErrorDetails)
        try container.encodeIfPresent(errors, forKey: .errors)
        try container.encodeIfPresent(updateId, forKey: .updateId)
        try container.encodeIfPresent(firmwareId, forKey: .firmwareId)
        try container.encodeIfPresent(oldestCursor, forKey: .oldestCursor)
        try container.encodeIfPresent(expectedSha256, forKey: .expectedSha256)
        try container.encodeIfPresent(actualSha256, forKey: .actualSha256)
        try container.encodeIfPresent(results, forKey: .results)
    }
}

/// One invalid field of a `validation` problem.
public struct FieldError: Codable, Sendable, Equatable {
    /// A JSON Pointer into the request body (`/changes/2/value`), or a query parameter or
    /// header name (`limit`, `Idempotency-Key`).
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The stable problem type URIs of the backend API.
public enum ProblemType: OpenEnum {
    /// 400 malformed request, 422 invalid values; `errors` names the fields.
    case validation
    /// 401: no token, a bad or an expired one.
    case unauthorized
    /// 403: the token's role or sites do not allow this; a bad or expired download `sig`.
    case forbidden
    /// 404: no such resource, or out of the token's reach.
    case notFound
    /// 409: conflicts with the resource's state (same report id with other content, an
    /// Idempotency-Key still in flight, completing an incomplete upload, a duplicate image).
    case conflict
    /// 409: the charger is not connected.
    case chargerOffline
    /// 409: a firmware update job is already active for the charger (`updateId`).
    case updateInProgress
    /// 409: a chunk does not start at the received offset (`currentOffset`).
    case uploadOffsetMismatch
    /// 410: the event cursor fell out of the retention window (`oldestCursor`).
    case eventsExpired
    /// 413: a chunk or a declared size exceeds the backend's limit.
    case payloadTooLarge
    /// 416: a download range outside the file.
    case rangeNotSatisfiable
    /// 422: received bytes do not hash to the declared sha256.
    case checksumMismatch
    /// 422: the Idempotency-Key was used before with a different body.
    case idempotencyKeyReuse
    /// 429: too many requests (`retryAfter`, Retry-After).
    case rateLimited
    /// 502: the charger answered with a CALLERROR (`ocppErrorCode`, ...).
    case ocppCallError
    /// 503: the backend is temporarily unavailable (`retryAfter`, Retry-After).
    case unavailable
    /// 504: the charger did not answer in time.
    case chargerTimeout
    /// RFC 9457's default: no more meaning than the HTTP status.
    case aboutBlank
    case unknown(String)

    /// The common prefix of the contract's problem type URIs.
    public static let baseURI = "https://chargekit.dev/problems/"

    public static let allKnown: [ProblemType] = [
        .validation, .unauthorized, .forbidden, .notFound, .conflict, .chargerOffline,
        .updateInProgress, .uploadOffsetMismatch, .eventsExpired, .payloadTooLarge,
        .rangeNotSatisfiable, .checksumMismatch, .idempotencyKeyReuse, .rateLimited,
        .ocppCallError, .unavailable, .chargerTimeout, .aboutBlank,
    ]

    public var rawValue: String {
        switch self {
        case .aboutBlank: return "about:blank"
        case .unknown(let uri): return uri
        default: return Self.baseURI + slug
        }
    }

    private var slug: String {
        switch self {
        case .validation: "validation"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not-found"
        case .conflict: "conflict"
        case .chargerOffline: "charger-offline"
        case .updateInProgress: "update-in-progress"
        case .uploadOffsetMismatch: "upload-offset-mismatch"
        case .eventsExpired: "events-expired"
        case .payloadTooLarge: "payload-too-large"
        case .rangeNotSatisfiable: "range-not-satisfiable"
        case .checksumMismatch: "checksum-mismatch"
        case .idempotencyKeyReuse: "idempotency-key-reuse"
        case .rateLimited: "rate-limited"
        case .ocppCallError: "ocpp-call-error"
        case .unavailable: "unavailable"
        case .chargerTimeout: "charger-timeout"
        case .aboutBlank, .unknown: ""
        }
    }

    /// The HTTP status the contract gives this type (`validation` is 422, or 400 for a
    /// malformed request); nil for `aboutBlank` and unknown types.
    public var defaultStatus: Int? {
        switch self {
        case .validation: 422
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict, .chargerOffline, .updateInProgress, .uploadOffsetMismatch: 409
        case .eventsExpired: 410
        case .payloadTooLarge: 413
        case .rangeNotSatisfiable: 416
        case .checksumMismatch, .idempotencyKeyReuse: 422
        case .rateLimited: 429
        case .ocppCallError: 502
        case .unavailable: 503
        case .chargerTimeout: 504
        case .aboutBlank, .unknown: nil
        }
    }

    /// The title the contract's examples use for this type.
    public var defaultTitle: String? {
        switch self {
        case .validation: "The request is invalid"
        case .unauthorized: "Authentication required"
        case .forbidden: "Not allowed"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .chargerOffline: "Charger offline"
        case .updateInProgress: "A firmware update is in progress"
        case .uploadOffsetMismatch: "Chunk does not start at the received offset"
        case .eventsExpired: "Events expired"
        case .payloadTooLarge: "Payload too large"
        case .rangeNotSatisfiable: "Range not satisfiable"
        case .checksumMismatch: "Checksum mismatch"
        case .idempotencyKeyReuse: "Idempotency-Key reused with a different body"
        case .rateLimited: "Too many requests"
        case .ocppCallError: "The charger answered with an error"
        case .unavailable: "Service unavailable"
        case .chargerTimeout: "Charger did not answer"
        case .aboutBlank, .unknown: nil
        }
    }
}
