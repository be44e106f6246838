import JSON

/// OCPP 1.6J payloads, field names and enums as in the official JSON schemas
/// (`ocpp/v16/schemas/*.json` of the `ocpp` Python package), plus the Security Whitepaper's
/// SignedUpdateFirmware / SignedFirmwareStatusNotification.
public enum V16 {}

extension V16 {
    // MARK: Enums

    public enum RegistrationStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", pending = "Pending", rejected = "Rejected" }

    public enum ChargePointErrorCode: String, Codable, Sendable, CaseIterable {
        case connectorLockFailure = "ConnectorLockFailure", evCommunicationError = "EVCommunicationError"
        case groundFailure = "GroundFailure", highTemperature = "HighTemperature", internalError = "InternalError"
        case localListConflict = "LocalListConflict", noError = "NoError", otherError = "OtherError"
        case overCurrentFailure = "OverCurrentFailure", powerMeterFailure = "PowerMeterFailure"
        case powerSwitchFailure = "PowerSwitchFailure", readerFailure = "ReaderFailure", resetFailure = "ResetFailure"
        case underVoltage = "UnderVoltage", overVoltage = "OverVoltage", weakSignal = "WeakSignal"
    }

    public enum ChargePointStatus: String, Codable, Sendable, CaseIterable {
        case available = "Available", preparing = "Preparing", charging = "Charging", suspendedEVSE = "SuspendedEVSE"
        case suspendedEV = "SuspendedEV", finishing = "Finishing", reserved = "Reserved", unavailable = "Unavailable", faulted = "Faulted"
    }

    public enum ReadingContext: String, Codable, Sendable, CaseIterable {
        case interruptionBegin = "Interruption.Begin", interruptionEnd = "Interruption.End", sampleClock = "Sample.Clock"
        case samplePeriodic = "Sample.Periodic", transactionBegin = "Transaction.Begin", transactionEnd = "Transaction.End"
        case trigger = "Trigger", other = "Other"
    }

    public enum ValueFormat: String, Codable, Sendable, CaseIterable { case raw = "Raw", signedData = "SignedData" }

    public enum Measurand: String, Codable, Sendable, CaseIterable {
        case energyActiveExportRegister = "Energy.Active.Export.Register", energyActiveImportRegister = "Energy.Active.Import.Register"
        case energyReactiveExportRegister = "Energy.Reactive.Export.Register", energyReactiveImportRegister = "Energy.Reactive.Import.Register"
        case energyActiveExportInterval = "Energy.Active.Export.Interval", energyActiveImportInterval = "Energy.Active.Import.Interval"
        case energyReactiveExportInterval = "Energy.Reactive.Export.Interval", energyReactiveImportInterval = "Energy.Reactive.Import.Interval"
        case powerActiveExport = "Power.Active.Export", powerActiveImport = "Power.Active.Import", powerOffered = "Power.Offered"
        case powerReactiveExport = "Power.Reactive.Export", powerReactiveImport = "Power.Reactive.Import", powerFactor = "Power.Factor"
        case currentImport = "Current.Import", currentExport = "Current.Export", currentOffered = "Current.Offered"
        case voltage = "Voltage", frequency = "Frequency", temperature = "Temperature", soc = "SoC", rpm = "RPM"
    }

    public enum Phase: String, Codable, Sendable, CaseIterable {
        case l1 = "L1", l2 = "L2", l3 = "L3", n = "N", l1N = "L1-N", l2N = "L2-N", l3N = "L3-N", l1L2 = "L1-L2", l2L3 = "L2-L3", l3L1 = "L3-L1"
    }

    public enum Location: String, Codable, Sendable, CaseIterable { case cable = "Cable", ev = "EV", inlet = "Inlet", outlet = "Outlet", body = "Body" }

