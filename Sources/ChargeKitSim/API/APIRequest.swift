import BackendAPI
import Checksum
import Foundation
import HTTPServerKit
import JSON

/// A routed, authenticated request and the contract's rules for reading its parameters,
/// headers and body. Every reader throws the `APIError` the contract asks for.
struct APIRequest: Sendable {
    let raw: ServerRequest
    let operation: APIOperation
    /// Path parameters, decoded.
    let parameters: [String: String]
    let user: SimUser

    var method: String { raw.method }

    func parameter(_ name: String) -> String { parameters[name] ?? "" }

    func header(_ name: String) -> String? { raw.headers[name] }

    // MARK: Query

    var query: [(name: String, value: String)] { raw.head.queryItems }

    func strings(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }

    /// The last value of a single-valued parameter.
    func string(_ name: String) -> String? { strings(name).last }

    /// `limit`: 1...1000, default 100.
    func limit(default value: Int = Paging.defaultLimit) throws(APIError) -> Int {
        guard let text = string(QueryName.limit) else { return value }
        guard let n = Int(text), Paging.limitRange.contains(n) else {
            throw .badRequest(field: QueryName.limit, "must be an integer between 1 and 1000")
        }
        return n
    }

    func bool(_ name: String) throws(APIError) -> Bool? {
        guard let text = string(name) else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default: throw .badRequest(field: name, "must be true or false")
        }
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw .badRequest(field: name, "must be an integer between \(range.lowerBound) and \(range.upperBound)")
        }
        return n
    }

    // MARK: Headers

    /// `Idempotency-Key`: 1–255 printable ASCII characters.
    func idempotencyKey(required: Bool = false) throws(APIError) -> String? {
        guard let key = header(HeaderName.idempotencyKey) else {
            if required { throw .badRequest(field: HeaderName.idempotencyKey, "required for this operation") }
            return nil
        }
        guard !key.isEmpty, key.utf8.count <= APILimits.idempotencyKeyMaxLength,
              key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .badRequest(field: HeaderName.idempotencyKey, "must be 1 to 255 printable ASCII characters")
        }
        return key
    }

    /// The media type of the body without parameters, lowercased.
    var contentType: String? {
        header(HeaderName.contentType)?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    // MARK: Body

    /// SHA-256 of the body bytes exactly as sent (what an Idempotency-Key replay is compared on).
    var bodyDigest: String { SHA256.hex(raw.body) }

    /// The JSON body as a value: 415 for another media type, 400 when it is not JSON, 422 when
    /// it is not an object.
    func jsonObject(mediaType: String = MediaType.json) throws(APIError) -> JSONObject {
        if raw.body.isEmpty, contentType == nil { throw .badRequest(field: "", "a JSON body is required") }
        guard contentType == mediaType else { throw .unsupportedMediaType(expected: mediaType) }
        guard !raw.body.isEmpty else { throw .badRequest(field: "", "a JSON body is required") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(raw.body)
        } catch {
            throw .badRequest(field: "", "not valid JSON: \(error.reason) at \(error.location)")
        }
        guard let object = value.objectValue else { throw .validation(field: "", "must be a JSON object") }
        return object
    }

    /// The body decoded as `type`; a member of the wrong type or missing is 422 naming it.
    func decode<T: Decodable>(_ type: T.Type, mediaType: String = MediaType.json) throws(APIError) -> T {
        let object = try jsonObject(mediaType: mediaType)
        do {
            // From the value already parsed (and checked) above, not the bytes a second time.
            return try JSONCoding.decode(type, from: .object(object))
        } catch let error as DecodingError {
            throw Self.describe(error)
        } catch {
            throw .validation(field: "", "\(error)")
        }
    }

    static func describe(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .validation(field: pointer(context.codingPath + [key]), "required")
        case .typeMismatch(let type, let context):
            return .validation(field: pointer(context.codingPath), "must be \(expected(type))")
        case .valueNotFound(let type, let context):
            return .validation(field: pointer(context.codingPath), "must be \(expected(type)), not null")
        case .dataCorrupted(let context):
            return .validation(field: pointer(context.codingPath), context.debugDescription)
        @unknown default:
            return .validation(field: "", "\(error)")
        }
    }

    /// An RFC 6901 JSON Pointer for a coding path.
    static func pointer(_ path: [any CodingKey]) -> String {
        path.map { key in
            let part = key.intValue.map(String.init) ?? key.stringValue
            return "/" + part.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }

    private static func expected(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        default: "\(type)"
        }
    }
}

/// Checks on decoded values, each naming the member it is about.
enum Check {
    static func sha256(_ value: String, _ field: String) throws(APIError) {
        guard isSha256(value) else { throw .validation(field: field, "must be 64 lowercase hexadecimal characters") }
    }

    static func isSha256(_ value: String) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// JSON Schema counts lengths in code points, not grapheme clusters.
    static func length(_ value: String) -> Int { value.unicodeScalars.count }

    static func length(_ value: String, _ range: ClosedRange<Int>, _ field: String) throws(APIError) {
        guard range.contains(length(value)) else {
            throw .validation(field: field, "must be \(range.lowerBound) to \(range.upperBound) characters long")
        }
    }

    /// A UUID in its canonical text form (any case).
    static func uuid(_ value: String, _ field: String) throws(APIError) {
        guard UUID(uuidString: value) != nil, value.count == 36 else { throw .validation(field: field, "must be a UUID") }
    }

    /// A charger id as the contract allows: 1–48 characters.
    static func isChargerId(_ value: String) -> Bool { (1...48).contains(length(value)) }
}
