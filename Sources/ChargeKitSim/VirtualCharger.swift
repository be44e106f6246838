import Foundation
import JSON
import OCPP

/// One virtual charger: the WebSocket-client side of OCPP, 1.6 or 2.0.1.
///
/// It lives inside `ChargerHost` and is only touched from there (every method takes the host
/// as its isolation), so it needs no locks. It talks to the CSMS only with frames.
final class VirtualCharger {
    let index: Int
    let spec: ChargerSpec
    let timing: ChargerTiming
    var version: OCPPVersion { spec.model.version }
    var firmwareVersion: String
    var config: ConfigStore
    var rng: SplitMix64

    enum Link { case down, booting, up }
    var link = Link.down
    /// Bumped at every reboot; timers of an older epoch are dropped.
    var epoch: UInt32 = 0
    var bootCount = 0
    var bootReason201 = V201.BootReason.powerUp
    private var messageCounter = 0
    var outstanding: [String: Outstanding] = [:]
    var heartbeatGen: UInt32 = 0
    var alignedGen: UInt32 = 0
    var notifyEventSeq = 0
    var txCounter = 0
    var connectors: [Connector]
    /// 2.0.1 OnIdle reset waiting for the last transaction to end.
    var resetWhenIdle = false
    var firmware: FirmwareJob?
    var firmwareJobCounter = 0
    var lastFirmwareStatus: String?
    var networkProfiles: [Int: V201.NetworkConnectionProfile] = [:]

    enum Outstanding {
        case boot(triggered: Bool)
        case authorize(connector: Int, gen: UInt32)
        case startTransaction(connector: Int, gen: UInt32)
        case other
    }

    struct Transaction {
        var idTag: String
        var idToken201: V201.IdToken?
        var remoteStartId: Int?
        /// 1.6: from the StartTransaction response.
        var id16: Int?
        /// 2.0.1: made by the charger.
        var id201: String
        var seqNo = 0
        var meterStartWh: Int
        var startedAt: Double
    }

    struct Connector {
        var id: Int
        var status16 = V16.ChargePointStatus.available
        var faulted = false
        var operative = true
        /// ChangeAvailability answered Scheduled: applied when the transaction ends.
        var operativeAfterTransaction: Bool?
        /// A remote start accepted, waiting for authorisation or the vehicle.
        var starting: (idTag: String, idToken: V201.IdToken?, remoteStartId: Int?)?
        var tx: Transaction?
        var charging = false
        var plugged = false
        var energyWh: Double
        var lastEnergyAt: Double = 0
        var powerW: Double = 0
        var socPercent: Double
        /// Bumped when the connector's transaction state changes; stale timers are dropped.
        var gen: UInt32 = 0
        var sampleGen: UInt32 = 0

        var status201: V201.ConnectorStatus {
            if faulted { return .faulted }
            if !operative { return .unavailable }
            if tx != nil || plugged || starting != nil { return .occupied }
            return .available
        }

        var isFree: Bool { !faulted && operative && tx == nil && starting == nil && !plugged }
    }

    init(index: Int, spec: ChargerSpec, timing: ChargerTiming) {
        self.index = index
        self.spec = spec
        self.timing = timing
        self.firmwareVersion = spec.firmwareVersion
        self.config = ConfigStore.initial(for: spec)
        var rng = SplitMix64(seed: spec.seed)
        var connectors: [Connector] = []
        for id in 1...spec.connectorCount {
            let energy = Double(Int(rng.uniform(50_000, 5_000_000)))
            connectors.append(Connector(id: id, energyWh: energy, socPercent: rng.uniform(15, 40)))
        }
        if spec.faults.contains(.connectorFaulted) {
            connectors[connectors.count - 1].faulted = true
            connectors[connectors.count - 1].status16 = .faulted
        }
        self.connectors = connectors
        self.rng = rng
        if spec.model.version == .v201 {
            networkProfiles[0] = V201.NetworkConnectionProfile(
                ocppCsmsUrl: "wss://csms.sim.chargekit/ocpp", messageTimeout: 30,
                securityProfile: Int(config.value("SecurityCtrlr.SecurityProfile") ?? "1") ?? 1, ocppInterface: .wired0)
        }
    }

    // MARK: Time

    func chargerNow(_ host: isolated ChargerHost) -> Date {
        host.clock.now.addingTimeInterval(spec.clockDriftSeconds)
    }

    func stamp(_ host: isolated ChargerHost) -> OCPPDateTime { OCPPDateTime(chargerNow(host)) }

    // MARK: Sending

