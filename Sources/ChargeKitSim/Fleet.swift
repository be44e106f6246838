import Foundation
import OCPP

/// A fault a virtual charger can be given when it is made.
public enum ChargerFault: String, Sendable, Hashable, Codable, CaseIterable {
    /// Never connects to the CSMS.
    case offline = "offline"
    /// Its last connector is Faulted (GroundFailure, with vendor error code and info).
    case connectorFaulted = "connector-faulted"
    /// ChangeConfiguration / SetVariables of writable keys answer Rejected.
    case configRejected = "config-rejected"
    /// Every firmware download attempt fails.
    case firmwareDownloadFails = "firmware-download-fails"
    /// Firmware installation fails after download.
    case firmwareInstallFails = "firmware-install-fails"
    /// Handles every CALL from the CSMS 2 to 5 sim seconds late.
    case slow = "slow"
    /// Sends no FirmwareStatusNotification at all during an update; it just reboots with the
    /// new version (as some real 1.6 chargers do).
    case skipsFirmwareStatus = "skips-firmware-status"
}

/// A charger model the simulator knows: identity, electrical data, and the configuration
/// quirks that differ between real products.
public struct ChargerModel: Sendable, Hashable {
    public var vendor: String
    public var model: String
    public var version: OCPPVersion
    public var connectorCounts: [Int]
    /// 1 or 3: phases of the supply (DC chargers draw three-phase AC).
    public var phases: Int
    public var isDC: Bool
    /// Power per connector while charging, in W.
    public var maxPowerW: Double
    /// Firmware versions seen in the field; new chargers pick one of these.
    public var firmwareVersions: [String]
    /// Serial numbers are this prefix and `serialDigits` random digits.
    public var serialPrefix: String
    public var serialDigits: Int
    /// 1.6 BootNotification meterType, when the model reports one.
    public var meterType: String?
    /// 1.6 GetConfigurationMaxKeys.
    public var getConfigurationMaxKeys: Int
    /// 2.0.1 DeviceDataCtrlr.ItemsPerMessage[GetVariables] and [SetVariables].
    public var itemsPerMessageGet: Int
    public var itemsPerMessageSet: Int
    /// Keys answering RebootRequired on this model (1.6 key names or 2.0.1 `Component.Variable`).
    public var rebootRequiredKeys: Set<String>
    /// Keys that are writable in general but read-only on this model.
    public var readOnlyKeys: Set<String>
    /// Defaults that differ from the simulator's general defaults.
    public var defaults: [String: String]

    public init(vendor: String, model: String, version: OCPPVersion, connectorCounts: [Int], phases: Int, isDC: Bool,
                maxPowerW: Double, firmwareVersions: [String], serialPrefix: String, serialDigits: Int, meterType: String? = nil,
                getConfigurationMaxKeys: Int = 20, itemsPerMessageGet: Int = 10, itemsPerMessageSet: Int = 10,
                rebootRequiredKeys: Set<String> = [], readOnlyKeys: Set<String> = [], defaults: [String: String] = [:]) {
        self.vendor = vendor; self.model = model; self.version = version
        self.connectorCounts = connectorCounts.isEmpty ? [1] : connectorCounts
        self.phases = phases == 1 ? 1 : 3; self.isDC = isDC; self.maxPowerW = maxPowerW
        self.firmwareVersions = firmwareVersions.isEmpty ? ["1.0.0"] : firmwareVersions
        self.serialPrefix = serialPrefix; self.serialDigits = serialDigits; self.meterType = meterType
        self.getConfigurationMaxKeys = max(1, getConfigurationMaxKeys)
        self.itemsPerMessageGet = max(1, itemsPerMessageGet); self.itemsPerMessageSet = max(1, itemsPerMessageSet)
        self.rebootRequiredKeys = rebootRequiredKeys; self.readOnlyKeys = readOnlyKeys; self.defaults = defaults
    }

