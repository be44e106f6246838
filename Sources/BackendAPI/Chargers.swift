import Foundation

/// The OCPP version a charger speaks.
public enum OCPPVersion: OpenEnum {
    case v16
    case v201
    case unknown(String)

    public static let allKnown: [OCPPVersion] = [.v16, .v201]

    public var rawValue: String {
        switch self {
        case .v16: "1.6"
        case .v201: "2.0.1"
        case .unknown(let value): value
        }
    }
}

/// A charger in a list (`GET /v1/chargers`). Identity members come from the latest
/// BootNotification and are nil for a charger that never booted.
public struct ChargerSummary: Codable, Sendable, Equatable {
    /// The OCPP identity.
    public var id: String
    public var vendor: String?
    public var model: String?
    public var serialNumber: String?
    public var firmwareVersion: String?
    public var ocppVersion: OCPPVersion?
    /// The OCPP WebSocket is connected now.
    public var connected: Bool
    public var siteId: String

    public init(id: String, vendor: String? = nil, model: String? = nil, serialNumber: String? = nil,
                firmwareVersion: String? = nil, ocppVersion: OCPPVersion? = nil, connected: Bool,
                siteId: String) {
        self.id = id
        self.vendor = vendor
        self.model = model
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
        self.ocppVersion = ocppVersion
        self.connected = connected
        self.siteId = siteId
    }
}

/// A charger in full (`GET /v1/chargers/{chargerId}`): the summary members plus what the
/// backend knows from what the charger last sent.
public struct Charger: Codable, Sendable, Equatable {
    public var id: String
    public var vendor: String?
    public var model: String?
    public var serialNumber: String?
    public var firmwareVersion: String?
    public var ocppVersion: OCPPVersion?
    public var connected: Bool
    public var siteId: String
    public var lastHeartbeatAt: Date?
    public var lastBoot: BootInfo?
    /// The latest status per connector (1.6 includes connector 0, the charge point itself).
    public var connectors: [Connector]
    public var site: SiteRef
    public var location: Location?
    public var technical: TechnicalData
    public var meter: MeterReading?
    /// The charger's clock minus the backend's, in seconds (positive: the charger is ahead).
    public var clockOffsetSeconds: Double?

    public init(id: String, vendor: String? = nil, model: String? = nil, serialNumber: String? = nil,
                firmwareVersion: String? = nil, ocppVersion: OCPPVersion? = nil, connected: Bool,
                siteId: String, lastHeartbeatAt: Date? = nil, lastBoot: BootInfo? = nil,
                connectors: [Connector] = [], site: SiteRef, location: Location? = nil,
                technical: TechnicalData = [:], meter: MeterReading? = nil, clockOffsetSeconds: Double? = nil) {
        self.id = id
        self.vendor = vendor
        self.model = model
        self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion
        self.ocppVersion = ocppVersion
        self.connected = connected
        self.siteId = siteId
        self.lastHeartbeatAt = lastHeartbeatAt
        self.lastBoot = lastBoot
        self.connectors = connectors
        self.site = site
        self.location = location
        self.technical = technical
        self.meter = meter
        self.clockOffsetSeconds = clockOffsetSeconds
    }

    /// The members a list shows.
    public var summary: ChargerSummary {
        ChargerSummary(id: id, vendor: vendor, model: model, serialNumber: serialNumber,
                       firmwareVersion: firmwareVersion, ocppVersion: ocppVersion,
                       connected: connected, siteId: siteId)
    }
}

/// The last BootNotification and the backend's answer to it.
public struct BootInfo: Codable, Sendable, Equatable {
    public var at: Date
    /// 2.0.1 boot reason (`PowerUp`, `FirmwareUpdate`, ...); nil for 1.6.
    public var reason: String?
    public var status: RegistrationStatus

    public init(at: Date, reason: String? = nil, status: RegistrationStatus) {
        self.at = at
        self.reason = reason
        self.status = status
    }
}

/// The backend's answer to a BootNotification.
public enum RegistrationStatus: OpenEnum {
    case accepted, pending, rejected
    case unknown(String)

    public static let allKnown: [RegistrationStatus] = [.accepted, .pending, .rejected]

    public var rawValue: String {
        switch self {
        case .accepted: "Accepted"
        case .pending: "Pending"
        case .rejected: "Rejected"
        case .unknown(let value): value
        }
    }
}

/// A connector's latest status. 1.6: `connectorId` 0 is the charge point, no `evseId`.
/// 2.0.1: `evseId` numbers the EVSE, `connectorId` the connector within it.
public struct Connector: Codable, Sendable, Equatable {
    public var connectorId: Int
    public var evseId: Int?
    public var status: ConnectorStatus
    /// 1.6 error code (`NoError`, `GroundFailure`, ...); nil for 2.0.1.
    public var errorCode: String?
    public var vendorErrorCode: String?
    public var info: String?
    public var updatedAt: Date

