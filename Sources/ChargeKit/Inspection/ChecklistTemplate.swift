/// A technical-inspection checklist: data, not code (Fixtures/checklists/*.json). Limits live
/// here, so a new edition of a standard is a new template version, not a new chargekit.
///
///     {"id": "commissioning", "version": "1.0.0", "title": "...",
///      "standards": [{"name": "IEC 60364-6", "edition": "2016"}],
///      "sections": [{"id": "C", "title": "Continuity and insulation", "items": [
///        {"id": "earthing", "kind": "choice", "text": "Earthing arrangement",
///         "choices": ["TN-S", "TN-C-S", "TT"], "prefill": "earthing"},
///        {"id": "C1", "kind": "measurement", "text": "Protective conductor continuity R(PE)",
///         "unit": "Ω", "rule": {"max": 1.0}},
///        {"id": "D6", "kind": "measurement", "text": "Earth electrode resistance RA", "unit": "Ω",
///         "rule": {"max": 1666}, "when": {"earthing": "TT"}},
///        {"id": "D9", "kind": "measurement", "text": "RCD trip time at 1 × IΔn", "unit": "ms",
///         "rule": {"max": 300},
///         "cases": [{"when": {"rcdClass": "selective"}, "rule": {"min": 130, "max": 500}}]}]}]}
public struct ChecklistTemplate: Sendable, Equatable {
    public var id: String
    public var version: String
    public var title: String
    public var description: String?
    public var standards: [Standard]
    public var sections: [Section]
    /// The file it was read from, as named in messages.
    public var file: String

    public struct Standard: Sendable, Equatable, Codable {
        public var name: String
        public var edition: String
    }

    public struct Section: Sendable, Equatable {
        public var id: String
        public var title: String
        public var items: [ChecklistItem]
    }

    /// Every item in order.
    public var items: [ChecklistItem] { sections.flatMap(\.items) }

    public func item(_ id: String) -> ChecklistItem? { items.first { $0.id == id } }
}

public struct ChecklistItem: Sendable, Equatable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// Answered pass, fail or na.
        case passFail
        /// A number in `unit`, judged by `rule`.
        case measurement
        /// Free text; a rule (`oneOf`) may judge it.
        case text
        /// One of `choices`; a rule (`oneOf`) may judge it.
        case choice
        /// The path of a photo.
        case photo
        /// The name of who signs.
        case signature
    }

    public var id: String
    public var text: String
    public var kind: Kind
    /// A missing answer to a required item that applies keeps the report from being finished.
    public var required: Bool
    /// Where in the standard (`IEC 60364-6 6.4.3.2`), for the report.
    public var reference: String?
    /// A hint shown while answering (how to measure).
    public var help: String?
    public var unit: MeasurementUnit?
    public var choices: [String]
    /// The rule when no case applies.
    public var rule: ChecklistRule?
    /// Rules for particular contexts, the first whose condition holds wins.
    public var cases: [RuleCase]
    /// The item applies only when this holds (nil: always).
    public var condition: ChecklistCondition?
    /// A technical-data key of the charger (`earthing`, `phases`) that pre-fills the answer.
    public var prefill: String?
    public var origin: DocumentOrigin

    public struct RuleCase: Sendable, Hashable {
        public var condition: ChecklistCondition
        public var rule: ChecklistRule
    }

    /// The rule that applies given the other answers: the first matching case, else `rule`.
    public func rule(given answers: [String: ChecklistAnswer]) -> ChecklistRule? {
        cases.first { $0.condition.holds(given: answers) }?.rule ?? rule
    }
}

/// How a value is judged.
public enum ChecklistRule: Sendable, Hashable, CustomStringConvertible {
    case min(Double)
    case max(Double)
    case range(Double, Double)
    /// The answer must be one of these (case does not count).
    case oneOf([String])

    public func passes(_ number: Double) -> Bool {
        switch self {
        case .min(let low): number >= low
        case .max(let high): number <= high
        case .range(let low, let high): number >= low && number <= high
        case .oneOf(let values): values.contains { Double($0) == number }
        }
    }

    public func passes(_ text: String) -> Bool {
        switch self {
        case .oneOf(let values): values.contains { $0.caseInsensitiveCompare(text) == .orderedSame }
        default: Double(text).map(passes) ?? false
        }
    }

    /// `≤ 1.0`, `≥ 1.0`, `207 – 253`, `clockwise`.
    public var description: String {
        switch self {
        case .min(let low): "≥ \(ChecklistRule.number(low))"
        case .max(let high): "≤ \(ChecklistRule.number(high))"
        case .range(let low, let high): "\(ChecklistRule.number(low)) – \(ChecklistRule.number(high))"
        case .oneOf(let values): values.joined(separator: " or ")
        }
    }

    /// `1`, `0.5`, `1.37`: no trailing zeros.
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// `"when": {"earthing": "TT", "phases": ["3"]}`: every named item's answer is one of the
/// values. An item that is unanswered (or does not apply) makes the condition false.
public struct ChecklistCondition: Sendable, Hashable, CustomStringConvertible {
    public var clauses: [Clause]

    public struct Clause: Sendable, Hashable {
        public var item: String
        public var values: [String]
    }

    public func holds(given answers: [String: ChecklistAnswer]) -> Bool {
        clauses.allSatisfy { clause in
            guard let text = answers[clause.item]?.comparableText else { return false }
            return clause.values.contains { $0.caseInsensitiveCompare(text) == .orderedSame }
        }
    }

    /// `earthing is TT and phases is 3`.
    public var description: String {
        clauses.map { "\($0.item) is \($0.values.joined(separator: " or "))" }.joined(separator: " and ")
    }
}
