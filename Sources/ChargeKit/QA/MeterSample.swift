import BackendAPI
import Foundation
import JSON

/// One sampled value from a charger's MeterValues or TransactionEvent payload, in base units
/// (V, A, W, Wh): the same reading whichever OCPP version sent it.
public struct MeterSample: Sendable, Equatable {
    public var measurand: String
    /// `L1`, `L2`, `L3` (a line-to-neutral `L1-N` counts as `L1`); nil for the total.
    public var phase: String?
    public var value: Double
    public var context: String?
    public var timestamp: Date?

    public init(measurand: String, phase: String? = nil, value: Double, context: String? = nil, timestamp: Date? = nil) {
        self.measurand = measurand
        self.phase = phase
        self.value = value
        self.context = context
        self.timestamp = timestamp
    }

    public static let energy = "Energy.Active.Import.Register"
    public static let power = "Power.Active.Import"
    public static let current = "Current.Import"
    public static let voltage = "Voltage"

    /// The samples of the `meterValue` array of a payload. 1.6 sends values as strings with a
    /// `unit`, 2.0.1 as numbers with `unitOfMeasure` {unit, multiplier}; a missing measurand
    /// is the energy register (both versions' default). Values that are not numbers are left out.
    public static func parse(_ payload: JSONObject) -> [MeterSample] {
        var samples: [MeterSample] = []
        for meterValue in payload["meterValue"]?.arrayValue ?? [] {
            let time = meterValue["timestamp"]?.stringValue.flatMap(Timestamp.parse)
            for sampled in meterValue["sampledValue"]?.arrayValue ?? [] {
                let raw = sampled["value"]?.doubleValue ?? sampled["value"]?.stringValue.flatMap(Double.init)
                guard let raw, raw.isFinite else { continue }
                let measurand = sampled["measurand"]?.stringValue ?? energy
                var unit = sampled["unit"]?.stringValue ?? sampled["unitOfMeasure"]?["unit"]?.stringValue
                var value = raw
                if let multiplier = sampled["unitOfMeasure"]?["multiplier"]?.intValue, multiplier != 0 {
                    value *= pow(10, Double(multiplier))
                }
                if let u = unit, u.hasPrefix("k"), u.count > 1 {
                    value *= 1000
                    unit = String(u.dropFirst())
                }
                var phase = sampled["phase"]?.stringValue
                if let p = phase, p.hasSuffix("-N") { phase = String(p.dropLast(2)) }
                samples.append(MeterSample(measurand: measurand, phase: phase, value: value,
                                           context: sampled["context"]?.stringValue, timestamp: time))
            }
        }
        return samples
    }

    /// The energy register among `samples` (the total, not a phase).
    public static func energyWh(_ samples: [MeterSample]) -> Double? {
        samples.last { $0.measurand == energy && $0.phase == nil }?.value
    }
}
