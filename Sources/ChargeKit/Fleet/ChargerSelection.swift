import Foundation
import BackendAPI

/// Which chargers a fleet command runs over, from `--select KEY=VALUE` expressions:
///
///     --select model=Terra-AC --select site=site-north     (both must hold)
///     --select site=site-north --select site=site-south    (either site)
///     --select id=CP-00*                                   (a glob on the id)
///
/// Keys: `id`, `model`, `vendor`, `firmware`, `site`, `ocpp` (1.6 or 2.0.1), `connected`
/// (true or false). Different keys must all hold; values of one key are alternatives. A key
/// with a single exact value goes to the backend as a query filter; the rest is matched here
/// on the listing, so the backend never has to understand globs or alternatives.
public struct ChargerSelection: Sendable, Equatable {
    public enum Key: String, Sendable, CaseIterable {
        case id, model, vendor, firmware, site, ocpp, connected
    }

    /// Why an expression is refused; `description` names the expression.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var expression: String
        public var reason: String
        public var description: String { "--select \(expression): \(reason)" }
    }

    /// Alternatives per key, in the order given.
    public private(set) var terms: [Key: [String]] = [:]

    public init() {}

    /// Parses `expressions` (each `KEY=VALUE`); no expressions selects every charger.
    public init(parsing expressions: [String]) throws(Error) {
        for expression in expressions {
            guard let eq = expression.firstIndex(of: "=") else {
                throw Error(expression: expression, reason: "expected KEY=VALUE, e.g. model=Terra-AC")
            }
            let name = String(expression[..<eq]).trimmingCharacters(in: .whitespaces).lowercased()
            let value = String(expression[expression.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
            guard let key = Key(rawValue: name) else {
                let known = Key.allCases.map(\.rawValue)
                var reason = "unknown key '\(name)' (keys: \(known.joined(separator: ", ")))"
                if let guess = Suggestion.closest(to: name, in: known, preferring: .prefixed) {
                    reason += "; did you mean '\(guess)'?"
                }
                throw Error(expression: expression, reason: reason)
            }
            guard !value.isEmpty else { throw Error(expression: expression, reason: "empty value") }
            switch key {
            case .ocpp:
                guard OCPPVersion(rawValue: value).isKnown else {
                    throw Error(expression: expression, reason: "OCPP version must be 1.6 or 2.0.1")
                }
            case .connected:
                guard Self.bool(value) != nil else {
                    throw Error(expression: expression, reason: "connected must be true or false")
                }
            default:
                break
            }
            if terms[key]?.contains(value) != true { terms[key, default: []].append(value) }
        }
    }

    /// Selects every charger.
    public var isEmpty: Bool { terms.isEmpty }

    /// The part the backend can filter on: keys with exactly one exact value.
    public var backendFilter: ChargerFilter {
        func single(_ key: Key) -> String? {
            guard let values = terms[key], values.count == 1, let value = values.first, !value.contains("*") else { return nil }
            return value
        }
        return ChargerFilter(model: single(.model), vendor: single(.vendor), firmwareVersion: single(.firmware),
                             site: single(.site), connected: single(.connected).flatMap(Self.bool),
                             ocppVersion: single(.ocpp).map { OCPPVersion(rawValue: $0) })
    }

    /// Whether `charger` is selected: every key holds for one of its values.
    public func matches(_ charger: ChargerSummary) -> Bool {
        terms.allSatisfy { key, values in
            values.contains { value in
                switch key {
                case .id: Self.glob(value, matches: charger.id)
                case .model: charger.model.map { Self.glob(value, matches: $0) } ?? false
                case .vendor: charger.vendor.map { Self.glob(value, matches: $0) } ?? false
                case .firmware: charger.firmwareVersion.map { Self.glob(value, matches: $0) } ?? false
                case .site: Self.glob(value, matches: charger.siteId)
                case .ocpp: charger.ocppVersion == OCPPVersion(rawValue: value)
                case .connected: Self.bool(value) == charger.connected
                }
            }
        }
    }

    /// `*` matches any run of characters; everything else matches itself.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        guard pattern.contains("*") else { return pattern == text }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        for (i, part) in parts.enumerated() {
            if i == 0 {
                guard rest.hasPrefix(part) else { return false }
                rest = rest.dropFirst(part.count)
            } else if i == parts.count - 1 {
                return part.isEmpty || rest.hasSuffix(part)
            } else if !part.isEmpty {
                guard let range = rest.range(of: part) else { return false }
                rest = rest[range.upperBound...]
            }
        }
        return rest.isEmpty
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1": true
        case "false", "no", "0": false
        default: nil
        }
    }
}

extension BackendClient {
    /// Every charger `selection` picks, in the backend's order (by id), following the cursor.
    public func chargers(selectedBy selection: ChargerSelection) async throws(BackendError) -> [ChargerSummary] {
        try await allChargers(selection.backendFilter).filter(selection.matches)
    }
}