    public init(connectorId: Int, evseId: Int? = nil, status: ConnectorStatus, errorCode: String? = nil,
                vendorErrorCode: String? = nil, info: String? = nil, updatedAt: Date) {
        self.connectorId = connectorId
        self.evseId = evseId
        self.status = status
        self.errorCode = errorCode
        self.vendorErrorCode = vendorErrorCode
        self.info = info
        self.updatedAt = updatedAt
    }
}

/// 1.6 ChargePointStatus or 2.0.1 ConnectorStatusEnumType.
public enum ConnectorStatus: OpenEnum {
    case available, preparing, charging, suspendedEVSE, suspendedEV, finishing, reserved
    case unavailable, faulted, occupied
    case unknown(String)

    public static let allKnown: [ConnectorStatus] = [
        .available, .preparing, .charging, .suspendedEVSE, .suspendedEV, .finishing, .reserved,
        .unavailable, .faulted, .occupied,
    ]

    public var rawValue: String {
        switch self {
        case .available: "Available"
        case .preparing: "Preparing"
        case .charging: "Charging"
        case .suspendedEVSE: "SuspendedEVSE"
        case .suspendedEV: "SuspendedEV"
        case .finishing: "Finishing"
        case .reserved: "Reserved"
        case .unavailable: "Unavailable"
        case .faulted: "Faulted"
        case .occupied: "Occupied"
        case .unknown(let value): value
        }
    }
}

/// A site named by id and name.
public struct SiteRef: Codable, Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// Where a charger is mounted.
public struct Location: Codable, Sendable, Equatable {
    public var address: Address?
    /// WGS 84 degrees.
    public var latitude: Double?
    public var longitude: Double?

    public init(address: Address? = nil, latitude: Double? = nil, longitude: Double? = nil) {
        self.address = address
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// The installation's technical data as string pairs (`phases`, `maxCurrentA`, `earthing`,
/// `rcdType`, `rcdRatingmA`, `protectiveDevice`, `cableCrossSectionMm2`, `ean`, ...).
public typealias TechnicalData = [String: String]

/// Well-known keys of `TechnicalData`.
public enum TechnicalKey {
    public static let phases = "phases"
    public static let maxCurrentA = "maxCurrentA"
    public static let earthing = "earthing"
    public static let rcdType = "rcdType"
    public static let rcdRatingmA = "rcdRatingmA"
    public static let protectiveDevice = "protectiveDevice"
    public static let cableCrossSectionMm2 = "cableCrossSectionMm2"
    public static let cableLengthM = "cableLengthM"
    public static let ean = "ean"
    public static let installedAt = "installedAt"
}

/// The latest meter values a charger sent, per phase where it sent phases.
public struct MeterReading: Codable, Sendable, Equatable {
    public var at: Date
    public var connectorId: Int?
    public var evseId: Int?
    public var voltageV: PhaseValues?
    public var currentA: PhaseValues?
    public var powerW: PhaseValues?
    /// Power.Active.Import over all phases.
    public var totalPowerW: Double?
    /// Energy.Active.Import.Register.
    public var energyWh: Double?

    public init(at: Date, connectorId: Int? = nil, evseId: Int? = nil, voltageV: PhaseValues? = nil,
                currentA: PhaseValues? = nil, powerW: PhaseValues? = nil, totalPowerW: Double? = nil,
                energyWh: Double? = nil) {
        self.at = at
        self.connectorId = connectorId
        self.evseId = evseId
        self.voltageV = voltageV
        self.currentA = currentA
        self.powerW = powerW
        self.totalPowerW = totalPowerW
        self.energyWh = energyWh
    }
}

/// A value per phase (line to neutral for voltages).
public struct PhaseValues: Codable, Sendable, Equatable {
    public var l1: Double?
    public var l2: Double?
    public var l3: Double?

    public init(l1: Double? = nil, l2: Double? = nil, l3: Double? = nil) {
        self.l1 = l1
        self.l2 = l2
        self.l3 = l3
    }
}

/// `PATCH /v1/chargers/{chargerId}` (JSON Merge Patch): location and technical data.
/// A technical value of nil is written as `null` and removes the key.
public struct ChargerPatch: Codable, Sendable, Equatable {
    public var location: Location?
    public var technical: [String: String?]?

    public init(location: Location? = nil, technical: [String: String?]? = nil) {
        self.location = location
        self.technical = technical
    }
}
