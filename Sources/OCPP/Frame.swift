import JSON

/// The OCPP version a connection speaks, named by its WebSocket subprotocol.
public enum OCPPVersion: String, Sendable, Hashable, Codable, CaseIterable {
    case v16 = "ocpp1.6"
    case v201 = "ocpp2.0.1"

    /// "1.6" / "2.0.1", as people write it.
    public var shortName: String {
        switch self {
        case .v16: return "1.6"
        case .v201: return "2.0.1"
        }
    }
}

/// One OCPP-J message, the text of one WebSocket frame (OCPP-J 1.6 §4, OCPP 2.0.1 part 4 §4):
/// CALL `[2, id, action, payload]`, CALLRESULT `[3, id, payload]`,
/// CALLERROR `[4, id, code, description, details]`.
public enum OCPPFrame: Sendable, Hashable {
    case call(messageId: String, action: String, payload: JSONValue)
    case callResult(messageId: String, payload: JSONValue)
    case callError(messageId: String, code: String, description: String, details: JSONValue)

    /// Both versions cap the message id at 36 characters (a UUID).
    public static let maximumMessageIdLength = 36

    public var messageId: String {
        switch self {
        case .call(let id, _, _), .callResult(let id, _), .callError(let id, _, _, _): return id
        }
    }

    public init(text: String) throws(OCPPFrameError) {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text)
        } catch {
            throw OCPPFrameError(kind: .notJSON(error.description), messageId: nil)
        }
        try self.init(json: json)
    }

    public init(json: JSONValue) throws(OCPPFrameError) {
        guard case .array(let items) = json else { throw OCPPFrameError(kind: .notAnArray, messageId: nil) }
        guard let first = items.first else { throw OCPPFrameError(kind: .notAnArray, messageId: nil) }
        guard let typeId = first.intValue else { throw OCPPFrameError(kind: .invalidMessageType(nil), messageId: nil) }
        // Recover the id early so a CALLERROR reply can name it.
        let id: String? = items.count > 1 ? items[1].stringValue.flatMap { (1...Self.maximumMessageIdLength).contains($0.count) ? $0 : nil } : nil
        guard (2...4).contains(typeId) else { throw OCPPFrameError(kind: .invalidMessageType(typeId), messageId: id) }
        guard let messageId = id else { throw OCPPFrameError(kind: .invalidMessageId, messageId: nil) }
        guard !messageId.isEmpty, messageId.count <= Self.maximumMessageIdLength else {
            // Not an id a CALLERROR could echo.
            throw OCPPFrameError(kind: .invalidMessageId, messageId: nil)
        }
        switch typeId {
        case 2:
            guard items.count == 4 else { throw OCPPFrameError(kind: .wrongElementCount(expected: 4, found: items.count), messageId: messageId) }
            guard let action = items[2].stringValue, !action.isEmpty else { throw OCPPFrameError(kind: .invalidAction, messageId: messageId) }
            guard case .object = items[3] else { throw OCPPFrameError(kind: .payloadNotAnObject, messageId: messageId) }
            self = .call(messageId: messageId, action: action, payload: items[3])
        case 3:
            guard items.count == 3 else { throw OCPPFrameError(kind: .wrongElementCount(expected: 3, found: items.count), messageId: messageId) }
            guard case .object = items[2] else { throw OCPPFrameError(kind: .payloadNotAnObject, messageId: messageId) }
            self = .callResult(messageId: messageId, payload: items[2])
        default:
            guard items.count == 5 else { throw OCPPFrameError(kind: .wrongElementCount(expected: 5, found: items.count), messageId: messageId) }
            guard let code = items[2].stringValue, !code.isEmpty else { throw OCPPFrameError(kind: .invalidErrorCode, messageId: messageId) }
            guard let description = items[3].stringValue else { throw OCPPFrameError(kind: .invalidErrorDescription, messageId: messageId) }
            guard case .object = items[4] else { throw OCPPFrameError(kind: .payloadNotAnObject, messageId: messageId) }
            self = .callError(messageId: messageId, code: code, description: description, details: items[4])
        }
    }

    public var json: JSONValue {
        switch self {
        case .call(let id, let action, let payload): return [2, .string(id), .string(action), payload]
        case .callResult(let id, let payload): return [3, .string(id), payload]
        case .callError(let id, let code, let description, let details):
            return [4, .string(id), .string(code), .string(description), details]
        }
    }

    /// The JSON text to send as one WebSocket text frame.
    public var text: String { json.jsonText }

    /// The payload object of a request or response, encoded with `JSONValueEncoder` (member
    /// order as declared, nil optionals left out; `jsonText` sorts the keys on the wire).
    /// Always an object: a type that encodes nothing gives `{}`.
    public static func payload<P: Encodable>(encoding value: P) throws -> JSONValue {
        let json = try JSONValueEncoder().encode(value)
        return json.isNull ? .emptyObject : json
    }

    /// A CALL whose payload is the encoded request.
    public static func call<R: OCPPRequest>(messageId: String, _ request: R) throws -> OCPPFrame {
        .call(messageId: messageId, action: R.action, payload: try OCPPFrame.payload(encoding: request))
    }

    public static func callResult<P: Encodable>(messageId: String, _ response: P) throws -> OCPPFrame {
        .callResult(messageId: messageId, payload: try OCPPFrame.payload(encoding: response))
    }

    public static func callError(messageId: String, _ code: OCPPErrorCode, _ description: String = "", version: OCPPVersion) -> OCPPFrame {
        .callError(messageId: messageId, code: code.wireName(for: version), description: description, details: .emptyObject)
    }
}