    func sendCall<R: OCPPRequest>(_ request: R, _ purpose: Outstanding = .other, host: isolated ChargerHost) {
        let isBoot = R.action == "BootNotification"
        guard link == .up || (link == .booting && isBoot) else { return }
        messageCounter += 1
        let id = String(messageCounter)
        guard let frame = try? OCPPFrame.call(messageId: id, request) else { return }
        outstanding[id] = purpose
        host.transmit(index, frame.text)
    }

    func reply<P: Encodable>(_ messageId: String, _ payload: P, host: isolated ChargerHost) {
        guard link != .down, let frame = try? OCPPFrame.callResult(messageId: messageId, payload) else { return }
        host.transmit(index, frame.text)
    }

    func replyError(_ messageId: String, _ code: OCPPErrorCode, _ description: String, host: isolated ChargerHost) {
        guard link != .down else { return }
        host.transmit(index, OCPPFrame.callError(messageId: messageId, code, String(description.prefix(200)), version: version).text)
    }

    // MARK: Timers

    func timerFired(_ event: TimerEvent, host: isolated ChargerHost) {
        switch event {
        case .connect: connect(host: host)
        case .bootRetry: if link == .booting { sendBoot(triggered: false, host: host) }
        case .heartbeat(let gen):
            guard gen == heartbeatGen, link == .up else { return }
            if version == .v16 { sendCall(V16.HeartbeatRequest(), host: host) } else { sendCall(V201.HeartbeatRequest(), host: host) }
            scheduleHeartbeat(host: host)
        case .aligned(let gen):
            guard gen == alignedGen, link == .up else { return }
            sendAlignedMeterValues(host: host)
            scheduleAligned(host: host)
        case .sample(let c, let gen): sampleFired(c, gen: gen, host: host)
        case .plugIn(let c, let gen): plugIn(c, gen: gen, host: host)
        case .unplug(let c, let gen): unplug(c, gen: gen, host: host)
        case .deferredCall(let text): receive(text, deferred: true, host: host)
        case .firmware(let job, let step): firmwareStep(job: job, step: step, host: host)
        }
    }

    // MARK: Connection and boot

    func connect(host: isolated ChargerHost) {
        guard !spec.faults.contains(.offline), link == .down else { return }
        let changed = config.applyPendingAfterReboot()
        if version == .v201, changed.contains("OCPPCommCtrlr.NetworkConfigurationPriority") || bootCount == 0 {
            applyNetworkPriority()
        }
        host.open(index)
        link = .booting
        sendBoot(triggered: false, host: host)
    }

    /// 2.0.1: the first slot of NetworkConfigurationPriority that holds a profile is the one
    /// connected with, so its security profile becomes SecurityCtrlr.SecurityProfile.
    private func applyNetworkPriority() {
        for slot in config.list("OCPPCommCtrlr.NetworkConfigurationPriority").compactMap({ Int($0) }) {
            if let profile = networkProfiles[slot] {
                config.setInternal("SecurityCtrlr.SecurityProfile", String(profile.securityProfile))
                return
            }
        }
    }

    func sendBoot(triggered: Bool, host: isolated ChargerHost) {
        switch version {
        case .v16:
            sendCall(V16.BootNotificationRequest(
                chargePointVendor: spec.model.vendor, chargePointModel: spec.model.model,
                chargePointSerialNumber: spec.serialNumber, chargeBoxSerialNumber: spec.serialNumber,
                firmwareVersion: firmwareVersion, meterType: spec.model.meterType, meterSerialNumber: spec.meterSerialNumber),
                .boot(triggered: triggered), host: host)
        case .v201:
            sendCall(V201.BootNotificationRequest(
                chargingStation: V201.ChargingStation(vendorName: spec.model.vendor, model: spec.model.model,
                                                      serialNumber: spec.serialNumber, firmwareVersion: firmwareVersion),
                reason: triggered ? .triggered : bootReason201),
                .boot(triggered: triggered), host: host)
        }
    }

    private func bootAnswered(_ payload: JSONValue, triggered: Bool, host: isolated ChargerHost) {
        let accepted: Bool
        let interval: Int
        if version == .v16, let r = try? JSONValueDecoder().decode(V16.BootNotificationResponse.self, from: payload) {
            accepted = r.status == .accepted
            interval = r.interval
        } else if version == .v201, let r = try? JSONValueDecoder().decode(V201.BootNotificationResponse.self, from: payload) {
            accepted = r.status == .accepted
            interval = r.interval
        } else {
            if !triggered { host.schedule(index, after: timing.bootRetrySeconds, .bootRetry) }
            return
        }
        guard accepted else {
            if !triggered { host.schedule(index, after: interval > 0 ? Double(interval) : timing.bootRetrySeconds, .bootRetry) }
            return
        }
        if interval > 0 { config.setInternal(Setting.heartbeatInterval.key(version), String(interval)) }
        scheduleHeartbeat(host: host)
        if triggered { return }
        link = .up
        bootCount += 1
        sendAllStatuses(host: host)
        scheduleAligned(host: host)
        firmwareAfterBoot(host: host)
    }

