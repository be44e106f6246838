/// `GET /v1/chargers/{chargerId}/configuration`: values read from the charger.
public struct Configuration: Codable, Sendable, Equatable {
    public var ocppVersion: OCPPVersion
    public var items: [ConfigurationItem]
    /// Keys asked for that the charger does not know, in the order asked.
    public var unknownKeys: [String]

    public init(ocppVersion: OCPPVersion, items: [ConfigurationItem], unknownKeys: [String] = []) {
        self.ocppVersion = ocppVersion
        self.items = items
        self.unknownKeys = unknownKeys
    }
}

/// One 1.6 key or 2.0.1 variable. For 2.0.1 the parts of the key are also given separately.
/// `value` is nil (written as `null`) when write-only, secret or not disclosed.
public struct ConfigurationItem: Codable, Sendable, Equatable {
    /// `HeartbeatInterval` (1.6) or `Component[instance].Variable[instance]@evse:connector` (2.0.1).
    public var key: String
    public var value: String?
    public var readonly: Bool
    public var component: String?
    public var componentInstance: String?
    public var variable: String?
    public var variableInstance: String?
    public var evseId: Int?
    public var connectorId: Int?
    /// 2.0.1 only.
    public var mutability: Mutability?

    public init(key: String, value: String?, readonly: Bool, component: String? = nil,
                componentInstance: String? = nil, variable: String? = nil, variableInstance: String? = nil,
                evseId: Int? = nil, connectorId: Int? = nil, mutability: Mutability? = nil) {
        self.key = key
        self.value = value
        self.readonly = readonly
        self.component = component
        self.componentInstance = componentInstance
        self.variable = variable
        self.variableInstance = variableInstance
        self.evseId = evseId
        self.connectorId = connectorId
        self.mutability = mutability
    }

    private enum CodingKeys: String, CodingKey {
        case key, value, readonly, component, componentInstance, variable, variableInstance
        case evseId, connectorId, mutability
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        value = try container.decodeIfPresent(String.self, forKey: .value)
        readonly = try container.decode(Bool.self, forKey: .readonly)
        component = try container.decodeIfPresent(String.self, forKey: .component)
        componentInstance = try container.decodeIfPresent(String.self, forKey: .componentInstance)
        variable = try container.decodeIfPresent(String.self, forKey: .variable)
        variableInstance = try container.decodeIfPresent(String.self, forKey: .variableInstance)
        evseId = try container.decodeIfPresent(Int.self, forKey: .evseId)
        connectorId = try container.decodeIfPresent(Int.self, forKey: .connectorId)
        mutability = try container.decodeIfPresent(Mutability.self, forKey: .mutability)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(value, forKey: .value)  // null, not absent, when undisclosed
        try container.encode(readonly, forKey: .readonly)
        try container.encodeIfPresent(component, forKey: .component)
        try container.encodeIfPresent(componentInstance, forKey: .componentInstance)
        try container.encodeIfPresent(variable, forKey: .variable)
        try container.encodeIfPresent(variableInstance, forKey: .variableInstance)
        try container.encodeIfPresent(evseId, forKey: .evseId)
        try container.encodeIfPresent(connectorId, forKey: .connectorId)
        try container.encodeIfPresent(mutability, forKey: .mutability)
    }
}

/// 2.0.1 MutabilityEnumType.
public enum Mutability: OpenEnum {
    case readOnly, readWrite, writeOnly
    case unknown(String)

    public static let allKnown: [Mutability] = [.readOnly, .readWrite, .writeOnly]

    public var rawValue: String {
        switch self {
        case .readOnly: "ReadOnly"
        case .readWrite: "ReadWrite"
        case .writeOnly: "WriteOnly"
        case .unknown(let value): value
        }
    }
}

/// One change to apply: a 1.6 key or a 2.0.1 key, and the value as OCPP carries it.
public struct ConfigurationChange: Codable, Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// `POST /v1/chargers/{chargerId}/configuration`: changes applied in this order.
public struct ConfigurationChangeRequest: Codable, Sendable, Equatable {
    public var changes: [ConfigurationChange]

    public init(changes: [ConfigurationChange]) {
        self.changes = changes
    }

    public static let maxChanges = 500
}

/// The charger's answer to one change.
public struct ConfigurationChangeResult: Codable, Sendable, Equatable {
    public var key: String
    public var status: ConfigurationChangeStatus
    /// 2.0.1 statusInfo, when the charger gave one.
    public var statusInfo: StatusInfo?

    public init(key: String, status: ConfigurationChangeStatus, statusInfo: StatusInfo? = nil) {
        self.key = key
        self.status = status
        self.statusInfo = statusInfo
    }
}

/// 1.6 ConfigurationStatus and 2.0.1 SetVariableStatusEnumType.
public enum ConfigurationChangeStatus: OpenEnum {
    case accepted, rejected, rebootRequired
    /// 1.6 only.
    case notSupported
    /// 2.0.1 only.
    case unknownComponent, unknownVariable, notSupportedAttributeType
    case unknown(String)

    public static let allKnown: [ConfigurationChangeStatus] = [
        .accepted, .rejected, .rebootRequired, .notSupported, .unknownComponent, .unknownVariable,
        .notSupportedAttributeType,
    ]

    public var rawValue: String {
        switch self {
        case .accepted: "Accepted"
        case .rejected: "Rejected"
        case .rebootRequired: "RebootRequired"
        case .notSupported: "NotSupported"
        case .unknownComponent: "UnknownComponent"
        case .unknownVariable: "UnknownVariable"
        case .notSupportedAttributeType: "NotSupportedAttributeType"
        case .unknown(let value): value
        }
    }
}

/// 2.0.1 StatusInfoType.
public struct StatusInfo: Codable, Sendable, Equatable {
    public var reasonCode: String
    public var additionalInfo: String?

    public init(reasonCode: String, additionalInfo: String? = nil) {
        self.reasonCode = reasonCode
        self.additionalInfo = additionalInfo
    }
}

/// The answer to `POST /v1/chargers/{chargerId}/configuration`: one result per change, in
/// the order of the request.
public struct ConfigurationChangeResponse: Codable, Sendable, Equatable {
    public var results: [ConfigurationChangeResult]

    public init(results: [ConfigurationChangeResult]) {
        self.results = results
    }
}
