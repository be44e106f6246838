import BackendAPI

/// Which chargers need a secret: a model section's secret only those the section matches,
/// a raw override's only those of its OCPP version, a top-level setting's all.
struct SecretScope: Sendable, Equatable {
    var version: OCPPVersion?
    /// The index in `Profile.models`.
    var section: Int?

    static let always = SecretScope(version: nil, section: nil)
}

/// A secret that cannot be read, reported only when the profile is resolved for a charger
/// that needs it: an installer commissioning a Zaptec does not need the Alfen modem password.
struct DeferredIssue: Sendable, Equatable {
    var issue: ProfileIssue
    var scope: SecretScope
}

/// Merges the layers of an `extends` chain (base first, later wins per setting and per
/// raw key, model sections accumulate), checks that no raw override sets a key a setting
/// already sets, and reads the secrets the merged profile still uses.
struct ProfileMerger {
    let reader: ProfileLoader.FileReader
    let environment: [String: String]
    var issues: [ProfileIssue] = []
    /// Secret issues of a narrower scope than every charger.
    var deferred: [DeferredIssue] = []
    /// The scope of the secrets being read.
    private var scope = SecretScope.always

    init(reader: @escaping ProfileLoader.FileReader, environment: [String: String]) {
        self.reader = reader
        self.environment = environment
    }

    /// The merged profile; nil when the chain is empty or the file loaded has no name (both
    /// already reported).
    mutating func merge(_ layers: [ProfileLayer]) -> Profile? {
        guard let top = layers.last, let name = top.name else { return nil }
        var settings: [String: LayerSetting] = [:]
        var ocpp16: [LayerOverride] = []
        var ocpp201: [LayerOverride] = []
        var models: [LayerModelSection] = []
        var networkProfile: NetworkProfileSettings?
        for layer in layers {
            for setting in layer.settings { settings[setting.name] = setting }
            Self.merge(layer.ocpp16, into: &ocpp16, version: .v16)
            Self.merge(layer.ocpp201, into: &ocpp201, version: .v201)
            models += layer.models
            if let network = layer.networkProfile { networkProfile = network }
        }
        let topSettings = SettingsCatalogue.all.compactMap { settings[$0.name] }.filter { $0.value != .unset }
        ocpp16.removeAll { $0.value == .unset }
        ocpp201.removeAll { $0.value == .unset }
        checkConflicts(settings: topSettings, ocpp16: ocpp16, ocpp201: ocpp201, models: models)
        scope = .always
        let resolvedSettings = topSettings.compactMap { resolve($0) }
        scope = SecretScope(version: .v16, section: nil)
        let resolved16 = ocpp16.compactMap { resolve($0) }
        scope = SecretScope(version: .v201, section: nil)
        let resolved201 = ocpp201.compactMap { resolve($0) }
        var sections: [ModelSection] = []
        for (index, section) in models.enumerated() {
            scope = SecretScope(version: nil, section: index)
            let sectionSettings = section.settings.compactMap { resolve($0) }
            scope = SecretScope(version: .v16, section: index)
            let section16 = section.ocpp16.compactMap { resolve($0) }
            scope = SecretScope(version: .v201, section: index)
            let section201 = section.ocpp201.compactMap { resolve($0) }
            sections.append(ModelSection(vendor: section.vendor, model: section.model, ocppVersion: section.ocppVersion,
                                         description: section.description, settings: sectionSettings, ocpp16: section16,
                                         ocpp201: section201, origin: section.origin))
        }
        var profile = Profile(name: name, version: top.version, description: top.description, files: layers.map(\.file),
                              settings: resolvedSettings, ocpp16: resolved16, ocpp201: resolved201, models: sections,
                              networkProfile: networkProfile)
        profile.deferredIssues = deferred
        return profile
    }

    /// Reports a secret's issue now, or when a charger that needs the secret resolves.
    mutating func secretIssue(_ issue: ProfileIssue) {
        if scope == .always {
            issues.append(issue)
        } else {
            deferred.append(DeferredIssue(issue: issue, scope: scope))
        }
    }

    /// A later layer's key replaces the earlier value in its place; a new key is appended.
    static func merge(_ later: [LayerOverride], into merged: inout [LayerOverride], version: BackendAPI.OCPPVersion) {
        for entry in later {
            let key = ConfigurationKey.normalized(entry.key, version: version)
            if let index = merged.firstIndex(where: { ConfigurationKey.normalized($0.key, version: version) == key }) {
                merged[index] = entry
            } else {
                merged.append(entry)
            }
        }
    }

    // MARK: Conflicts

