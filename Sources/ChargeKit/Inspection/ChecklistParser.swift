import Foundation
import JSON

/// One thing wrong with a checklist template: where (file, line, column, field), which item,
/// and what.
public struct ChecklistIssue: Sendable, Hashable, CustomStringConvertible {
    public var origin: DocumentOrigin
    /// The item's id when the issue is inside an item.
    public var item: String?
    public var message: String

    /// `checklists/commissioning.json:41:9: item C1: rule.max: must be a number, not a string`.
    public var description: String {
        var text = origin.description + ": "
        if let item { text += "item \(item): " }
        if !origin.field.isEmpty { text += origin.field + ": " }
        return text + message
    }
}

/// Why a template cannot be used: every issue found, in file order.
public struct ChecklistError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [ChecklistIssue]
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

extension ChecklistTemplate {
    static let fields = ["id", "version", "title", "description", "standards", "sections"]
    static let sectionFields = ["id", "title", "items"]
    static let itemFields = ["id", "text", "kind", "required", "reference", "help", "unit", "choices", "rule", "cases", "when", "prefill"]
    static let ruleFields = ["min", "max", "oneOf"]

    /// Reads and validates the template at `path` (named `file` in messages).
    public static func load(path: String, file: String? = nil) throws(ChecklistError) -> ChecklistTemplate {
        let name = file ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChecklistError(issues: [ChecklistIssue(origin: DocumentOrigin(file: name, location: nil, field: ""), item: nil,
                                                         message: "cannot be read")])
        }
        return try parse(Array(data), file: name)
    }

    /// Validates a template's JSON text, collecting every issue.
    public static func parse(_ bytes: [UInt8], file: String) throws(ChecklistError) -> ChecklistTemplate {
        let document: LocatedDocument
        do {
            document = try LocatedDocument.parse(bytes, file: file)
        } catch {
            throw ChecklistError(issues: [ChecklistIssue(origin: DocumentOrigin(file: file, location: error.location, field: ""),
                                                         item: nil, message: "invalid JSON: \(error.reason)")])
        }
        var parser = ChecklistParser(document: document)
        let template = parser.parse()
        guard parser.issues.isEmpty, let template else { throw ChecklistError(issues: parser.issues) }
        return template
    }
}

/// Validates a template document field by field.
struct ChecklistParser {
    let document: LocatedDocument
    var issues: [ChecklistIssue] = []
    /// Items seen so far, for duplicate ids and conditions (which may only look back).
    var seen: [String: ChecklistItem] = [:]
    var currentItem: String?

    init(document: LocatedDocument) {
        self.document = document
    }

    mutating func issue(_ path: JSONPath, _ message: String) {
        issues.append(ChecklistIssue(origin: document.origin(path), item: currentItem, message: message))
    }

