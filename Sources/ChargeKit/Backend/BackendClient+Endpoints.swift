import BackendAPI
import CurlHTTP
import Foundation
import JSON

/// Which chargers `listChargers` returns.
public struct ChargerFilter: Sendable, Equatable {
    public var model: String?
    public var vendor: String?
    public var firmwareVersion: String?
    public var site: String?
    public var connected: Bool?
    public var ocppVersion: OCPPVersion?

    public init(model: String? = nil, vendor: String? = nil, firmwareVersion: String? = nil, site: String? = nil,
                connected: Bool? = nil, ocppVersion: OCPPVersion? = nil) {
        self.model = model
        self.vendor = vendor
        self.firmwareVersion = firmwareVersion
        self.site = site
        self.connected = connected
        self.ocppVersion = ocppVersion
    }

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let model { items.append((QueryName.model, model)) }
        if let vendor { items.append((QueryName.vendor, vendor)) }
        if let firmwareVersion { items.append((QueryName.firmwareVersion, firmwareVersion)) }
        if let site { items.append((QueryName.site, site)) }
        if let connected { items.append((QueryName.connected, connected ? "true" : "false")) }
        if let ocppVersion { items.append((QueryName.ocppVersion, ocppVersion.rawValue)) }
        return items
    }
}

/// What the events feed returns and how long to wait for it.
public struct EventQuery: Sendable, Equatable {
    public var chargers: [String]
    public var types: [String]
    public var site: String?
    /// A cursor from an earlier batch, `EventFeed.latest`, or nil for the oldest retained.
    public var after: String?
    /// Seconds to wait when nothing matches yet (0–60).
    public var wait: Int
    public var limit: Int?

    public init(chargers: [String] = [], types: [String] = [], site: String? = nil, after: String? = nil,
                wait: Int = 0, limit: Int? = nil) {
        self.chargers = chargers
        self.types = types
        self.site = site
        self.after = after
        self.wait = wait
        self.limit = limit
    }

    var query: [(String, String)] {
        var items = chargers.map { (QueryName.charger, $0) } + types.map { (QueryName.type, $0) }
        if let site { items.append((QueryName.site, site)) }
        if let after { items.append((QueryName.after, after)) }
        items.append((QueryName.wait, String(wait)))
        if let limit { items.append((QueryName.limit, String(limit))) }
        return items
    }
}

extension BackendClient {
    // MARK: Identity

    public func whoami() async throws(BackendError) -> Identity {
        try await call("GET", APIPaths.whoami)
    }

    public func sites(cursor: String? = nil) async throws(BackendError) -> SitePage {
        try await call("GET", APIPaths.sites, query: cursor.map { [(QueryName.cursor, $0)] } ?? [])
    }

    // MARK: Chargers

    /// One page of chargers.
    public func chargers(_ filter: ChargerFilter = ChargerFilter(), limit: Int? = nil,
                         cursor: String? = nil) async throws(BackendError) -> ChargerPage {
        var query = filter.query
        if let limit { query.append((QueryName.limit, String(limit))) }
        if let cursor { query.append((QueryName.cursor, cursor)) }
        return try await call("GET", APIPaths.chargers, query: query)
    }

