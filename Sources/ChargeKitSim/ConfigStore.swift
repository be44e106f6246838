import Foundation
import OCPP

/// The value type of a configuration key, with the check a charger applies before accepting.
enum ConfigValueKind: Sendable, Hashable {
    case integer(ClosedRange<Int>)
    case boolean
    case string(ClosedRange<Int>)
    /// Comma-separated measurands, each one this charger can sample; at most `maxItems`.
    case measurands(maxItems: Int)
    /// Comma-separated tokens from a fixed set.
    case tokenList(Set<String>)
    /// 1.6 ConnectorPhaseRotation: `0.RST,1.RST,...`.
    case phaseRotation
    /// Comma-separated non-negative integers (2.0.1 NetworkConfigurationPriority).
    case integerList
}

enum ConfigAccess: Sendable, Hashable {
    case readOnly, readWrite, writeOnly
}

struct ConfigVariable: Sendable {
    /// 1.6: the key. 2.0.1: `Component.Variable[instance]@evse`, as `V201.VariableKey` prints it.
    var key: String
    var kind: ConfigValueKind
    var access: ConfigAccess
    var rebootRequired: Bool
    /// The value in effect.
    var value: String
    /// Computed when read (clock, EVSE state): the store asks the charger.
    var dynamic: Bool = false
}

/// Outcome of a write, in version-neutral terms.
enum ConfigWriteOutcome: Sendable, Hashable {
    case accepted, rebootRequired, rejected, unknown
}

/// Measurands a virtual charger can sample. Anything else in a measurand list is Rejected,
/// as a real charger rejects measurands it does not support.
let supportedMeasurands16: Set<String> = [
    "Energy.Active.Import.Register", "Power.Active.Import", "Power.Offered", "Current.Import", "Current.Offered",
    "Voltage", "Frequency", "Temperature", "SoC",
]
let supportedMeasurands201: Set<String> = [
    "Energy.Active.Import.Register", "Power.Active.Import", "Power.Offered", "Current.Import", "Current.Offered",
    "Voltage", "Frequency", "SoC",
]

/// A charger's configuration: OCPP 1.6 keys or 2.0.1 device-model variables.
///
/// Writes that answer RebootRequired are parked in `pending` and only take effect at the next
/// boot (`applyPendingAfterReboot`), so until then the old value is both read back and used.
struct ConfigStore: Sendable {
    let version: OCPPVersion
    private(set) var variables: [String: ConfigVariable] = [:]
    /// Keys in the order GetConfiguration lists them.
    private(set) var order: [String] = []
    private(set) var pending: [String: String] = [:]
    /// 2.0.1 component names (with their evse) that exist, for UnknownComponent vs UnknownVariable.
    private(set) var components: Set<String> = []

    init(version: OCPPVersion) { self.version = version }

    mutating func add(_ key: String, _ kind: ConfigValueKind, _ access: ConfigAccess, _ value: String,
                      rebootRequired: Bool = false, dynamic: Bool = false) {
        if variables[key] == nil { order.append(key) }
        variables[key] = ConfigVariable(key: key, kind: kind, access: access, rebootRequired: rebootRequired, value: value, dynamic: dynamic)
        if version == .v201, let parsed = V201.VariableKey(parsing: key) {
            components.insert(Self.componentKey(parsed))
        }
    }

    static func componentKey(_ key: V201.VariableKey) -> String {
        var s = key.component
        if let i = key.componentInstance { s += "[\(i)]" }
        if let e = key.evseId { s += "@\(e)" }
        return s
    }

    func variable(_ key: String) -> ConfigVariable? { variables[key] }

    func value(_ key: String) -> String? { variables[key]?.value }

    func int(_ key: String, default fallback: Int = 0) -> Int { variables[key].flatMap { Int($0.value) } ?? fallback }

    func bool(_ key: String) -> Bool { variables[key]?.value.lowercased() == "true" }

