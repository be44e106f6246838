import Foundation

/// One answer to a checklist item. Measurements are kept in the item's own unit (converted on
/// the way in), so judging and reporting never convert again.
public enum ChecklistAnswer: Sendable, Hashable, Codable, CustomStringConvertible {
    case pass
    case fail
    /// Not applicable here, said by the inspector (unlike an item whose condition is false).
    case notApplicable
    case measurement(value: Double, unit: String)
    case text(String)
    case choice(String)
    case photo(path: String)
    case signature(name: String)

    /// What conditions and `oneOf` rules compare: the chosen word, the text, pass/fail/na.
    var comparableText: String? {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .notApplicable: "na"
        case .measurement(let value, _): ChecklistRule.number(value)
        case .text(let text), .choice(let text): text
        case .photo, .signature: nil
        }
    }

    /// `pass`, `0.42 Ω`, `TT`, `photo front.jpg`.
    public var description: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .notApplicable: "n/a"
        case .measurement(let value, let unit): "\(ChecklistRule.number(value)) \(unit)"
        case .text(let text), .choice(let text): text
        case .photo(let path): "photo \((path as NSString).lastPathComponent)"
        case .signature(let name): "signed by \(name)"
        }
    }

    /// Why a typed answer does not fit its item; `description` is for the person typing.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var item: String
        public var reason: String
        public var description: String { "\(item): \(reason)" }
    }

    /// Reads an answer as typed (interactively, in an answers file, from a tester's CSV):
    /// `pass`/`fail`/`na`, a number with or without a unit (`0.42`, `420 mΩ`, `0,42`), a choice
    /// (any case), text, a photo path, a name. Numbers in another unit of the same quantity are
    /// converted to the item's unit; another quantity is refused.
    public static func parse(_ input: String, for item: ChecklistItem) throws(Error) -> ChecklistAnswer {
        let text = input.trimmingCharacters(in: .whitespaces)
        func fail(_ reason: String) -> Error { Error(item: item.id, reason: reason) }
        guard !text.isEmpty else { throw fail("empty answer") }
        let lowered = text.lowercased()
        if ["na", "n/a", "not applicable"].contains(lowered) {
            guard item.kind == .passFail || !item.required else {
                throw fail("this item must be answered; 'na' is only for pass/fail items and optional ones")
            }
            return .notApplicable
        }
        switch item.kind {
        case .passFail:
            switch lowered {
            case "pass", "p", "ok", "yes", "y": return .pass
            case "fail", "f", "no", "n": return .fail
            default: throw fail("'\(text)' is not pass, fail or na")
            }
        case .measurement:
            return try measurement(text, for: item)
        case .choice:
            guard let match = item.choices.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                var reason = "'\(text)' is not one of \(item.choices.joined(separator: ", "))"
                if let guess = Suggestion.closest(to: text, in: item.choices, preferring: .prefixed) { reason += "; did you mean '\(guess)'?" }
                throw fail(reason)
            }
            return .choice(match)
        case .text: return .text(text)
        case .photo: return .photo(path: text)
        case .signature: return .signature(name: text)
        }
    }

    static func measurement(_ text: String, for item: ChecklistItem) throws(Error) -> ChecklistAnswer {
        // The number is what a decimal number can start with; the rest, if anything, the unit.
        let numberPart = text.prefix { $0.isNumber || $0 == "." || $0 == "," || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }
        let unitPart = text.dropFirst(numberPart.count).trimmingCharacters(in: .whitespaces)
        guard !numberPart.isEmpty else {
            throw Error(item: item.id, reason: "'\(text)' is not a number (in \(item.unit?.symbol ?? "no unit"))")
        }
        return try measurement(String(numberPart), unit: unitPart.isEmpty ? nil : unitPart, for: item)
    }

    /// A measurement given as a number and, apart, the unit it was taken in (nil: the item's),
    /// as testers export them.
    public static func measurement(_ number: String, unit unitText: String?, for item: ChecklistItem) throws(Error) -> ChecklistAnswer {
        guard let unit = item.unit else { throw Error(item: item.id, reason: "the template gives this measurement no unit") }
        let trimmed = number.trimmingCharacters(in: .whitespaces)
        guard let value = Double(trimmed.replacingOccurrences(of: ",", with: ".")), value.isFinite else {
            throw Error(item: item.id, reason: "'\(trimmed)' is not a number (in \(unit))")
        }
        guard let unitText, !unitText.isEmpty else { return .measurement(value: value, unit: unit.symbol) }
        guard let given = MeasurementUnit.named(unitText) else {
            throw Error(item: item.id, reason: "'\(unitText)' is not a unit chargekit knows; this item is measured in \(unit)")
        }
        guard let converted = given.convert(value, to: unit) else {
            throw Error(item: item.id, reason: "\(given) measures \(given.quantity.rawValue), this item \(unit.quantity.rawValue) (in \(unit))")
        }
        return .measurement(value: converted, unit: unit.symbol)
    }
}
