import Foundation
import JSON
import OCPP

/// The simulated CSMS core: the server end of every charger's connection.
///
/// It knows a charger only from the frames it received; it acts on a charger only by sending
/// CALLs and waiting for the CALLRESULT/CALLERROR (ARCHITECTURE.md). Operations wait
/// `callTimeout` of real time for an answer, like SteVe's 30 s.
public actor CSMS {
    public struct Options: Sendable {
        /// `interval` in BootNotification answers, unless a HeartbeatInterval change was
        /// accepted by that charger since (then that value, so a reboot keeps it).
        public var heartbeatInterval = 300
        public var callTimeout: Duration = .seconds(30)
        public var eventCapacity = 200_000
        public init() {}
    }

    struct Session {
        var id: String
        var site: String?
        var wireIndex: Int?
        var version: OCPPVersion?
        var connected = false
        var connectedSince: Date?
        var identity: ChargerIdentity?
        var lastSeen: Date?
        var lastHeartbeat: Date?
        var lastBoot: Date?
        var lastBootReason: String?
        var bootCount = 0
        var bootInterval: Int?
        /// HeartbeatInterval last accepted through `changeConfiguration`.
        var configuredHeartbeat: Int?
        var connectors: [Int: ConnectorView] = [:]
        var meter: [Int: MeterSample] = [:]
        var clockOffset: Double?
        var firmwareStatus: String?
        var firmwareStatusAt: Date?
        var firmwareRequestId: Int?
        /// Discovered per boot: 1.6 GetConfigurationMaxKeys, 2.0.1 ItemsPerMessage.
        var maxKeys: Int?
        var itemsPerGet: Int?
        var itemsPerSet: Int?
        var bytesPerGet: Int?
        var bytesPerSet: Int?
        /// A BootNotification was answered on the current connection: only then does the
        /// charger take requests (before, it answers SecurityError).
        var booted = false

        var view: ChargerView {
            ChargerView(id: id, site: site, ocppVersion: version, identity: identity, connected: connected,
                        connectedSince: connectedSince, lastSeen: lastSeen, lastHeartbeat: lastHeartbeat, lastBoot: lastBoot,
                        lastBootReason: lastBootReason, bootCount: bootCount, heartbeatInterval: bootInterval,
                        connectors: connectors.keys.sorted().compactMap { connectors[$0] },
                        meterValues: meter.keys.sorted().compactMap { meter[$0] }, clockOffsetSeconds: clockOffset,
                        firmwareStatus: firmwareStatus, firmwareStatusAt: firmwareStatusAt, firmwareRequestId: firmwareRequestId)
        }
    }

    struct PendingCall {
        var chargerId: String
        var action: String
        var continuation: CheckedContinuation<Result<JSONValue, CSMSError>, Never>
        var timer: Task<Void, Never>?
    }

    public let options: Options
    public nonisolated let clock: SimClock
    /// What the chargers sent, with long-poll (`events(after:chargers:types:limit:wait:)`).
    public nonisolated let eventLog: EventLog
    let wire: Wire
    private var sessions: [String: Session] = [:]
    private var pending: [String: PendingCall] = [:]
    private var messageCounter = 0
    private var transactionCounter = 0
    private var firmwareRequestCounter = 0
    private var stopped = false

    init(clock: SimClock, wire: Wire, options: Options) {
        self.clock = clock
        self.wire = wire
        self.options = options
        self.eventLog = EventLog(capacity: options.eventCapacity)
    }

    /// Makes a charger known (as a CPO provisions it), with its site, before it ever connects.
    public func register(chargerId: String, site: String?) {
        if sessions[chargerId] == nil { sessions[chargerId] = Session(id: chargerId) }
        sessions[chargerId]?.site = site
    }

    // MARK: Views

    public func charger(_ id: String) -> ChargerView? { sessions[id]?.view }

    /// Every known charger, sorted by id.
    public func chargers() -> [ChargerView] {
        sessions.keys.sorted().compactMap { sessions[$0]?.view }
    }

    public var connectedCount: Int { sessions.values.reduce(0) { $0 + ($1.connected ? 1 : 0) } }

    /// Long-poll on what the chargers sent; see `EventLog.events`.
    public nonisolated func events(after: UInt64? = nil, chargers: Set<String>? = nil, types: Set<String>? = nil,
                                   limit: Int = 1000, wait: Duration = .zero) async -> EventPage {
        await eventLog.events(after: after, chargers: chargers, types: types, limit: limit, wait: wait)
    }

    // MARK: Wire in

    func receive(_ batch: [WireMessage]) {
        for message in batch {
            switch message {
            case .open(let id, let index, let version):
                var s = sessions[id] ?? Session(id: id)
                s.wireIndex = index
                s.version = version
                s.connected = true
                s.booted = false
                s.connectedSince = clock.now
                s.lastSeen = clock.now
                sessions[id] = s
            case .close(let id, _):
                sessions[id]?.connected = false
                sessions[id]?.booted = false
                sessions[id]?.connectedSince = nil
                for (mid, p) in pending where p.chargerId == id {
                    finish(mid, .failure(.connectionLost(chargerId: id, action: p.action)))
                }
            case .text(let id, _, let text):
                handleText(id, text)
            }
        }
    }

    private func handleText(_ id: String, _ text: String) {
        guard sessions[id]?.connected == true else { return }
        sessions[id]?.lastSeen = clock.now
        let frame: OCPPFrame
        do {
            frame = try OCPPFrame(text: text)
        } catch {
            if let mid = error.messageId { sendError(id, mid, error.suggestedErrorCode, error.description) }
            return
        }
        switch frame {
        case .call(let mid, let action, let payload):
            chargerCall(id, mid, action, payload)
        case .callResult(let mid, let payload):
            guard pending[mid]?.chargerId == id else { return }
            finish(mid, .success(payload))
        case .callError(let mid, let code, let description, let details):
            guard let p = pending[mid], p.chargerId == id else { return }
            finish(mid, .failure(.callError(chargerId: id, action: p.action, code: code, description: description, details: details)))
        }
    }

    private func transmit(_ id: String, _ frame: OCPPFrame) {
        guard let index = sessions[id]?.wireIndex, let version = sessions[id]?.version else { return }
        wire.csmsSends(id, index: index, version: version, frame.text)
    }

    private func respond<P: Encodable>(_ id: String, _ mid: String, _ payload: P) {
        guard let frame = try? OCPPFrame.callResult(messageId: mid, payload) else { return }
        transmit(id, frame)
    }

    private func sendError(_ id: String, _ mid: String, _ code: OCPPErrorCode, _ description: String) {
        transmit(id, OCPPFrame.callError(messageId: mid, code, description, version: sessions[id]?.version ?? .v201))
    }

    // MARK: Chargers' CALLs

    private static func chargerTime(_ payload: JSONValue) -> Date? {
        if let t = payload["timestamp"]?.stringValue { return OCPPDateTime.parse(t) }
        if let t = payload["meterValue"]?.arrayValue?.first?["timestamp"]?.stringValue { return OCPPDateTime.parse(t) }
        if let t = payload["generatedAt"]?.stringValue { return OCPPDateTime.parse(t) }
        return nil
    }

    private func chargerCall(_ id: String, _ mid: String, _ action: String, _ payload: JSONValue) {
        let now = clock.now
        let chargerTime = Self.chargerTime(payload)
        eventLog.append(chargerId: id, type: action, receivedAt: now, chargerTime: chargerTime, payload: payload)
        if let t = chargerTime { sessions[id]?.clockOffset = t.timeIntervalSince(now) }
        guard let version = sessions[id]?.version else { return }
        do {
            switch version {
            case .v16: try chargerCall16(id, mid, action, payload, now)
            case .v201: try chargerCall201(id, mid, action, payload, now)
            }
        } catch {
            sendError(id, mid, OCPPErrorCode(decodingError: error), "payload does not match the \(action) schema")
        }
    }

    private func bootAccepted(_ id: String, identity: ChargerIdentity, reason: String? = nil, now: Date) -> Int {
        let interval = sessions[id]?.configuredHeartbeat ?? options.heartbeatInterval
        sessions[id]?.identity = identity
        sessions[id]?.lastBoot = now
        sessions[id]?.lastBootReason = reason
        sessions[id]?.bootCount += 1
        sessions[id]?.bootInterval = interval
        sessions[id]?.maxKeys = nil
        sessions[id]?.itemsPerGet = nil
        sessions[id]?.itemsPerSet = nil
        sessions[id]?.bytesPerGet = nil
        sessions[id]?.bytesPerSet = nil
        sessions[id]?.booted = true
        return interval
    }

    private func updateConnector(_ id: String, _ connector: Int, now: Date, _ change: (inout ConnectorView) -> Void) {
        var view = sessions[id]?.connectors[connector]
            ?? ConnectorView(connectorId: connector, status: "Unknown", receivedAt: now)
        view.receivedAt = now
        change(&view)
        sessions[id]?.connectors[connector] = view
    }

    private func chargerCall16(_ id: String, _ mid: String, _ action: String, _ payload: JSONValue, _ now: Date) throws {
        let time = OCPPDateTime(now)
        switch action {
        case V16.BootNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V16.BootNotificationRequest.self, from: payload)
            let interval = bootAccepted(id, identity: ChargerIdentity(vendor: r.chargePointVendor, model: r.chargePointModel,
                                                                      serialNumber: r.chargePointSerialNumber, firmwareVersion: r.firmwareVersion), now: now)
            respond(id, mid, V16.BootNotificationResponse(status: .accepted, currentTime: time, interval: interval))
        case V16.HeartbeatRequest.action:
            sessions[id]?.lastHeartbeat = now
            respond(id, mid, V16.HeartbeatResponse(currentTime: time))
        case V16.StatusNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V16.StatusNotificationRequest.self, from: payload)
            updateConnector(id, r.connectorId, now: now) { c in
                c.status = r.status.rawValue
                c.errorCode = r.errorCode.rawValue
                c.info = r.info
                c.vendorErrorCode = r.vendorErrorCode
                c.timestamp = r.timestamp?.date
            }
            respond(id, mid, V16.Empty())
        case V16.MeterValuesRequest.action:
            let r = try JSONValueDecoder().decode(V16.MeterValuesRequest.self, from: payload)
            if let last = r.meterValue.last { recordMeter16(id, r.connectorId, r.transactionId.map(String.init), last, now) }
            respond(id, mid, V16.Empty())
        case V16.StartTransactionRequest.action:
            let r = try JSONValueDecoder().decode(V16.StartTransactionRequest.self, from: payload)
            transactionCounter += 1
            let txId = transactionCounter
            updateConnector(id, r.connectorId, now: now) { $0.transactionId = String(txId) }
            respond(id, mid, V16.StartTransactionResponse(idTagInfo: V16.IdTagInfo(status: .accepted), transactionId: txId))
        case V16.StopTransactionRequest.action:
            let r = try JSONValueDecoder().decode(V16.StopTransactionRequest.self, from: payload)
            let tx = String(r.transactionId)
            for (cid, c) in sessions[id]?.connectors ?? [:] where c.transactionId == tx {
                sessions[id]?.connectors[cid]?.transactionId = nil
            }
            respond(id, mid, V16.StopTransactionResponse(idTagInfo: V16.IdTagInfo(status: .accepted)))
        case V16.AuthorizeRequest.action:
            _ = try JSONValueDecoder().decode(V16.AuthorizeRequest.self, from: payload)
            respond(id, mid, V16.AuthorizeResponse(idTagInfo: V16.IdTagInfo(status: .accepted)))
        case V16.FirmwareStatusNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V16.FirmwareStatusNotificationRequest.self, from: payload)
            sessions[id]?.firmwareStatus = r.status.rawValue
            sessions[id]?.firmwareStatusAt = now
            respond(id, mid, V16.Empty())
        case V16.SignedFirmwareStatusNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V16.SignedFirmwareStatusNotificationRequest.self, from: payload)
            sessions[id]?.firmwareStatus = r.status.rawValue
            sessions[id]?.firmwareStatusAt = now
            sessions[id]?.firmwareRequestId = r.requestId
            respond(id, mid, V16.Empty())
        case V16.DataTransferRequest.action:
            _ = try JSONValueDecoder().decode(V16.DataTransferRequest.self, from: payload)
            respond(id, mid, V16.DataTransferResponse(status: .unknownVendorId))
        case "DiagnosticsStatusNotification", "SecurityEventNotification", "LogStatusNotification":
            respond(id, mid, V16.Empty())
        default:
            sendError(id, mid, .notImplemented, "\(action) is not implemented by this CSMS")
        }
    }

    private func chargerCall201(_ id: String, _ mid: String, _ action: String, _ payload: JSONValue, _ now: Date) throws {
        let time = OCPPDateTime(now)
        switch action {
        case V201.BootNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V201.BootNotificationRequest.self, from: payload)
            let cs = r.chargingStation
            let interval = bootAccepted(id, identity: ChargerIdentity(vendor: cs.vendorName, model: cs.model, serialNumber: cs.serialNumber,
                                                                      firmwareVersion: cs.firmwareVersion),
                                        reason: r.reason.rawValue, now: now)
            respond(id, mid, V201.BootNotificationResponse(currentTime: time, interval: interval, status: .accepted))
        case V201.HeartbeatRequest.action:
            sessions[id]?.lastHeartbeat = now
            respond(id, mid, V201.HeartbeatResponse(currentTime: time))
        case V201.StatusNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V201.StatusNotificationRequest.self, from: payload)
            updateConnector(id, r.evseId, now: now) { c in
                c.evseConnectorId = r.connectorId
                c.status = r.connectorStatus.rawValue
                c.timestamp = r.timestamp.date
                if r.connectorStatus != .faulted {
                    c.errorCode = nil
                    c.info = nil
                }
            }
            respond(id, mid, V201.Empty())
        case V201.MeterValuesRequest.action:
            let r = try JSONValueDecoder().decode(V201.MeterValuesRequest.self, from: payload)
            if let last = r.meterValue.last { recordMeter201(id, r.evseId, nil, last, now) }
            respond(id, mid, V201.Empty())
        case V201.TransactionEventRequest.action:
            let r = try JSONValueDecoder().decode(V201.TransactionEventRequest.self, from: payload)
            let txId = r.transactionInfo.transactionId
            var evseId = r.evse?.id
            if evseId == nil {
                evseId = sessions[id]?.connectors.first(where: { $0.value.transactionId == txId })?.key
            }
            if let evse = evseId {
                updateConnector(id, evse, now: now) { c in
                    c.transactionId = r.eventType == .ended ? nil : txId
                    c.chargingState = r.transactionInfo.chargingState?.rawValue ?? c.chargingState
                    if r.eventType == .ended { c.chargingState = nil }
                }
                if let last = r.meterValue?.last { recordMeter201(id, evse, txId, last, now) }
            }
            respond(id, mid, V201.TransactionEventResponse(idTokenInfo: r.idToken != nil ? V201.IdTokenInfo(status: .accepted) : nil))
        case V201.AuthorizeRequest.action:
            _ = try JSONValueDecoder().decode(V201.AuthorizeRequest.self, from: payload)
            respond(id, mid, V201.AuthorizeResponse(idTokenInfo: V201.IdTokenInfo(status: .accepted)))
        case V201.FirmwareStatusNotificationRequest.action:
            let r = try JSONValueDecoder().decode(V201.FirmwareStatusNotificationRequest.self, from: payload)
            sessions[id]?.firmwareStatus = r.status.rawValue
            sessions[id]?.firmwareStatusAt = now
            if let rid = r.requestId { sessions[id]?.firmwareRequestId = rid }
            respond(id, mid, V201.Empty())
        case V201.NotifyEventRequest.action:
            let r = try JSONValueDecoder().decode(V201.NotifyEventRequest.self, from: payload)
            for e in r.eventData where e.component.name == "Connector" && e.variable.name == "Problem" {
                guard let evse = e.component.evse?.id else { continue }
                let problem = e.actualValue.lowercased() == "true" && e.cleared != true
                updateConnector(id, evse, now: now) { c in
                    c.errorCode = problem ? (e.techCode ?? "OtherError") : nil
                    c.info = problem ? e.techInfo : nil
                }
            }
            respond(id, mid, V201.Empty())
        case V201.DataTransferRequest.action:
            _ = try JSONValueDecoder().decode(V201.DataTransferRequest.self, from: payload)
            respond(id, mid, V201.DataTransferResponse(status: .unknownVendorId))
        case "SecurityEventNotification", "NotifyReport", "LogStatusNotification", "NotifyMonitoringReport":
            respond(id, mid, V201.Empty())
        default:
            sendError(id, mid, .notImplemented, "\(action) is not implemented by this CSMS")
        }
    }

    private func recordMeter16(_ id: String, _ connector: Int, _ tx: String?, _ mv: V16.MeterValue, _ now: Date) {
        let readings = mv.sampledValue.compactMap { sv -> MeterReading? in
            guard let value = Double(sv.value) else { return nil }
            return MeterReading(measurand: sv.measurand?.rawValue ?? "Energy.Active.Import.Register", phase: sv.phase?.rawValue,
                                value: value, unit: sv.unit?.rawValue, context: sv.context?.rawValue)
        }
        sessions[id]?.meter[connector] = MeterSample(connectorId: connector, timestamp: mv.timestamp.date, receivedAt: now,
                                                     transactionId: tx, readings: readings)
    }

    private func recordMeter201(_ id: String, _ evse: Int, _ tx: String?, _ mv: V201.MeterValue, _ now: Date) {
        let readings = mv.sampledValue.map { sv in
            MeterReading(measurand: sv.measurand?.rawValue ?? "Energy.Active.Import.Register", phase: sv.phase?.rawValue,
                         value: sv.value, unit: sv.unitOfMeasure?.unit ?? (sv.measurand == nil ? "Wh" : nil), context: sv.context?.rawValue)
        }
        sessions[id]?.meter[evse] = MeterSample(connectorId: evse, timestamp: mv.timestamp.date, receivedAt: now,
                                                transactionId: tx, readings: readings)
    }

    // MARK: Calls to chargers

    private func finish(_ mid: String, _ result: Result<JSONValue, CSMSError>) {
        guard let p = pending.removeValue(forKey: mid) else { return }
        p.timer?.cancel()
        p.continuation.resume(returning: result)
    }

    private func call(_ id: String, action: String, payload: JSONValue, timeout: Duration?) async -> Result<JSONValue, CSMSError> {
        guard !stopped else { return .failure(.stopped) }
        guard let session = sessions[id] else { return .failure(.unknownCharger(id)) }
        guard session.connected, session.booted, session.wireIndex != nil else { return .failure(.offline(id)) }
        guard case .object = payload else { return .failure(.invalidRequest("the payload must be a JSON object")) }
        guard !action.isEmpty else { return .failure(.invalidRequest("the action must not be empty")) }
        guard !Task.isCancelled else { return .failure(.cancelled) }
        messageCounter += 1
        let mid = "csms-\(messageCounter)"
        let limit = timeout ?? options.callTimeout
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<JSONValue, CSMSError>, Never>) in
                let timer = Task { [weak self] in
                    do {
                        try await Task.sleep(for: limit)
                        await self?.finish(mid, .failure(.timeout(chargerId: id, action: action, after: limit)))
                    } catch {
                        // Answered in time.
                    }
                }
                pending[mid] = PendingCall(chargerId: id, action: action, continuation: c, timer: timer)
                transmit(id, .call(messageId: mid, action: action, payload: payload))
            }
        } onCancel: {
            Task { await self.finish(mid, .failure(.cancelled)) }
        }
    }

    /// The generic relay: sends `action` with `payload` and returns the CALLRESULT payload.
    /// A CALLERROR, no answer within `timeout` (default `options.callTimeout`, real time), an
    /// offline charger or a dropped connection are thrown as `CSMSError`.
    public func send(_ chargerId: String, action: String, payload: JSONValue, timeout: Duration? = nil) async throws(CSMSError) -> JSONValue {
        try await call(chargerId, action: action, payload: payload, timeout: timeout).get()
    }

    /// A typed request; the charger must speak the request's OCPP version.
    public func call<R: OCPPRequest>(_ chargerId: String, _ request: R, timeout: Duration? = nil) async throws(CSMSError) -> R.Response {
        if let version = sessions[chargerId]?.version, version != R.version {
            throw .versionMismatch(chargerId: chargerId, charger: version, request: R.version)
        }
        let payload: JSONValue
        do {
            payload = try OCPPFrame.payload(encoding: request)
        } catch {
            throw .invalidRequest("\(R.action) does not encode: \(error)")
        }
        let json = try await send(chargerId, action: R.action, payload: payload, timeout: timeout)
        do {
            return try JSONValueDecoder().decode(R.Response.self, from: json)
        } catch {
            throw .invalidResponse(chargerId: chargerId, action: R.action, reason: "\(error)")
        }
    }

    private func version(of id: String) throws(CSMSError) -> OCPPVersion {
        guard let s = sessions[id] else { throw .unknownCharger(id) }
        guard s.connected, s.booted, let v = s.version else { throw .offline(id) }
        return v
    }

    // MARK: Configuration

    /// Reads configuration keys. 1.6: GetConfiguration, split to honour the charger's
    /// GetConfigurationMaxKeys (read first, once per boot); no keys reads everything.
    /// 2.0.1: GetVariables in batches of DeviceDataCtrlr.ItemsPerMessage[GetVariables]; keys
    /// are `Component.Variable[instance]@evse`; no keys reads the standard variables
    /// commissioning uses (`V201.standardMutability`).
    public func getConfiguration(_ chargerId: String, keys: [String] = [], timeout: Duration? = nil) async throws(CSMSError) -> ConfigurationReading {
        switch try version(of: chargerId) {
        case .v16: return try await getConfiguration16(chargerId, keys: keys, timeout: timeout)
        case .v201: return try await getVariables(chargerId, keys: keys.isEmpty ? V201.standardMutability.keys.sorted() : keys, timeout: timeout)
        }
    }

    private func getConfiguration16(_ id: String, keys: [String], timeout: Duration?) async throws(CSMSError) -> ConfigurationReading {
        var values: [ConfigurationValue] = []
        var unknown: [String] = []
        func absorb(_ r: V16.GetConfigurationResponse) {
            for kv in r.configurationKey ?? [] { values.append(ConfigurationValue(key: kv.key, value: kv.value, readonly: kv.readonly)) }
            unknown += r.unknownKey ?? []
        }
        if keys.isEmpty {
            absorb(try await call(id, V16.GetConfigurationRequest(), timeout: timeout))
            return ConfigurationReading(values: values, unknownKeys: unknown)
        }
        let batch = try await maxKeys16(id, timeout: timeout) ?? keys.count
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(keys.count, start + max(1, batch))])
            absorb(try await call(id, V16.GetConfigurationRequest(key: chunk), timeout: timeout))
            start += chunk.count
        }
        return ConfigurationReading(values: values, unknownKeys: unknown)
    }

    private func maxKeys16(_ id: String, timeout: Duration?) async throws(CSMSError) -> Int? {
        if let cached = sessions[id]?.maxKeys { return cached }
        let r = try await call(id, V16.GetConfigurationRequest(key: ["GetConfigurationMaxKeys"]), timeout: timeout)
        guard let value = r.configurationKey?.first(where: { $0.key == "GetConfigurationMaxKeys" })?.value, let n = Int(value), n > 0 else {
            return nil
        }
        sessions[id]?.maxKeys = n
        return n
    }

    /// DeviceDataCtrlr.ItemsPerMessage and BytesPerMessage for GetVariables or SetVariables,
    /// read from the station once per boot (B06.FR.05: never send more than it reported).
    private func messageLimits(_ id: String, set: Bool, timeout: Duration?) async throws(CSMSError) -> (items: Int, bytes: Int) {
        if set, let items = sessions[id]?.itemsPerSet, let bytes = sessions[id]?.bytesPerSet { return (items, bytes) }
        if !set, let items = sessions[id]?.itemsPerGet, let bytes = sessions[id]?.bytesPerGet { return (items, bytes) }
        let instance = set ? "SetVariables" : "GetVariables"
        func read(_ variable: String) async throws(CSMSError) -> Int? {
            let key = V201.VariableKey(component: "DeviceDataCtrlr", variable: variable, variableInstance: instance)
            let r = try await call(id, V201.GetVariablesRequest(getVariableData: [V201.GetVariableData(component: key.componentType, variable: key.variableType)]),
                                   timeout: timeout)
            return r.getVariableResult.first.flatMap { $0.attributeStatus == .accepted ? $0.attributeValue.flatMap { Int($0) } : nil }
        }
        // One item per request: the smallest limit a station can have.
        let items = max(1, try await read("ItemsPerMessage") ?? 1)
        let bytes = max(256, try await read("BytesPerMessage") ?? Int.max)
        if set {
            sessions[id]?.itemsPerSet = items
            sessions[id]?.bytesPerSet = bytes
        } else {
            sessions[id]?.itemsPerGet = items
            sessions[id]?.bytesPerGet = bytes
        }
        return (items, bytes)
    }

    /// Splits `items` into batches of at most `limit.items` whose CALL frame stays within
    /// `limit.bytes` (a single item that alone is too long still goes, and gets its error).
    private func batches<T>(_ items: [T], _ limit: (items: Int, bytes: Int), frameBytes: ([T]) -> Int) -> [[T]] {
        var out: [[T]] = []
        var current: [T] = []
        for item in items {
            if !current.isEmpty, current.count >= limit.items || frameBytes(current + [item]) > limit.bytes {
                out.append(current)
                current = []
            }
            current.append(item)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Length of the CALL frame that would carry `request` (the message id at its longest).
    private static func frameBytes<R: OCPPRequest>(_ request: R) -> Int {
        guard let frame = try? OCPPFrame.call(messageId: String(repeating: "x", count: OCPPFrame.maximumMessageIdLength), request) else {
            return Int.max
        }
        return frame.text.utf8.count
    }

    private func getVariables(_ id: String, keys: [String], timeout: Duration?) async throws(CSMSError) -> ConfigurationReading {
        var values: [ConfigurationValue] = []
        var unknown: [String] = []
        var parsed: [(String, V201.VariableKey)] = []
        for key in keys {
            if let k = V201.VariableKey(parsing: key) { parsed.append((key, k)) } else { unknown.append(key) }
        }
        let limit = try await messageLimits(id, set: false, timeout: timeout)
        func request(_ chunk: [(String, V201.VariableKey)]) -> V201.GetVariablesRequest {
            V201.GetVariablesRequest(getVariableData: chunk.map { V201.GetVariableData(component: $0.1.componentType, variable: $0.1.variableType) })
        }
        for chunk in batches(parsed, limit, frameBytes: { Self.frameBytes(request($0)) }) {
            let r = try await call(id, request(chunk), timeout: timeout)
            for (n, result) in r.getVariableResult.enumerated() {
                let key = n < chunk.count ? chunk[n].0 : V201.VariableKey(component: result.component, variable: result.variable).description
                switch result.attributeStatus {
                case .accepted:
                    let mutability = V201.standardMutability[V201.VariableKey(component: result.component.name, variable: result.variable.name,
                                                                              componentInstance: result.component.instance,
                                                                              variableInstance: result.variable.instance).description]
                    values.append(ConfigurationValue(key: key, value: result.attributeValue, readonly: mutability.map { $0 == .readOnly }))
                case .unknownComponent, .unknownVariable:
                    unknown.append(key)
                case .rejected, .notSupportedAttributeType:
                    values.append(ConfigurationValue(key: key, value: nil, readonly: nil, status: result.attributeStatus.rawValue))
                }
            }
        }
        return ConfigurationReading(values: values, unknownKeys: unknown)
    }

    /// Changes configuration, answering per key with the charger's status. 1.6: one
    /// ChangeConfiguration per key, in order. 2.0.1: SetVariables in batches of
    /// ItemsPerMessage[SetVariables]. A key whose request got a CALLERROR carries the error and
    /// the others still go; once the charger stops answering or goes away (timeout, offline,
    /// connection lost), the keys not yet sent carry that error too and nothing more is sent, so
    /// one silent charger costs one timeout, not one per key. Offline or unknown chargers throw
    /// before anything is sent.
    public func changeConfiguration(_ chargerId: String, _ changes: [ConfigurationChange], timeout: Duration? = nil) async throws(CSMSError) -> [ConfigurationChangeResult] {
        let version = try version(of: chargerId)
        var results: [ConfigurationChangeResult] = []
        switch version {
        case .v16:
            var gone: CSMSError?
            for change in changes {
                if let gone {
                    results.append(ConfigurationChangeResult(key: change.key, value: change.value, outcome: .failure(gone)))
                    continue
                }
                do {
                    let r = try await call(chargerId, V16.ChangeConfigurationRequest(key: change.key, value: change.value), timeout: timeout)
                    let status = ConfigurationChangeStatus(rawValue: r.status.rawValue) ?? .rejected
                    if status == .accepted, change.key == "HeartbeatInterval" { sessions[chargerId]?.configuredHeartbeat = Int(change.value) }
                    results.append(ConfigurationChangeResult(key: change.key, value: change.value, outcome: .success(status)))
                } catch {
                    results.append(ConfigurationChangeResult(key: change.key, value: change.value, outcome: .failure(error)))
                    if error.endsConversation { gone = error }
                }
            }
        case .v201:
            var parsed: [(ConfigurationChange, V201.VariableKey)] = []
            var slots: [Int: ConfigurationChangeResult] = [:]
            for (n, change) in changes.enumerated() {
                if let k = V201.VariableKey(parsing: change.key) {
                    parsed.append((change, k))
                } else {
                    slots[n] = ConfigurationChangeResult(key: change.key, value: change.value, outcome: .success(.notSupported))
                }
            }
            let limit: (items: Int, bytes: Int)
            do {
                limit = try await messageLimits(chargerId, set: true, timeout: timeout)
            } catch {
                return changes.map { ConfigurationChangeResult(key: $0.key, value: $0.value, outcome: .failure(error)) }
            }
            func request(_ chunk: [(ConfigurationChange, V201.VariableKey)]) -> V201.SetVariablesRequest {
                V201.SetVariablesRequest(setVariableData: chunk.map {
                    V201.SetVariableData(component: $0.1.componentType, variable: $0.1.variableType, attributeValue: $0.0.value)
                })
            }
            var answered: [ConfigurationChangeResult] = []
            for chunk in batches(parsed, limit, frameBytes: { Self.frameBytes(request($0)) }) {
                do {
                    let r = try await call(chargerId, request(chunk), timeout: timeout)
                    for (n, item) in chunk.enumerated() {
                        let status = n < r.setVariableResult.count
                            ? ConfigurationChangeStatus(rawValue: r.setVariableResult[n].attributeStatus.rawValue) ?? .rejected : .rejected
                        if status == .accepted, item.1.component == "OCPPCommCtrlr", item.1.variable == "HeartbeatInterval" {
                            sessions[chargerId]?.configuredHeartbeat = Int(item.0.value)
                        }
                        answered.append(ConfigurationChangeResult(key: item.0.key, value: item.0.value, outcome: .success(status)))
                    }
                } catch {
                    for item in chunk { answered.append(ConfigurationChangeResult(key: item.0.key, value: item.0.value, outcome: .failure(error))) }
                }
            }
            var next = answered.makeIterator()
            for n in changes.indices {
                if let fixed = slots[n] { results.append(fixed) } else if let r = next.next() { results.append(r) }
            }
        }
        return results
    }

    // MARK: Firmware

    /// Sends the version's firmware update message and returns the charger's answer. The
    /// progress arrives as FirmwareStatusNotification events and, at the end, a
    /// BootNotification with the new firmware version.
    public func updateFirmware(_ chargerId: String, _ update: FirmwareUpdate, timeout: Duration? = nil) async throws(CSMSError) -> FirmwareUpdateAck {
        let version = try version(of: chargerId)
        let requestId: Int
        if let given = update.requestId {
            requestId = given
        } else {
            firmwareRequestCounter += 1
            requestId = firmwareRequestCounter
        }
        switch version {
        case .v16:
            if let signature = update.signature, let certificate = update.signingCertificate {
                let firmware = V16.Firmware(location: update.location, retrieveDateTime: OCPPDateTime(update.retrieveAt), signingCertificate: certificate,
                                            signature: signature, installDateTime: update.installAt.map(OCPPDateTime.init))
                let r = try await call(chargerId, V16.SignedUpdateFirmwareRequest(requestId: requestId, firmware: firmware, retries: update.retries,
                                                                                  retryInterval: update.retryInterval), timeout: timeout)
                sessions[chargerId]?.firmwareRequestId = requestId
                return FirmwareUpdateAck(action: V16.SignedUpdateFirmwareRequest.action, requestId: requestId, status: r.status.rawValue)
            }
            _ = try await call(chargerId, V16.UpdateFirmwareRequest(location: update.location, retrieveDate: OCPPDateTime(update.retrieveAt),
                                                                    retries: update.retries, retryInterval: update.retryInterval), timeout: timeout)
            return FirmwareUpdateAck(action: V16.UpdateFirmwareRequest.action, requestId: nil, status: "Accepted")
        case .v201:
            let firmware = V201.Firmware(location: update.location, retrieveDateTime: OCPPDateTime(update.retrieveAt),
                                         installDateTime: update.installAt.map(OCPPDateTime.init),
                                         signingCertificate: update.signingCertificate, signature: update.signature)
            let r = try await call(chargerId, V201.UpdateFirmwareRequest(requestId: requestId, firmware: firmware, retries: update.retries,
                                                                         retryInterval: update.retryInterval), timeout: timeout)
            sessions[chargerId]?.firmwareRequestId = requestId
            return FirmwareUpdateAck(action: V201.UpdateFirmwareRequest.action, requestId: requestId, status: r.status.rawValue)
        }
    }

    // MARK: Shutdown

    func shutdown() {
        stopped = true
        for mid in Array(pending.keys) { finish(mid, .failure(.stopped)) }
        for id in sessions.keys { sessions[id]?.connected = false }
        eventLog.close()
    }
}