    func list(_ key: String) -> [String] {
        (variables[key]?.value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Sets a value from inside the charger (boot interval, network profile), bypassing access rules.
    mutating func setInternal(_ key: String, _ value: String) {
        variables[key]?.value = value
    }

    /// A write from the CSMS. `rejectWritable` is the `config-rejected` fault.
    mutating func write(_ key: String, _ raw: String, rejectWritable: Bool) -> ConfigWriteOutcome {
        guard let v = variables[key] else { return .unknown }
        guard v.access != .readOnly, !v.dynamic else { return .rejected }
        if rejectWritable { return .rejected }
        guard let value = validate(raw, v.kind) else { return .rejected }
        if v.rebootRequired {
            pending[key] = value
            return .rebootRequired
        }
        variables[key]?.value = value
        pending[key] = nil
        return .accepted
    }

    /// Applies the writes that answered RebootRequired. Returns the keys that changed.
    mutating func applyPendingAfterReboot() -> [String] {
        let keys = pending.keys.sorted()
        for k in keys {
            if let value = pending[k] { variables[k]?.value = value }
        }
        pending = [:]
        return keys
    }

    func validate(_ raw: String, _ kind: ConfigValueKind) -> String? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .integer(let range):
            guard let i = Int(s), range.contains(i) else { return nil }
            return String(i)
        case .boolean:
            switch s.lowercased() {
            case "true": return "true"
            case "false": return "false"
            default: return nil
            }
        case .string(let lengths):
            return lengths.contains(raw.count) ? raw : nil
        case .measurands(let maxItems):
            let items = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if s.isEmpty { return "" }
            let supported = version == .v16 ? supportedMeasurands16 : supportedMeasurands201
            guard items.count <= maxItems, items.allSatisfy({ supported.contains($0) }) else { return nil }
            return items.joined(separator: ",")
        case .tokenList(let allowed):
            let items = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if s.isEmpty { return "" }
            guard items.allSatisfy({ allowed.contains($0) }) else { return nil }
            return items.joined(separator: ",")
        case .phaseRotation:
            let allowed: Set<String> = ["NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR"]
            let items = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for item in items {
                let parts = item.split(separator: ".", maxSplits: 1)
                guard parts.count == 2, Int(parts[0]) != nil, allowed.contains(String(parts[1])) else { return nil }
            }
            return items.joined(separator: ",")
        case .integerList:
            let items = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !items.isEmpty, items.allSatisfy({ Int($0).map { $0 >= 0 } ?? false }) else { return nil }
            return items.joined(separator: ",")
        }
    }
}

/// What a charger's behaviour reads from its configuration, named once for both versions.
enum Setting {
    case heartbeatInterval, sampleInterval, sampledMeasurands, alignedInterval, alignedMeasurands
    case stopMeasurands, authorizeRemote, securityProfile

    func key(_ version: OCPPVersion) -> String {
        switch (self, version) {
        case (.heartbeatInterval, .v16): return "HeartbeatInterval"
        case (.heartbeatInterval, .v201): return "OCPPCommCtrlr.HeartbeatInterval"
        case (.sampleInterval, .v16): return "MeterValueSampleInterval"
        case (.sampleInterval, .v201): return "SampledDataCtrlr.TxUpdatedInterval"
        case (.sampledMeasurands, .v16): return "MeterValuesSampledData"
        case (.sampledMeasurands, .v201): return "SampledDataCtrlr.TxUpdatedMeasurands"
        case (.alignedInterval, .v16): return "ClockAlignedDataInterval"
        case (.alignedInterval, .v201): return "AlignedDataCtrlr.Interval"
        case (.alignedMeasurands, .v16): return "MeterValuesAlignedData"
        case (.alignedMeasurands, .v201): return "AlignedDataCtrlr.Measurands"
        case (.stopMeasurands, .v16): return "StopTxnSampledData"
        case (.stopMeasurands, .v201): return "SampledDataCtrlr.TxEndedMeasurands"
        case (.authorizeRemote, .v16): return "AuthorizeRemoteTxRequests"
        case (.authorizeRemote, .v201): return "AuthCtrlr.AuthorizeRemoteStart"
        case (.securityProfile, .v16): return "SecurityProfile"
        case (.securityProfile, .v201): return "SecurityCtrlr.SecurityProfile"
        }
    }
}

