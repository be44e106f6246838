import Foundation
import JSON
import OCPP

/// Transactions with a simulated vehicle, and meter values.
extension VirtualCharger {
    func connectorIndex(_ id: Int) -> Int? { connectors.firstIndex { $0.id == id } }

    /// Accepts a remote start on `connector` (or the first free one). Returns the connector id.
    func remoteStart(connector: Int?, idTag: String, idToken: V201.IdToken?, remoteStartId: Int?, host: isolated ChargerHost) -> Int? {
        let candidate: Int?
        if let wanted = connector {
            candidate = connectorIndex(wanted)
        } else {
            candidate = connectors.firstIndex { $0.isFree }
        }
        guard let i = candidate, connectors[i].isFree else { return nil }
        connectors[i].starting = (idTag, idToken, remoteStartId)
        connectors[i].gen &+= 1
        return connectors[i].id
    }

    /// After the Accepted answer went out: authorise first when the charger is configured to
    /// (AuthorizeRemoteTxRequests / AuthCtrlr.AuthorizeRemoteStart), then the vehicle plugs in.
    func afterRemoteStartAccepted(_ connector: Int, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), let starting = connectors[i].starting else { return }
        if config.bool(Setting.authorizeRemote.key(version)) {
            let purpose = Outstanding.authorize(connector: connector, gen: connectors[i].gen)
            switch version {
            case .v16: sendCall(V16.AuthorizeRequest(idTag: starting.idTag), purpose, host: host)
            case .v201:
                sendCall(V201.AuthorizeRequest(idToken: starting.idToken ?? V201.IdToken(idToken: starting.idTag, type: .central)), purpose, host: host)
            }
        } else {
            beginPreparing(connector, host: host)
        }
    }

    func authorizeAnswered(_ connector: Int, gen: UInt32, payload: JSONValue, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), connectors[i].gen == gen, connectors[i].starting != nil else { return }
        let accepted: Bool
        switch version {
        case .v16: accepted = (try? JSONValueDecoder().decode(V16.AuthorizeResponse.self, from: payload))?.idTagInfo.status == .accepted
        case .v201: accepted = (try? JSONValueDecoder().decode(V201.AuthorizeResponse.self, from: payload))?.idTokenInfo.status == .accepted
        }
        if accepted {
            beginPreparing(connector, host: host)
        } else {
            connectors[i].starting = nil
            connectors[i].gen &+= 1
        }
    }

    private func beginPreparing(_ connector: Int, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector) else { return }
        connectors[i].plugged = true
        if version == .v16 {
            setStatus16(connector, .preparing, host: host)
        } else {
            sendStatus(connector, host: host)  // Occupied
        }
        host.schedule(index, after: timing.plugInSeconds, .plugIn(connector: connector, gen: connectors[i].gen))
    }

    /// The vehicle is ready: the transaction starts.
    func plugIn(_ connector: Int, gen: UInt32, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), connectors[i].gen == gen, let starting = connectors[i].starting else { return }
        connectors[i].starting = nil
        let now = host.clock.elapsed
        connectors[i].lastEnergyAt = now
        connectors[i].powerW = spec.model.maxPowerW * rng.uniform(0.85, 0.98)
        let meterStart = Int(connectors[i].energyWh)
        txCounter += 1
        var tx = Transaction(idTag: starting.idTag, idToken201: starting.idToken, remoteStartId: starting.remoteStartId,
                             id16: nil, id201: makeTransactionId(), meterStartWh: meterStart, startedAt: now)
        switch version {
        case .v16:
            connectors[i].tx = tx
            sendCall(V16.StartTransactionRequest(connectorId: connector, idTag: starting.idTag, meterStart: meterStart, timestamp: stamp(host)),
                     .startTransaction(connector: connector, gen: gen), host: host)
        case .v201:
            connectors[i].charging = true
            let begin = meterValue201(connector, measurands: config.list("SampledDataCtrlr.TxStartedMeasurands"), context: .transactionBegin, host: host)
            sendCall(V201.TransactionEventRequest(
                eventType: .started, timestamp: stamp(host), triggerReason: .remoteStart, seqNo: tx.seqNo,
                transactionInfo: V201.Transaction(transactionId: tx.id201, chargingState: .evConnected, remoteStartId: starting.remoteStartId),
                meterValue: begin.map { [$0] }, numberOfPhasesUsed: spec.model.phases,
                evse: V201.EVSE(id: connector, connectorId: 1),
                idToken: starting.idToken ?? V201.IdToken(idToken: starting.idTag, type: .central)), host: host)
            tx.seqNo += 1
            sendCall(V201.TransactionEventRequest(
                eventType: .updated, timestamp: stamp(host), triggerReason: .chargingStateChanged, seqNo: tx.seqNo,
                transactionInfo: V201.Transaction(transactionId: tx.id201, chargingState: .charging)), host: host)
            tx.seqNo += 1
            connectors[i].tx = tx
            scheduleSample(connector, host: host)
        }
    }

    func startTransactionAnswered(_ connector: Int, gen: UInt32, payload: JSONValue, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), connectors[i].gen == gen, connectors[i].tx != nil else { return }
        guard let r = try? JSONValueDecoder().decode(V16.StartTransactionResponse.self, from: payload) else {
            // No transaction id: nothing can be reported for it. Give up the session.
            connectors[i].tx = nil
            connectors[i].plugged = false
            connectors[i].gen &+= 1
            setStatus16(connector, .available, host: host)
            return
        }
        connectors[i].tx?.id16 = r.transactionId
        if r.idTagInfo.status == .accepted {
            connectors[i].charging = true
            connectors[i].lastEnergyAt = host.clock.elapsed
            setStatus16(connector, .charging, host: host)
            scheduleSample(connector, host: host)
        } else if config.bool("StopTransactionOnInvalidId") {
            stopTransaction(connector, reason16: .deAuthorized, reason201: .deAuthorized, trigger: .deauthorized, unplug: true, host: host)
        } else {
            setStatus16(connector, .suspendedEVSE, host: host)
        }
    }

    /// Ends the transaction on `connector`: Finishing, StopTransaction / TransactionEvent Ended,
    /// then (when `unplug`) the cable comes out and the connector is Available again.
    func stopTransaction(_ connector: Int, reason16: V16.StopReason, reason201: V201.Reason, trigger: V201.TriggerReason,
                         unplug: Bool, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), var tx = connectors[i].tx else { return }
        advanceEnergy(i, host: host)
        connectors[i].charging = false
        connectors[i].gen &+= 1
        connectors[i].sampleGen &+= 1
        let meterStop = max(tx.meterStartWh, Int(connectors[i].energyWh))
        switch version {
        case .v16:
            setStatus16(connector, .finishing, host: host)
            if let txId = tx.id16 {
                let data = meterValue16(connector, measurands: config.list("StopTxnSampledData"), context: .transactionEnd, host: host)
                sendCall(V16.StopTransactionRequest(transactionId: txId, meterStop: meterStop, timestamp: stamp(host),
                                                    idTag: tx.idTag, reason: reason16, transactionData: data.map { [$0] }), host: host)
            }
        case .v201:
            let end = meterValue201(connector, measurands: config.list("SampledDataCtrlr.TxEndedMeasurands"), context: .transactionEnd, host: host)
            sendCall(V201.TransactionEventRequest(
                eventType: .ended, timestamp: stamp(host), triggerReason: trigger, seqNo: tx.seqNo,
                transactionInfo: V201.Transaction(transactionId: tx.id201, chargingState: .evConnected,
                                                  timeSpentCharging: Int(host.clock.elapsed - tx.startedAt), stoppedReason: reason201),
                meterValue: end.map { [$0] }, evse: V201.EVSE(id: connector, connectorId: 1)), host: host)
            tx.seqNo += 1
        }
        connectors[i].tx = nil
        if unplug {
            host.schedule(index, after: timing.unplugSeconds, .unplug(connector: connector, gen: connectors[i].gen))
        }
    }

    func unplug(_ connector: Int, gen: UInt32, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), connectors[i].gen == gen else { return }
        connectors[i].plugged = false
        if let op = connectors[i].operativeAfterTransaction {
            connectors[i].operative = op
            connectors[i].operativeAfterTransaction = nil
        }
        if version == .v16 {
            setStatus16(connector, connectors[i].operative ? .available : .unavailable, host: host)
        } else {
            sendStatus(connector, host: host)
        }
        if resetWhenIdle, !connectors.contains(where: { $0.tx != nil }) {
            reboot(after: timing.softRebootSeconds, reason: .remoteReset, host: host)
        }
    }

    private func makeTransactionId() -> String {
        // A UUID (version 4 layout) from the charger's own random source: deterministic per seed.
        let a = rng.next(), b = rng.next()
        func hex(_ v: UInt64, _ digits: Int) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: max(0, digits - s.count)) + s
        }
        let timeLow = hex(a >> 32, 8)
        let timeMid = hex((a >> 16) & 0xFFFF, 4)
        let timeHi = hex(0x4000 | (a & 0x0FFF), 4)
        let clockSeq = hex(0x8000 | ((b >> 48) & 0x3FFF), 4)
        let node = hex(b & 0xFFFF_FFFF_FFFF, 12)
        return "\(timeLow)-\(timeMid)-\(timeHi)-\(clockSeq)-\(node)"
    }

    // MARK: Meter values

    func scheduleSample(_ connector: Int, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector) else { return }
        connectors[i].sampleGen &+= 1
        let interval = config.int(Setting.sampleInterval.key(version))
        if interval > 0 {
            host.schedule(index, after: Double(interval), .sample(connector: connector, gen: connectors[i].sampleGen))
        }
    }

    func sampleFired(_ connector: Int, gen: UInt32, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), connectors[i].sampleGen == gen, connectors[i].charging, connectors[i].tx != nil else { return }
        switch version {
        case .v16: sendMeterValues(connector, setting: .sampledMeasurands, context: .samplePeriodic, host: host)
        case .v201: sendTransactionUpdate(connector, trigger: .meterValuePeriodic, context: .samplePeriodic, host: host)
        }
        scheduleSample(connector, host: host)
    }

    /// Clock-aligned readings of every connector: 1.6 MeterValues; 2.0.1 MeterValues for an
    /// idle EVSE and TransactionEvent (MeterValueClock) for one in a transaction.
    func sendAlignedMeterValues(host: isolated ChargerHost) {
        for c in connectors {
            if version == .v201, c.tx != nil {
                sendTransactionUpdate(c.id, trigger: .meterValueClock, context: .sampleClock, host: host)
            } else {
                sendMeterValues(c.id, setting: .alignedMeasurands, context: .sampleClock, host: host)
            }
        }
    }

    func sendMeterValues(_ connector: Int, setting: Setting, context: V16.ReadingContext, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector) else { return }
        let measurands = config.list(setting.key(version))
        switch version {
        case .v16:
            guard let mv = meterValue16(connector, measurands: measurands, context: context, host: host) else { return }
            sendCall(V16.MeterValuesRequest(connectorId: connector, transactionId: connectors[i].tx?.id16, meterValue: [mv]), host: host)
        case .v201:
            let ctx = V201.ReadingContext(rawValue: context.rawValue) ?? .other
            guard let mv = meterValue201(connector, measurands: measurands, context: ctx, host: host) else { return }
            sendCall(V201.MeterValuesRequest(evseId: connector, meterValue: [mv]), host: host)
        }
    }

    func sendTransactionUpdate(_ connector: Int, trigger: V201.TriggerReason, context: V201.ReadingContext, host: isolated ChargerHost) {
        guard let i = connectorIndex(connector), var tx = connectors[i].tx else { return }
        let key = context == .sampleClock ? "AlignedDataCtrlr.Measurands" : "SampledDataCtrlr.TxUpdatedMeasurands"
        let mv = meterValue201(connector, measurands: config.list(key), context: context, host: host)
        sendCall(V201.TransactionEventRequest(
            eventType: .updated, timestamp: stamp(host), triggerReason: trigger, seqNo: tx.seqNo,
            transactionInfo: V201.Transaction(transactionId: tx.id201, chargingState: connectors[i].charging ? .charging : .evConnected),
            meterValue: mv.map { [$0] }), host: host)
        tx.seqNo += 1
        connectors[i].tx = tx
    }

    func advanceEnergy(_ i: Int, host: isolated ChargerHost) {
        let now = host.clock.elapsed
        if connectors[i].charging {
            let dt = max(0, now - connectors[i].lastEnergyAt)
            connectors[i].energyWh += connectors[i].powerW * dt / 3600
            if spec.model.isDC {
                connectors[i].socPercent = min(100, connectors[i].socPercent + connectors[i].powerW * dt / 3600 / 600)  // ~60 kWh battery
            }
        }
        connectors[i].lastEnergyAt = now
    }

    struct Reading {
        var measurand: String
        var phase: String?
        var value: Double
        var unit: String?
        var location: String?
        var decimals: Int
    }

    /// What the connector's meter reads now, for the given measurands. Voltage is line to
    /// neutral per phase ("L1-N"...), current per phase ("L1"...): L1 only on a single-phase
    /// supply. ~230 V with a few volts of noise.
    func readings(_ connector: Int, measurands: [String], host: isolated ChargerHost) -> [Reading] {
        guard let i = connectorIndex(connector) else { return [] }
        advanceEnergy(i, host: host)
        let c = connectors[i]
        let phases = spec.model.phases == 1 ? ["L1"] : ["L1", "L2", "L3"]
        var out: [Reading] = []
        var voltages: [Double] = []
        for _ in phases { voltages.append(230 + rng.uniform(-3, 3)) }
        let power = c.charging ? c.powerW * rng.uniform(0.98, 1.02) : 0
        for m in measurands {
            switch m {
            case "Energy.Active.Import.Register":
                out.append(Reading(measurand: m, value: c.energyWh.rounded(.down), unit: "Wh", location: "Outlet", decimals: 0))
            case "Power.Active.Import":
                out.append(Reading(measurand: m, value: power.rounded(), unit: "W", decimals: 0))
            case "Power.Offered":
                out.append(Reading(measurand: m, value: spec.model.maxPowerW, unit: "W", decimals: 0))
            case "Current.Import":
                for (n, p) in phases.enumerated() {
                    let amps = power / (Double(phases.count) * voltages[n])
                    out.append(Reading(measurand: m, phase: p, value: amps, unit: "A", decimals: 1))
                }
            case "Current.Offered":
                out.append(Reading(measurand: m, value: spec.model.maxPowerW / (Double(phases.count) * 230), unit: "A", decimals: 1))
            case "Voltage":
                for (n, p) in phases.enumerated() {
                    out.append(Reading(measurand: m, phase: p + "-N", value: voltages[n], unit: "V", location: "Inlet", decimals: 1))
                }
            case "Frequency":
                out.append(Reading(measurand: m, value: 50 + rng.uniform(-0.05, 0.05), unit: version == .v201 ? "Hz" : nil, decimals: 2))
            case "Temperature":
                out.append(Reading(measurand: m, value: 28 + rng.uniform(-2, 2), unit: "Celsius", location: "Body", decimals: 1))
            case "SoC":
                if spec.model.isDC, c.charging {
                    out.append(Reading(measurand: m, value: c.socPercent.rounded(.down), unit: "Percent", location: "EV", decimals: 0))
                }
            default:
                break
            }
        }
        return out
    }

    func meterValue16(_ connector: Int, measurands: [String], context: V16.ReadingContext, host: isolated ChargerHost) -> V16.MeterValue? {
        let values = readings(connector, measurands: measurands, host: host).map { r in
            V16.SampledValue(value: Self.decimal(r.value, r.decimals), context: context, format: .raw,
                             measurand: V16.Measurand(rawValue: r.measurand), phase: r.phase.flatMap(V16.Phase.init(rawValue:)),
                             location: r.location.flatMap(V16.Location.init(rawValue:)), unit: r.unit.flatMap(V16.UnitOfMeasure.init(rawValue:)))
        }
        return values.isEmpty ? nil : V16.MeterValue(timestamp: stamp(host), sampledValue: values)
    }

    func meterValue201(_ connector: Int, measurands: [String], context: V201.ReadingContext, host: isolated ChargerHost) -> V201.MeterValue? {
        let values = readings(connector, measurands: measurands, host: host).map { r in
            V201.SampledValue(value: Self.rounded(r.value, r.decimals), context: context, measurand: V201.Measurand(rawValue: r.measurand),
                              phase: r.phase.flatMap(V201.Phase.init(rawValue:)), location: r.location.flatMap(V201.Location.init(rawValue:)),
                              unitOfMeasure: r.unit.map { V201.UnitOfMeasure(unit: $0) })
        }
        return values.isEmpty ? nil : V201.MeterValue(timestamp: stamp(host), sampledValue: values)
    }

    static func rounded(_ value: Double, _ decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }

    /// A decimal string with exactly `decimals` fraction digits, without Foundation's
    /// locale-dependent formatting.
    static func decimal(_ value: Double, _ decimals: Int) -> String {
        let scale = pow(10, Double(decimals))
        let scaled = Int64((abs(value) * scale).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(scaled) }
        let divisor = Int64(scale)
        let frac = String(scaled % divisor)
        return sign + String(scaled / divisor) + "." + String(repeating: "0", count: decimals - frac.count) + frac
    }
}