    func scheduleHeartbeat(host: isolated ChargerHost) {
        heartbeatGen &+= 1
        let interval = config.int(Setting.heartbeatInterval.key(version))
        if interval > 0 { host.schedule(index, after: Double(interval), .heartbeat(gen: heartbeatGen)) }
    }

    func scheduleAligned(host: isolated ChargerHost) {
        alignedGen &+= 1
        let interval = Double(config.int(Setting.alignedInterval.key(version)))
        guard interval > 0 else { return }
        // Clock-aligned on the charger's own clock: the next multiple of the interval.
        let t = chargerNow(host).timeIntervalSince1970
        let next = (t / interval).rounded(.down) * interval + interval
        host.schedule(index, after: next - t, .aligned(gen: alignedGen))
    }

    /// Goes off the network: the WebSocket closes, timers of this boot die.
    func goDown(host: isolated ChargerHost) {
        guard link != .down else { return }
        host.close(index)
        link = .down
        epoch &+= 1
        outstanding = [:]
        for i in connectors.indices {
            connectors[i].tx = nil
            connectors[i].starting = nil
            connectors[i].charging = false
            connectors[i].plugged = false
            connectors[i].gen &+= 1
            if let op = connectors[i].operativeAfterTransaction {
                connectors[i].operative = op
                connectors[i].operativeAfterTransaction = nil
            }
            connectors[i].status16 = connectors[i].faulted ? .faulted : (connectors[i].operative ? .available : .unavailable)
        }
        resetWhenIdle = false
    }

    func reboot(after delay: Double, reason: V201.BootReason, host: isolated ChargerHost) {
        goDown(host: host)
        bootReason201 = reason
        host.schedule(index, after: delay, .connect)
    }

    // MARK: Status notifications

    func sendAllStatuses(host: isolated ChargerHost) {
        switch version {
        case .v16:
            let stationStatus: V16.ChargePointStatus = connectors.allSatisfy({ !$0.operative }) ? .unavailable : .available
            sendCall(V16.StatusNotificationRequest(connectorId: 0, errorCode: .noError, status: stationStatus, timestamp: stamp(host)), host: host)
            for c in connectors { sendStatus(c.id, host: host) }
        case .v201:
            for c in connectors { sendStatus(c.id, host: host) }
            let faulted = connectors.filter(\.faulted)
            if !faulted.isEmpty {
                notifyEventSeq += 1
                let events = faulted.enumerated().map { (n, c) in
                    V201.EventData(eventId: notifyEventSeq * 100 + n, timestamp: stamp(host), trigger: .delta, actualValue: "true",
                                   eventNotificationType: .hardWiredNotification,
                                   component: V201.Component(name: "Connector", evse: V201.EVSE(id: c.id, connectorId: 1)),
                                   variable: V201.Variable(name: "Problem"), techCode: "GroundFailure",
                                   techInfo: "RCD tripped, vendor code E-GF-30")
                }
                sendCall(V201.NotifyEventRequest(generatedAt: stamp(host), seqNo: 0, eventData: events), host: host)
            }
        }
    }

    func sendStatus(_ connectorId: Int, host: isolated ChargerHost) {
        guard let c = connectors.first(where: { $0.id == connectorId }) else { return }
        switch version {
        case .v16:
            if c.faulted {
                sendCall(V16.StatusNotificationRequest(connectorId: c.id, errorCode: .groundFailure, status: .faulted, timestamp: stamp(host),
                                                       info: "RCD tripped", vendorId: spec.model.vendor, vendorErrorCode: "E-GF-30"), host: host)
            } else {
                sendCall(V16.StatusNotificationRequest(connectorId: c.id, errorCode: .noError, status: c.status16, timestamp: stamp(host)), host: host)
            }
        case .v201:
            sendCall(V201.StatusNotificationRequest(timestamp: stamp(host), connectorStatus: c.status201, evseId: c.id, connectorId: 1), host: host)
        }
    }

