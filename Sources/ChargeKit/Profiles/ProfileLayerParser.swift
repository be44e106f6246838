import JSON
import OCPP

/// Validates one profile file into a `ProfileLayer`, collecting every issue rather than
/// stopping at the first.
struct ProfileLayerParser {
    static let topLevelFields = ["name", "version", "description", "extends", "settings", "ocpp16", "ocpp201",
                                 "models", "networkProfile"]
    static let modelFields = ["vendor", "model", "ocppVersion", "description", "settings", "ocpp16", "ocpp201"]
    static let networkProfileFields = ["ocppCsmsUrl", "messageTimeout", "ocppInterface", "configurationSlot"]

    let document: ProfileDocument
    let paths: ProfilePaths
    var issues: [ProfileIssue] = []

    init(document: ProfileDocument, paths: ProfilePaths) {
        self.document = document
        self.paths = paths
    }

    mutating func parse() -> ProfileLayer {
        var layer = ProfileLayer(file: document.file)
        guard case .object(let root) = document.value else {
            issues.append(document.issue(.wrongType, .root, "a profile is a JSON object, not \(document.value.kindDescription)"))
            return layer
        }
        for (key, value) in root {
            let path = JSONPath([.key(key)])
            switch key {
            case "name": layer.name = nonEmptyString(value, path)
            case "version": layer.version = nonEmptyString(value, path)
            case "description": layer.description = string(value, path)
            case "extends":
                if let target = nonEmptyString(value, path, what: "a profile file path") {
                    layer.extends = (target, document.origin(path))
                }
            case "settings": layer.settings = settings(value, path)
            case "ocpp16": layer.ocpp16 = overrides(value, path, version: .v16)
            case "ocpp201": layer.ocpp201 = overrides(value, path, version: .v201)
            case "models": layer.models = models(value, path)
            case "networkProfile": layer.networkProfile = networkProfile(value, path)
            default: unknownField(key, path, candidates: Self.topLevelFields)
            }
        }
        if root["name"] == nil {
            let origin = ProfileOrigin(file: document.file, location: document.locations[.root], field: "name")
            issues.append(ProfileIssue(.missingField, at: origin, "missing; every profile needs a name"))
        }
        return layer
    }

    // MARK: Model sections

    mutating func models(_ value: JSONValue, _ path: JSONPath) -> [LayerModelSection] {
        guard case .array(let elements) = value else {
            issues.append(document.issue(.wrongType, path, "must be an array of model sections, not \(value.kindDescription)"))
            return []
        }
        var sections: [LayerModelSection] = []
        for (index, element) in elements.enumerated() {
            let sectionPath = path.appending(index: index)
            guard case .object(let object) = element else {
                issues.append(document.issue(.wrongType, sectionPath, "must be an object with \"vendor\" and \"model\", not \(element.kindDescription)"))
                continue
            }
            var section = LayerModelSection(vendor: nil, model: nil, ocppVersion: nil, description: nil, settings: [], ocpp16: [],
                                            ocpp201: [], origin: document.origin(sectionPath))
            for (key, member) in object {
                let memberPath = sectionPath.appending(key: key)
                switch key {
                case "vendor": section.vendor = nonEmptyString(member, memberPath, what: "a vendor name or pattern")
                case "model": section.model = nonEmptyString(member, memberPath, what: "a model name or pattern")
                case "ocppVersion":
                    guard let version = nonEmptyString(member, memberPath, what: "\"1.6\" or \"2.0.1\"") else { continue }
                    if ["1.6", "2.0.1"].contains(version) {
                        section.ocppVersion = version
                    } else {
                        issues.append(document.issue(.invalidValue, memberPath, "\"\(version)\" is not an OCPP version chargekit knows; write \"1.6\" or \"2.0.1\""))
                    }
                case "description": section.description = string(member, memberPath)
                case "settings": section.settings = settings(member, memberPath)
                case "ocpp16": section.ocpp16 = overrides(member, memberPath, version: .v16)
                case "ocpp201": section.ocpp201 = overrides(member, memberPath, version: .v201)
                default: unknownField(key, memberPath, candidates: Self.modelFields)
                }
            }
            if object["vendor"] == nil, object["model"] == nil, object["ocppVersion"] == nil {
                issues.append(document.issue(.missingField, sectionPath, "needs \"vendor\", \"model\" or \"ocppVersion\" to say which chargers it is for"))
            }
            sections.append(section)
        }
        return sections
    }

