import BackendAPI

/// Who a charger is, as far as a profile cares: what its BootNotification said.
public struct ChargerIdentity: Sendable, Hashable, Encodable {
    public var vendor: String?
    public var model: String?
    public var ocppVersion: OCPPVersion

    public init(vendor: String?, model: String?, ocppVersion: OCPPVersion) {
        self.vendor = vendor
        self.model = model
        self.ocppVersion = ocppVersion
    }

    /// The identity the backend reports; nil for a charger that never booted (no version).
    public init?(_ charger: Charger) {
        guard let version = charger.ocppVersion else { return nil }
        self.init(vendor: charger.vendor, model: charger.model, ocppVersion: version)
    }
}

/// One key a resolved profile wants, with its value and where it came from.
public struct DesiredValue: Sendable, Equatable, Encodable {
    /// The semantic setting; nil for a raw `ocpp16`/`ocpp201` override.
    public var setting: String?
    /// The OCPP key: `HeartbeatInterval` or `OCPPCommCtrlr.HeartbeatInterval`.
    public var key: String
    /// Encoded as the text, or `(secret)`.
    public var value: ConfigurationValue
    public var comparison: ValueComparison
    public var access: KeyAccess
    /// What to expect when changing it, from the catalogue.
    public var note: String?
    /// The file, line and field that set it (a model section's when one did).
    public var origin: ProfileOrigin

    public init(setting: String?, key: String, value: ConfigurationValue, comparison: ValueComparison,
                access: KeyAccess, note: String? = nil, origin: ProfileOrigin) {
        self.setting = setting
        self.key = key
        self.value = value
        self.comparison = comparison
        self.access = access
        self.note = note
        self.origin = origin
    }
}

/// A profile resolved for one charger: the keys of its OCPP version and their values, in
/// the order they are to be sent.
public struct ResolvedProfile: Sendable, Equatable {
    public var name: String
    public var version: String?
    public var files: [String]
    public var charger: ChargerIdentity
    /// Semantic settings in catalogue order, then raw overrides, then the security profile.
    public var values: [DesiredValue]
    /// The model sections that matched the charger, in the order applied.
    public var modelSections: [ProfileOrigin]
    /// For a 2.0.1 charger whose profile sets `securityProfile`: where to connect after the change.
    public var networkProfile: NetworkProfileSettings?

    public init(name: String, version: String?, files: [String], charger: ChargerIdentity, values: [DesiredValue],
                modelSections: [ProfileOrigin] = [], networkProfile: NetworkProfileSettings? = nil) {
        self.name = name
        self.version = version
        self.files = files
        self.charger = charger
        self.values = values
        self.modelSections = modelSections
        self.networkProfile = networkProfile
    }

    /// The 2.0.1 variable holding the slot order of network profiles.
    public static let networkConfigurationPriorityKey = "OCPPCommCtrlr.NetworkConfigurationPriority"

    /// Every key to read from the charger to compare and to verify: the desired keys, and
    /// for a 2.0.1 security profile change the network configuration priority.
    public var keysToRead: [String] {
        var keys = values.map(\.key)
        if charger.ocppVersion == .v201, values.contains(where: { $0.access == .readOnlyViaNetworkProfile }) {
            keys.append(Self.networkConfigurationPriorityKey)
        }
        return keys
    }

    /// The value wanted for `key` (compared as the charger compares keys).
    public func value(forKey key: String) -> DesiredValue? {
        let normalized = ConfigurationKey.normalized(key, version: charger.ocppVersion)
        return values.first { ConfigurationKey.normalized($0.key, version: charger.ocppVersion) == normalized }
    }
}

