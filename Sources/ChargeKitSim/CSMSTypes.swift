import Foundation
import JSON
import OCPP

/// Why a CSMS operation on a charger failed.
public enum CSMSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No charger with this id is registered or has ever connected.
    case unknownCharger(String)
    /// The charger is not connected now.
    case offline(String)
    /// No CALLRESULT/CALLERROR within the timeout (real time).
    case timeout(chargerId: String, action: String, after: Duration)
    /// The charger answered with a CALLERROR.
    case callError(chargerId: String, action: String, code: String, description: String, details: JSONValue)
    /// The charger's CALLRESULT did not match the action's response schema.
    case invalidResponse(chargerId: String, action: String, reason: String)
    /// The request does not fit the charger's OCPP version (a 2.0.1 message to a 1.6 charger).
    case versionMismatch(chargerId: String, charger: OCPPVersion, request: OCPPVersion)
    /// The connection closed (reset, network) before the charger answered.
    case connectionLost(chargerId: String, action: String)
    /// The request itself is malformed (payload not an object, key not addressable).
    case invalidRequest(String)
    /// The waiting task was cancelled.
    case cancelled
    /// The simulation is shutting down.
    case stopped

    public var description: String {
        switch self {
        case .unknownCharger(let id): return "unknown charger \(id)"
        case .offline(let id): return "charger \(id) is offline"
        case .timeout(let id, let action, let after): return "\(id) did not answer \(action) within \(after)"
        case .callError(let id, let action, let code, let text, _): return "\(id) answered \(action) with \(code): \(text)"
        case .invalidResponse(let id, let action, let reason): return "\(id) answered \(action) with an invalid payload: \(reason)"
        case .versionMismatch(let id, let charger, let request):
            return "\(id) speaks OCPP \(charger.shortName), the request is OCPP \(request.shortName)"
        case .connectionLost(let id, let action): return "\(id) disconnected before answering \(action)"
        case .invalidRequest(let why): return "invalid request: \(why)"
        case .cancelled: return "cancelled"
        case .stopped: return "the simulation stopped"
        }
    }

    /// Whether no further request to the charger can succeed now: it is offline, went away,
    /// stopped answering, or the simulation (or the waiting task) ended. A CALLERROR is not.
    public var endsConversation: Bool {
        switch self {
        case .offline, .timeout, .connectionLost, .stopped, .cancelled, .unknownCharger: true
        case .callError, .invalidResponse, .versionMismatch, .invalidRequest: false
        }
    }

    /// The OCPP error code when the charger answered with a CALLERROR.
    public var ocppErrorCode: OCPPErrorCode? {
        if case .callError(_, _, let code, _, _) = self { return OCPPErrorCode(wireName: code) }
        return nil
    }
}

/// Who a charger says it is in its BootNotification.
public struct ChargerIdentity: Sendable, Hashable, Codable {
    public var vendor: String
    public var model: String
    public var serialNumber: String?
    public var firmwareVersion: String?
}

/// A connector as the CSMS last heard of it. 1.6: `connectorId` (0 is the whole charge
/// point); 2.0.1: `connectorId` is the EVSE id and `evseConnectorId` the connector on it.
public struct ConnectorView: Sendable, Hashable {
    public var connectorId: Int
    public var evseConnectorId: Int?
    /// 1.6 ChargePointStatus or 2.0.1 ConnectorStatus.
    public var status: String
    /// 1.6 errorCode; 2.0.1 the techCode of the last NotifyEvent Problem on the connector.
    public var errorCode: String?
    public var info: String?
    public var vendorErrorCode: String?
    /// The charger's timestamp of the status, when it gave one.
    public var timestamp: Date?
    public var receivedAt: Date
    /// The transaction running on it: 1.6 integer id as text, or the 2.0.1 transactionId.
    public var transactionId: String?
    /// 2.0.1 chargingState from TransactionEvent.
    public var chargingState: String?
}

public struct MeterReading: Sendable, Hashable {
    public var measurand: String
    public var phase: String?
    public var value: Double
    public var unit: String?
    public var context: String?
}