/// What made a text not a valid OCPP-J frame. `messageId` is set when it could still be read,
/// so the receiver can answer with a CALLERROR for that id.
public struct OCPPFrameError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case notJSON(String)
        case notAnArray
        case invalidMessageType(Int?)
        case invalidMessageId
        case wrongElementCount(expected: Int, found: Int)
        case invalidAction
        case payloadNotAnObject
        case invalidErrorCode
        case invalidErrorDescription
    }

    public var kind: Kind
    public var messageId: String?

    public var description: String {
        switch kind {
        case .notJSON(let why): return "frame is not JSON: \(why)"
        case .notAnArray: return "frame is not a non-empty JSON array"
        case .invalidMessageType(let t): return "unknown message type id \(t.map(String.init) ?? "(not an integer)")"
        case .invalidMessageId: return "message id must be a string of 1 to \(OCPPFrame.maximumMessageIdLength) characters"
        case .wrongElementCount(let expected, let found): return "frame has \(found) elements, expected \(expected)"
        case .invalidAction: return "action must be a non-empty string"
        case .payloadNotAnObject: return "payload must be a JSON object"
        case .invalidErrorCode: return "error code must be a non-empty string"
        case .invalidErrorDescription: return "error description must be a string"
        }
    }

    /// The CALLERROR code the spec wants for this fault: a message type we do not know is
    /// MessageTypeNotSupported in 2.0.1 (ProtocolError in 1.6); anything else is a malformed
    /// frame, FormationViolation/FormatViolation.
    public var suggestedErrorCode: OCPPErrorCode {
        switch kind {
        case .invalidMessageType: return .messageTypeNotSupported
        case .wrongElementCount, .invalidMessageId: return .protocolError
        default: return .formatViolation
        }
    }
}

/// CALLERROR codes of both versions. Some are spelled differently per version
/// (`wireName(for:)`): 1.6 has "FormationViolation" and "OccurenceConstraintViolation"
/// (sic, OCPP-J 1.6 §4.2.3), 2.0.1 fixed them to "FormatViolation" and
/// "OccurrenceConstraintViolation" and added MessageTypeNotSupported and RpcFrameworkError.
public enum OCPPErrorCode: String, Sendable, Hashable, CaseIterable, Codable {
    case notImplemented = "NotImplemented"
    case notSupported = "NotSupported"
    case internalError = "InternalError"
    case protocolError = "ProtocolError"
    case securityError = "SecurityError"
    case formatViolation = "FormatViolation"
    case propertyConstraintViolation = "PropertyConstraintViolation"
    case occurrenceConstraintViolation = "OccurrenceConstraintViolation"
    case typeConstraintViolation = "TypeConstraintViolation"
    case genericError = "GenericError"
    case messageTypeNotSupported = "MessageTypeNotSupported"
    case rpcFrameworkError = "RpcFrameworkError"

    public func wireName(for version: OCPPVersion) -> String {
        guard version == .v16 else { return rawValue }
        switch self {
        case .formatViolation: return "FormationViolation"
        case .occurrenceConstraintViolation: return "OccurenceConstraintViolation"
        case .messageTypeNotSupported, .rpcFrameworkError: return "ProtocolError"
        default: return rawValue
        }
    }

    /// Reads a code as either version spells it.
    public init?(wireName: String) {
        switch wireName {
        case "FormationViolation": self = .formatViolation
        case "OccurenceConstraintViolation": self = .occurrenceConstraintViolation
        default: self.init(rawValue: wireName)
        }
    }

    /// The code for a payload that did not decode: a missing required property is an
    /// occurrence violation, a wrong JSON type a type violation, a value outside an enum or
    /// format a property violation.
    public init(decodingError error: any Error) {
        switch error as? DecodingError {
        case .keyNotFound?, .valueNotFound?: self = .occurrenceConstraintViolation
        case .typeMismatch?: self = .typeConstraintViolation
        case .dataCorrupted?: self = .propertyConstraintViolation
        default: self = .formatViolation
        }
    }
}

/// A request payload type, tied to its action name and response type.
public protocol OCPPRequest: Codable, Sendable {
    associatedtype Response: Codable, Sendable
    static var action: String { get }
    static var version: OCPPVersion { get }
}
