import JSON

/// OCPP 2.0.1 payloads, field names and enums as in the official JSON schemas
/// (`ocpp/v201/schemas/*Request.json|*Response.json` of the `ocpp` Python package).
/// `customData` is accepted by every 2.0.1 schema; these types do not model it.
public enum V201 {}

extension V201 {
    // MARK: Enums

    public enum BootReason: String, Codable, Sendable, CaseIterable {
        case applicationReset = "ApplicationReset", firmwareUpdate = "FirmwareUpdate", localReset = "LocalReset"
        case powerUp = "PowerUp", remoteReset = "RemoteReset", scheduledReset = "ScheduledReset"
        case triggered = "Triggered", unknown = "Unknown", watchdog = "Watchdog"
    }

    public enum RegistrationStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", pending = "Pending", rejected = "Rejected" }

    public enum ConnectorStatus: String, Codable, Sendable, CaseIterable {
        case available = "Available", occupied = "Occupied", reserved = "Reserved", unavailable = "Unavailable", faulted = "Faulted"
    }

    public enum Measurand: String, Codable, Sendable, CaseIterable {
        case currentExport = "Current.Export", currentImport = "Current.Import", currentOffered = "Current.Offered"
        case energyActiveExportRegister = "Energy.Active.Export.Register", energyActiveImportRegister = "Energy.Active.Import.Register"
        case energyReactiveExportRegister = "Energy.Reactive.Export.Register", energyReactiveImportRegister = "Energy.Reactive.Import.Register"
        case energyActiveExportInterval = "Energy.Active.Export.Interval", energyActiveImportInterval = "Energy.Active.Import.Interval"
        case energyActiveNet = "Energy.Active.Net", energyReactiveExportInterval = "Energy.Reactive.Export.Interval"
        case energyReactiveImportInterval = "Energy.Reactive.Import.Interval", energyReactiveNet = "Energy.Reactive.Net"
        case energyApparentNet = "Energy.Apparent.Net", energyApparentImport = "Energy.Apparent.Import"
        case energyApparentExport = "Energy.Apparent.Export", frequency = "Frequency", powerActiveExport = "Power.Active.Export"
        case powerActiveImport = "Power.Active.Import", powerFactor = "Power.Factor", powerOffered = "Power.Offered"
        case powerReactiveExport = "Power.Reactive.Export", powerReactiveImport = "Power.Reactive.Import", soc = "SoC", voltage = "Voltage"
    }

    public enum Phase: String, Codable, Sendable, CaseIterable {
        case l1 = "L1", l2 = "L2", l3 = "L3", n = "N", l1N = "L1-N", l2N = "L2-N", l3N = "L3-N", l1L2 = "L1-L2", l2L3 = "L2-L3", l3L1 = "L3-L1"
    }

    public enum Location: String, Codable, Sendable, CaseIterable { case body = "Body", cable = "Cable", ev = "EV", inlet = "Inlet", outlet = "Outlet" }

    public enum ReadingContext: String, Codable, Sendable, CaseIterable {
        case interruptionBegin = "Interruption.Begin", interruptionEnd = "Interruption.End", other = "Other"
        case sampleClock = "Sample.Clock", samplePeriodic = "Sample.Periodic", transactionBegin = "Transaction.Begin"
        case transactionEnd = "Transaction.End", trigger = "Trigger"
    }

    public enum ChargingState: String, Codable, Sendable, CaseIterable {
        case charging = "Charging", evConnected = "EVConnected", suspendedEV = "SuspendedEV", suspendedEVSE = "SuspendedEVSE", idle = "Idle"
    }

    public enum IdTokenType: String, Codable, Sendable, CaseIterable {
        case central = "Central", eMAID = "eMAID", iso14443 = "ISO14443", iso15693 = "ISO15693", keyCode = "KeyCode"
        case local = "Local", macAddress = "MacAddress", noAuthorization = "NoAuthorization"
    }

    public enum Reason: String, Codable, Sendable, CaseIterable {
        case deAuthorized = "DeAuthorized", emergencyStop = "EmergencyStop", energyLimitReached = "EnergyLimitReached"
        case evDisconnected = "EVDisconnected", groundFault = "GroundFault", immediateReset = "ImmediateReset", local = "Local"
        case localOutOfCredit = "LocalOutOfCredit", masterPass = "MasterPass", other = "Other", overcurrentFault = "OvercurrentFault"
        case powerLoss = "PowerLoss", powerQuality = "PowerQuality", reboot = "Reboot", remote = "Remote"
        case socLimitReached = "SOCLimitReached", stoppedByEV = "StoppedByEV", timeLimitReached = "TimeLimitReached", timeout = "Timeout"
    }

    public enum TransactionEventType: String, Codable, Sendable, CaseIterable { case ended = "Ended", started = "Started", updated = "Updated" }

