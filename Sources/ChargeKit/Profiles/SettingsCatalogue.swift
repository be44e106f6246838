import BackendAPI
import OCPP

/// The value type of a semantic setting, as a profile writes it.
public enum SettingType: Sendable, Hashable, CustomStringConvertible {
    /// JSON `true`/`false`; sent as `"true"`/`"false"`.
    case boolean
    /// A JSON integer within the range; sent as decimal digits.
    case integer(ClosedRange<Int>)
    /// A JSON string whose length (in characters) is within the range; sent as is.
    case text(length: ClosedRange<Int>)
    /// A JSON array of OCPP measurands; sent comma-separated without spaces.
    case measurands
    /// A reference to a secret (`{"secret": {"file": ...}}` or `{"secret": {"env": ...}}`)
    /// whose value's length is within the range.
    case secret(length: ClosedRange<Int>)

    /// `integer 10...86400`, for messages and docs.
    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .integer(let range): "integer \(range.lowerBound)...\(range.upperBound)"
        case .text(let length): "string of \(length.lowerBound)...\(length.upperBound) characters"
        case .measurands: "list of measurands"
        case .secret(let length): "secret of \(length.lowerBound)...\(length.upperBound) characters"
        }
    }
}

/// What a charger lets chargekit do with a key, as the standard defines it.
public enum KeyAccess: String, Sendable, Hashable, Encodable {
    case readWrite
    /// The standard lets the charger choose read-only or read-write (1.6
    /// AuthorizeRemoteTxRequests); the charger's `readonly` flag decides.
    case readWriteOrReadOnly
    /// Accepted but never read back; verified by the charger's Accepted status.
    case writeOnly
    /// Read-only as a variable, changed another way: 2.0.1 SecurityCtrlr.SecurityProfile
    /// goes through SetNetworkProfile, NetworkConfigurationPriority and a reset.
    case readOnlyViaNetworkProfile
}

/// A setting's key in one OCPP version.
public struct OCPPKey: Sendable, Hashable {
    /// `HeartbeatInterval` (1.6) or `OCPPCommCtrlr.HeartbeatInterval` (2.0.1, in the grammar of
    /// `V201.VariableKey`; the attribute is always `Actual`).
    public let key: String
    public let access: KeyAccess
    /// A narrower range than the setting's in this version (2.0.1 has no security profile 0).
    public let range: ClosedRange<Int>?
    /// What to expect when changing it (reboots, reconnects).
    public let note: String?

    init(_ key: String, _ access: KeyAccess = .readWrite, range: ClosedRange<Int>? = nil, note: String? = nil) {
        self.key = key
        self.access = access
        self.range = range
        self.note = note
    }
}

/// One semantic setting: a name a CPO writes once for the whole fleet, and the 1.6 key and
/// 2.0.1 variable it becomes.
public struct SettingDefinition: Sendable, Hashable {
    public let name: String
    public let type: SettingType
    /// One line for people.
    public let summary: String
    public let ocpp16: OCPPKey?
    public let ocpp201: OCPPKey?
    /// Where the range or length comes from: the standard, or chargekit's policy where the
    /// standard gives none.
    public let rangeSource: String

    /// The key in `version`, nil when the version has none.
    public func key(for version: BackendAPI.OCPPVersion) -> OCPPKey? {
        switch version {
        case .v16: ocpp16
        case .v201: ocpp201
        case .unknown: nil
        }
    }

    public var isSecret: Bool {
        if case .secret = type { return true }
        return false
    }
}

/// The semantic settings a profile may use, in the order plans send them.
///
/// Ranges: where the standard bounds a value the bound is the standard's; where it does not,
/// chargekit's policy keeps a CPO from commissioning a value no fleet wants (a heartbeat
/// every second, an interval of days). `rangeSource` says which, and docs/profiles.md lists
/// them. The security settings come last: the authorization key must be in place before the
/// security profile that uses it, and the security profile change makes the charger reconnect.
public enum SettingsCatalogue {
    /// The 2.0.1 attribute every mapping reads and writes.
    public static let ocpp201Attribute = "Actual"

    private static let policy = "chargekit policy (the standard sets no bound)"
    private static let zeroOff = "chargekit policy; 0 turns it off (OCPP 1.6 §9.1, 2.0.1 part 2 appendix)"
    private static let measurandSource = "OCPP 1.6 §7.31 / 2.0.1 MeasurandEnumType"