    mutating func parse() -> ChecklistTemplate? {
        guard case .object(let root) = document.value else {
            issue(.root, "a checklist template is a JSON object, not \(document.value.kindDescription)")
            return nil
        }
        unknownFields(root, .root, ChecklistTemplate.fields)
        let id = requiredString(root, "id", .root)
        if let id, !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            issue(JSONPath(["id"]), "'\(id)' may hold only letters, digits, '-' and '_' (it is typed on the command line)")
        }
        let version = requiredString(root, "version", .root)
        let title = requiredString(root, "title", .root)
        let description = optionalString(root, "description", .root)
        let standards = self.standards(root["standards"], JSONPath(["standards"]))
        var sections: [ChecklistTemplate.Section] = []
        if let value = root["sections"] {
            let path = JSONPath(["sections"])
            if case .array(let elements) = value, !elements.isEmpty {
                for (index, element) in elements.enumerated() {
                    if let section = self.section(element, path.appending(index: index)) { sections.append(section) }
                }
            } else {
                issue(path, "must be a non-empty array of sections")
            }
        } else {
            issue(.root, "missing \"sections\"")
        }
        guard let id, let version, let title else { return nil }
        return ChecklistTemplate(id: id, version: version, title: title, description: description, standards: standards,
                                 sections: sections, file: document.file)
    }

    mutating func standards(_ value: JSONValue?, _ path: JSONPath) -> [ChecklistTemplate.Standard] {
        guard let value else {
            issue(.root, "missing \"standards\": name the standards and editions the checklist follows")
            return []
        }
        guard case .array(let elements) = value, !elements.isEmpty else {
            issue(path, "must be a non-empty array of {\"name\", \"edition\"}")
            return []
        }
        var result: [ChecklistTemplate.Standard] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard case .object(let object) = element else {
                issue(elementPath, "must be an object with \"name\" and \"edition\"")
                continue
            }
            unknownFields(object, elementPath, ["name", "edition"])
            if let name = requiredString(object, "name", elementPath), let edition = requiredString(object, "edition", elementPath) {
                result.append(.init(name: name, edition: edition))
            }
        }
        return result
    }

    mutating func section(_ value: JSONValue, _ path: JSONPath) -> ChecklistTemplate.Section? {
        guard case .object(let object) = value else {
            issue(path, "must be an object with \"id\", \"title\" and \"items\"")
            return nil
        }
        unknownFields(object, path, ChecklistTemplate.sectionFields)
        let id = requiredString(object, "id", path)
        let title = requiredString(object, "title", path)
        var items: [ChecklistItem] = []
        let itemsPath = path.appending(key: "items")
        if case .array(let elements)? = object["items"], !elements.isEmpty {
            for (index, element) in elements.enumerated() {
                if let item = self.item(element, itemsPath.appending(index: index)) { items.append(item) }
            }
        } else {
            issue(object["items"] == nil ? path : itemsPath, "needs \"items\", a non-empty array")
        }
        guard let id, let title else { return nil }
        return ChecklistTemplate.Section(id: id, title: title, items: items)
    }

    mutating func item(_ value: JSONValue, _ path: JSONPath) -> ChecklistItem? {
        guard case .object(let object) = value else {
            issue(path, "an item is an object with \"id\", \"text\" and \"kind\"")
            return nil
        }
        currentItem = object["id"]?.stringValue
        defer { currentItem = nil }
        unknownFields(object, path, ChecklistTemplate.itemFields)
        guard let id = requiredString(object, "id", path) else { return nil }
        if seen[id] != nil { issue(path.appending(key: "id"), "'\(id)' is already the id of an earlier item") }
        let text = requiredString(object, "text", path)
        var kind: ChecklistItem.Kind?
        if let name = requiredString(object, "kind", path) {
            kind = ChecklistItem.Kind(rawValue: name)
            if kind == nil {
                let known = ChecklistItem.Kind.allCases.map(\.rawValue)
                var message = "'\(name)' is not an item kind (\(known.joined(separator: ", ")))"
                if let guess = Suggestion.closest(to: name, in: known, preferring: .prefixed) { message += "; did you mean '\(guess)'?" }
                issue(path.appending(key: "kind"), message)
            }
        }
        var required = true
        if let flag = object["required"] {
            if case .bool(let value) = flag { required = value } else { issue(path.appending(key: "required"), "must be true or false") }
        }
        var unit: MeasurementUnit?
        if let symbol = optionalString(object, "unit", path) {
            unit = MeasurementUnit.named(symbol)
            if unit == nil {
                issue(path.appending(key: "unit"), "'\(symbol)' is not a unit chargekit knows (\(MeasurementUnit.all.map(\.symbol).joined(separator: ", ")))")
            }
        }
        var choices: [String] = []
        if let value = object["choices"] {
            if case .array(let elements) = value, !elements.isEmpty, elements.allSatisfy({ $0.stringValue?.isEmpty == false }) {
                choices = elements.compactMap(\.stringValue)
                if Set(choices.map { $0.lowercased() }).count != choices.count { issue(path.appending(key: "choices"), "holds a choice twice") }
            } else {
                issue(path.appending(key: "choices"), "must be a non-empty array of non-empty strings")
            }
        }
        let condition = object["when"].flatMap { self.condition($0, path.appending(key: "when")) }
        var item = ChecklistItem(id: id, text: text ?? "", kind: kind ?? .text, required: required,
                                 reference: optionalString(object, "reference", path), help: optionalString(object, "help", path),
                                 unit: unit, choices: choices, rule: nil, cases: [], condition: condition,
                                 prefill: optionalString(object, "prefill", path), origin: document.origin(path))
        if let value = object["rule"] { item.rule = rule(value, path.appending(key: "rule"), for: item) }
        if let value = object["cases"] {
            let casesPath = path.appending(key: "cases")
            if case .array(let elements) = value, !elements.isEmpty {
                for (index, element) in elements.enumerated() {
                    let casePath = casesPath.appending(index: index)
                    guard case .object(let caseObject) = element, let when = caseObject["when"], let ruleValue = caseObject["rule"] else {
                        issue(casePath, "a case is an object with \"when\" and \"rule\"")
                        continue
                    }
                    unknownFields(caseObject, casePath, ["when", "rule"])
                    if let condition = self.condition(when, casePath.appending(key: "when")),
                       let rule = rule(ruleValue, casePath.appending(key: "rule"), for: item) {
                        item.cases.append(.init(condition: condition, rule: rule))
                    }
                }
            } else {
                issue(casesPath, "must be a non-empty array of {\"when\", \"rule\"}")
            }
        }
        if let kind { check(item, kind: kind, object: object, path: path) }
        seen[id] = item
        return item
    }

    /// What each kind needs and refuses.
    mutating func check(_ item: ChecklistItem, kind: ChecklistItem.Kind, object: JSONObject, path: JSONPath) {
        switch kind {
        case .measurement:
            if object["unit"] == nil { issue(path, "a measurement needs a \"unit\"") }
            if object["rule"] == nil && object["cases"] == nil { issue(path, "a measurement needs a \"rule\" (min, max or both)") }
        case .choice:
            if object["choices"] == nil { issue(path, "a choice needs \"choices\"") }
        default:
            break
        }
        if kind != .measurement, object["unit"] != nil { issue(path.appending(key: "unit"), "only a measurement has a unit") }
        if kind != .choice, object["choices"] != nil { issue(path.appending(key: "choices"), "only a choice has choices") }
        if [.passFail, .photo, .signature].contains(kind) {
            for key in ["rule", "cases"] where object[key] != nil {
                issue(path.appending(key: key), "a \(kind.rawValue) item is not judged by a rule")
            }
        }
        if [.photo, .signature, .passFail].contains(kind), object["prefill"] != nil {
            issue(path.appending(key: "prefill"), "a \(kind.rawValue) item cannot be pre-filled")
        }
    }

    mutating func rule(_ value: JSONValue, _ path: JSONPath, for item: ChecklistItem) -> ChecklistRule? {
        guard case .object(let object) = value, !object.isEmpty else {
            issue(path, "a rule is an object with \"min\", \"max\" or \"oneOf\"")
            return nil
        }
        unknownFields(object, path, ChecklistTemplate.ruleFields)
        func number(_ key: String) -> Double? {
            guard let member = object[key] else { return nil }
            guard let number = member.doubleValue, number.isFinite else {
                issue(path.appending(key: key), "must be a number, not \(member.kindDescription)")
                return nil
            }
            return number
        }
        if let values = object["oneOf"] {
            guard object["min"] == nil, object["max"] == nil else {
                issue(path, "\"oneOf\" cannot be combined with \"min\" or \"max\"")
                return nil
            }
            guard case .array(let elements) = values, !elements.isEmpty, elements.allSatisfy({ $0.stringValue != nil }) else {
                issue(path.appending(key: "oneOf"), "must be a non-empty array of strings")
                return nil
            }
            let words = elements.compactMap(\.stringValue)
            if item.kind == .measurement { issue(path.appending(key: "oneOf"), "a measurement is judged by \"min\" and \"max\"") }
            if item.kind == .choice, let stray = words.first(where: { word in !item.choices.contains { $0.caseInsensitiveCompare(word) == .orderedSame } }) {
                issue(path.appending(key: "oneOf"), "'\(stray)' is not one of the item's choices")
            }
            return .oneOf(words)
        }
        let low = number("min")
        let high = number("max")
        if item.kind == .choice { issue(path, "a choice is judged by \"oneOf\"") }
        switch (low, high) {
        case let (low?, high?):
            guard low <= high else {
                issue(path, "min \(ChecklistRule.number(low)) is above max \(ChecklistRule.number(high))")
                return nil
            }
            return .range(low, high)
        case let (low?, nil): return .min(low)
        case let (nil, high?): return .max(high)
        case (nil, nil): return nil
        }
    }

    /// `{"earthing": "TT"}` or `{"phases": ["3"]}`: about items defined earlier, with values
    /// those items can have.
    mutating func condition(_ value: JSONValue, _ path: JSONPath) -> ChecklistCondition? {
        guard case .object(let object) = value, !object.isEmpty else {
            issue(path, "a condition is an object of item id → value (or array of values)")
            return nil
        }
        var clauses: [ChecklistCondition.Clause] = []
        for (key, member) in object {
            let memberPath = path.appending(key: key)
            var values: [String] = []
            switch member {
            case .string(let text): values = [text]
            case .array(let elements) where !elements.isEmpty && elements.allSatisfy({ $0.stringValue != nil }):
                values = elements.compactMap(\.stringValue)
            default:
                issue(memberPath, "must be a string or a non-empty array of strings")
                continue
            }
            guard let target = seen[key] else {
                var message = "'\(key)' is not an item before this one (conditions look only at earlier items)"
                if let guess = Suggestion.closest(to: key, in: Array(seen.keys).sorted(), preferring: .prefixed) {
                    message += "; did you mean '\(guess)'?"
                }
                issue(memberPath, message)
                continue
            }
            let allowed: [String]? = switch target.kind {
            case .choice: target.choices
            case .passFail: ["pass", "fail", "na"]
            default: nil
            }
            if let allowed, let stray = values.first(where: { value in !allowed.contains { $0.caseInsensitiveCompare(value) == .orderedSame } }) {
                issue(memberPath, "'\(stray)' is not an answer '\(key)' can have (\(allowed.joined(separator: ", ")))")
                continue
            }
            clauses.append(.init(item: key, values: values))
        }
        return clauses.count == object.count ? ChecklistCondition(clauses: clauses) : nil
    }

    // MARK: Plain fields

    mutating func requiredString(_ object: JSONObject, _ key: String, _ path: JSONPath) -> String? {
        guard object[key] != nil else {
            issue(path, "missing \"\(key)\"")
            return nil
        }
        return optionalString(object, key, path)
    }

    mutating func optionalString(_ object: JSONObject, _ key: String, _ path: JSONPath) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let text) = value, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            issue(path.appending(key: key), "must be a non-empty string, not \(value.kindDescription)")
            return nil
        }
        return text
    }

    mutating func unknownFields(_ object: JSONObject, _ path: JSONPath, _ known: [String]) {
        for (key, _) in object where !known.contains(key) {
            var message = "unknown field"
            if let guess = Suggestion.closest(to: key, in: known, preferring: .prefixed) { message += "; did you mean \"\(guess)\"?" }
            issue(path.appending(key: key), message)
        }
    }
}