    /// Units of measure. The schema keeps the spec's misspelt "Celcius" next to "Celsius".
    /// "Hertz" is in the MeterValues schema but not in StopTransaction's transactionData.
    public enum UnitOfMeasure: String, Codable, Sendable, CaseIterable {
        case wh = "Wh", kWh = "kWh", varh = "varh", kvarh = "kvarh", w = "W", kW = "kW", va = "VA", kVA = "kVA"
        case varUnit = "var", kvar = "kvar", a = "A", v = "V", k = "K", celcius = "Celcius", celsius = "Celsius"
        case fahrenheit = "Fahrenheit", percent = "Percent", hertz = "Hertz"
    }

    public enum AuthorizationStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", blocked = "Blocked", expired = "Expired", invalid = "Invalid", concurrentTx = "ConcurrentTx"
    }

    public enum StopReason: String, Codable, Sendable, CaseIterable {
        case emergencyStop = "EmergencyStop", evDisconnected = "EVDisconnected", hardReset = "HardReset", local = "Local"
        case other = "Other", powerLoss = "PowerLoss", reboot = "Reboot", remote = "Remote", softReset = "SoftReset"
        case unlockCommand = "UnlockCommand", deAuthorized = "DeAuthorized"
    }

    public enum ConfigurationStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", rebootRequired = "RebootRequired", notSupported = "NotSupported"
    }

    public enum ResetType: String, Codable, Sendable, CaseIterable { case hard = "Hard", soft = "Soft" }
    public enum ResetStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected" }
    public enum RemoteStartStopStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected" }

    public enum MessageTrigger: String, Codable, Sendable, CaseIterable {
        case bootNotification = "BootNotification", diagnosticsStatusNotification = "DiagnosticsStatusNotification"
        case firmwareStatusNotification = "FirmwareStatusNotification", heartbeat = "Heartbeat"
        case meterValues = "MeterValues", statusNotification = "StatusNotification"
    }

    public enum TriggerMessageStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected", notImplemented = "NotImplemented" }
    public enum AvailabilityType: String, Codable, Sendable, CaseIterable { case inoperative = "Inoperative", operative = "Operative" }
    public enum AvailabilityStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected", scheduled = "Scheduled" }
    public enum UnlockStatus: String, Codable, Sendable, CaseIterable { case unlocked = "Unlocked", unlockFailed = "UnlockFailed", notSupported = "NotSupported" }

    /// FirmwareStatusNotification statuses of plain 1.6 (no request id, no scheduling states).
    public enum FirmwareStatus: String, Codable, Sendable, CaseIterable {
        case downloaded = "Downloaded", downloadFailed = "DownloadFailed", downloading = "Downloading", idle = "Idle"
        case installationFailed = "InstallationFailed", installing = "Installing", installed = "Installed"
    }

    public enum ClearCacheStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected" }

    public enum DataTransferStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", unknownMessageId = "UnknownMessageId", unknownVendorId = "UnknownVendorId"
    }

    /// Security Whitepaper: SignedUpdateFirmware.conf status.
    public enum UpdateFirmwareStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", acceptedCanceled = "AcceptedCanceled"
        case invalidCertificate = "InvalidCertificate", revokedCertificate = "RevokedCertificate"
    }

    /// Security Whitepaper: SignedFirmwareStatusNotification statuses (the 2.0.1 set).
    public enum SignedFirmwareStatus: String, Codable, Sendable, CaseIterable {
        case downloaded = "Downloaded", downloadFailed = "DownloadFailed", downloading = "Downloading"
        case downloadScheduled = "DownloadScheduled", downloadPaused = "DownloadPaused", idle = "Idle"
        case installationFailed = "InstallationFailed", installing = "Installing", installed = "Installed"
        case installRebooting = "InstallRebooting", installScheduled = "InstallScheduled"
        case installVerificationFailed = "InstallVerificationFailed", invalidSignature = "InvalidSignature"
        case signatureVerified = "SignatureVerified"
    }

    // MARK: Shared structures

    public struct IdTagInfo: Codable, Sendable, Hashable {
        public var expiryDate: OCPPDateTime?
        public var parentIdTag: String?
        public var status: AuthorizationStatus
        public init(status: AuthorizationStatus, expiryDate: OCPPDateTime? = nil, parentIdTag: String? = nil) {
            self.status = status; self.expiryDate = expiryDate; self.parentIdTag = parentIdTag
        }
    }

    public struct SampledValue: Codable, Sendable, Hashable {
        /// A decimal number as a string, in 1.6.
        public var value: String
        public var context: ReadingContext?
        public var format: ValueFormat?
        public var measurand: Measurand?
        public var phase: Phase?
        public var location: Location?
        public var unit: UnitOfMeasure?
        public init(value: String, context: ReadingContext? = nil, format: ValueFormat? = nil, measurand: Measurand? = nil,
                    phase: Phase? = nil, location: Location? = nil, unit: UnitOfMeasure? = nil) {
            self.value = value; self.context = context; self.format = format; self.measurand = measurand
            self.phase = phase; self.location = location; self.unit = unit
        }
    }

    public struct MeterValue: Codable, Sendable, Hashable {
        public var timestamp: OCPPDateTime
        public var sampledValue: [SampledValue]
        public init(timestamp: OCPPDateTime, sampledValue: [SampledValue]) { self.timestamp = timestamp; self.sampledValue = sampledValue }
    }

    public struct KeyValue: Codable, Sendable, Hashable {
        public var key: String
        public var readonly: Bool
        public var value: String?
        public init(key: String, readonly: Bool, value: String?) { self.key = key; self.readonly = readonly; self.value = value }
    }

    public struct Empty: Codable, Sendable, Hashable { public init() {} }

    // MARK: Charge point → central system

    public struct BootNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = BootNotificationResponse
        public static let action = "BootNotification"
        public static let version = OCPPVersion.v16
        public var chargePointVendor: String
        public var chargePointModel: String
        public var chargePointSerialNumber: String?
        public var chargeBoxSerialNumber: String?
        public var firmwareVersion: String?
        public var iccid: String?
        public var imsi: String?
        public var meterType: String?
        public var meterSerialNumber: String?
        public init(chargePointVendor: String, chargePointModel: String, chargePointSerialNumber: String? = nil,
                    chargeBoxSerialNumber: String? = nil, firmwareVersion: String? = nil, iccid: String? = nil,
                    imsi: String? = nil, meterType: String? = nil, meterSerialNumber: String? = nil) {
            self.chargePointVendor = chargePointVendor; self.chargePointModel = chargePointModel
            self.chargePointSerialNumber = chargePointSerialNumber; self.chargeBoxSerialNumber = chargeBoxSerialNumber
            self.firmwareVersion = firmwareVersion; self.iccid = iccid; self.imsi = imsi
            self.meterType = meterType; self.meterSerialNumber = meterSerialNumber
        }
    }

    public struct BootNotificationResponse: Codable, Sendable, Hashable {
        public var status: RegistrationStatus
        public var currentTime: OCPPDateTime
        public var interval: Int
        public init(status: RegistrationStatus, currentTime: OCPPDateTime, interval: Int) {
            self.status = status; self.currentTime = currentTime; self.interval = interval
        }
    }

    public struct HeartbeatRequest: OCPPRequest, Hashable {
        public typealias Response = HeartbeatResponse
        public static let action = "Heartbeat"
        public static let version = OCPPVersion.v16
        public init() {}
    }

    public struct HeartbeatResponse: Codable, Sendable, Hashable {
        public var currentTime: OCPPDateTime
        public init(currentTime: OCPPDateTime) { self.currentTime = currentTime }
    }

    public struct StatusNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "StatusNotification"
        public static let version = OCPPVersion.v16
        public var connectorId: Int
        public var errorCode: ChargePointErrorCode
        public var info: String?
        public var status: ChargePointStatus
        public var timestamp: OCPPDateTime?
        public var vendorId: String?
        public var vendorErrorCode: String?
        public init(connectorId: Int, errorCode: ChargePointErrorCode, status: ChargePointStatus, timestamp: OCPPDateTime? = nil,
                    info: String? = nil, vendorId: String? = nil, vendorErrorCode: String? = nil) {
            self.connectorId = connectorId; self.errorCode = errorCode; self.status = status; self.timestamp = timestamp
            self.info = info; self.vendorId = vendorId; self.vendorErrorCode = vendorErrorCode
        }
    }

    public struct MeterValuesRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "MeterValues"
        public static let version = OCPPVersion.v16
        public var connectorId: Int
        public var transactionId: Int?
        public var meterValue: [MeterValue]
        public init(connectorId: Int, transactionId: Int? = nil, meterValue: [MeterValue]) {
            self.connectorId = connectorId; self.transactionId = transactionId; self.meterValue = meterValue
        }
    }

    public struct StartTransactionRequest: OCPPRequest, Hashable {
        public typealias Response = StartTransactionResponse
        public static let action = "StartTransaction"
        public static let version = OCPPVersion.v16
        public var connectorId: Int
        public var idTag: String
        public var meterStart: Int
        public var reservationId: Int?
        public var timestamp: OCPPDateTime
        public init(connectorId: Int, idTag: String, meterStart: Int, timestamp: OCPPDateTime, reservationId: Int? = nil) {
            self.connectorId = connectorId; self.idTag = idTag; self.meterStart = meterStart
            self.timestamp = timestamp; self.reservationId = reservationId
        }
    }

    public struct StartTransactionResponse: Codable, Sendable, Hashable {
        public var idTagInfo: IdTagInfo
        public var transactionId: Int
        public init(idTagInfo: IdTagInfo, transactionId: Int) { self.idTagInfo = idTagInfo; self.transactionId = transactionId }
    }

    public struct StopTransactionRequest: OCPPRequest, Hashable {
        public typealias Response = StopTransactionResponse
        public static let action = "StopTransaction"
        public static let version = OCPPVersion.v16
        public var idTag: String?
        public var meterStop: Int
        public var timestamp: OCPPDateTime
        public var transactionId: Int
        public var reason: StopReason?
        public var transactionData: [MeterValue]?
        public init(transactionId: Int, meterStop: Int, timestamp: OCPPDateTime, idTag: String? = nil,
                    reason: StopReason? = nil, transactionData: [MeterValue]? = nil) {
            self.transactionId = transactionId; self.meterStop = meterStop; self.timestamp = timestamp
            self.idTag = idTag; self.reason = reason; self.transactionData = transactionData
        }
    }

    public struct StopTransactionResponse: Codable, Sendable, Hashable {
        public var idTagInfo: IdTagInfo?
        public init(idTagInfo: IdTagInfo? = nil) { self.idTagInfo = idTagInfo }
    }

    public struct AuthorizeRequest: OCPPRequest, Hashable {
        public typealias Response = AuthorizeResponse
        public static let action = "Authorize"
        public static let version = OCPPVersion.v16
        public var idTag: String
        public init(idTag: String) { self.idTag = idTag }
    }

    public struct AuthorizeResponse: Codable, Sendable, Hashable {
        public var idTagInfo: IdTagInfo
        public init(idTagInfo: IdTagInfo) { self.idTagInfo = idTagInfo }
    }

    public struct FirmwareStatusNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "FirmwareStatusNotification"
        public static let version = OCPPVersion.v16
        public var status: FirmwareStatus
        public init(status: FirmwareStatus) { self.status = status }
    }

    public struct SignedFirmwareStatusNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "SignedFirmwareStatusNotification"
        public static let version = OCPPVersion.v16
        public var status: SignedFirmwareStatus
        public var requestId: Int?
        public init(status: SignedFirmwareStatus, requestId: Int? = nil) { self.status = status; self.requestId = requestId }
    }

    /// DataTransfer goes both ways.
    public struct DataTransferRequest: OCPPRequest, Hashable {
        public typealias Response = DataTransferResponse
        public static let action = "DataTransfer"
        public static let version = OCPPVersion.v16
        public var vendorId: String
        public var messageId: String?
        public var data: String?
        public init(vendorId: String, messageId: String? = nil, data: String? = nil) {
            self.vendorId = vendorId; self.messageId = messageId; self.data = data
        }
    }

    public struct DataTransferResponse: Codable, Sendable, Hashable {
        public var status: DataTransferStatus
        public var data: String?
        public init(status: DataTransferStatus, data: String? = nil) { self.status = status; self.data = data }
    }

    // MARK: Central system → charge point

    public struct GetConfigurationRequest: OCPPRequest, Hashable {
        public typealias Response = GetConfigurationResponse
        public static let action = "GetConfiguration"
        public static let version = OCPPVersion.v16
        /// Absent: all keys.
        public var key: [String]?
        public init(key: [String]? = nil) { self.key = key }
    }

    public struct GetConfigurationResponse: Codable, Sendable, Hashable {
        public var configurationKey: [KeyValue]?
        public var unknownKey: [String]?
        public init(configurationKey: [KeyValue]? = nil, unknownKey: [String]? = nil) {
            self.configurationKey = configurationKey; self.unknownKey = unknownKey
        }
    }

    public struct ChangeConfigurationRequest: OCPPRequest, Hashable {
        public typealias Response = ChangeConfigurationResponse
        public static let action = "ChangeConfiguration"
        public static let version = OCPPVersion.v16
        public var key: String
        public var value: String
        public init(key: String, value: String) { self.key = key; self.value = value }
    }

    public struct ChangeConfigurationResponse: Codable, Sendable, Hashable {
        public var status: ConfigurationStatus
        public init(status: ConfigurationStatus) { self.status = status }
    }

    public struct ResetRequest: OCPPRequest, Hashable {
        public typealias Response = ResetResponse
        public static let action = "Reset"
        public static let version = OCPPVersion.v16
        public var type: ResetType
        public init(type: ResetType) { self.type = type }
    }

    public struct ResetResponse: Codable, Sendable, Hashable {
        public var status: ResetStatus
        public init(status: ResetStatus) { self.status = status }
    }

    public struct RemoteStartTransactionRequest: OCPPRequest, Hashable {
        public typealias Response = RemoteStartTransactionResponse
        public static let action = "RemoteStartTransaction"
        public static let version = OCPPVersion.v16
        public var connectorId: Int?
        public var idTag: String
        /// Kept as raw JSON: the simulator does no smart charging.
        public var chargingProfile: JSONValue?
        public init(idTag: String, connectorId: Int? = nil, chargingProfile: JSONValue? = nil) {
            self.idTag = idTag; self.connectorId = connectorId; self.chargingProfile = chargingProfile
        }
    }

    public struct RemoteStartTransactionResponse: Codable, Sendable, Hashable {
        public var status: RemoteStartStopStatus
        public init(status: RemoteStartStopStatus) { self.status = status }
    }

    public struct RemoteStopTransactionRequest: OCPPRequest, Hashable {
        public typealias Response = RemoteStopTransactionResponse
        public static let action = "RemoteStopTransaction"
        public static let version = OCPPVersion.v16
        public var transactionId: Int
        public init(transactionId: Int) { self.transactionId = transactionId }
    }

    public struct RemoteStopTransactionResponse: Codable, Sendable, Hashable {
        public var status: RemoteStartStopStatus
        public init(status: RemoteStartStopStatus) { self.status = status }
    }

    public struct TriggerMessageRequest: OCPPRequest, Hashable {
        public typealias Response = TriggerMessageResponse
        public static let action = "TriggerMessage"
        public static let version = OCPPVersion.v16
        public var requestedMessage: MessageTrigger
        public var connectorId: Int?
        public init(requestedMessage: MessageTrigger, connectorId: Int? = nil) {
            self.requestedMessage = requestedMessage; self.connectorId = connectorId
        }
    }

    public struct TriggerMessageResponse: Codable, Sendable, Hashable {
        public var status: TriggerMessageStatus
        public init(status: TriggerMessageStatus) { self.status = status }
    }

    public struct ChangeAvailabilityRequest: OCPPRequest, Hashable {
        public typealias Response = ChangeAvailabilityResponse
        public static let action = "ChangeAvailability"
        public static let version = OCPPVersion.v16
        public var connectorId: Int
        public var type: AvailabilityType
        public init(connectorId: Int, type: AvailabilityType) { self.connectorId = connectorId; self.type = type }
    }

    public struct ChangeAvailabilityResponse: Codable, Sendable, Hashable {
        public var status: AvailabilityStatus
        public init(status: AvailabilityStatus) { self.status = status }
    }

    public struct UnlockConnectorRequest: OCPPRequest, Hashable {
        public typealias Response = UnlockConnectorResponse
        public static let action = "UnlockConnector"
        public static let version = OCPPVersion.v16
        public var connectorId: Int
        public init(connectorId: Int) { self.connectorId = connectorId }
    }

    public struct UnlockConnectorResponse: Codable, Sendable, Hashable {
        public var status: UnlockStatus
        public init(status: UnlockStatus) { self.status = status }
    }

    public struct UpdateFirmwareRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "UpdateFirmware"
        public static let version = OCPPVersion.v16
        /// A URI (schema format "uri").
        public var location: String
        public var retries: Int?
        public var retrieveDate: OCPPDateTime
        public var retryInterval: Int?
        public init(location: String, retrieveDate: OCPPDateTime, retries: Int? = nil, retryInterval: Int? = nil) {
            self.location = location; self.retrieveDate = retrieveDate; self.retries = retries; self.retryInterval = retryInterval
        }
    }

    public struct ClearCacheRequest: OCPPRequest, Hashable {
        public typealias Response = ClearCacheResponse
        public static let action = "ClearCache"
        public static let version = OCPPVersion.v16
        public init() {}
    }

    public struct ClearCacheResponse: Codable, Sendable, Hashable {
        public var status: ClearCacheStatus
        public init(status: ClearCacheStatus) { self.status = status }
    }

    /// Security Whitepaper FirmwareType. Unlike 2.0.1, the 1.6 schema requires the signing
    /// certificate and the signature.
    public struct Firmware: Codable, Sendable, Hashable {
        public var location: String
        public var retrieveDateTime: OCPPDateTime
        public var installDateTime: OCPPDateTime?
        public var signingCertificate: String
        public var signature: String
        public init(location: String, retrieveDateTime: OCPPDateTime, signingCertificate: String, signature: String,
                    installDateTime: OCPPDateTime? = nil) {
            self.location = location; self.retrieveDateTime = retrieveDateTime; self.signingCertificate = signingCertificate
            self.signature = signature; self.installDateTime = installDateTime
        }
    }

    public struct SignedUpdateFirmwareRequest: OCPPRequest, Hashable {
        public typealias Response = SignedUpdateFirmwareResponse
        public static let action = "SignedUpdateFirmware"
        public static let version = OCPPVersion.v16
        public var retries: Int?
        public var retryInterval: Int?
        public var requestId: Int
        public var firmware: Firmware
        public init(requestId: Int, firmware: Firmware, retries: Int? = nil, retryInterval: Int? = nil) {
            self.requestId = requestId; self.firmware = firmware; self.retries = retries; self.retryInterval = retryInterval
        }
    }

    public struct SignedUpdateFirmwareResponse: Codable, Sendable, Hashable {
        public var status: UpdateFirmwareStatus
        public init(status: UpdateFirmwareStatus) { self.status = status }
    }
}