/// The last meter values of one connector (EVSE).
public struct MeterSample: Sendable, Hashable {
    public var connectorId: Int
    public var timestamp: Date
    public var receivedAt: Date
    public var transactionId: String?
    public var readings: [MeterReading]
}

/// A charger as the CSMS sees it: only what came over the wire.
public struct ChargerView: Sendable, Hashable {
    public var id: String
    public var site: String?
    public var ocppVersion: OCPPVersion?
    public var identity: ChargerIdentity?
    public var connected: Bool
    public var connectedSince: Date?
    public var lastSeen: Date?
    public var lastHeartbeat: Date?
    public var lastBoot: Date?
    /// The 2.0.1 BootNotification `reason` of the last boot (`PowerUp`, `FirmwareUpdate`...);
    /// nil for 1.6, which has none.
    public var lastBootReason: String?
    public var bootCount: Int
    /// The heartbeat interval the CSMS gave in its last BootNotification answer.
    public var heartbeatInterval: Int?
    public var connectors: [ConnectorView]
    public var meterValues: [MeterSample]
    /// Charger clock minus CSMS clock, seconds, from the last timestamped message.
    public var clockOffsetSeconds: Double?
    public var firmwareStatus: String?
    public var firmwareStatusAt: Date?
    public var firmwareRequestId: Int?
}

/// One configuration value read from a charger.
public struct ConfigurationValue: Sendable, Hashable {
    /// 1.6 key, or 2.0.1 `Component.Variable[instance]@evse`.
    public var key: String
    public var value: String?
    /// 1.6: as the charger says. 2.0.1: from the standard's mutability (GetVariables does
    /// not report it), nil when the standard does not define the variable.
    public var readonly: Bool?
    /// 2.0.1 attributeStatus when not Accepted (Rejected for write-only variables...).
    public var status: String?
}

public struct ConfigurationReading: Sendable, Hashable {
    public var values: [ConfigurationValue]
    /// Keys the charger does not know (1.6 unknownKey; 2.0.1 UnknownComponent/UnknownVariable).
    public var unknownKeys: [String]
}

public struct ConfigurationChange: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) { self.key = key; self.value = value }
}

/// 1.6 ConfigurationStatus and 2.0.1 SetVariableStatus, together.
public enum ConfigurationChangeStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case accepted = "Accepted", rejected = "Rejected", rebootRequired = "RebootRequired", notSupported = "NotSupported"
    case unknownComponent = "UnknownComponent", unknownVariable = "UnknownVariable"
    case notSupportedAttributeType = "NotSupportedAttributeType"
}

public struct ConfigurationChangeResult: Sendable, Hashable {
    public var key: String
    public var value: String
    /// The charger's answer for this key, or why there was none.
    public var outcome: Result<ConfigurationChangeStatus, CSMSError>

    public var status: ConfigurationChangeStatus? {
        if case .success(let s) = outcome { return s }
        return nil
    }
}

/// A firmware update to send; `updateFirmware` picks the version's message: 1.6
/// UpdateFirmware (or SignedUpdateFirmware when a signature and certificate are given),
/// 2.0.1 UpdateFirmware.
public struct FirmwareUpdate: Sendable, Hashable {
    public var location: String
    public var retrieveAt: Date
    public var installAt: Date?
    public var retries: Int?
    public var retryInterval: Int?
    public var signingCertificate: String?
    public var signature: String?
    /// 2.0.1 / signed 1.6 requestId; the CSMS assigns one when nil.
    public var requestId: Int?

    public init(location: String, retrieveAt: Date, installAt: Date? = nil, retries: Int? = nil, retryInterval: Int? = nil,
                signingCertificate: String? = nil, signature: String? = nil, requestId: Int? = nil) {
        self.location = location; self.retrieveAt = retrieveAt; self.installAt = installAt; self.retries = retries
        self.retryInterval = retryInterval; self.signingCertificate = signingCertificate; self.signature = signature
        self.requestId = requestId
    }
}

public struct FirmwareUpdateAck: Sendable, Hashable {
    /// The action sent: UpdateFirmware or SignedUpdateFirmware.
    public var action: String
    public var requestId: Int?
    /// The charger's status; plain 1.6 UpdateFirmware has an empty answer, reported as Accepted.
    public var status: String
}
