import Foundation
import JSON

/// `--measurements CSV --map FILE`: values exported by an installation tester's PC software.
/// Testers share no format, so a mapping file says where each value is. Two layouts:
///
/// One row per installation, a column per test:
///
///     {"layout": "columns",
///      "columns": {"RPE [Ohm]": {"item": "C1", "unit": "Ω"}, "Riso [MOhm]": {"item": "C2", "unit": "MΩ"}}}
///
/// One row per test, with the test's name, value and unit in columns:
///
///     {"layout": "rows", "name": "Test", "value": "Result", "unit": "Unit",
///      "tests": {"R LOW": "C1", "RCD t 1xIdn": {"item": "D9"}}}
///
/// Separators (`,` `;` tab) are detected; a decimal comma is read as a point. A unit of
/// another size is converted to the item's; a unit of another quantity is refused.
public enum MeasurementImport {
    public struct Result: Sendable, Equatable {
        public var answers: [String: ChecklistAnswer]
        /// Columns (or test names) the mapping does not mention: reported, not imported.
        public var unmapped: [String]
    }

    public static func load(csvPath: String, mapPath: String, template: ChecklistTemplate) throws(ChecklistError) -> Result {
        func unreadable(_ path: String) -> ChecklistError {
            ChecklistError(issues: [ChecklistIssue(origin: DocumentOrigin(file: path, location: nil, field: ""), item: nil, message: "cannot be read")])
        }
        guard let csv = FileManager.default.contents(atPath: csvPath) else { throw unreadable(csvPath) }
        guard let map = FileManager.default.contents(atPath: mapPath) else { throw unreadable(mapPath) }
        return try run(csv: String(decoding: csv, as: UTF8.self), csvFile: csvPath, map: Array(map), mapFile: mapPath, template: template)
    }

    struct Target {
        var item: ChecklistItem
        var unit: MeasurementUnit?
        var origin: DocumentOrigin
    }