    public enum TriggerReason: String, Codable, Sendable, CaseIterable {
        case authorized = "Authorized", cablePluggedIn = "CablePluggedIn", chargingRateChanged = "ChargingRateChanged"
        case chargingStateChanged = "ChargingStateChanged", deauthorized = "Deauthorized", energyLimitReached = "EnergyLimitReached"
        case evCommunicationLost = "EVCommunicationLost", evConnectTimeout = "EVConnectTimeout", meterValueClock = "MeterValueClock"
        case meterValuePeriodic = "MeterValuePeriodic", timeLimitReached = "TimeLimitReached", trigger = "Trigger"
        case unlockCommand = "UnlockCommand", stopAuthorized = "StopAuthorized", evDeparted = "EVDeparted", evDetected = "EVDetected"
        case remoteStop = "RemoteStop", remoteStart = "RemoteStart", abnormalCondition = "AbnormalCondition"
        case signedDataReceived = "SignedDataReceived", resetCommand = "ResetCommand"
    }

    public enum AuthorizationStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", blocked = "Blocked", concurrentTx = "ConcurrentTx", expired = "Expired", invalid = "Invalid"
        case noCredit = "NoCredit", notAllowedTypeEVSE = "NotAllowedTypeEVSE", notAtThisLocation = "NotAtThisLocation"
        case notAtThisTime = "NotAtThisTime", unknown = "Unknown"
    }

    public enum AuthorizeCertificateStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", signatureError = "SignatureError", certificateExpired = "CertificateExpired"
        case certificateRevoked = "CertificateRevoked", noCertificateAvailable = "NoCertificateAvailable"
        case certChainError = "CertChainError", contractCancelled = "ContractCancelled"
    }

    public enum MessageFormat: String, Codable, Sendable, CaseIterable { case ascii = "ASCII", html = "HTML", uri = "URI", utf8 = "UTF8" }
    public enum HashAlgorithm: String, Codable, Sendable, CaseIterable { case sha256 = "SHA256", sha384 = "SHA384", sha512 = "SHA512" }

    public enum AttributeType: String, Codable, Sendable, CaseIterable { case actual = "Actual", target = "Target", minSet = "MinSet", maxSet = "MaxSet" }

    public enum GetVariableStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", unknownComponent = "UnknownComponent"
        case unknownVariable = "UnknownVariable", notSupportedAttributeType = "NotSupportedAttributeType"
    }

    public enum SetVariableStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", unknownComponent = "UnknownComponent", unknownVariable = "UnknownVariable"
        case notSupportedAttributeType = "NotSupportedAttributeType", rebootRequired = "RebootRequired"
    }

    public enum SetNetworkProfileStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected", failed = "Failed" }
    public enum APNAuthentication: String, Codable, Sendable, CaseIterable { case chap = "CHAP", none = "NONE", pap = "PAP", auto = "AUTO" }
    public enum OCPPInterface: String, Codable, Sendable, CaseIterable {
        case wired0 = "Wired0", wired1 = "Wired1", wired2 = "Wired2", wired3 = "Wired3"
        case wireless0 = "Wireless0", wireless1 = "Wireless1", wireless2 = "Wireless2", wireless3 = "Wireless3"
    }
    public enum OCPPTransport: String, Codable, Sendable, CaseIterable { case json = "JSON", soap = "SOAP" }
    /// The schema's OCPPVersionEnumType: 2.0.1 itself is "OCPP20".
    public enum OCPPVersionName: String, Codable, Sendable, CaseIterable { case ocpp12 = "OCPP12", ocpp15 = "OCPP15", ocpp16 = "OCPP16", ocpp20 = "OCPP20" }
    public enum VPNType: String, Codable, Sendable, CaseIterable { case ikev2 = "IKEv2", ipsec = "IPSec", l2tp = "L2TP", pptp = "PPTP" }

    public enum ResetType: String, Codable, Sendable, CaseIterable { case immediate = "Immediate", onIdle = "OnIdle" }
    public enum ResetStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected", scheduled = "Scheduled" }
    public enum RequestStartStopStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected" }

    public enum MessageTrigger: String, Codable, Sendable, CaseIterable {
        case bootNotification = "BootNotification", logStatusNotification = "LogStatusNotification"
        case firmwareStatusNotification = "FirmwareStatusNotification", heartbeat = "Heartbeat", meterValues = "MeterValues"
        case signChargingStationCertificate = "SignChargingStationCertificate", signV2GCertificate = "SignV2GCertificate"
        case statusNotification = "StatusNotification", transactionEvent = "TransactionEvent"
        case signCombinedCertificate = "SignCombinedCertificate", publishFirmwareStatusNotification = "PublishFirmwareStatusNotification"
    }

    public enum TriggerMessageStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected", notImplemented = "NotImplemented" }
    public enum OperationalStatus: String, Codable, Sendable, CaseIterable { case inoperative = "Inoperative", operative = "Operative" }
    public enum ChangeAvailabilityStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected", scheduled = "Scheduled" }

    public enum UnlockStatus: String, Codable, Sendable, CaseIterable {
        case unlocked = "Unlocked", unlockFailed = "UnlockFailed", ongoingAuthorizedTransaction = "OngoingAuthorizedTransaction"
        case unknownConnector = "UnknownConnector"
    }

    public enum UpdateFirmwareStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", acceptedCanceled = "AcceptedCanceled"
        case invalidCertificate = "InvalidCertificate", revokedCertificate = "RevokedCertificate"
    }

    public enum FirmwareStatus: String, Codable, Sendable, CaseIterable {
        case downloaded = "Downloaded", downloadFailed = "DownloadFailed", downloading = "Downloading"
        case downloadScheduled = "DownloadScheduled", downloadPaused = "DownloadPaused", idle = "Idle"
        case installationFailed = "InstallationFailed", installing = "Installing", installed = "Installed"
        case installRebooting = "InstallRebooting", installScheduled = "InstallScheduled"
        case installVerificationFailed = "InstallVerificationFailed", invalidSignature = "InvalidSignature"
        case signatureVerified = "SignatureVerified"
    }

    public enum ClearCacheStatus: String, Codable, Sendable, CaseIterable { case accepted = "Accepted", rejected = "Rejected" }

    public enum DataTransferStatus: String, Codable, Sendable, CaseIterable {
        case accepted = "Accepted", rejected = "Rejected", unknownMessageId = "UnknownMessageId", unknownVendorId = "UnknownVendorId"
    }

    public enum EventTrigger: String, Codable, Sendable, CaseIterable { case alerting = "Alerting", delta = "Delta", periodic = "Periodic" }
    public enum EventNotificationType: String, Codable, Sendable, CaseIterable {
        case hardWiredNotification = "HardWiredNotification", hardWiredMonitor = "HardWiredMonitor"
        case preconfiguredMonitor = "PreconfiguredMonitor", customMonitor = "CustomMonitor"
    }

    // MARK: Shared structures

    public struct StatusInfo: Codable, Sendable, Hashable {
        public var reasonCode: String
        public var additionalInfo: String?
        public init(reasonCode: String, additionalInfo: String? = nil) { self.reasonCode = reasonCode; self.additionalInfo = additionalInfo }
    }

    public struct EVSE: Codable, Sendable, Hashable {
        public var id: Int
        public var connectorId: Int?
        public init(id: Int, connectorId: Int? = nil) { self.id = id; self.connectorId = connectorId }
    }

    public struct AdditionalInfo: Codable, Sendable, Hashable {
        public var additionalIdToken: String
        public var type: String
        public init(additionalIdToken: String, type: String) { self.additionalIdToken = additionalIdToken; self.type = type }
    }

    public struct IdToken: Codable, Sendable, Hashable {
        public var idToken: String
        public var type: IdTokenType
        public var additionalInfo: [AdditionalInfo]?
        public init(idToken: String, type: IdTokenType, additionalInfo: [AdditionalInfo]? = nil) {
            self.idToken = idToken; self.type = type; self.additionalInfo = additionalInfo
        }
    }

    public struct MessageContent: Codable, Sendable, Hashable {
        public var format: MessageFormat
        public var language: String?
        public var content: String
        public init(format: MessageFormat, content: String, language: String? = nil) { self.format = format; self.content = content; self.language = language }
    }

    public struct IdTokenInfo: Codable, Sendable, Hashable {
        public var status: AuthorizationStatus
        public var cacheExpiryDateTime: OCPPDateTime?
        public var chargingPriority: Int?
        public var language1: String?
        public var evseId: [Int]?
        public var groupIdToken: IdToken?
        public var language2: String?
        public var personalMessage: MessageContent?
        public init(status: AuthorizationStatus, cacheExpiryDateTime: OCPPDateTime? = nil, chargingPriority: Int? = nil,
                    language1: String? = nil, evseId: [Int]? = nil, groupIdToken: IdToken? = nil, language2: String? = nil,
                    personalMessage: MessageContent? = nil) {
            self.status = status; self.cacheExpiryDateTime = cacheExpiryDateTime; self.chargingPriority = chargingPriority
            self.language1 = language1; self.evseId = evseId; self.groupIdToken = groupIdToken; self.language2 = language2
            self.personalMessage = personalMessage
        }
    }

    public struct UnitOfMeasure: Codable, Sendable, Hashable {
        public var unit: String?
        public var multiplier: Int?
        public init(unit: String? = nil, multiplier: Int? = nil) { self.unit = unit; self.multiplier = multiplier }
    }

    public struct SignedMeterValue: Codable, Sendable, Hashable {
        public var signedMeterData: String
        public var signingMethod: String
        public var encodingMethod: String
        public var publicKey: String
        public init(signedMeterData: String, signingMethod: String, encodingMethod: String, publicKey: String) {
            self.signedMeterData = signedMeterData; self.signingMethod = signingMethod
            self.encodingMethod = encodingMethod; self.publicKey = publicKey
        }
    }

    public struct SampledValue: Codable, Sendable, Hashable {
        /// A JSON number in 2.0.1 (a string in 1.6).
        public var value: Double
        public var context: ReadingContext?
        public var measurand: Measurand?
        public var phase: Phase?
        public var location: Location?
        public var signedMeterValue: SignedMeterValue?
        public var unitOfMeasure: UnitOfMeasure?
        public init(value: Double, context: ReadingContext? = nil, measurand: Measurand? = nil, phase: Phase? = nil,
                    location: Location? = nil, signedMeterValue: SignedMeterValue? = nil, unitOfMeasure: UnitOfMeasure? = nil) {
            self.value = value; self.context = context; self.measurand = measurand; self.phase = phase
            self.location = location; self.signedMeterValue = signedMeterValue; self.unitOfMeasure = unitOfMeasure
        }
    }

    public struct MeterValue: Codable, Sendable, Hashable {
        public var sampledValue: [SampledValue]
        public var timestamp: OCPPDateTime
        public init(timestamp: OCPPDateTime, sampledValue: [SampledValue]) { self.timestamp = timestamp; self.sampledValue = sampledValue }
    }

    public struct Component: Codable, Sendable, Hashable {
        public var name: String
        public var instance: String?
        public var evse: EVSE?
        public init(name: String, instance: String? = nil, evse: EVSE? = nil) { self.name = name; self.instance = instance; self.evse = evse }
    }

    public struct Variable: Codable, Sendable, Hashable {
        public var name: String
        public var instance: String?
        public init(name: String, instance: String? = nil) { self.name = name; self.instance = instance }
    }

    public struct Empty: Codable, Sendable, Hashable { public init() {} }

    // MARK: Charging station → CSMS

    public struct Modem: Codable, Sendable, Hashable {
        public var iccid: String?
        public var imsi: String?
        public init(iccid: String? = nil, imsi: String? = nil) { self.iccid = iccid; self.imsi = imsi }
    }

    public struct ChargingStation: Codable, Sendable, Hashable {
        public var serialNumber: String?
        public var model: String
        public var modem: Modem?
        public var vendorName: String
        public var firmwareVersion: String?
        public init(vendorName: String, model: String, serialNumber: String? = nil, firmwareVersion: String? = nil, modem: Modem? = nil) {
            self.vendorName = vendorName; self.model = model; self.serialNumber = serialNumber
            self.firmwareVersion = firmwareVersion; self.modem = modem
        }
    }

    public struct BootNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = BootNotificationResponse
        public static let action = "BootNotification"
        public static let version = OCPPVersion.v201
        public var chargingStation: ChargingStation
        public var reason: BootReason
        public init(chargingStation: ChargingStation, reason: BootReason) { self.chargingStation = chargingStation; self.reason = reason }
    }

    public struct BootNotificationResponse: Codable, Sendable, Hashable {
        public var currentTime: OCPPDateTime
        public var interval: Int
        public var status: RegistrationStatus
        public var statusInfo: StatusInfo?
        public init(currentTime: OCPPDateTime, interval: Int, status: RegistrationStatus, statusInfo: StatusInfo? = nil) {
            self.currentTime = currentTime; self.interval = interval; self.status = status; self.statusInfo = statusInfo
        }
    }

    public struct HeartbeatRequest: OCPPRequest, Hashable {
        public typealias Response = HeartbeatResponse
        public static let action = "Heartbeat"
        public static let version = OCPPVersion.v201
        public init() {}
    }

    public struct HeartbeatResponse: Codable, Sendable, Hashable {
        public var currentTime: OCPPDateTime
        public init(currentTime: OCPPDateTime) { self.currentTime = currentTime }
    }

    /// 2.0.1 StatusNotification carries no error code; faults are reported by NotifyEvent.
    public struct StatusNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "StatusNotification"
        public static let version = OCPPVersion.v201
        public var timestamp: OCPPDateTime
        public var connectorStatus: ConnectorStatus
        public var evseId: Int
        public var connectorId: Int
        public init(timestamp: OCPPDateTime, connectorStatus: ConnectorStatus, evseId: Int, connectorId: Int) {
            self.timestamp = timestamp; self.connectorStatus = connectorStatus; self.evseId = evseId; self.connectorId = connectorId
        }
    }

    public struct MeterValuesRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "MeterValues"
        public static let version = OCPPVersion.v201
        /// 0 is the main meter of the station.
        public var evseId: Int
        public var meterValue: [MeterValue]
        public init(evseId: Int, meterValue: [MeterValue]) { self.evseId = evseId; self.meterValue = meterValue }
    }

    public struct Transaction: Codable, Sendable, Hashable {
        public var transactionId: String
        public var chargingState: ChargingState?
        public var timeSpentCharging: Int?
        public var stoppedReason: Reason?
        public var remoteStartId: Int?
        public init(transactionId: String, chargingState: ChargingState? = nil, timeSpentCharging: Int? = nil,
                    stoppedReason: Reason? = nil, remoteStartId: Int? = nil) {
            self.transactionId = transactionId; self.chargingState = chargingState; self.timeSpentCharging = timeSpentCharging
            self.stoppedReason = stoppedReason; self.remoteStartId = remoteStartId
        }
    }

    public struct TransactionEventRequest: OCPPRequest, Hashable {
        public typealias Response = TransactionEventResponse
        public static let action = "TransactionEvent"
        public static let version = OCPPVersion.v201
        public var eventType: TransactionEventType
        public var meterValue: [MeterValue]?
        public var timestamp: OCPPDateTime
        public var triggerReason: TriggerReason
        public var seqNo: Int
        public var offline: Bool?
        public var numberOfPhasesUsed: Int?
        public var cableMaxCurrent: Int?
        public var reservationId: Int?
        public var transactionInfo: Transaction
        public var evse: EVSE?
        public var idToken: IdToken?
        public init(eventType: TransactionEventType, timestamp: OCPPDateTime, triggerReason: TriggerReason, seqNo: Int,
                    transactionInfo: Transaction, meterValue: [MeterValue]? = nil, offline: Bool? = nil,
                    numberOfPhasesUsed: Int? = nil, cableMaxCurrent: Int? = nil, reservationId: Int? = nil,
                    evse: EVSE? = nil, idToken: IdToken? = nil) {
            self.eventType = eventType; self.timestamp = timestamp; self.triggerReason = triggerReason; self.seqNo = seqNo
            self.transactionInfo = transactionInfo; self.meterValue = meterValue; self.offline = offline
            self.numberOfPhasesUsed = numberOfPhasesUsed; self.cableMaxCurrent = cableMaxCurrent
            self.reservationId = reservationId; self.evse = evse; self.idToken = idToken
        }
    }

    public struct TransactionEventResponse: Codable, Sendable, Hashable {
        public var totalCost: Double?
        public var chargingPriority: Int?
        public var idTokenInfo: IdTokenInfo?
        public var updatedPersonalMessage: MessageContent?
        public init(totalCost: Double? = nil, chargingPriority: Int? = nil, idTokenInfo: IdTokenInfo? = nil,
                    updatedPersonalMessage: MessageContent? = nil) {
            self.totalCost = totalCost; self.chargingPriority = chargingPriority; self.idTokenInfo = idTokenInfo
            self.updatedPersonalMessage = updatedPersonalMessage
        }
    }

    public struct OCSPRequestData: Codable, Sendable, Hashable {
        public var hashAlgorithm: HashAlgorithm
        public var issuerNameHash: String
        public var issuerKeyHash: String
        public var serialNumber: String
        public var responderURL: String
        public init(hashAlgorithm: HashAlgorithm, issuerNameHash: String, issuerKeyHash: String, serialNumber: String, responderURL: String) {
            self.hashAlgorithm = hashAlgorithm; self.issuerNameHash = issuerNameHash; self.issuerKeyHash = issuerKeyHash
            self.serialNumber = serialNumber; self.responderURL = responderURL
        }
    }

    public struct AuthorizeRequest: OCPPRequest, Hashable {
        public typealias Response = AuthorizeResponse
        public static let action = "Authorize"
        public static let version = OCPPVersion.v201
        public var idToken: IdToken
        public var certificate: String?
        public var iso15118CertificateHashData: [OCSPRequestData]?
        public init(idToken: IdToken, certificate: String? = nil, iso15118CertificateHashData: [OCSPRequestData]? = nil) {
            self.idToken = idToken; self.certificate = certificate; self.iso15118CertificateHashData = iso15118CertificateHashData
        }
    }

    public struct AuthorizeResponse: Codable, Sendable, Hashable {
        public var idTokenInfo: IdTokenInfo
        public var certificateStatus: AuthorizeCertificateStatus?
        public init(idTokenInfo: IdTokenInfo, certificateStatus: AuthorizeCertificateStatus? = nil) {
            self.idTokenInfo = idTokenInfo; self.certificateStatus = certificateStatus
        }
    }

    public struct FirmwareStatusNotificationRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "FirmwareStatusNotification"
        public static let version = OCPPVersion.v201
        public var status: FirmwareStatus
        public var requestId: Int?
        public init(status: FirmwareStatus, requestId: Int? = nil) { self.status = status; self.requestId = requestId }
    }

    public struct EventData: Codable, Sendable, Hashable {
        public var eventId: Int
        public var timestamp: OCPPDateTime
        public var trigger: EventTrigger
        public var cause: Int?
        public var actualValue: String
        public var techCode: String?
        public var techInfo: String?
        public var cleared: Bool?
        public var transactionId: String?
        public var component: Component
        public var variableMonitoringId: Int?
        public var eventNotificationType: EventNotificationType
        public var variable: Variable
        public init(eventId: Int, timestamp: OCPPDateTime, trigger: EventTrigger, actualValue: String,
                    eventNotificationType: EventNotificationType, component: Component, variable: Variable,
                    cause: Int? = nil, techCode: String? = nil, techInfo: String? = nil, cleared: Bool? = nil,
                    transactionId: String? = nil, variableMonitoringId: Int? = nil) {
            self.eventId = eventId; self.timestamp = timestamp; self.trigger = trigger; self.actualValue = actualValue
            self.eventNotificationType = eventNotificationType; self.component = component; self.variable = variable
            self.cause = cause; self.techCode = techCode; self.techInfo = techInfo; self.cleared = cleared
            self.transactionId = transactionId; self.variableMonitoringId = variableMonitoringId
        }
    }

    /// How a 2.0.1 station reports a connector fault's details (component Connector, variable
    /// Problem); StatusNotification only says Faulted.
    public struct NotifyEventRequest: OCPPRequest, Hashable {
        public typealias Response = Empty
        public static let action = "NotifyEvent"
        public static let version = OCPPVersion.v201
        public var generatedAt: OCPPDateTime
        public var tbc: Bool?
        public var seqNo: Int
        public var eventData: [EventData]
        public init(generatedAt: OCPPDateTime, seqNo: Int, eventData: [EventData], tbc: Bool? = nil) {
            self.generatedAt = generatedAt; self.seqNo = seqNo; self.eventData = eventData; self.tbc = tbc
        }
    }

    /// DataTransfer goes both ways; `data` is any JSON in 2.0.1.
    public struct DataTransferRequest: OCPPRequest, Hashable {
        public typealias Response = DataTransferResponse
        public static let action = "DataTransfer"
        public static let version = OCPPVersion.v201
        public var messageId: String?
        public var data: JSONValue?
        public var vendorId: String
        public init(vendorId: String, messageId: String? = nil, data: JSONValue? = nil) {
            self.vendorId = vendorId; self.messageId = messageId; self.data = data
        }
    }

    public struct DataTransferResponse: Codable, Sendable, Hashable {
        public var status: DataTransferStatus
        public var statusInfo: StatusInfo?
        public var data: JSONValue?
        public init(status: DataTransferStatus, statusInfo: StatusInfo? = nil, data: JSONValue? = nil) {
            self.status = status; self.statusInfo = statusInfo; self.data = data
        }
    }

    // MARK: CSMS → charging station

    public struct GetVariableData: Codable, Sendable, Hashable {
        public var attributeType: AttributeType?
        public var component: Component
        public var variable: Variable
        public init(component: Component, variable: Variable, attributeType: AttributeType? = nil) {
            self.component = component; self.variable = variable; self.attributeType = attributeType
        }
    }

    public struct GetVariablesRequest: OCPPRequest, Hashable {
        public typealias Response = GetVariablesResponse
        public static let action = "GetVariables"
        public static let version = OCPPVersion.v201
        public var getVariableData: [GetVariableData]
        public init(getVariableData: [GetVariableData]) { self.getVariableData = getVariableData }
    }

    public struct GetVariableResult: Codable, Sendable, Hashable {
        public var attributeStatusInfo: StatusInfo?
        public var attributeStatus: GetVariableStatus
        public var attributeType: AttributeType?
        public var attributeValue: String?
        public var component: Component
        public var variable: Variable
        public init(attributeStatus: GetVariableStatus, component: Component, variable: Variable, attributeValue: String? = nil,
                    attributeType: AttributeType? = nil, attributeStatusInfo: StatusInfo? = nil) {
            self.attributeStatus = attributeStatus; self.component = component; self.variable = variable
            self.attributeValue = attributeValue; self.attributeType = attributeType; self.attributeStatusInfo = attributeStatusInfo
        }
    }

    public struct GetVariablesResponse: Codable, Sendable, Hashable {
        public var getVariableResult: [GetVariableResult]
        public init(getVariableResult: [GetVariableResult]) { self.getVariableResult = getVariableResult }
    }

    public struct SetVariableData: Codable, Sendable, Hashable {
        public var attributeType: AttributeType?
        public var attributeValue: String
        public var component: Component
        public var variable: Variable
        public init(component: Component, variable: Variable, attributeValue: String, attributeType: AttributeType? = nil) {
            self.component = component; self.variable = variable; self.attributeValue = attributeValue; self.attributeType = attributeType
        }
    }

    public struct SetVariablesRequest: OCPPRequest, Hashable {
        public typealias Response = SetVariablesResponse
        public static let action = "SetVariables"
        public static let version = OCPPVersion.v201
        public var setVariableData: [SetVariableData]
        public init(setVariableData: [SetVariableData]) { self.setVariableData = setVariableData }
    }

    public struct SetVariableResult: Codable, Sendable, Hashable {
        public var attributeType: AttributeType?
        public var attributeStatus: SetVariableStatus
        public var attributeStatusInfo: StatusInfo?
        public var component: Component
        public var variable: Variable
        public init(attributeStatus: SetVariableStatus, component: Component, variable: Variable,
                    attributeType: AttributeType? = nil, attributeStatusInfo: StatusInfo? = nil) {
            self.attributeStatus = attributeStatus; self.component = component; self.variable = variable
            self.attributeType = attributeType; self.attributeStatusInfo = attributeStatusInfo
        }
    }

    public struct SetVariablesResponse: Codable, Sendable, Hashable {
        public var setVariableResult: [SetVariableResult]
        public init(setVariableResult: [SetVariableResult]) { self.setVariableResult = setVariableResult }
    }

    public struct APN: Codable, Sendable, Hashable {
        public var apn: String
        public var apnUserName: String?
        public var apnPassword: String?
        public var simPin: Int?
        public var preferredNetwork: String?
        public var useOnlyPreferredNetwork: Bool?
        public var apnAuthentication: APNAuthentication
        public init(apn: String, apnAuthentication: APNAuthentication, apnUserName: String? = nil, apnPassword: String? = nil,
                    simPin: Int? = nil, preferredNetwork: String? = nil, useOnlyPreferredNetwork: Bool? = nil) {
            self.apn = apn; self.apnAuthentication = apnAuthentication; self.apnUserName = apnUserName
            self.apnPassword = apnPassword; self.simPin = simPin; self.preferredNetwork = preferredNetwork
            self.useOnlyPreferredNetwork = useOnlyPreferredNetwork
        }
    }

    public struct VPN: Codable, Sendable, Hashable {
        public var server: String
        public var user: String
        public var group: String?
        public var password: String
        public var key: String
        public var type: VPNType
        public init(server: String, user: String, password: String, key: String, type: VPNType, group: String? = nil) {
            self.server = server; self.user = user; self.password = password; self.key = key; self.type = type; self.group = group
        }
    }

    public struct NetworkConnectionProfile: Codable, Sendable, Hashable {
        public var apn: APN?
        public var ocppVersion: OCPPVersionName
        public var ocppTransport: OCPPTransport
        public var ocppCsmsUrl: String
        public var messageTimeout: Int
        public var securityProfile: Int
        public var ocppInterface: OCPPInterface
        public var vpn: VPN?
        public init(ocppVersion: OCPPVersionName = .ocpp20, ocppTransport: OCPPTransport = .json, ocppCsmsUrl: String,
                    messageTimeout: Int, securityProfile: Int, ocppInterface: OCPPInterface, apn: APN? = nil, vpn: VPN? = nil) {
            self.ocppVersion = ocppVersion; self.ocppTransport = ocppTransport; self.ocppCsmsUrl = ocppCsmsUrl
            self.messageTimeout = messageTimeout; self.securityProfile = securityProfile; self.ocppInterface = ocppInterface
            self.apn = apn; self.vpn = vpn
        }
    }

    public struct SetNetworkProfileRequest: OCPPRequest, Hashable {
        public typealias Response = SetNetworkProfileResponse
        public static let action = "SetNetworkProfile"
        public static let version = OCPPVersion.v201
        public var configurationSlot: Int
        public var connectionData: NetworkConnectionProfile
        public init(configurationSlot: Int, connectionData: NetworkConnectionProfile) {
            self.configurationSlot = configurationSlot; self.connectionData = connectionData
        }
    }

    public struct SetNetworkProfileResponse: Codable, Sendable, Hashable {
        public var status: SetNetworkProfileStatus
        public var statusInfo: StatusInfo?
        public init(status: SetNetworkProfileStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct ResetRequest: OCPPRequest, Hashable {
        public typealias Response = ResetResponse
        public static let action = "Reset"
        public static let version = OCPPVersion.v201
        public var type: ResetType
        public var evseId: Int?
        public init(type: ResetType, evseId: Int? = nil) { self.type = type; self.evseId = evseId }
    }

    public struct ResetResponse: Codable, Sendable, Hashable {
        public var status: ResetStatus
        public var statusInfo: StatusInfo?
        public init(status: ResetStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct RequestStartTransactionRequest: OCPPRequest, Hashable {
        public typealias Response = RequestStartTransactionResponse
        public static let action = "RequestStartTransaction"
        public static let version = OCPPVersion.v201
        public var evseId: Int?
        public var groupIdToken: IdToken?
        public var idToken: IdToken
        public var remoteStartId: Int
        /// Kept as raw JSON: the simulator does no smart charging.
        public var chargingProfile: JSONValue?
        public init(idToken: IdToken, remoteStartId: Int, evseId: Int? = nil, groupIdToken: IdToken? = nil, chargingProfile: JSONValue? = nil) {
            self.idToken = idToken; self.remoteStartId = remoteStartId; self.evseId = evseId
            self.groupIdToken = groupIdToken; self.chargingProfile = chargingProfile
        }
    }

    public struct RequestStartTransactionResponse: Codable, Sendable, Hashable {
        public var status: RequestStartStopStatus
        public var statusInfo: StatusInfo?
        public var transactionId: String?
        public init(status: RequestStartStopStatus, statusInfo: StatusInfo? = nil, transactionId: String? = nil) {
            self.status = status; self.statusInfo = statusInfo; self.transactionId = transactionId
        }
    }

    public struct RequestStopTransactionRequest: OCPPRequest, Hashable {
        public typealias Response = RequestStopTransactionResponse
        public static let action = "RequestStopTransaction"
        public static let version = OCPPVersion.v201
        public var transactionId: String
        public init(transactionId: String) { self.transactionId = transactionId }
    }

    public struct RequestStopTransactionResponse: Codable, Sendable, Hashable {
        public var status: RequestStartStopStatus
        public var statusInfo: StatusInfo?
        public init(status: RequestStartStopStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct TriggerMessageRequest: OCPPRequest, Hashable {
        public typealias Response = TriggerMessageResponse
        public static let action = "TriggerMessage"
        public static let version = OCPPVersion.v201
        public var evse: EVSE?
        public var requestedMessage: MessageTrigger
        public init(requestedMessage: MessageTrigger, evse: EVSE? = nil) { self.requestedMessage = requestedMessage; self.evse = evse }
    }

    public struct TriggerMessageResponse: Codable, Sendable, Hashable {
        public var status: TriggerMessageStatus
        public var statusInfo: StatusInfo?
        public init(status: TriggerMessageStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct ChangeAvailabilityRequest: OCPPRequest, Hashable {
        public typealias Response = ChangeAvailabilityResponse
        public static let action = "ChangeAvailability"
        public static let version = OCPPVersion.v201
        public var evse: EVSE?
        public var operationalStatus: OperationalStatus
        public init(operationalStatus: OperationalStatus, evse: EVSE? = nil) { self.operationalStatus = operationalStatus; self.evse = evse }
    }

    public struct ChangeAvailabilityResponse: Codable, Sendable, Hashable {
        public var status: ChangeAvailabilityStatus
        public var statusInfo: StatusInfo?
        public init(status: ChangeAvailabilityStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct UnlockConnectorRequest: OCPPRequest, Hashable {
        public typealias Response = UnlockConnectorResponse
        public static let action = "UnlockConnector"
        public static let version = OCPPVersion.v201
        public var evseId: Int
        public var connectorId: Int
        public init(evseId: Int, connectorId: Int) { self.evseId = evseId; self.connectorId = connectorId }
    }

    public struct UnlockConnectorResponse: Codable, Sendable, Hashable {
        public var status: UnlockStatus
        public var statusInfo: StatusInfo?
        public init(status: UnlockStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct Firmware: Codable, Sendable, Hashable {
        public var location: String
        public var retrieveDateTime: OCPPDateTime
        public var installDateTime: OCPPDateTime?
        public var signingCertificate: String?
        public var signature: String?
        public init(location: String, retrieveDateTime: OCPPDateTime, installDateTime: OCPPDateTime? = nil,
                    signingCertificate: String? = nil, signature: String? = nil) {
            self.location = location; self.retrieveDateTime = retrieveDateTime; self.installDateTime = installDateTime
            self.signingCertificate = signingCertificate; self.signature = signature
        }
    }

    public struct UpdateFirmwareRequest: OCPPRequest, Hashable {
        public typealias Response = UpdateFirmwareResponse
        public static let action = "UpdateFirmware"
        public static let version = OCPPVersion.v201
        public var retries: Int?
        public var retryInterval: Int?
        public var requestId: Int
        public var firmware: Firmware
        public init(requestId: Int, firmware: Firmware, retries: Int? = nil, retryInterval: Int? = nil) {
            self.requestId = requestId; self.firmware = firmware; self.retries = retries; self.retryInterval = retryInterval
        }
    }

    public struct UpdateFirmwareResponse: Codable, Sendable, Hashable {
        public var status: UpdateFirmwareStatus
        public var statusInfo: StatusInfo?
        public init(status: UpdateFirmwareStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }

    public struct ClearCacheRequest: OCPPRequest, Hashable {
        public typealias Response = ClearCacheResponse
        public static let action = "ClearCache"
        public static let version = OCPPVersion.v201
        public init() {}
    }

    public struct ClearCacheResponse: Codable, Sendable, Hashable {
        public var status: ClearCacheStatus
        public var statusInfo: StatusInfo?
        public init(status: ClearCacheStatus, statusInfo: StatusInfo? = nil) { self.status = status; self.statusInfo = statusInfo }
    }
}
