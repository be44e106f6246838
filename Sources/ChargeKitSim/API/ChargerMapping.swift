import BackendAPI
import Foundation

/// The CSMS's view of a charger (only what came over the wire) in the contract's shape.
enum ChargerMapping {
    static func summary(_ view: ChargerView, site: String) -> ChargerSummary {
        ChargerSummary(id: view.id, vendor: view.identity?.vendor, model: view.identity?.model,
                       serialNumber: view.identity?.serialNumber, firmwareVersion: view.identity?.firmwareVersion,
                       ocppVersion: view.ocppVersion.map(BackendAPI.OCPPVersion.init), connected: view.connected, siteId: site)
    }

    static func charger(_ view: ChargerView, site: Site, location: Location?, technical: TechnicalData) -> Charger {
        let summary = summary(view, site: site.id)
        let version = summary.ocppVersion
        return Charger(
            id: view.id, vendor: summary.vendor, model: summary.model, serialNumber: summary.serialNumber,
            firmwareVersion: summary.firmwareVersion, ocppVersion: version, connected: view.connected, siteId: site.id,
            lastHeartbeatAt: view.lastHeartbeat,
            lastBoot: view.lastBoot.map { BootInfo(at: $0, reason: view.lastBootReason, status: .accepted) },
            connectors: view.connectors.compactMap { connector($0, version: version) },
            site: SiteRef(id: site.id, name: site.name), location: location, technical: technical,
            meter: meter(view.meterValues, version: version),
            clockOffsetSeconds: view.clockOffsetSeconds.map { ($0 * 1000).rounded() / 1000 })
    }

    /// A connector with a status the contract knows; nil before its first StatusNotification.
    static func connector(_ c: ConnectorView, version: BackendAPI.OCPPVersion?) -> Connector? {
        let status = ConnectorStatus(rawValue: c.status)
        guard status.isKnown else { return nil }
        let at = c.timestamp ?? c.receivedAt
        if version == .v201 {
            // connectorId is the EVSE in the CSMS view; 2.0.1 has no errorCode, its
            // NotifyEvent problem code is the vendor's.
            return Connector(connectorId: c.evseConnectorId ?? 1, evseId: c.connectorId, status: status, errorCode: nil,
                             vendorErrorCode: c.errorCode, info: c.info, updatedAt: at)
        }
        return Connector(connectorId: c.connectorId, status: status, errorCode: c.errorCode, vendorErrorCode: c.vendorErrorCode,
                         info: c.info, updatedAt: at)
    }

    /// The latest meter sample of any connector, by the charger's timestamp.
    static func meter(_ samples: [MeterSample], version: BackendAPI.OCPPVersion?) -> BackendAPI.MeterReading? {
        guard let latest = samples.max(by: { ($0.timestamp, $0.connectorId) < ($1.timestamp, $1.connectorId) }) else { return nil }
        var reading = BackendAPI.MeterReading(at: latest.timestamp)
        if version == .v201 { reading.evseId = latest.connectorId } else { reading.connectorId = latest.connectorId }
        var voltage = PhaseValues(), current = PhaseValues(), power = PhaseValues()
        for r in latest.readings {
            let scale = (r.unit == "kW" || r.unit == "kWh") ? 1000.0 : 1.0
            let value = r.value * scale
            switch r.measurand {
            case "Voltage": set(&voltage, r.phase, value)
            case "Current.Import": set(&current, r.phase, value)
            case "Power.Active.Import":
                if r.phase == nil { reading.totalPowerW = value } else { set(&power, r.phase, value) }
            case "Energy.Active.Import.Register":
                if r.phase == nil { reading.energyWh = value }
            default: break
            }
        }
        reading.voltageV = voltage == PhaseValues() ? nil : voltage
        reading.currentA = current == PhaseValues() ? nil : current
        reading.powerW = power == PhaseValues() ? nil : power
        return reading
    }

    private static func set(_ values: inout PhaseValues, _ phase: String?, _ value: Double) {
        switch phase {
        case "L1", "L1-N", "L1-L2": values.l1 = value
        case "L2", "L2-N", "L2-L3": values.l2 = value
        case "L3", "L3-N", "L3-L1": values.l3 = value
        default: break
        }
    }
}
