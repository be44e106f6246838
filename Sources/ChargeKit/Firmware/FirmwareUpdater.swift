import BackendAPI
import Foundation

/// Why a firmware update is not sent.
public enum FirmwareUpdateRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// No catalogue entry with this id, or of this version for the charger's model.
    case noSuchFirmware(String, model: String?)
    /// The image is not for the charger's model.
    case incompatible(charger: String, model: String?, firmware: String, models: [String])
    case offline(charger: String)

    public var description: String {
        switch self {
        case .noSuchFirmware(let to, let model?): "no firmware \(to) for model \(model) in the catalogue"
        case .noSuchFirmware(let to, nil): "no firmware \(to) in the catalogue"
        case .incompatible(let charger, let model, let firmware, let models):
            "\(firmware) is for \(models.joined(separator: ", ")), not for \(charger)'s model \(model ?? "(unknown)")"
        case .offline(let charger): "\(charger) is not connected; an update request cannot reach it"
        }
    }
}

/// What to ask of the charger besides the image.
public struct FirmwareUpdateOptions: Sendable, Equatable, Codable {
    /// When to download (default now).
    public var retrieveAt: Date?
    public var retries: Int?
    public var retryIntervalSeconds: Int?

    public init(retrieveAt: Date? = nil, retries: Int? = nil, retryIntervalSeconds: Int? = nil) {
        self.retrieveAt = retrieveAt
        self.retries = retries
        self.retryIntervalSeconds = retryIntervalSeconds
    }

    func request(_ firmwareId: String) -> FirmwareUpdateRequest {
        FirmwareUpdateRequest(firmwareId: firmwareId, retrieveAt: retrieveAt, retries: retries,
                              retryIntervalSeconds: retryIntervalSeconds)
    }
}

/// Firmware updates of single chargers: resolving `--to`, the checks before anything is
/// sent, the request, and following it on the events feed to its end.
public struct FirmwareUpdater: Sendable {
    public let client: BackendClient

    public init(client: BackendClient) {
        self.client = client
    }

    /// The catalogue entry `to` names: an id, or a version (for `model`; an approved entry
    /// first, then the newest upload).
    public func resolve(_ to: String, model: String?) async throws -> Firmware {
        if to.hasPrefix("fw_") {
            let result = await Swift.Result(awaiting: { () async throws(BackendError) -> Firmware in try await client.firmware(to) })
            if case .failure(.notFound) = result {
                throw FirmwareUpdateRefusal.noSuchFirmware(to, model: nil)
            }
            return try result.get()
        }
        let entries = try await client.allFirmware(model: model, version: to)
        guard let best = Self.preferred(entries) else { throw FirmwareUpdateRefusal.noSuchFirmware(to, model: model) }
        return best
    }

    /// Approved before unapproved, then the newest upload.
    static func preferred(_ entries: [Firmware]) -> Firmware? {
        entries.sorted { a, b in
            if a.approved != b.approved { return a.approved }
            if a.uploadedAt != b.uploadedAt { return a.uploadedAt > b.uploadedAt }
            return a.id < b.id
        }.first
    }

    /// What a single update will do: the charger and the image, after the checks that refuse
    /// it (incompatible, offline). `alreadyOnTarget` says there is nothing to do.
    public struct Plan: Sendable, Equatable {
        public var charger: Charger
        public var firmware: Firmware
        public var alreadyOnTarget: Bool { charger.firmwareVersion == firmware.version }
    }

    public func plan(charger id: String, to: String) async throws -> Plan {
        let charger = try await client.charger(id)
        // Never booted: no model to check against, and nobody to send to.
        if charger.model == nil, !charger.connected { throw FirmwareUpdateRefusal.offline(charger: id) }
        let firmware = try await resolve(to, model: charger.model)
        guard let model = charger.model, firmware.models.contains(model) else {
            throw FirmwareUpdateRefusal.incompatible(charger: id, model: charger.model, firmware: "\(firmware.id) (\(firmware.version))",
                                                     models: firmware.models)
        }
        let plan = Plan(charger: charger, firmware: firmware)
        if !plan.alreadyOnTarget, !charger.connected { throw FirmwareUpdateRefusal.offline(charger: id) }
        return plan
    }

