import BackendAPI
import Foundation

/// Firmware update jobs and their timelines, fed by what the chargers send.
///
/// A job is reserved before the update request goes out (so a second one for the charger is
/// `409 update-in-progress` even while the first is being sent), takes the charger's answer,
/// then follows its FirmwareStatusNotifications (matched by requestId where there is one)
/// and its next BootNotification. Notifications that arrive before the answer is recorded
/// are held and applied after it, so the timeline keeps the order a reader expects.
actor UpdateJobs {
    private struct Job {
        var update: BackendAPI.FirmwareUpdate
        /// Events of the charger after this seq belong to the job.
        var startSeq: UInt64
        var deadline: Date
        var answered = false
        var held: [ChargerEvent] = []
        var installing = false
    }

    /// Statuses that end a job as failed.
    static let failures: Set<FirmwareUpdateStatus> = [.rejected, .invalidCertificate, .revokedCertificate, .downloadFailed,
                                                      .installationFailed, .installVerificationFailed, .invalidSignature]
    static let eventTypes: Set<String> = ["FirmwareStatusNotification", "SignedFirmwareStatusNotification", "BootNotification"]

    private var jobs: [String: Job] = [:]
    /// The job in progress per charger (reserved or active).
    private var current: [String: String] = [:]
    private var counter = 0
    private let graceSeconds: Double

    init(graceSeconds: Double) {
        self.graceSeconds = graceSeconds
    }

    /// Reserves a job for the charger (409 when one is active) and records `Requested`.
    func reserve(chargerId: String, firmware: Firmware, request: FirmwareUpdateRequest, retrieveAt: Date, by user: String,
                 now: Date, startSeq: UInt64) throws(APIError) -> String {
        if let active = current[chargerId] {
            var error = APIError(.updateInProgress, detail: "Firmware update \(active) is active on \(chargerId).")
            error.problem.chargerId = chargerId
            error.problem.updateId = active
            throw error
        }
        counter += 1
        let id = "fu_" + String(format: "%06d", counter) + String(UInt32.random(in: 0...0xFFFF), radix: 16)
        let retries = request.retries ?? 2
        let interval = request.retryIntervalSeconds ?? 30
        let deadline = max(retrieveAt, request.installAt ?? retrieveAt, now)
            .addingTimeInterval(Double(retries * interval) + graceSeconds)
        let update = BackendAPI.FirmwareUpdate(
            id: id, chargerId: chargerId, firmwareId: firmware.id, targetVersion: firmware.version, createdAt: now,
            createdBy: user, retrieveAt: retrieveAt, installAt: request.installAt, retries: request.retries,
            retryIntervalSeconds: request.retryIntervalSeconds, state: .requested, active: true,
            timeline: [FirmwareUpdateStep(status: .requested, at: now, source: .backend)], response: [:])
        jobs[id] = Job(update: update, startSeq: startSeq, deadline: deadline)
        current[chargerId] = id
        return id
    }

    /// The request was not delivered (offline, CALLERROR, no answer): no job.
    func discard(_ id: String) {
        guard let job = jobs.removeValue(forKey: id) else { return }
        if current[job.update.chargerId] == id { current[job.update.chargerId] = nil }
    }

    /// Records the charger's answer and whatever arrived meanwhile.
    func answered(_ id: String, ack: FirmwareUpdateAck, at now: Date) -> BackendAPI.FirmwareUpdate? {
        guard var job = jobs[id] else { return nil }
        job.update.requestId = ack.requestId
        job.update.response = ack.action == "UpdateFirmware" && ack.requestId == nil ? [:] : ["status": .string(ack.status)]
        job.answered = true
        let held = job.held
        job.held = []
        jobs[id] = job
        step(id, FirmwareUpdateStep(status: FirmwareUpdateStatus(rawValue: ack.status), at: now, source: .response))
        for event in held { apply(event, to: id) }
        return jobs[id]?.update
    }

    /// Feeds events (any charger, in log order) to the jobs they belong to.
    func observe(_ events: [ChargerEvent]) {
        for event in events {
            guard let id = current[event.chargerId], let job = jobs[id], event.seq > job.startSeq else { continue }
            if job.answered {
                apply(event, to: id)
            } else {
                jobs[id]?.held.append(event)
            }
        }
    }

    /// Ends jobs whose deadline passed with `TimedOut`.
    func expire(now: Date) {
        for id in Array(current.values) {
            guard let job = jobs[id], job.answered, job.deadline <= now else { continue }
            step(id, FirmwareUpdateStep(status: .timedOut, at: now, source: .backend,
                                        info: "Nothing decisive arrived by \(Timestamp.format(job.deadline))."))
        }
    }

    private func apply(_ event: ChargerEvent, to id: String) {
        guard let job = jobs[id], job.update.active else { return }
        let payload = event.payload
        switch event.type {
        case "FirmwareStatusNotification", "SignedFirmwareStatusNotification":
            let requestId = payload["requestId"]?.intValue
            if let expected = job.update.requestId, requestId != expected { return }
            if job.update.requestId == nil, event.type != "FirmwareStatusNotification" { return }
            guard let status = payload["status"]?.stringValue else { return }
            let parsed = FirmwareUpdateStatus(rawValue: status)
            if parsed == .idle { return }  // nothing running: not this job's news
            if [.installing, .installed, .installRebooting].contains(parsed) { jobs[id]?.installing = true }
            step(id, FirmwareUpdateStep(status: parsed, at: event.receivedAt, source: .notification,
                                        info: payload["statusInfo"]?["reasonCode"]?.stringValue))
        case "BootNotification":
            let version = payload["firmwareVersion"]?.stringValue ?? payload["chargingStation"]?["firmwareVersion"]?.stringValue
            var booted = FirmwareUpdateStep(status: .booted, at: event.receivedAt, source: .boot, firmwareVersion: version)
            if version == job.update.targetVersion {
                step(id, booted, finish: true)
            } else if job.installing {
                booted.info = "Booted with \(version ?? "an unknown version") after installing, not \(job.update.targetVersion)."
                step(id, booted, finish: true)
            } else {
                step(id, booted)
            }
        default:
            break
        }
    }

    private func step(_ id: String, _ step: FirmwareUpdateStep, finish: Bool = false) {
        guard var job = jobs[id], job.update.active else { return }
        job.update.timeline.append(step)
        job.update.state = step.status
        if finish || Self.failures.contains(step.status) || step.status == .timedOut {
            job.update.active = false
            job.update.finishedAt = step.at
            if current[job.update.chargerId] == id { current[job.update.chargerId] = nil }
        }
        jobs[id] = job
    }

    func job(_ id: String) -> BackendAPI.FirmwareUpdate? { jobs[id].flatMap { $0.answered ? $0.update : nil } }

    /// The charger's jobs, newest first.
    func jobs(chargerId: String, active: Bool?) -> [BackendAPI.FirmwareUpdate] {
        jobs.values.filter { job in
            job.answered && job.update.chargerId == chargerId && (active.map { job.update.active == $0 } ?? true)
        }.map(\.update)
            .sorted { Pager.newestFirstKey($0.createdAt, $0.id) < Pager.newestFirstKey($1.createdAt, $1.id) }
    }
}
