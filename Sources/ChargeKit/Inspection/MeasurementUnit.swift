import Foundation

/// The units inspection measurements are taken in. Each belongs to a quantity and converts to
/// the others of that quantity, so an installation tester exporting mΩ fills an item kept in Ω;
/// a value in a unit of another quantity is refused.
public struct MeasurementUnit: Sendable, Hashable, CustomStringConvertible {
    public enum Quantity: String, Sendable, Hashable {
        case resistance, voltage, current, time, frequency, ratio
    }

    /// As written in templates and reports: `Ω`, `mA`, `ms`.
    public let symbol: String
    public let quantity: Quantity
    /// How many of the quantity's base unit (Ω, V, A, s, Hz, %) one of this is.
    public let scale: Double

    public var description: String { symbol }

    public static let all: [MeasurementUnit] = [
        MeasurementUnit(symbol: "mΩ", quantity: .resistance, scale: 1e-3),
        MeasurementUnit(symbol: "Ω", quantity: .resistance, scale: 1),
        MeasurementUnit(symbol: "kΩ", quantity: .resistance, scale: 1e3),
        MeasurementUnit(symbol: "MΩ", quantity: .resistance, scale: 1e6),
        MeasurementUnit(symbol: "mV", quantity: .voltage, scale: 1e-3),
        MeasurementUnit(symbol: "V", quantity: .voltage, scale: 1),
        MeasurementUnit(symbol: "kV", quantity: .voltage, scale: 1e3),
        MeasurementUnit(symbol: "mA", quantity: .current, scale: 1e-3),
        MeasurementUnit(symbol: "A", quantity: .current, scale: 1),
        MeasurementUnit(symbol: "ms", quantity: .time, scale: 1e-3),
        MeasurementUnit(symbol: "s", quantity: .time, scale: 1),
        MeasurementUnit(symbol: "Hz", quantity: .frequency, scale: 1),
        MeasurementUnit(symbol: "kHz", quantity: .frequency, scale: 1e3),
        MeasurementUnit(symbol: "%", quantity: .ratio, scale: 1),
    ]

    /// Other spellings testers and keyboards produce: `Ohm`, `MOhm`, `ohm`, the Ohm sign U+2126.
    static let aliases: [String: String] = [
        "ohm": "Ω", "ohms": "Ω", "Ω": "Ω", "mohm": "mΩ", "kohm": "kΩ", "megohm": "MΩ", "mω": "mΩ", "kω": "kΩ",
        "sec": "s", "msec": "ms", "pct": "%", "percent": "%",
    ]

    /// The unit written `text` (case matters for `mΩ`/`MΩ`; otherwise spellings are forgiving).
    public static func named(_ text: String) -> MeasurementUnit? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let exact = all.first(where: { $0.symbol == trimmed }) { return exact }
        let ohmSign = trimmed.replacingOccurrences(of: "\u{2126}", with: "Ω")
        if let exact = all.first(where: { $0.symbol == ohmSign }) { return exact }
        // "MOhm" and "mOhm" differ only in case: decide on the first letter before folding.
        if ohmSign.lowercased().hasSuffix("ohm") || ohmSign.lowercased().hasSuffix("ohms") {
            let prefix = ohmSign.prefix { $0 != "o" && $0 != "O" }
            switch prefix {
            case "": return named("Ω")
            case "m": return named("mΩ")
            case "M": return named("MΩ")
            case "k", "K": return named("kΩ")
            default: return nil
            }
        }
        if let alias = aliases[ohmSign.lowercased()] { return all.first { $0.symbol == alias } }
        return all.first { $0.symbol.lowercased() == ohmSign.lowercased() && $0.quantity != .resistance }
    }

    /// `value` in this unit expressed in `other`; nil when they measure different quantities.
    public func convert(_ value: Double, to other: MeasurementUnit) -> Double? {
        guard quantity == other.quantity else { return nil }
        return value * scale / other.scale
    }
}
