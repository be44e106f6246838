import Foundation
import JSON

/// `--answers FILE`: a checklist filled in ahead of time, for scripts and for the `--sim`
/// demo. A JSON object of item id → answer:
///
///     {"earthing": "TN-S", "B1": "pass", "C1": 0.32, "C2": "250 MΩ",
///      "B8": {"photo": "photos/front.jpg"},
///      "D4": {"answer": "0.8", "note": "measured at the outlet"}}
///
/// A number is a measurement in the item's unit; `true`/`false` answer pass/fail items; an
/// object carries the answer with a `note`, or a `photo` path (relative to the answers file).
public enum AnswersFile {
    public struct Entry: Sendable, Equatable {
        public var answer: ChecklistAnswer
        public var note: String?
    }

    public static func load(path: String, file: String? = nil, template: ChecklistTemplate) throws(ChecklistError) -> [String: Entry] {
        let name = file ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChecklistError(issues: [ChecklistIssue(origin: DocumentOrigin(file: name, location: nil, field: ""), item: nil,
                                                         message: "cannot be read")])
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(Array(data), file: name, template: template, baseDirectory: base.isEmpty ? "." : base)
    }

    public static func parse(_ bytes: [UInt8], file: String, template: ChecklistTemplate,
                             baseDirectory: String) throws(ChecklistError) -> [String: Entry] {
        let document: LocatedDocument
        do {
            document = try LocatedDocument.parse(bytes, file: file)
        } catch {
            throw ChecklistError(issues: [ChecklistIssue(origin: DocumentOrigin(file: file, location: error.location, field: ""),
                                                         item: nil, message: "invalid JSON: \(error.reason)")])
        }
        guard case .object(let root) = document.value else {
            throw ChecklistError(issues: [ChecklistIssue(origin: document.origin(.root), item: nil,
                                                         message: "answers are a JSON object of item id → answer")])
        }
        var issues: [ChecklistIssue] = []
        var entries: [String: Entry] = [:]
        let ids = template.items.map(\.id)
        for (key, value) in root {
            let path = JSONPath([.key(key)])
            func issue(_ message: String, _ at: JSONPath? = nil) {
                issues.append(ChecklistIssue(origin: document.origin(at ?? path), item: key, message: message))
            }
            guard let item = template.item(key) else {
                var message = "not an item of checklist '\(template.id)'"
                if let guess = Suggestion.closest(to: key, in: ids, preferring: .prefixed) { message += "; did you mean '\(guess)'?" }
                issue(message)
                continue
            }
            var note: String?
            var answerValue = value
            if case .object(let object) = value {
                for (member, _) in object where !["answer", "note", "photo", "unit"].contains(member) {
                    issue("unknown field \"\(member)\" (answer, note, photo, unit)", path.appending(key: member))
                }
                if let text = object["note"] {
                    guard let string = text.stringValue else { issue("must be a string", path.appending(key: "note")); continue }
                    note = string
                }
                if let photo = object["photo"] {
                    guard item.kind == .photo, let relative = photo.stringValue, !relative.isEmpty else {
                        issue(item.kind == .photo ? "must be a file path" : "only a photo item takes a photo", path.appending(key: "photo"))
                        continue
                    }
                    let full = relative.hasPrefix("/") ? relative : baseDirectory + "/" + relative
                    guard FileManager.default.isReadableFile(atPath: full) else {
                        issue("photo \(relative) cannot be read", path.appending(key: "photo"))
                        continue
                    }
                    entries[key] = Entry(answer: .photo(path: full), note: note)
                    continue
                }
                guard let inner = object["answer"] else { issue("needs \"answer\" (or \"photo\")"); continue }
                answerValue = inner
                if let unit = object["unit"]?.stringValue, case .number(let number) = inner {
                    answerValue = .string(number.text + " " + unit)
                }
            }
            let text: String
            switch answerValue {
            case .string(let string): text = string
            case .number(let number): text = number.text
            case .bool(let flag) where item.kind == .passFail: text = flag ? "pass" : "fail"
            default:
                issue("must be a string, a number\(item.kind == .passFail ? ", true or false" : "") or an object, not \(answerValue.kindDescription)")
                continue
            }
            if item.kind == .photo {
                let full = text.hasPrefix("/") ? text : baseDirectory + "/" + text
                guard FileManager.default.isReadableFile(atPath: full) else { issue("photo \(text) cannot be read"); continue }
                entries[key] = Entry(answer: .photo(path: full), note: note)
                continue
            }
            do {
                entries[key] = Entry(answer: try ChecklistAnswer.parse(text, for: item), note: note)
            } catch {
                issue(error.reason)
            }
        }
        guard issues.isEmpty else { throw ChecklistError(issues: issues) }
        return entries
    }
}