extension ConfigStore {
    /// The configuration a charger of `spec` starts with: the DOMAIN.md commissioning keys
    /// (1.6) or their 2.0.1 device-model equivalents, with the model's quirks.
    static func initial(for spec: ChargerSpec) -> ConfigStore {
        let model = spec.model
        var store = ConfigStore(version: model.version)
        func access(_ key: String, _ base: ConfigAccess) -> ConfigAccess {
            model.readOnlyKeys.contains(key) ? .readOnly : base
        }
        func add(_ key: String, _ kind: ConfigValueKind, _ base: ConfigAccess, _ value: String, dynamic: Bool = false) {
            store.add(key, kind, access(key, base), model.defaults[key] ?? value,
                      rebootRequired: model.rebootRequiredKeys.contains(key), dynamic: dynamic)
        }
        let measurandDefaults = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage"
        let secs = ConfigValueKind.integer(0...86_400)
        switch model.version {
        case .v16:
            add("HeartbeatInterval", secs, .readWrite, "300")
            add("MeterValueSampleInterval", .integer(0...3600), .readWrite, "60")
            add("MeterValuesSampledData", .measurands(maxItems: 8), .readWrite, measurandDefaults)
            add("MeterValuesSampledDataMaxLength", .integer(0...100), .readOnly, "8")
            add("ClockAlignedDataInterval", secs, .readWrite, "900")
            add("MeterValuesAlignedData", .measurands(maxItems: 8), .readWrite, "Energy.Active.Import.Register,Voltage")
            add("MeterValuesAlignedDataMaxLength", .integer(0...100), .readOnly, "8")
            add("StopTxnSampledData", .measurands(maxItems: 8), .readWrite, "Energy.Active.Import.Register")
            add("StopTxnAlignedData", .measurands(maxItems: 8), .readWrite, "")
            add("ConnectionTimeOut", .integer(0...600), .readWrite, "120")
            add("AuthorizeRemoteTxRequests", .boolean, .readWrite, "false")
            add("LocalAuthorizeOffline", .boolean, .readWrite, "true")
            add("LocalPreAuthorize", .boolean, .readWrite, "false")
            add("AllowOfflineTxForUnknownId", .boolean, .readWrite, "false")
            add("AuthorizationCacheEnabled", .boolean, .readWrite, "true")
            add("LocalAuthListEnabled", .boolean, .readWrite, "true")
            add("LocalAuthListMaxLength", .integer(0...100_000), .readOnly, "1000")
            add("StopTransactionOnInvalidId", .boolean, .readWrite, "true")
            add("UnlockConnectorOnEVSideDisconnect", .boolean, .readWrite, "true")
            let rotation = (0...spec.connectorCount).map { "\($0).RST" }.joined(separator: ",")
            add("ConnectorPhaseRotation", .phaseRotation, .readWrite, rotation)
            add("ConnectorPhaseRotationMaxLength", .integer(0...100), .readOnly, String(spec.connectorCount + 1))
            add("WebSocketPingInterval", .integer(0...3600), .readWrite, "60")
            add("TransactionMessageAttempts", .integer(0...10), .readWrite, "3")
            add("TransactionMessageRetryInterval", .integer(0...3600), .readWrite, "60")
            add("ResetRetries", .integer(0...10), .readWrite, "3")
            add("NumberOfConnectors", .integer(0...100), .readOnly, String(spec.connectorCount))
            add("SupportedFeatureProfiles", .string(0...500), .readOnly,
                "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger")
            add("GetConfigurationMaxKeys", .integer(1...1000), .readOnly, String(model.getConfigurationMaxKeys))
            add("SupportedFileTransferProtocols", .string(0...500), .readOnly, "HTTP,HTTPS,FTP")
            add("SecurityProfile", .integer(0...3), .readWrite, "0")
            add("AuthorizationKey", .string(16...40), .writeOnly, "")
            add("CpoName", .string(0...50), .readWrite, "")
        case .v201:
            add("OCPPCommCtrlr.HeartbeatInterval", secs, .readWrite, "300")
            add("OCPPCommCtrlr.WebSocketPingInterval", .integer(0...3600), .readWrite, "60")
            add("OCPPCommCtrlr.NetworkConfigurationPriority", .integerList, .readWrite, "0")
            store.variables["OCPPCommCtrlr.NetworkConfigurationPriority"]?.rebootRequired = true
            add("OCPPCommCtrlr.NetworkProfileConnectionAttempts", .integer(1...10), .readWrite, "3")
            add("OCPPCommCtrlr.OfflineThreshold", secs, .readWrite, "300")
            add("OCPPCommCtrlr.MessageAttempts[TransactionEvent]", .integer(0...10), .readWrite, "3")
            add("OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]", .integer(0...3600), .readWrite, "60")
            add("SampledDataCtrlr.TxUpdatedInterval", .integer(0...3600), .readWrite, "60")
            add("SampledDataCtrlr.TxUpdatedMeasurands", .measurands(maxItems: 8), .readWrite, measurandDefaults)
            add("SampledDataCtrlr.TxStartedMeasurands", .measurands(maxItems: 8), .readWrite, "Energy.Active.Import.Register")
            add("SampledDataCtrlr.TxEndedMeasurands", .measurands(maxItems: 8), .readWrite, "Energy.Active.Import.Register")
            add("SampledDataCtrlr.TxEndedInterval", secs, .readWrite, "0")
            add("AlignedDataCtrlr.Interval", secs, .readWrite, "900")
            add("AlignedDataCtrlr.Measurands", .measurands(maxItems: 8), .readWrite, "Energy.Active.Import.Register,Voltage")
            add("AlignedDataCtrlr.TxEndedInterval", secs, .readWrite, "0")
            add("AlignedDataCtrlr.TxEndedMeasurands", .measurands(maxItems: 8), .readWrite, "")
            add("TxCtrlr.EVConnectionTimeOut", .integer(0...600), .readWrite, "120")
            add("TxCtrlr.StopTxOnInvalidId", .boolean, .readWrite, "true")
            let txPoints: Set<String> = ["ParkingBayOccupancy", "EVConnected", "Authorized", "DataSigned", "PowerPathClosed", "EnergyTransfer"]
            add("TxCtrlr.TxStartPoint", .tokenList(txPoints), .readWrite, "PowerPathClosed")
            add("TxCtrlr.TxStopPoint", .tokenList(txPoints), .readWrite, "EVConnected,Authorized")
            add("AuthCtrlr.AuthorizeRemoteStart", .boolean, .readWrite, "false")
            add("AuthCtrlr.LocalAuthorizeOffline", .boolean, .readWrite, "true")
            add("AuthCtrlr.LocalPreAuthorize", .boolean, .readWrite, "false")
            add("AuthCtrlr.OfflineTxForUnknownIdEnabled", .boolean, .readWrite, "false")
            add("AuthCacheCtrlr.Enabled", .boolean, .readWrite, "true")
            add("LocalAuthListCtrlr.Enabled", .boolean, .readWrite, "true")
            add("SecurityCtrlr.SecurityProfile", .integer(0...3), .readOnly, "1")
            add("SecurityCtrlr.BasicAuthPassword", .string(16...40), .writeOnly, "")
            add("SecurityCtrlr.OrganizationName", .string(0...50), .readWrite, "")
            add("SecurityCtrlr.Identity", .string(0...48), .readOnly, spec.id)
            add("DeviceDataCtrlr.ItemsPerMessage[GetVariables]", .integer(1...1000), .readOnly, String(model.itemsPerMessageGet))
            add("DeviceDataCtrlr.ItemsPerMessage[SetVariables]", .integer(1...1000), .readOnly, String(model.itemsPerMessageSet))
            add("DeviceDataCtrlr.BytesPerMessage[GetVariables]", .integer(1...65_536), .readOnly, "8192")
            add("DeviceDataCtrlr.BytesPerMessage[SetVariables]", .integer(1...65_536), .readOnly, "8192")
            add("ClockCtrlr.DateTime", .string(0...50), .readOnly, "", dynamic: true)
            for evse in 1...spec.connectorCount {
                add("EVSE.AvailabilityState@\(evse)", .string(0...20), .readOnly, "", dynamic: true)
                add("EVSE.Power@\(evse)", .string(0...20), .readOnly, "", dynamic: true)
                add("EVSE.SupplyPhases@\(evse)", .integer(0...3), .readOnly, String(model.phases))
            }
        }
        return store
    }
}
