/// The value of a semantic setting, typed as the catalogue says.
public enum SettingValue: Sendable, Equatable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int)
    case text(String)
    case measurands([String])
    case secret(Secret)

    /// The value as OCPP carries it: `true`/`false`, decimal digits, a comma-separated list
    /// without spaces, the text, or the secret (revealed only by the change request).
    public var configurationValue: ConfigurationValue {
        switch self {
        case .boolean(let value): .text(value ? "true" : "false")
        case .integer(let value): .text(String(value))
        case .text(let value): .text(value)
        case .measurands(let items): .text(items.joined(separator: ","))
        case .secret(let secret): .secret(secret)
        }
    }

    /// The OCPP text, or `(secret)`.
    public var description: String { configurationValue.description }
}

/// A semantic setting as a profile file sets it. `value` nil is an explicit `null`: in a
/// variant it removes what the base set; in a model section it keeps the setting away from
/// those models.
public struct ProfileSetting: Sendable, Equatable {
    public var name: String
    public var value: SettingValue?
    public var origin: ProfileOrigin

    public init(name: String, value: SettingValue?, origin: ProfileOrigin) {
        self.name = name
        self.value = value
        self.origin = origin
    }
}

/// A raw per-version key and its value, sent as written. `value` nil removes it, as for
/// settings.
public struct RawOverride: Sendable, Equatable {
    /// A 1.6 key (`MaxEnergyOnInvalidId`) or a 2.0.1 key (`TxCtrlr.TxStartPoint`,
    /// `EVSE.AvailabilityState@1`).
    public var key: String
    public var value: ConfigurationValue?
    public var origin: ProfileOrigin

    public init(key: String, value: ConfigurationValue?, origin: ProfileOrigin) {
        self.key = key
        self.value = value
        self.origin = origin
    }
}

/// Settings and overrides that apply only to chargers whose vendor and model match.
public struct ModelSection: Sendable, Equatable {
    /// Glob patterns (`*`, `?`), compared without regard to case; nil matches anything.
    public var vendor: String?
    public var model: String?
    /// `1.6` or `2.0.1`; nil matches both.
    public var ocppVersion: String?
    public var description: String?
    public var settings: [ProfileSetting]
    public var ocpp16: [RawOverride]
    public var ocpp201: [RawOverride]
    public var origin: ProfileOrigin

    public init(vendor: String?, model: String?, ocppVersion: String? = nil, description: String? = nil,
                settings: [ProfileSetting] = [], ocpp16: [RawOverride] = [], ocpp201: [RawOverride] = [], origin: ProfileOrigin) {
        self.vendor = vendor
        self.model = model
        self.ocppVersion = ocppVersion
        self.description = description
        self.settings = settings
        self.ocpp16 = ocpp16
        self.ocpp201 = ocpp201
        self.origin = origin
    }

    /// Whether the section applies to a charger of this vendor, model and OCPP version
    /// (`1.6`, `2.0.1`). A pattern needs a value to match: a charger that never said its
    /// vendor matches no vendor pattern.
    public func matches(vendor: String?, model: String?, ocppVersion: String) -> Bool {
        func matches(_ pattern: String?, _ value: String?) -> Bool {
            guard let pattern else { return true }
            guard let value else { return false }
            return Glob.matches(pattern, value)
        }
        return matches(self.vendor, vendor) && matches(self.model, model) && (self.ocppVersion.map { $0 == ocppVersion } ?? true)
    }
}

/// Where a 2.0.1 charger connects after a security profile change: the connectionData of
/// SetNetworkProfile other than the security profile itself. `origin` is where
/// `ocppCsmsUrl` is written.
public struct NetworkProfileSettings: Sendable, Equatable, Encodable {
    /// `ws://` or `wss://` (security profiles 2 and 3 need `wss://`).
    public var ocppCsmsUrl: String
    /// Seconds (OCPP 2.0.1 NetworkConnectionProfileType.messageTimeout).
    public var messageTimeout: Int
    /// `Wired0` ... `Wireless3`.
    public var ocppInterface: String
    /// The slot to write; nil picks the lowest slot not in NetworkConfigurationPriority.
    public var configurationSlot: Int?
    public var origin: ProfileOrigin

    public init(ocppCsmsUrl: String, messageTimeout: Int = 30, ocppInterface: String = "Wired0",
                configurationSlot: Int? = nil, origin: ProfileOrigin) {
        self.ocppCsmsUrl = ocppCsmsUrl
        self.messageTimeout = messageTimeout
        self.ocppInterface = ocppInterface
        self.configurationSlot = configurationSlot
        self.origin = origin
    }
}

/// A loaded, validated profile: the `extends` chain merged, secrets read. Resolve it for a
/// charger with `resolve(for:)`.
public struct Profile: Sendable, Equatable {
    /// Name, version and description of the file loaded (not of its bases).
    public var name: String
    public var version: String?
    public var description: String?
    /// The files merged, base first; the last is the one loaded.
    public var files: [String]
    /// Top-level settings after the merge, in catalogue order; none has a nil value.
    public var settings: [ProfileSetting]
    public var ocpp16: [RawOverride]
    public var ocpp201: [RawOverride]
    /// Every file's sections, base first.
    public var models: [ModelSection]
    public var networkProfile: NetworkProfileSettings?
    /// Secrets of model sections and raw overrides that could not be read: reported when
    /// the profile is resolved for a charger that needs them.
    var deferredIssues: [DeferredIssue] = []

    public init(name: String, version: String? = nil, description: String? = nil, files: [String] = [],
                settings: [ProfileSetting] = [], ocpp16: [RawOverride] = [], ocpp201: [RawOverride] = [],
                models: [ModelSection] = [], networkProfile: NetworkProfileSettings? = nil) {
        self.name = name
        self.version = version
        self.description = description
        self.files = files
        self.settings = settings
        self.ocpp16 = ocpp16
        self.ocpp201 = ocpp201
        self.models = models
        self.networkProfile = networkProfile
    }

    /// The top-level setting called `name`.
    public func setting(_ name: String) -> ProfileSetting? {
        settings.first { $0.name == name }
    }
}

/// Shell-style patterns for vendor and model names: `*` any run of characters, `?` any one;
/// case does not count (chargers report `ALFEN` and `Alfen`).
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased())
        let t = Array(text.lowercased())
        var pi = 0, ti = 0
        var star: Int?
        var resume = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                resume = ti
                pi += 1
            } else if let s = star {
                pi = s + 1
                resume += 1
                ti = resume
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
