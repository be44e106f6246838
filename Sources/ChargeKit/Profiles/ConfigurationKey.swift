import BackendAPI
import OCPP

/// How keys and values of a charger's configuration are compared.
enum ConfigurationKey {
    /// The form two spellings of one key share. OCPP compares 1.6 keys (CiString50) and
    /// 2.0.1 component and variable names without regard to case; a 2.0.1 key is compared
    /// part by part, so `OCPPCommCtrlr.HeartbeatInterval` and `ocppcommctrlr.heartbeatinterval`
    /// are one key.
    static func normalized(_ key: String, version: BackendAPI.OCPPVersion) -> String {
        if version == .v201, let parsed = V201.VariableKey(parsing: key) {
            return V201.VariableKey(component: parsed.component.lowercased(), variable: parsed.variable.lowercased(),
                                    componentInstance: parsed.componentInstance?.lowercased(),
                                    variableInstance: parsed.variableInstance?.lowercased(),
                                    evseId: parsed.evseId, connectorId: parsed.connectorId).description
        }
        return key.lowercased()
    }
}

/// How a desired value is compared with the value a charger reports.
public enum ValueComparison: String, Sendable, Hashable, Encodable {
    /// `true`/`false`, ignoring case (chargers answer `True` and `TRUE` too).
    case boolean
    /// Decimal integers by value (`0300` equals `300`), ignoring surrounding spaces.
    case integer
    /// Comma-separated lists as sets: order, duplicates and spaces around items do not
    /// count (OCPP tags every sampled value with its measurand, and chargers reorder lists).
    case unorderedList
    /// Exact text; raw overrides use this, except that `true`/`false` ignore case.
    case text

    /// Whether `current` (as the charger reports it) is `desired` (as chargekit sends it).
    public func matches(current: String, desired: String) -> Bool {
        switch self {
        case .boolean:
            return trimmed(current).lowercased() == trimmed(desired).lowercased()
        case .integer:
            if let a = Int(trimmed(current)), let b = Int(trimmed(desired)) { return a == b }
            return current == desired
        case .unorderedList:
            return Set(Self.items(current)) == Set(Self.items(desired))
        case .text:
            if current == desired { return true }
            let booleans: Set<String> = ["true", "false"]
            let a = current.lowercased()
            return booleans.contains(a) && a == desired.lowercased()
        }
    }

    /// The items of a comma-separated list, trimmed, empty ones dropped.
    static func items(_ list: String) -> [String] {
        list.split(separator: ",", omittingEmptySubsequences: true).map { trimmed(String($0)) }.filter { !$0.isEmpty }
    }

    private func trimmed(_ text: String) -> String { Self.trimmed(text) }

    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