    /// Every charger matching `filter`, following the cursor, up to `maximum`.
    public func allChargers(_ filter: ChargerFilter = ChargerFilter(), maximum: Int? = nil,
                            pageSize: Int = Paging.limitRange.upperBound) async throws(BackendError) -> [ChargerSummary] {
        var result: [ChargerSummary] = []
        var cursor: String?
        repeat {
            let wanted = maximum.map { min(pageSize, $0 - result.count) } ?? pageSize
            guard wanted > 0 else { break }
            let page = try await chargers(filter, limit: wanted, cursor: cursor)
            result += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return result
    }

    public func charger(_ id: String) async throws(BackendError) -> Charger {
        try await call("GET", APIPaths.charger(id))
    }

    public func updateCharger(_ id: String, _ patch: ChargerPatch) async throws(BackendError) -> Charger {
        try await call("PATCH", APIPaths.charger(id), body: patch, contentType: MediaType.mergePatchJSON)
    }

    // MARK: Configuration and commands

    public func configuration(_ id: String, keys: [String] = []) async throws(BackendError) -> Configuration {
        try await call("GET", APIPaths.configuration(id), query: keys.map { (QueryName.key, $0) },
                       timeouts: chargerBoundTimeouts)
    }

    public func changeConfiguration(_ id: String, _ changes: [ConfigurationChange]) async throws(BackendError) -> ConfigurationChangeResponse {
        try await call("POST", APIPaths.configuration(id), body: ConfigurationChangeRequest(changes: changes),
                       timeouts: chargerBoundTimeouts)
    }

    /// Relays an OCPP command; the key makes a repeat harmless (a lost answer to a
    /// remote start must not start a second transaction).
    public func command(_ id: String, action: String, payload: JSONObject = [:],
                        idempotencyKey: String? = nil) async throws(BackendError) -> CommandResponse {
        try await call("POST", APIPaths.commands(id), body: CommandRequest(action: action, payload: payload),
                       idempotencyKey: idempotencyKey ?? UUID().uuidString, timeouts: chargerBoundTimeouts)
    }

    // MARK: Events

    /// One long-poll of the events feed: answers at once when events exist, else waits up
    /// to `query.wait` seconds.
    public func events(_ query: EventQuery) async throws(BackendError) -> EventBatch {
        try await call("GET", APIPaths.events, query: query.query, timeouts: longPollTimeouts(query.wait))
    }

    public func chargerEvents(_ id: String, _ query: EventQuery) async throws(BackendError) -> EventBatch {
        var query = query
        query.chargers = []
        return try await call("GET", APIPaths.chargerEvents(id), query: query.query, timeouts: longPollTimeouts(query.wait))
    }

    // MARK: Firmware

    public func createFirmwareUpload(_ request: FirmwareUploadRequest, idempotencyKey: String) async throws(BackendError) -> FirmwareUpload {
        try await call("POST", APIPaths.firmwareUploads, body: request, idempotencyKey: idempotencyKey)
    }

    public func firmwareUpload(_ uploadId: String) async throws(BackendError) -> FirmwareUpload {
        try await call("GET", APIPaths.firmwareUpload(uploadId))
    }

    /// Sends `range` of the file at `path` (read from disk as it goes).
    public func putFirmwareChunk(_ uploadId: String, path: String, range: ContentRange,
                                 progress: (@Sendable (TransferProgress) -> Void)? = nil) async throws(BackendError) -> UploadProgress {
        let response = try await send("PUT", APIPaths.firmwareUpload(uploadId),
                                      payload: .file(path: path, offset: range.start, length: range.end - range.start + 1),
                                      headers: [(HeaderName.contentRange, range.description)], progress: progress)
        return try decode(UploadProgress.self, response)
    }

    public func completeFirmwareUpload(_ uploadId: String) async throws(BackendError) -> Firmware {
        try await call("POST", APIPaths.firmwareUploadComplete(uploadId), idempotencyKey: "complete-\(uploadId)")
    }

    public func firmwareCatalogue(model: String? = nil, version: String? = nil, sha256: String? = nil,
                                  approved: Bool? = nil, cursor: String? = nil) async throws(BackendError) -> FirmwarePage {
        var query: [(String, String)] = []
        if let model { query.append((QueryName.model, model)) }
        if let version { query.append((QueryName.version, version)) }
        if let sha256 { query.append((QueryName.sha256, sha256)) }
        if let approved { query.append((QueryName.approved, approved ? "true" : "false")) }
        if let cursor { query.append((QueryName.cursor, cursor)) }
        return try await call("GET", APIPaths.firmwareCatalogue, query: query)
    }

    public func firmware(_ firmwareId: String) async throws(BackendError) -> Firmware {
        try await call("GET", APIPaths.firmware(firmwareId))
    }

    public func updateFirmwareEntry(_ firmwareId: String, _ patch: FirmwarePatch) async throws(BackendError) -> Firmware {
        try await call("PATCH", APIPaths.firmware(firmwareId), body: patch, contentType: MediaType.mergePatchJSON)
    }

    public func startFirmwareUpdate(_ chargerId: String, _ request: FirmwareUpdateRequest,
                                    idempotencyKey: String) async throws(BackendError) -> FirmwareUpdate {
        try await call("POST", APIPaths.chargerFirmwareUpdates(chargerId), body: request,
                       idempotencyKey: idempotencyKey, timeouts: chargerBoundTimeouts)
    }

    public func firmwareUpdates(chargerId: String, cursor: String? = nil) async throws(BackendError) -> FirmwareUpdatePage {
        try await call("GET", APIPaths.chargerFirmwareUpdates(chargerId), query: cursor.map { [(QueryName.cursor, $0)] } ?? [])
    }

    public func firmwareUpdate(_ updateId: String) async throws(BackendError) -> FirmwareUpdate {
        try await call("GET", APIPaths.firmwareUpdate(updateId))
    }

    // MARK: Inspections and QA runs

    public func createInspection(_ report: InspectionReport, idempotencyKey: String) async throws(BackendError) -> InspectionReceipt {
        try await call("POST", APIPaths.inspections, body: report, idempotencyKey: idempotencyKey)
    }

    public func inspection(_ id: String) async throws(BackendError) -> InspectionRecord {
        try await call("GET", APIPaths.inspection(id))
    }

    public func inspectionAttachment(_ id: String, name: String) async throws(BackendError) -> InspectionAttachment {
        try await call("GET", APIPaths.inspectionAttachment(id, name: name))
    }

    /// Sends `range` of an attachment file; `sha256` is the whole file's digest. Answers the
    /// received offset (the contract's `UploadProgress`; equal to the size once verified).
    public func putInspectionAttachmentChunk(_ id: String, name: String, path: String, range: ContentRange,
                                             sha256: String) async throws(BackendError) -> UploadProgress {
        let response = try await send("PUT", APIPaths.inspectionAttachment(id, name: name),
                                      payload: .file(path: path, offset: range.start, length: range.end - range.start + 1),
                                      headers: [(HeaderName.contentRange, range.description), (HeaderName.contentSHA256, sha256)])
        return try decode(UploadProgress.self, response)
    }

    public func inspections(chargerId: String, cursor: String? = nil) async throws(BackendError) -> InspectionPage {
        try await call("GET", APIPaths.chargerInspections(chargerId), query: cursor.map { [(QueryName.cursor, $0)] } ?? [])
    }

    public func createQARun(_ run: QARun, idempotencyKey: String) async throws(BackendError) -> QARunReceipt {
        try await call("POST", APIPaths.qaRuns, body: run, idempotencyKey: idempotencyKey)
    }

    public func qaRun(_ id: String) async throws(BackendError) -> QARunRecord {
        try await call("GET", APIPaths.qaRun(id))
    }

    public func qaRuns(chargerId: String, cursor: String? = nil) async throws(BackendError) -> QARunPage {
        try await call("GET", APIPaths.chargerQARuns(chargerId), query: cursor.map { [(QueryName.cursor, $0)] } ?? [])
    }

    // MARK: Timeouts

    /// Operations the backend answers only after the charger did (up to 30 s).
    var chargerBoundTimeouts: Timeouts {
        var t = configuration.timeouts
        let floor = Duration.seconds(APILimits.chargerAnswerSeconds + 15)
        if let total = t.total, total < floor { t.total = floor }
        if let stall = t.stall, stall < floor { t.stall = floor }
        return t
    }

    func longPollTimeouts(_ wait: Int) -> Timeouts {
        var t = configuration.timeouts
        let floor = Duration.seconds(wait + 15)
        if let total = t.total, total < floor { t.total = floor }
        if let stall = t.stall, stall < floor { t.stall = floor }
        return t
    }
}