    /// A raw override must not set a key that a semantic setting sets: in the same scope,
    /// or between the top level and a model section. (Two different model sections may,
    /// since a charger may match only one of them.)
    mutating func checkConflicts(settings: [LayerSetting], ocpp16: [LayerOverride], ocpp201: [LayerOverride],
                                 models: [LayerModelSection]) {
        for version in [BackendAPI.OCPPVersion.v16, .v201] {
            let topRaw = version == .v16 ? ocpp16 : ocpp201
            let topKeys = Self.keys(of: settings, version: version)
            for raw in topRaw { conflict(raw, topKeys, version) }
            for section in models {
                let sectionKeys = Self.keys(of: section.settings, version: version)
                for raw in (version == .v16 ? section.ocpp16 : section.ocpp201) where raw.value != .unset {
                    conflict(raw, topKeys, version)
                    conflict(raw, sectionKeys, version)
                }
                for raw in topRaw { conflict(raw, sectionKeys, version) }
            }
        }
    }

    static func keys(of settings: [LayerSetting], version: BackendAPI.OCPPVersion) -> [String: LayerSetting] {
        var keys: [String: LayerSetting] = [:]
        for setting in settings where setting.value != .unset {
            if let key = SettingsCatalogue.setting(named: setting.name)?.key(for: version)?.key {
                keys[ConfigurationKey.normalized(key, version: version)] = setting
            }
        }
        return keys
    }

    mutating func conflict(_ raw: LayerOverride, _ keys: [String: LayerSetting], _ version: BackendAPI.OCPPVersion) {
        guard let setting = keys[ConfigurationKey.normalized(raw.key, version: version)] else { return }
        issues.append(ProfileIssue(.conflict, at: raw.origin,
                                   "sets the same key as \(setting.origin.field) (\(setting.origin)); use one of them"))
    }

    // MARK: Secrets

    mutating func resolve(_ setting: LayerSetting) -> ProfileSetting? {
        switch setting.value {
        case .unset:
            return ProfileSetting(name: setting.name, value: nil, origin: setting.origin)
        case .value(let value):
            return ProfileSetting(name: setting.name, value: value, origin: setting.origin)
        case .secret(let reference):
            guard let secret = read(reference) else { return nil }
            if let definition = SettingsCatalogue.setting(named: setting.name), case .secret(let length) = definition.type,
               !length.contains(secret.count) {
                secretIssue(ProfileIssue(.outOfRange, at: setting.origin,
                                           "the secret from \(secret.source) has \(secret.count) characters; "
                                               + "\(setting.name) needs \(length.lowerBound) to \(length.upperBound)"))
                return nil
            }
            return ProfileSetting(name: setting.name, value: .secret(secret), origin: setting.origin)
        }
    }

    mutating func resolve(_ entry: LayerOverride) -> RawOverride? {
        switch entry.value {
        case .unset: return RawOverride(key: entry.key, value: nil, origin: entry.origin)
        case .value(let text): return RawOverride(key: entry.key, value: .text(text), origin: entry.origin)
        case .secret(let reference): return read(reference).map { RawOverride(key: entry.key, value: .secret($0), origin: entry.origin) }
        }
    }

    /// Reads a secret: a file's text without its trailing line break, or an environment
    /// variable of the injected environment. The value never appears in an issue.
    mutating func read(_ reference: SecretReference) -> Secret? {
        switch reference.source {
        case .file(let display, let path):
            let bytes: [UInt8]
            do {
                bytes = try reader(path)
            } catch {
                secretIssue(ProfileIssue(.unreadableSecret, at: reference.origin, "cannot read the secret file \(display): \(error.reason)"))
                return nil
            }
            guard var text = String(validating: bytes, as: UTF8.self) else {
                secretIssue(ProfileIssue(.unreadableSecret, at: reference.origin, "the secret file \(display) is not UTF-8 text"))
                return nil
            }
            while let last = text.last, last == "\n" || last == "\r\n" || last == "\r" { text.removeLast() }
            guard !text.isEmpty else {
                secretIssue(ProfileIssue(.unreadableSecret, at: reference.origin, "the secret file \(display) is empty"))
                return nil
            }
            return Secret(text, source: .file(display))
        case .environment(let name):
            guard let value = environment[name] else {
                secretIssue(ProfileIssue(.unreadableSecret, at: reference.origin, "environment variable \(name) is not set"))
                return nil
            }
            guard !value.isEmpty else {
                secretIssue(ProfileIssue(.unreadableSecret, at: reference.origin, "environment variable \(name) is empty"))
                return nil
            }
            return Secret(value, source: .environment(name))
        }
    }
}
