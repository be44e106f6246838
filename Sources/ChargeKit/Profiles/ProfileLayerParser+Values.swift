import BackendAPI
import JSON
import OCPP

extension ProfileLayerParser {
    // MARK: Semantic settings

    mutating func settings(_ value: JSONValue, _ path: JSONPath) -> [LayerSetting] {
        guard case .object(let object) = value else {
            issues.append(document.issue(.wrongType, path, "must be an object of settings, not \(value.kindDescription)"))
            return []
        }
        var result: [LayerSetting] = []
        for (name, member) in object {
            let memberPath = path.appending(key: name)
            guard let definition = SettingsCatalogue.setting(named: name) else {
                let suggestion = SettingsCatalogue.suggestion(for: name)
                issues.append(document.issue(.unknownSetting, memberPath, "unknown setting" + didYouMean(suggestion), suggestion: suggestion))
                continue
            }
            if let pending = settingValue(member, memberPath, definition) {
                result.append(LayerSetting(name: name, value: pending, origin: document.origin(memberPath)))
            }
        }
        return result
    }

    /// The value of a setting checked against its type; nil (with an issue) when wrong.
    mutating func settingValue(_ value: JSONValue, _ path: JSONPath, _ definition: SettingDefinition) -> Pending<SettingValue>? {
        if value.isNull { return .unset }
        switch definition.type {
        case .boolean:
            guard case .bool(let flag) = value else {
                let hint = value.stringValue.map { ["true", "false"].contains($0.lowercased()) ? "; write \($0.lowercased()) without quotes" : "" } ?? ""
                issues.append(document.issue(.wrongType, path, "must be true or false, not \(value.kindDescription)" + hint))
                return nil
            }
            return .value(.boolean(flag))
        case .integer(let range):
            return integer(value, path, range: range).map { .value(.integer($0)) }
        case .text(let length):
            guard case .string(let text) = value else {
                issues.append(document.issue(.wrongType, path, "must be a string, not \(value.kindDescription)" + quoteHint(value)))
                return nil
            }
            guard length.contains(text.count) else {
                issues.append(document.issue(.outOfRange, path, lengthMessage(text.count, length)))
                return nil
            }
            return .value(.text(text))
        case .measurands:
            return measurands(value, path).map { .value(.measurands($0)) }
        case .secret:
            if case .string = value {
                issues.append(inlineSecret(path))
                return nil
            }
            return secretReference(value, path).map { .secret($0) }
        }
    }

    /// An integer within `range`; a number written as a string is named as such.
    mutating func integer(_ value: JSONValue, _ path: JSONPath, range: ClosedRange<Int>) -> Int? {
        guard case .number(let number) = value else {
            let hint = value.stringValue.flatMap { Int($0) }.map { "; write \($0) without quotes" } ?? ""
            issues.append(document.issue(.wrongType, path, "must be an integer, not \(value.kindDescription)" + hint))
            return nil
        }
        guard number.isInteger else {
            issues.append(document.issue(.wrongType, path, "must be a whole number, not \(number.text)"))
            return nil
        }
        guard let integer = number.int else {
            let negative = number.text.hasPrefix("-")
            issues.append(document.issue(.outOfRange, path, negative ? "\(number.text) is below the minimum \(range.lowerBound)"
                                                                     : "\(number.text) is above the maximum \(range.upperBound)"))
            return nil
        }
        if integer < range.lowerBound {
            issues.append(document.issue(.outOfRange, path, "\(integer) is below the minimum \(range.lowerBound)"))
            return nil
        }
        if integer > range.upperBound {
            issues.append(document.issue(.outOfRange, path, "\(integer) is above the maximum \(range.upperBound)"))
            return nil
        }
        return integer
    }

    func lengthMessage(_ count: Int, _ length: ClosedRange<Int>) -> String {
        count < length.lowerBound
            ? "is \(count) characters long; at least \(length.lowerBound) are needed"
            : "is \(count) characters long; at most \(length.upperBound) are allowed"
    }