extension Profile {
    /// The keys and values for one charger: top-level settings, then the settings of every
    /// model section that matches it (in file order, later wins; `null` removes), mapped to
    /// the keys of its OCPP version, then the raw overrides of that version (top level, then
    /// matching sections). Checks what only the version can tell: measurands the version
    /// lacks, ranges it narrows, the network profile a 2.0.1 security profile change needs,
    /// and the secrets of matching sections and of the version's raw overrides.
    public func resolve(for charger: ChargerIdentity) throws(ProfileError) -> ResolvedProfile {
        let version = charger.ocppVersion
        let file = files.last ?? ""
        guard version.isKnown else {
            throw ProfileError([ProfileIssue(.notForCharger, at: ProfileOrigin(file: file, location: nil, field: ""),
                                             "OCPP version \(version.rawValue) is not supported; profiles map to 1.6 and 2.0.1")])
        }
        let matching = models.indices.filter { models[$0].matches(vendor: charger.vendor, model: charger.model, ocppVersion: version.rawValue) }
        let sections = matching.map { models[$0] }
        var effective: [String: ProfileSetting] = Dictionary(settings.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
        var raw: [RawOverride] = version == .v16 ? ocpp16 : ocpp201
        for section in sections {
            for setting in section.settings { effective[setting.name] = setting }
            ProfileMerger.mergeResolved(version == .v16 ? section.ocpp16 : section.ocpp201, into: &raw, version: version)
        }
        var issues = deferredIssues.filter { deferred in
            (deferred.scope.version.map { $0 == version } ?? true) && (deferred.scope.section.map(matching.contains) ?? true)
        }.map(\.issue)
        var values: [DesiredValue] = []
        var last: [DesiredValue] = []
        var network: NetworkProfileSettings?
        for definition in SettingsCatalogue.all {
            guard let setting = effective[definition.name], let value = setting.value,
                  let key = definition.key(for: version) else { continue }
            issues += Self.versionIssues(definition, value, key, setting.origin, version)
            let desired = DesiredValue(setting: definition.name, key: key.key, value: value.configurationValue,
                                       comparison: Self.comparison(for: definition.type), access: key.access,
                                       note: key.note, origin: setting.origin)
            if key.access == .readOnlyViaNetworkProfile {
                network = networkProfile
                issues += networkIssues(value, setting.origin)
            }
            if definition.name == "securityProfile" { last.append(desired) } else { values.append(desired) }
        }
        let settingKeys = values + last
        for entry in raw {
            guard let value = entry.value else { continue }
            // Two model sections that both match may still set one key twice (the loader
            // only compares each section with the top level).
            let key = ConfigurationKey.normalized(entry.key, version: version)
            if let setting = settingKeys.first(where: { ConfigurationKey.normalized($0.key, version: version) == key }) {
                issues.append(ProfileIssue(.conflict, at: entry.origin, "sets the same key as \(setting.origin.field) "
                                               + "(\(setting.origin)) for this charger; use one of them"))
                continue
            }
            values.append(DesiredValue(setting: nil, key: entry.key, value: value, comparison: .text,
                                       access: value.isSecret ? .writeOnly : .readWrite, origin: entry.origin))
        }
        guard issues.isEmpty else { throw ProfileError(ProfileLoader.ordered(issues, files: files.reversed())) }
        return ResolvedProfile(name: name, version: self.version, files: files, charger: charger, values: values + last,
                               modelSections: sections.map(\.origin), networkProfile: network)
    }

    static func comparison(for type: SettingType) -> ValueComparison {
        switch type {
        case .boolean: .boolean
        case .integer: .integer
        case .measurands: .unorderedList
        case .text, .secret: .text
        }
    }

    /// A range the version narrows, measurands the version does not have.
    static func versionIssues(_ definition: SettingDefinition, _ value: SettingValue, _ key: OCPPKey,
                              _ origin: ProfileOrigin, _ version: OCPPVersion) -> [ProfileIssue] {
        switch value {
        case .integer(let number):
            guard let range = key.range, !range.contains(number) else { return [] }
            let bound = number < range.lowerBound ? "below the minimum \(range.lowerBound)" : "above the maximum \(range.upperBound)"
            return [ProfileIssue(.notForCharger, at: origin, "\(number) is \(bound) in OCPP \(version.rawValue); "
                                     + "set another value for these chargers in a model section (\"ocppVersion\": \"\(version.rawValue)\")")]
        case .measurands(let items):
            let known = SettingsCatalogue.measurands(for: version)
            return items.filter { !known.contains($0) }.map { item in
                ProfileIssue(.notForCharger, at: origin, "\"\(item)\" is not a measurand in OCPP \(version.rawValue); "
                                 + "leave it out for these chargers in a model section (\"ocppVersion\": \"\(version.rawValue)\")")
            }
        default:
            return []
        }
    }

    /// A 2.0.1 security profile change needs somewhere to connect, and TLS from profile 2 up.
    func networkIssues(_ value: SettingValue, _ origin: ProfileOrigin) -> [ProfileIssue] {
        guard let network = networkProfile else {
            return [ProfileIssue(.missingField, at: origin, "OCPP 2.0.1 changes the security profile with SetNetworkProfile; "
                                     + "add \"networkProfile\" with the \"ocppCsmsUrl\" to connect to")]
        }
        if case .integer(let profile) = value, profile >= 2, !network.ocppCsmsUrl.lowercased().hasPrefix("wss://") {
            return [ProfileIssue(.invalidValue, at: network.origin, "security profile \(profile) needs TLS: the URL must start with wss://")]
        }
        return []
    }
}

extension ProfileMerger {
    /// Like `merge(_:into:version:)` for resolved overrides: a nil value removes the key.
    static func mergeResolved(_ later: [RawOverride], into merged: inout [RawOverride], version: OCPPVersion) {
        for entry in later {
            let key = ConfigurationKey.normalized(entry.key, version: version)
            merged.removeAll { ConfigurationKey.normalized($0.key, version: version) == key && entry.value == nil }
            if entry.value == nil { continue }
            if let index = merged.firstIndex(where: { ConfigurationKey.normalized($0.key, version: version) == key }) {
                merged[index] = entry
            } else {
                merged.append(entry)
            }
        }
    }
}
