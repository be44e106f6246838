/// A checklist judged against its answers: each item's result, failures with what was measured
/// and the limit, and the verdict.
public struct ChecklistEvaluation: Sendable, Equatable, Encodable {
    public enum Verdict: String, Sendable, Hashable, Encodable {
        /// Every applicable item answered, none failed.
        case pass
        /// At least one item failed.
        case fail
        /// Nothing failed, but required items are unanswered.
        case incomplete
    }

    public struct Item: Sendable, Equatable, Encodable {
        public enum Status: String, Sendable, Hashable, Encodable {
            /// Answered and within its rule (or answered pass).
            case pass
            /// Answered fail, or outside its rule.
            case fail
            /// The inspector said it does not apply.
            case notApplicable = "na"
            /// Its condition does not hold here (`earthing is TT` on a TN-S installation).
            case skipped
            /// Recorded without a rule to judge it (text, photo, signature, an unjudged choice).
            case recorded
            /// Required, applicable and unanswered.
            case missing
            /// Optional, applicable and unanswered.
            case unanswered
        }

        public var id: String
        public var section: String
        public var text: String
        public var status: Status
        /// The answer as shown (`0.42 Ω`, `pass`); nil when unanswered.
        public var measured: String?
        /// The rule applied (`≤ 1 Ω`); nil when none.
        public var limit: String?
        /// Why it failed or was skipped.
        public var message: String?
    }

    public var items: [Item]
    public var verdict: Verdict

    public var failures: [Item] { items.filter { $0.status == .fail } }
    public var missing: [Item] { items.filter { $0.status == .missing } }

    /// Judges `answers` (item id → answer) against `template`, item by item in order, so a
    /// condition sees the answers of the items before it.
    public init(template: ChecklistTemplate, answers: [String: ChecklistAnswer]) {
        var judged: [Item] = []
        // Answers of items that do not apply must not feed later conditions.
        var effective: [String: ChecklistAnswer] = [:]
        for section in template.sections {
            for item in section.items {
                var result = Item(id: item.id, section: section.title, text: item.text, status: .missing,
                                  measured: nil, limit: nil, message: nil)
                if let condition = item.condition, !condition.holds(given: effective) {
                    result.status = .skipped
                    result.message = "applies only when \(condition)"
                    judged.append(result)
                    continue
                }
                let rule = item.rule(given: effective)
                result.limit = rule.map { rule in item.unit.map { "\(rule) \($0)" } ?? rule.description }
                guard let answer = answers[item.id] else {
                    result.status = item.required ? .missing : .unanswered
                    judged.append(result)
                    continue
                }
                effective[item.id] = answer
                result.measured = answer.description
                result.status = Self.judge(answer, rule: rule)
                if result.status == .fail {
                    result.message = rule.map { "\(answer) is outside \(result.limit ?? $0.description)" } ?? "answered fail"
                }
                judged.append(result)
            }
        }
        items = judged
        if judged.contains(where: { $0.status == .fail }) {
            verdict = .fail
        } else if judged.contains(where: { $0.status == .missing }) {
            verdict = .incomplete
        } else {
            verdict = .pass
        }
    }

    static func judge(_ answer: ChecklistAnswer, rule: ChecklistRule?) -> Item.Status {
        switch answer {
        case .pass: return .pass
        case .fail: return .fail
        case .notApplicable: return .notApplicable
        case .measurement(let value, _):
            guard let rule else { return .recorded }
            return rule.passes(value) ? .pass : .fail
        case .text(let text), .choice(let text):
            guard let rule else { return .recorded }
            return rule.passes(text) ? .pass : .fail
        case .photo, .signature:
            return .recorded
        }
    }
}