    /// The models `chargekit sim` builds fleets from.
    public static let catalog: [ChargerModel] = [
        ChargerModel(vendor: "Alfen", model: "Eve Single S-line", version: .v16, connectorCounts: [1], phases: 3, isDC: false,
                     maxPowerW: 11_000, firmwareVersions: ["6.3.1-4178", "6.4.0-4202", "6.5.1-4230"],
                     serialPrefix: "ACE00", serialDigits: 5, meterType: "Eastron SDM630",
                     getConfigurationMaxKeys: 20, itemsPerMessageGet: 0, itemsPerMessageSet: 0,
                     rebootRequiredKeys: ["WebSocketPingInterval"], readOnlyKeys: [],
                     defaults: ["AuthorizeRemoteTxRequests": "false"]),
        ChargerModel(vendor: "Alfen", model: "Eve Double Pro-line", version: .v16, connectorCounts: [2], phases: 3, isDC: false,
                     maxPowerW: 22_000, firmwareVersions: ["6.4.0-4202", "6.5.1-4230"],
                     serialPrefix: "ACE00", serialDigits: 5, meterType: "Eastron SDM630",
                     getConfigurationMaxKeys: 20, itemsPerMessageGet: 0, itemsPerMessageSet: 0,
                     rebootRequiredKeys: ["WebSocketPingInterval"], readOnlyKeys: [],
                     defaults: ["AuthorizeRemoteTxRequests": "false"]),
        ChargerModel(vendor: "ABB", model: "Terra AC W22", version: .v16, connectorCounts: [1], phases: 3, isDC: false,
                     maxPowerW: 22_000, firmwareVersions: ["1.6.8", "1.7.2", "1.8.1"],
                     serialPrefix: "TACW2242212G", serialDigits: 4, meterType: nil,
                     getConfigurationMaxKeys: 10, itemsPerMessageGet: 0, itemsPerMessageSet: 0,
                     rebootRequiredKeys: ["WebSocketPingInterval", "SecurityProfile"],
                     readOnlyKeys: ["AuthorizeRemoteTxRequests"],
                     defaults: ["AuthorizeRemoteTxRequests": "true"]),
        ChargerModel(vendor: "ABB", model: "Terra 54", version: .v16, connectorCounts: [2, 3], phases: 3, isDC: true,
                     maxPowerW: 50_000, firmwareVersions: ["1.8.23", "1.9.4"],
                     serialPrefix: "T54-HVC-", serialDigits: 6, meterType: nil,
                     getConfigurationMaxKeys: 10, itemsPerMessageGet: 0, itemsPerMessageSet: 0,
                     rebootRequiredKeys: ["SecurityProfile"], readOnlyKeys: [],
                     defaults: ["AuthorizeRemoteTxRequests": "true"]),
        ChargerModel(vendor: "Zaptec", model: "Pro", version: .v201, connectorCounts: [1], phases: 3, isDC: false,
                     maxPowerW: 22_000, firmwareVersions: ["4.1.0.2", "4.2.1.0", "4.3.0.1"],
                     serialPrefix: "ZAP0", serialDigits: 5, meterType: nil,
                     getConfigurationMaxKeys: 0, itemsPerMessageGet: 4, itemsPerMessageSet: 4,
                     rebootRequiredKeys: ["OCPPCommCtrlr.WebSocketPingInterval"], readOnlyKeys: [],
                     defaults: ["AuthCtrlr.AuthorizeRemoteStart": "false"]),
        ChargerModel(vendor: "Zaptec", model: "Go", version: .v201, connectorCounts: [1], phases: 1, isDC: false,
                     maxPowerW: 7_400, firmwareVersions: ["3.1.2.0", "3.2.0.4"],
                     serialPrefix: "ZGO0", serialDigits: 5, meterType: nil,
                     getConfigurationMaxKeys: 0, itemsPerMessageGet: 4, itemsPerMessageSet: 4,
                     rebootRequiredKeys: ["OCPPCommCtrlr.WebSocketPingInterval"], readOnlyKeys: [],
                     defaults: ["AuthCtrlr.AuthorizeRemoteStart": "false"]),
        ChargerModel(vendor: "Kempower", model: "S-Series", version: .v201, connectorCounts: [2, 3], phases: 3, isDC: true,
                     maxPowerW: 150_000, firmwareVersions: ["1.38.0", "1.40.2", "1.41.1"],
                     serialPrefix: "KPS-24-", serialDigits: 6, meterType: nil,
                     getConfigurationMaxKeys: 0, itemsPerMessageGet: 20, itemsPerMessageSet: 10,
                     rebootRequiredKeys: [], readOnlyKeys: ["AuthCtrlr.AuthorizeRemoteStart"],
                     defaults: ["AuthCtrlr.AuthorizeRemoteStart": "true"]),
    ]

    public static func named(vendor: String, model: String) -> ChargerModel? {
        catalog.first { $0.vendor == vendor && $0.model == model }
    }
}

/// Everything that defines one virtual charger at creation.
public struct ChargerSpec: Sendable, Hashable {
    public var id: String
    public var site: String
    public var model: ChargerModel
    public var serialNumber: String
    public var firmwareVersion: String
    public var connectorCount: Int
    public var meterSerialNumber: String?
    public var faults: Set<ChargerFault>
    /// The charger's clock runs this many seconds ahead of sim time (negative: behind).
    public var clockDriftSeconds: Double
    /// Seed of the charger's own random source (measurement noise, delays).
    public var seed: UInt64