    public static func run(csv: String, csvFile: String, map: [UInt8], mapFile: String,
                           template: ChecklistTemplate) throws(ChecklistError) -> Result {
        let document: LocatedDocument
        do {
            document = try LocatedDocument.parse(map, file: mapFile)
        } catch {
            throw ChecklistError(issues: [ChecklistIssue(origin: DocumentOrigin(file: mapFile, location: error.location, field: ""),
                                                         item: nil, message: "invalid JSON: \(error.reason)")])
        }
        var issues: [ChecklistIssue] = []
        func mapIssue(_ path: JSONPath, _ message: String, item: String? = nil) {
            issues.append(ChecklistIssue(origin: document.origin(path), item: item, message: message))
        }
        guard case .object(let root) = document.value, let layout = root["layout"]?.stringValue, ["columns", "rows"].contains(layout) else {
            throw ChecklistError(issues: [ChecklistIssue(origin: document.origin(.root), item: nil,
                                                         message: "a mapping is an object with \"layout\": \"columns\" or \"rows\"")])
        }
        let tableKey = layout == "columns" ? "columns" : "tests"
        var targets: [String: Target] = [:]
        if case .object(let table)? = root[tableKey] {
            for (name, value) in table {
                let path = JSONPath([.key(tableKey), .key(name)])
                var itemId: String?
                var unit: MeasurementUnit?
                switch value {
                case .string(let id): itemId = id
                case .object(let object):
                    itemId = object["item"]?.stringValue
                    if let symbol = object["unit"]?.stringValue {
                        unit = MeasurementUnit.named(symbol)
                        if unit == nil { mapIssue(path.appending(key: "unit"), "'\(symbol)' is not a unit chargekit knows") }
                    }
                default: break
                }
                guard let itemId else { mapIssue(path, "must be an item id or {\"item\", \"unit\"}"); continue }
                guard let item = template.item(itemId) else {
                    var message = "'\(itemId)' is not an item of checklist '\(template.id)'"
                    if let guess = Suggestion.closest(to: itemId, in: template.items.map(\.id), preferring: .prefixed) { message += "; did you mean '\(guess)'?" }
                    mapIssue(path, message)
                    continue
                }
                guard item.kind == .measurement else { mapIssue(path, "'\(itemId)' is not a measurement", item: itemId); continue }
                if let unit, let itemUnit = item.unit, unit.quantity != itemUnit.quantity {
                    mapIssue(path, "\(unit) measures \(unit.quantity.rawValue), item \(itemId) \(itemUnit.quantity.rawValue)", item: itemId)
                    continue
                }
                targets[name] = Target(item: item, unit: unit, origin: document.origin(path))
            }
        } else {
            mapIssue(.root, "needs \"\(tableKey)\", an object of \(layout == "columns" ? "column" : "test") name → item")
        }
        let rows = CSV.parse(csv)
        guard let header = rows.first else {
            issues.append(ChecklistIssue(origin: DocumentOrigin(file: csvFile, location: nil, field: ""), item: nil, message: "is empty"))
            throw ChecklistError(issues: issues)
        }
        var answers: [String: ChecklistAnswer] = [:]
        var unmapped: [String] = []
        func csvIssue(_ line: Int, _ column: String, _ item: String, _ message: String) {
            issues.append(ChecklistIssue(origin: DocumentOrigin(file: csvFile, location: TextLocation(line: line, column: 1), field: column),
                                         item: item, message: message))
        }
        func take(_ raw: String, unitText: String?, target: Target, line: Int, column: String) {
            let value = raw.trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { return }
            let unit = unitText.flatMap { $0.isEmpty ? nil : $0 } ?? target.unit?.symbol
            do {
                answers[target.item.id] = try ChecklistAnswer.measurement(value, unit: unit, for: target.item)
            } catch {
                csvIssue(line, column, target.item.id, error.reason)
            }
        }
        if layout == "columns" {
            unmapped = header.filter { !$0.isEmpty && targets[$0] == nil }
            for name in targets.keys where !header.contains(name) {
                if let target = targets[name] {
                    issues.append(ChecklistIssue(origin: target.origin, item: target.item.id, message: "column '\(name)' is not in \(csvFile)"))
                }
            }
            guard rows.count >= 2 else {
                issues.append(ChecklistIssue(origin: DocumentOrigin(file: csvFile, location: nil, field: ""), item: nil, message: "has no row of values"))
                throw ChecklistError(issues: issues)
            }
            for (index, name) in header.enumerated() {
                guard let target = targets[name], index < rows[1].count else { continue }
                take(rows[1][index], unitText: nil, target: target, line: 2, column: name)
            }
        } else {
            let nameColumn = root["name"]?.stringValue ?? "Test"
            let valueColumn = root["value"]?.stringValue ?? "Value"
            let unitColumn = root["unit"]?.stringValue
            guard let nameIndex = header.firstIndex(of: nameColumn), let valueIndex = header.firstIndex(of: valueColumn) else {
                mapIssue(.root, "\(csvFile) has no column '\(header.contains(nameColumn) ? valueColumn : nameColumn)' (columns: \(header.joined(separator: ", ")))")
                throw ChecklistError(issues: issues)
            }
            let unitIndex = unitColumn.flatMap { header.firstIndex(of: $0) }
            for (offset, row) in rows.dropFirst().enumerated() where row.count > max(nameIndex, valueIndex) {
                let name = row[nameIndex].trimmingCharacters(in: .whitespaces)
                guard let target = targets[name] else {
                    if !name.isEmpty && !unmapped.contains(name) { unmapped.append(name) }
                    continue
                }
                take(row[valueIndex], unitText: unitIndex.flatMap { $0 < row.count ? row[$0].trimmingCharacters(in: .whitespaces) : nil },
                     target: target, line: offset + 2, column: valueColumn)
            }
        }
        guard issues.isEmpty else { throw ChecklistError(issues: issues) }
        return Result(answers: answers, unmapped: unmapped)
    }
}

/// RFC 4180 CSV with the separator detected from the header line (`,` `;` or tab).
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let firstLine = body.prefix { $0 != "\n" && $0 != "\r" }
        let separator: Character = [";", "\t", ","].max { a, b in
            firstLine.filter { $0 == a }.count < firstLine.filter { $0 == b }.count
        } ?? ","
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(body).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let c = pending { pending = nil; return c }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let after = next() {
                        if after == "\"" { field.append("\"") } else { quoted = false; pending = after }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case separator: row.append(field); field = ""
            case "\r\n", "\n", "\r":
                row.append(field)
                field = ""
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows.map { $0.map { $0.trimmingCharacters(in: .whitespaces) } }
    }
}