    /// How a followed update ended.
    public struct Followed: Sendable {
        public var update: FirmwareUpdate
        public var tracker: FirmwareTracker
        /// The wait ran out before anything decisive arrived.
        public var timedOut: Bool
    }

    /// Sends the update and, with `wait`, follows the charger's events until it is over or
    /// `wait` runs out (then the backend's own record has the last word). `onStep` gets each
    /// step as it arrives.
    public func run(_ plan: Plan, options: FirmwareUpdateOptions, wait: Duration?,
                    onStep: @escaping @Sendable (FirmwareStep) -> Void = { _ in }) async throws -> Followed {
        let id = plan.charger.id
        // The watcher pins the feed before the request, so no status can slip past.
        let watcher = EventWatcher(client: client, options: EventWatcher.Options(chargers: [id], types: FirmwareTracker.eventTypes))
        let events = await watcher.stream()
        if wait != nil { try await watcher.start() }
        defer { Task { await watcher.stop() } }
        let update = try await client.startFirmwareUpdate(id, options.request(plan.firmware.id),
                                                          idempotencyKey: "fwupd-" + UUID().uuidString.lowercased())
        var tracker = FirmwareTracker(chargerId: id, targetVersion: plan.firmware.version)
        if let step = tracker.answered(update) { onStep(step) }
        return try await follow(update, tracker: tracker, watcher: watcher, events: events, wait: wait, onStep: onStep)
    }

    /// Follows an update already at the backend (one a crashed run asked for): its record
    /// first, then the charger's events until it is over or `wait` runs out.
    public func follow(_ job: FirmwareUpdate, wait: Duration,
                       onStep: @escaping @Sendable (FirmwareStep) -> Void = { _ in }) async throws -> Followed {
        let watcher = EventWatcher(client: client, options: EventWatcher.Options(chargers: [job.chargerId], types: FirmwareTracker.eventTypes))
        let events = await watcher.stream()
        try await watcher.start()
        defer { Task { await watcher.stop() } }
        // Read again with the feed pinned: whatever happens from here on is either in the record or on the feed.
        let current = try await client.firmwareUpdate(job.id)
        var tracker = FirmwareTracker(chargerId: job.chargerId, targetVersion: job.targetVersion, requestId: current.requestId)
        for step in FirmwareTracker.steps(of: current) { onStep(step) }
        if tracker.adopt(current) != nil { return Followed(update: current, tracker: tracker, timedOut: false) }
        return try await follow(current, tracker: tracker, watcher: watcher, events: events, wait: wait, onStep: onStep)
    }

    private func follow(_ update: FirmwareUpdate, tracker start: FirmwareTracker, watcher: EventWatcher, events: AsyncStream<Event>,
                        wait: Duration?, onStep: @escaping @Sendable (FirmwareStep) -> Void) async throws -> Followed {
        var tracker = start
        guard let wait, tracker.outcome == nil else {
            return Followed(update: update, tracker: tracker, timedOut: false)
        }
        let expiry = Task {
            try? await Task.sleep(for: wait)
            guard !Task.isCancelled else { return }
            await watcher.stop()
        }
        defer { expiry.cancel() }
        for await event in events {
            if let step = tracker.apply(event) { onStep(step) }
            if tracker.outcome != nil { break }
        }
        var timedOut = false
        var last = update
        if tracker.outcome == nil {
            // The wait ran out or the feed failed: ask the backend for its record once.
            last = try await client.firmwareUpdate(update.id)
            if let step = tracker.adopt(last) {
                onStep(step)
            } else {
                timedOut = true
                tracker.timedOut(after: Double(wait.components.seconds))
            }
        }
        return Followed(update: last, tracker: tracker, timedOut: timedOut)
    }
}