    /// An array of distinct OCPP measurands (of either version; the charger's version is
    /// checked when the profile is resolved for it).
    mutating func measurands(_ value: JSONValue, _ path: JSONPath) -> [String]? {
        guard case .array(let elements) = value else {
            issues.append(document.issue(.wrongType, path, "must be an array of measurands such as [\"Energy.Active.Import.Register\", \"Voltage\"], not \(value.kindDescription)"))
            return nil
        }
        var items: [String] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard case .string(let name) = element else {
                issues.append(document.issue(.wrongType, elementPath, "must be a measurand name, not \(element.kindDescription)"))
                valid = false
                continue
            }
            guard SettingsCatalogue.allMeasurands.contains(name) else {
                let suggestion = Suggestion.closest(to: name, in: SettingsCatalogue.allMeasurands, preferring: .prefixed)
                issues.append(document.issue(.invalidValue, elementPath, "\"\(name)\" is not an OCPP measurand" + didYouMean(suggestion), suggestion: suggestion))
                valid = false
                continue
            }
            guard !items.contains(name) else {
                issues.append(document.issue(.invalidValue, elementPath, "\"\(name)\" is listed twice"))
                valid = false
                continue
            }
            items.append(name)
        }
        return valid ? items : nil
    }

    // MARK: Raw overrides

    mutating func overrides(_ value: JSONValue, _ path: JSONPath, version: BackendAPI.OCPPVersion) -> [LayerOverride] {
        guard case .object(let object) = value else {
            let example = version == .v16 ? "{\"MaxEnergyOnInvalidId\": \"0\"}" : "{\"TxCtrlr.TxStartPoint\": \"Authorized\"}"
            issues.append(document.issue(.wrongType, path, "must be an object of keys and values such as \(example), not \(value.kindDescription)"))
            return []
        }
        var result: [LayerOverride] = []
        for (key, member) in object {
            let memberPath = path.appending(key: key)
            guard validKey(key, memberPath, version: version) else { continue }
            let normalized = ConfigurationKey.normalized(key, version: version)
            if let earlier = result.first(where: { ConfigurationKey.normalized($0.key, version: version) == normalized }) {
                issues.append(document.issue(.conflict, memberPath, "the same key as \(earlier.origin.field) (\(earlier.origin)); keep one"))
                continue
            }
            guard let pending = overrideValue(member, memberPath, secret: SettingsCatalogue.isSecretKey(key, version: version)) else { continue }
            result.append(LayerOverride(key: key, value: pending, origin: document.origin(memberPath)))
        }
        return result
    }

    /// 1.6: a CiString50 key. 2.0.1: `Component[instance].Variable[instance]@evse:connector`
    /// with the names the backend API's grammar allows.
    mutating func validKey(_ key: String, _ path: JSONPath, version: BackendAPI.OCPPVersion) -> Bool {
        switch version {
        case .v201:
            let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_=+|")
            let instanceCharacters = nameCharacters.union(":@.")
            if let parsed = V201.VariableKey(parsing: key),
               parsed.component.allSatisfy(nameCharacters.contains), parsed.variable.allSatisfy(nameCharacters.contains),
               (parsed.componentInstance ?? "").allSatisfy(instanceCharacters.contains),
               (parsed.variableInstance ?? "").allSatisfy(instanceCharacters.contains) {
                return true
            }
            issues.append(document.issue(.invalidKey, path, "not a 2.0.1 variable; write Component[instance].Variable[instance]@evse:connector, e.g. OCPPCommCtrlr.OfflineThreshold or EVSE.AvailabilityState@1"))
            return false
        default:
            guard !key.isEmpty, key.count <= 50, !key.contains(where: { $0 == " " || $0 == "," }) else {
                issues.append(document.issue(.invalidKey, path, "not a 1.6 configuration key (1 to 50 characters, no spaces or commas)"))
                return false
            }
            return true
        }
    }

    /// A raw value: a string as OCPP carries it, a number or boolean (written as text), a
    /// secret reference, or null.
    mutating func overrideValue(_ value: JSONValue, _ path: JSONPath, secret: Bool) -> Pending<String>? {
        switch value {
        case .null:
            return .unset
        case .object:
            return secretReference(value, path).map { .secret($0) }
        case .string, .number, .bool:
            if secret {
                issues.append(inlineSecret(path))
                return nil
            }
            switch value {
            case .string(let text): return .value(text)
            case .number(let number): return .value(number.text)
            case .bool(let flag): return .value(flag ? "true" : "false")
            default: return nil
            }
        case .array:
            issues.append(document.issue(.wrongType, path, "must be a string, a number or a boolean (a list is one comma-separated string), not an array"))
            return nil
        }
    }

    // MARK: Secrets

    /// The issue for a secret written into the profile; the value itself is never repeated.
    func inlineSecret(_ path: JSONPath) -> ProfileIssue {
        document.issue(.inlineSecret, path, "a secret must not be written into the profile; reference it as {\"secret\": {\"file\": \"PATH\"}} (relative to this profile) or {\"secret\": {\"env\": \"NAME\"}}")
    }

    /// `{"secret": {"file": "secrets/ak.txt"}}` or `{"secret": {"env": "CPO_AUTH_KEY"}}`.
    mutating func secretReference(_ value: JSONValue, _ path: JSONPath) -> SecretReference? {
        let shape = "{\"secret\": {\"file\": \"PATH\"}} or {\"secret\": {\"env\": \"NAME\"}}"
        guard case .object(let object) = value, let inner = object["secret"] else {
            // {"secrets": ...} is a typo of a reference; anything else is the wrong type.
            if case .object(let object) = value, object.count == 1, let key = object.keys.first,
               Suggestion.closest(to: key, in: ["secret"], preferring: .prefixed) != nil {
                unknownField(key, path.appending(key: key), candidates: ["secret"])
            } else {
                issues.append(document.issue(.wrongType, path, "must be a secret reference \(shape), not \(value.kindDescription)"))
            }
            return nil
        }
        var valid = true
        for key in object.keys where key != "secret" {
            unknownField(key, path.appending(key: key), candidates: ["secret"])
            valid = false
        }
        let secretPath = path.appending(key: "secret")
        guard case .object(let where_) = inner else {
            issues.append(document.issue(.wrongType, secretPath, "must be {\"file\": \"PATH\"} or {\"env\": \"NAME\"}, not \(inner.kindDescription)"))
            return nil
        }
        for key in where_.keys where key != "file" && key != "env" {
            unknownField(key, secretPath.appending(key: key), candidates: ["file", "env"])
            valid = false
        }
        switch (where_["file"], where_["env"]) {
        case (nil, nil):
            issues.append(document.issue(.missingField, secretPath, "needs \"file\" or \"env\""))
            return nil
        case (.some, .some):
            issues.append(document.issue(.invalidValue, secretPath, "give \"file\" or \"env\", not both"))
            return nil
        case (.some(let file), nil):
            let filePath = secretPath.appending(key: "file")
            guard let relative = nonEmptyString(file, filePath, what: "a file path"), valid else { return nil }
            let display = paths.display(relative, from: document.file)
            return SecretReference(source: .file(display: display, read: paths.readPath(display)), origin: document.origin(filePath))
        case (nil, .some(let env)):
            let envPath = secretPath.appending(key: "env")
            guard let name = nonEmptyString(env, envPath, what: "an environment variable name"), valid else { return nil }
            let first = name.unicodeScalars.first.map { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) } ?? false
            let rest = name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
            guard first, rest else {
                issues.append(document.issue(.invalidValue, envPath, "\"\(name)\" is not an environment variable name (letters, digits and _, not starting with a digit)"))
                return nil
            }
            return SecretReference(source: .environment(name), origin: document.origin(envPath))
        }
    }
}