    func setStatus16(_ connector: Int, _ status: V16.ChargePointStatus, host: isolated ChargerHost) {
        guard let i = connectors.firstIndex(where: { $0.id == connector }) else { return }
        if connectors[i].faulted { return }
        connectors[i].status16 = status
        if version == .v16 { sendStatus(connector, host: host) }
    }

    // MARK: Receiving

    func receive(_ text: String, deferred: Bool = false, host: isolated ChargerHost) {
        guard link != .down else { return }
        let frame: OCPPFrame
        do {
            frame = try OCPPFrame(text: text)
        } catch {
            if let id = error.messageId { replyError(id, error.suggestedErrorCode, error.description, host: host) }
            return
        }
        switch frame {
        case .call(let id, let action, let payload):
            if !deferred, spec.faults.contains(.slow) {
                let delay = rng.uniform(timing.slowAnswer.lowerBound, timing.slowAnswer.upperBound)
                host.schedule(index, after: delay, .deferredCall(text))
                return
            }
            if link == .booting {
                // Before BootNotification is accepted a charger answers nothing but errors.
                replyError(id, .securityError, "not accepted by the CSMS yet", host: host)
                return
            }
            switch version {
            case .v16: handleCall16(id, action, payload, host: host)
            case .v201: handleCall201(id, action, payload, frameBytes: text.utf8.count, host: host)
            }
        case .callResult(let id, let payload):
            guard let purpose = outstanding.removeValue(forKey: id) else { return }
            resultReceived(purpose, payload, host: host)
        case .callError(let id, _, _, _):
            guard let purpose = outstanding.removeValue(forKey: id) else { return }
            errorReceived(purpose, host: host)
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ payload: JSONValue, _ id: String, host: isolated ChargerHost) -> T? {
        do {
            return try JSONValueDecoder().decode(type, from: payload)
        } catch {
            replyError(id, OCPPErrorCode(decodingError: error), "payload does not match the \(T.self) schema", host: host)
            return nil
        }
    }

    private func resultReceived(_ purpose: Outstanding, _ payload: JSONValue, host: isolated ChargerHost) {
        switch purpose {
        case .boot(let triggered): bootAnswered(payload, triggered: triggered, host: host)
        case .authorize(let c, let gen): authorizeAnswered(c, gen: gen, payload: payload, host: host)
        case .startTransaction(let c, let gen): startTransactionAnswered(c, gen: gen, payload: payload, host: host)
        case .other: break
        }
    }

    private func errorReceived(_ purpose: Outstanding, host: isolated ChargerHost) {
        switch purpose {
        case .boot(let triggered): if !triggered { host.schedule(index, after: timing.bootRetrySeconds, .bootRetry) }
        case .authorize(let c, let gen): authorizeAnswered(c, gen: gen, payload: .emptyObject, host: host)
        case .startTransaction(let c, let gen): startTransactionAnswered(c, gen: gen, payload: .emptyObject, host: host)
        case .other: break
        }
    }

    // MARK: Configuration

    /// Re-arms whatever a just-accepted configuration value drives.
    func configChanged(_ key: String, host: isolated ChargerHost) {
        if key == Setting.heartbeatInterval.key(version) { scheduleHeartbeat(host: host) }
        if key == Setting.alignedInterval.key(version) { scheduleAligned(host: host) }
        if key == Setting.sampleInterval.key(version) {
            for c in connectors where c.charging { scheduleSample(c.id, host: host) }
        }
    }

    func dynamicValue(_ key: String, host: isolated ChargerHost) -> String {
        if key == "ClockCtrlr.DateTime" { return OCPPDateTime.format(chargerNow(host)) }
        if let parsed = V201.VariableKey(parsing: key), let evse = parsed.evseId,
           let c = connectors.first(where: { $0.id == evse }) {
            switch parsed.variable {
            case "AvailabilityState": return c.status201.rawValue
            case "Power": return String(Int(c.charging ? c.powerW : 0))
            default: break
            }
        }
        return ""
    }

    func snapshot(host: isolated ChargerHost) -> ChargerSnapshot {
        var values: [String: String] = [:]
        for (k, v) in config.variables { values[k] = v.dynamic ? dynamicValue(k, host: host) : v.value }
        return ChargerSnapshot(
            id: spec.id, connected: link == .up, firmwareVersion: firmwareVersion, bootCount: bootCount,
            configuration: values, pendingConfiguration: config.pending,
            connectorStatuses: connectors.map { version == .v16 ? $0.status16.rawValue : $0.status201.rawValue },
            energyWh: connectors.map(\.energyWh), firmwareJobActive: firmware != nil)
    }
}