    public var version: OCPPVersion { model.version }

    public init(id: String, site: String, model: ChargerModel, serialNumber: String, firmwareVersion: String,
                connectorCount: Int, meterSerialNumber: String? = nil, faults: Set<ChargerFault> = [],
                clockDriftSeconds: Double = 0, seed: UInt64 = 1) {
        self.id = id; self.site = site; self.model = model; self.serialNumber = serialNumber
        self.firmwareVersion = firmwareVersion; self.connectorCount = max(1, connectorCount)
        self.meterSerialNumber = meterSerialNumber; self.faults = faults
        self.clockDriftSeconds = clockDriftSeconds; self.seed = seed
    }
}

public enum FleetPlan {
    /// `CP-0001`…: at least four digits, more when the fleet needs them.
    public static func chargerId(_ number: Int, count: Int) -> String {
        let width = max(4, String(count).count)
        let digits = String(number)
        return "CP-" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `SITE-01`…
    public static func siteId(_ number: Int) -> String {
        number < 10 ? "SITE-0\(number)" : "SITE-\(number)"
    }

    /// A fleet made from `seed` alone: charger i is the same whatever the fleet size, so a
    /// test that names CP-0003 gets the same charger with 5 or 5,000 chargers.
    /// `v16Share` is the share of OCPP 1.6 chargers (the rest speak 2.0.1).
    public static func generate(count: Int, seed: UInt64, chargersPerSite: Int = 50, v16Share: Double = 0.6,
                                faults: [String: Set<ChargerFault>] = [:], clockDrift: [String: Double] = [:]) -> [ChargerSpec] {
        let v16 = ChargerModel.catalog.filter { $0.version == .v16 }
        let v201 = ChargerModel.catalog.filter { $0.version == .v201 }
        let perSite = max(1, chargersPerSite)
        var specs: [ChargerSpec] = []
        specs.reserveCapacity(max(0, count))
        for i in 0..<max(0, count) {
            var rng = SplitMix64(seed: seed ^ (UInt64(i + 1) &* 0xD1B5_4A32_D192_ED03))
            let pool = rng.uniform(0, 1) < v16Share ? v16 : v201
            let model = pool[Int(rng.next() % UInt64(pool.count))]
            let connectors = model.connectorCounts[Int(rng.next() % UInt64(model.connectorCounts.count))]
            let firmware = model.firmwareVersions[Int(rng.next() % UInt64(model.firmwareVersions.count))]
            var serialDigits = ""
            for _ in 0..<model.serialDigits { serialDigits += String(rng.next() % 10) }
            let id = chargerId(i + 1, count: count)
            var meterSerial: String? = nil
            if model.meterType != nil {
                meterSerial = "SDM" + String(10_000_000 + Int(rng.next() % 89_999_999))
            }
            specs.append(ChargerSpec(
                id: id, site: siteId(i / perSite + 1), model: model, serialNumber: model.serialPrefix + serialDigits,
                firmwareVersion: firmware, connectorCount: connectors, meterSerialNumber: meterSerial,
                faults: faults[id] ?? [], clockDriftSeconds: clockDrift[id] ?? 0, seed: rng.next()))
        }
        return specs
    }
}

/// Sim-second durations of what a virtual charger does.
public struct ChargerTiming: Sendable, Hashable {
    /// Soft / Hard (1.6) and OnIdle / Immediate (2.0.1) reset: time off the network.
    public var softRebootSeconds: Double = 5
    public var hardRebootSeconds: Double = 10
    /// From remote start (or authorisation) to the vehicle drawing current.
    public var plugInSeconds: Double = 2
    /// From stop to the cable unplugged (Finishing → Available).
    public var unplugSeconds: Double = 3
    /// Minimum time a firmware download takes, whatever the fetcher's speed.
    public var downloadSeconds: Double = 20
    public var installSeconds: Double = 30
    public var firmwareRebootSeconds: Double = 15
    /// The `slow` fault answers CALLs this late.
    public var slowAnswer: ClosedRange<Double> = 2...5
    /// Until a rejected or pending BootNotification is retried, when the CSMS gives no interval.
    public var bootRetrySeconds: Double = 30
    /// Chargers connect spread over this window after start, not all in the same instant.
    public var startSpreadSeconds: Double = 5

    public init() {}
}