    public static let all: [SettingDefinition] = [
        SettingDefinition(
            name: "heartbeatInterval", type: .integer(10...86_400),
            summary: "Seconds between Heartbeat messages when the charger is otherwise idle.",
            ocpp16: OCPPKey("HeartbeatInterval"), ocpp201: OCPPKey("OCPPCommCtrlr.HeartbeatInterval"),
            rangeSource: policy),
        SettingDefinition(
            name: "meterValueSampleInterval", type: .integer(0...3600),
            summary: "Seconds between sampled meter values during a transaction; 0 sends none.",
            ocpp16: OCPPKey("MeterValueSampleInterval"), ocpp201: OCPPKey("SampledDataCtrlr.TxUpdatedInterval"),
            rangeSource: zeroOff),
        SettingDefinition(
            name: "meterValuesSampledData", type: .measurands,
            summary: "Measurands sampled during a transaction.",
            ocpp16: OCPPKey("MeterValuesSampledData",
                            note: "at most MeterValuesSampledDataMaxLength items (a read-only key of the charger)"),
            ocpp201: OCPPKey("SampledDataCtrlr.TxUpdatedMeasurands"),
            rangeSource: measurandSource),
        SettingDefinition(
            name: "stopTxnSampledData", type: .measurands,
            summary: "Measurands sampled for the end of a transaction (StopTransaction, TransactionEvent Ended).",
            ocpp16: OCPPKey("StopTxnSampledData"), ocpp201: OCPPKey("SampledDataCtrlr.TxEndedMeasurands"),
            rangeSource: measurandSource),
        SettingDefinition(
            name: "clockAlignedDataInterval", type: .integer(0...86_400),
            summary: "Seconds between clock-aligned meter values (900 = every quarter hour); 0 sends none.",
            ocpp16: OCPPKey("ClockAlignedDataInterval"), ocpp201: OCPPKey("AlignedDataCtrlr.Interval"),
            rangeSource: zeroOff),
        SettingDefinition(
            name: "meterValuesAlignedData", type: .measurands,
            summary: "Measurands sent at the clock-aligned interval.",
            ocpp16: OCPPKey("MeterValuesAlignedData",
                            note: "at most MeterValuesAlignedDataMaxLength items (a read-only key of the charger)"),
            ocpp201: OCPPKey("AlignedDataCtrlr.Measurands"),
            rangeSource: measurandSource),
        SettingDefinition(
            name: "connectionTimeout", type: .integer(10...600),
            summary: "Seconds after authorization for the driver to plug in before the session is cancelled.",
            ocpp16: OCPPKey("ConnectionTimeOut"), ocpp201: OCPPKey("TxCtrlr.EVConnectionTimeOut"),
            rangeSource: policy),
        SettingDefinition(
            name: "authorizeRemoteTxRequests", type: .boolean,
            summary: "Whether a remote start is authorized like a local one before it starts.",
            ocpp16: OCPPKey("AuthorizeRemoteTxRequests", .readWriteOrReadOnly,
                            note: "the standard lets the charger make it read-only"),
            ocpp201: OCPPKey("AuthCtrlr.AuthorizeRemoteStart"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "localAuthorizeOffline", type: .boolean,
            summary: "Whether identifiers in the cache or local list start a transaction while offline.",
            ocpp16: OCPPKey("LocalAuthorizeOffline"), ocpp201: OCPPKey("AuthCtrlr.LocalAuthorizeOffline"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "localPreAuthorize", type: .boolean,
            summary: "Whether identifiers in the cache or local list start at once while online, without Authorize.",
            ocpp16: OCPPKey("LocalPreAuthorize"), ocpp201: OCPPKey("AuthCtrlr.LocalPreAuthorize"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "allowOfflineTxForUnknownId", type: .boolean,
            summary: "Whether unknown identifiers may charge while offline.",
            ocpp16: OCPPKey("AllowOfflineTxForUnknownId"), ocpp201: OCPPKey("AuthCtrlr.OfflineTxForUnknownIdEnabled"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "authorizationCacheEnabled", type: .boolean,
            summary: "Whether the charger keeps an authorization cache.",
            ocpp16: OCPPKey("AuthorizationCacheEnabled"), ocpp201: OCPPKey("AuthCacheCtrlr.Enabled"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "localAuthListEnabled", type: .boolean,
            summary: "Whether the local authorization list is used.",
            ocpp16: OCPPKey("LocalAuthListEnabled"), ocpp201: OCPPKey("LocalAuthListCtrlr.Enabled"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "stopTransactionOnInvalidId", type: .boolean,
            summary: "Whether a transaction stops when the backend answers its identifier as invalid.",
            ocpp16: OCPPKey("StopTransactionOnInvalidId"), ocpp201: OCPPKey("TxCtrlr.StopTxOnInvalidId"),
            rangeSource: "boolean"),
        SettingDefinition(
            name: "webSocketPingInterval", type: .integer(0...3600),
            summary: "Seconds between WebSocket pings; 0 sends none.",
            ocpp16: OCPPKey("WebSocketPingInterval", note: "some chargers answer RebootRequired"),
            ocpp201: OCPPKey("OCPPCommCtrlr.WebSocketPingInterval", note: "some chargers answer RebootRequired"),
            rangeSource: zeroOff),
        SettingDefinition(
            name: "transactionMessageAttempts", type: .integer(0...10),
            summary: "How often a transaction message the backend failed to process is sent again.",
            ocpp16: OCPPKey("TransactionMessageAttempts"),
            ocpp201: OCPPKey("OCPPCommCtrlr.MessageAttempts[TransactionEvent]"),
            rangeSource: policy),
        SettingDefinition(
            name: "transactionMessageRetryInterval", type: .integer(0...3600),
            summary: "Seconds before the first retry of a transaction message (doubling after each attempt).",
            ocpp16: OCPPKey("TransactionMessageRetryInterval"),
            ocpp201: OCPPKey("OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]"),
            rangeSource: policy),
        SettingDefinition(
            name: "cpoName", type: .text(length: 1...50),
            summary: "The CPO's name, used as the organization in the charger's certificate signing request.",
            ocpp16: OCPPKey("CpoName"), ocpp201: OCPPKey("SecurityCtrlr.OrganizationName"),
            rangeSource: policy),
        SettingDefinition(
            name: "authorizationKey", type: .secret(length: 16...40),
            summary: "The HTTP Basic authentication password of security profiles 1 and 2.",
            ocpp16: OCPPKey("AuthorizationKey", .writeOnly), ocpp201: OCPPKey("SecurityCtrlr.BasicAuthPassword", .writeOnly),
            rangeSource: "OCPP 1.6 security whitepaper ed. 2 (AuthorizationKey: at least 16, at most 40 hex digits); "
                + "2.0.1 part 2 SecurityCtrlr.BasicAuthPassword (16 to 40 characters)"),
        SettingDefinition(
            name: "securityProfile", type: .integer(0...3),
            summary: "The security profile: 0 none (1.6 only), 1 Basic auth, 2 TLS + Basic auth, 3 TLS client certificates.",
            ocpp16: OCPPKey("SecurityProfile",
                            note: "the charger reconnects with the new profile; it may refuse a lower one"),
            ocpp201: OCPPKey("SecurityCtrlr.SecurityProfile", .readOnlyViaNetworkProfile, range: 1...3,
                             note: "changed through SetNetworkProfile, NetworkConfigurationPriority and a reset"),
            rangeSource: "OCPP 1.6 security whitepaper ed. 2 (0...3); 2.0.1 part 2 A00 (1...3)"),
    ]

    private static let byName: [String: SettingDefinition] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    /// The setting called exactly `name`.
    public static func setting(named name: String) -> SettingDefinition? { byName[name] }

    public static var names: [String] { all.map(\.name) }

    /// The closest setting name to an unknown `name`. Writing a 1.6 key or 2.0.1 variable
    /// (`ConnectionTimeOut`, `OCPPCommCtrlr.HeartbeatInterval`) suggests its setting.
    public static func suggestion(for name: String) -> String? {
        let lowered = name.lowercased()
        if let byKey = all.first(where: { definition in
            [definition.ocpp16?.key, definition.ocpp201?.key].contains { $0?.lowercased() == lowered }
        }) {
            return byKey.name
        }
        return Suggestion.closest(to: name, in: names, preferring: .prefixed)
    }

    /// The setting whose key in `version` is `key` (compared as the charger compares keys).
    public static func setting(forKey key: String, version: BackendAPI.OCPPVersion) -> SettingDefinition? {
        let normalized = ConfigurationKey.normalized(key, version: version)
        return all.first { definition in
            definition.key(for: version).map { ConfigurationKey.normalized($0.key, version: version) == normalized } ?? false
        }
    }

    // MARK: Measurands

    /// OCPP 1.6 Measurand values (§7.31).
    public static let measurands16: [String] = V16.Measurand.allCases.map(\.rawValue)
    /// OCPP 2.0.1 MeasurandEnumType values (no Temperature and RPM; Energy.*.Net and
    /// Energy.Apparent.* are new).
    public static let measurands201: [String] = V201.Measurand.allCases.map(\.rawValue)
    /// Every measurand of either version: what a version-independent profile may list.
    public static let allMeasurands: [String] = measurands16 + measurands201.filter { !measurands16.contains($0) }

    /// The measurands of `version`.
    public static func measurands(for version: BackendAPI.OCPPVersion) -> [String] {
        switch version {
        case .v16: measurands16
        case .v201: measurands201
        case .unknown: allMeasurands
        }
    }

    // MARK: Secrets

    /// Whether a raw override key must be given as a secret reference: the keys of secret
    /// settings, and any key whose name says password.
    public static func isSecretKey(_ key: String, version: BackendAPI.OCPPVersion) -> Bool {
        if setting(forKey: key, version: version)?.isSecret == true { return true }
        let lowered = key.lowercased()
        return lowered.contains("password") || lowered.contains("passwd")
    }
}