    // MARK: Network profile (2.0.1 security profile changes)

    mutating func networkProfile(_ value: JSONValue, _ path: JSONPath) -> NetworkProfileSettings? {
        guard case .object(let object) = value else {
            issues.append(document.issue(.wrongType, path, "must be an object with \"ocppCsmsUrl\", not \(value.kindDescription)"))
            return nil
        }
        var url: String?
        var timeout = 30
        var interface = V201.OCPPInterface.wired0.rawValue
        var slot: Int?
        let before = issues.count
        for (key, member) in object {
            let memberPath = path.appending(key: key)
            switch key {
            case "ocppCsmsUrl":
                guard let text = nonEmptyString(member, memberPath, what: "a ws:// or wss:// URL") else { continue }
                let lowered = text.lowercased()
                let scheme = ["ws://", "wss://"].first { lowered.hasPrefix($0) }
                guard let scheme, text.count > scheme.count else {
                    issues.append(document.issue(.invalidValue, memberPath, "\"\(text)\" is not a WebSocket URL; write ws://host/path or wss://host/path"))
                    continue
                }
                url = text
            case "messageTimeout":
                if let seconds = integer(member, memberPath, range: 1...3600) { timeout = seconds }
            case "ocppInterface":
                guard let name = nonEmptyString(member, memberPath) else { continue }
                let known = V201.OCPPInterface.allCases.map(\.rawValue)
                if known.contains(name) {
                    interface = name
                } else {
                    let suggestion = Suggestion.closest(to: name, in: known, preferring: .prefixed)
                    issues.append(document.issue(.invalidValue, memberPath,
                                                 "\"\(name)\" is not an OCPP interface (\(known.joined(separator: ", ")))"
                                                     + didYouMean(suggestion), suggestion: suggestion))
                }
            case "configurationSlot":
                slot = integer(member, memberPath, range: 0...Int.max)
            default:
                unknownField(key, memberPath, candidates: Self.networkProfileFields)
            }
        }
        if object["ocppCsmsUrl"] == nil {
            issues.append(document.issue(.missingField, path, "needs \"ocppCsmsUrl\", the URL to connect to with the new security profile"))
        }
        guard let url, issues.count == before else { return nil }
        return NetworkProfileSettings(ocppCsmsUrl: url, messageTimeout: timeout, ocppInterface: interface,
                                      configurationSlot: slot, origin: document.origin(path.appending(key: "ocppCsmsUrl")))
    }

    // MARK: Plain fields

    mutating func string(_ value: JSONValue, _ path: JSONPath) -> String? {
        guard case .string(let text) = value else {
            issues.append(document.issue(.wrongType, path, "must be a string, not \(value.kindDescription)" + quoteHint(value)))
            return nil
        }
        return text
    }

    mutating func nonEmptyString(_ value: JSONValue, _ path: JSONPath, what: String = "a string") -> String? {
        guard case .string(let text) = value else {
            issues.append(document.issue(.wrongType, path, "must be \(what), not \(value.kindDescription)" + quoteHint(value)))
            return nil
        }
        guard !text.isEmpty else {
            issues.append(document.issue(.invalidValue, path, "must not be empty"))
            return nil
        }
        return text
    }

    mutating func unknownField(_ key: String, _ path: JSONPath, candidates: [String]) {
        let suggestion = Suggestion.closest(to: key, in: candidates, preferring: .prefixed)
        issues.append(document.issue(.unknownField, path, "unknown field" + didYouMean(suggestion), suggestion: suggestion))
    }

    func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean \"\($0)\"?" } ?? ""
    }

    /// For a number or boolean where a string belongs: how to write it.
    func quoteHint(_ value: JSONValue) -> String {
        switch value {
        case .number(let number): "; write \"\(number.text)\" in quotes"
        default: ""
        }
    }
}
