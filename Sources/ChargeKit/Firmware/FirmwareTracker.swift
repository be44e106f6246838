import BackendAPI
import Foundation

/// One step of a firmware update as chargekit saw it.
public struct FirmwareStep: Codable, Sendable, Equatable {
    /// The OCPP status (`Downloading`, `Installed`, ...), the answer to the request
    /// (`Accepted`, `Rejected`, ...), or `Booted`.
    public var status: String
    public var at: Date
    /// `response`, `notification` or `boot` (or `backend` for the backend's own record).
    public var source: String
    /// For `Booted`: the version the charger booted with.
    public var firmwareVersion: String?
    public var info: String?

    public init(status: String, at: Date, source: String, firmwareVersion: String? = nil, info: String? = nil) {
        self.status = status
        self.at = at
        self.source = source
        self.firmwareVersion = firmwareVersion
        self.info = info
    }
}

/// How a firmware update ended.
public enum FirmwareOutcome: Sendable, Equatable, Codable {
    /// The charger booted with the target version.
    case succeeded
    /// `status` is what failed it: a failing FirmwareStatusNotification, a rejecting
    /// answer, a boot with another version after installing, or `TimedOut`.
    case failed(status: String, reason: String)

    public var succeeded: Bool { self == .succeeded }
}

/// Follows one charger's firmware update through what the charger sends (from the events
/// feed) and decides when it is over, by DOMAIN.md's rules: success is a BootNotification
/// with the target version (so a charger that sends no status at all still succeeds);
/// failure is DownloadFailed, InstallationFailed, InstallVerificationFailed,
/// InvalidSignature, a rejecting answer, or a boot with another version after installing.
/// Notifications with another requestId belong to another update and are ignored; so is
/// `Idle`, which says nothing is running.
public struct FirmwareTracker: Sendable, Equatable {
    /// The event types an update's progress arrives as.
    public static let eventTypes = ["FirmwareStatusNotification", "SignedFirmwareStatusNotification", "BootNotification"]
    static let failingStatuses: Set<String> = ["DownloadFailed", "InstallationFailed", "InstallVerificationFailed", "InvalidSignature"]
    static let rejectingAnswers: Set<String> = ["Rejected", "InvalidCertificate", "RevokedCertificate"]
    static let installingStatuses: Set<String> = ["Installing", "Installed", "InstallRebooting"]

    public let chargerId: String
    public let targetVersion: String
    /// The OCPP requestId, once the answer to the request is known (2.0.1, signed 1.6).
    public var requestId: Int?
    public private(set) var installing = false
    public private(set) var outcome: FirmwareOutcome?
    public private(set) var steps: [FirmwareStep] = []

    public init(chargerId: String, targetVersion: String, requestId: Int? = nil) {
        self.chargerId = chargerId
        self.targetVersion = targetVersion
        self.requestId = requestId
    }

    /// Records the charger's answer from the update job the backend returned.
    @discardableResult
    public mutating func answered(_ update: FirmwareUpdate) -> FirmwareStep? {
        requestId = update.requestId
        guard outcome == nil else { return nil }
        let answer = update.timeline.first { $0.source == .response }
        let status = answer?.status.rawValue ?? (update.state == .requested ? "Accepted" : update.state.rawValue)
        let step = FirmwareStep(status: status, at: answer?.at ?? update.createdAt, source: "response")
        steps.append(step)
        if Self.rejectingAnswers.contains(status) {
            outcome = .failed(status: status, reason: "the charger answered \(status)")
        }
        return step
    }

    /// Applies one event of this charger; answers the step it made, nil when it says nothing
    /// about this update (or the update is already over).
    @discardableResult
    public mutating func apply(_ event: Event) -> FirmwareStep? {
        guard outcome == nil, event.chargerId == chargerId else { return nil }
        let payload = event.payload
        switch event.type {
        case "FirmwareStatusNotification", "SignedFirmwareStatusNotification":
            if let expected = requestId, let got = payload["requestId"]?.intValue, got != expected { return nil }
            guard let status = payload["status"]?.stringValue, status != "Idle" else { return nil }
            if Self.installingStatuses.contains(status) { installing = true }
            let step = FirmwareStep(status: status, at: event.receivedAt, source: "notification",
                                    info: payload["statusInfo"]?["reasonCode"]?.stringValue)
            steps.append(step)
            if Self.failingStatuses.contains(status) {
                outcome = .failed(status: status, reason: "the charger reported \(status)")
            }
            return step
        case "BootNotification":
            let version = payload["firmwareVersion"]?.stringValue ?? payload["chargingStation"]?["firmwareVersion"]?.stringValue
            var step = FirmwareStep(status: "Booted", at: event.receivedAt, source: "boot", firmwareVersion: version)
            if version == targetVersion {
                outcome = .succeeded
            } else if installing {
                step.info = "booted with \(version ?? "an unknown version"), not \(targetVersion)"
                outcome = .failed(status: "Booted", reason: step.info ?? "")
            }
            steps.append(step)
            return step
        default:
            return nil
        }
    }

    /// Ends the update as timed out (nothing decisive arrived in time).
    public mutating func timedOut(after seconds: Double, at now: Date = Date()) {
        guard outcome == nil else { return }
        let reason = "nothing decisive arrived within \(Int(seconds)) s"
        steps.append(FirmwareStep(status: "TimedOut", at: now, source: "chargekit", info: reason))
        outcome = .failed(status: "TimedOut", reason: reason)
    }

    /// Takes the backend's verdict on a finished job (events of the past may be gone: a
    /// resumed rollout, a feed that lost retention); nil while the job is active.
    @discardableResult
    public mutating func adopt(_ job: FirmwareUpdate) -> FirmwareStep? {
        if requestId == nil { requestId = job.requestId }
        guard outcome == nil, let verdict = Self.outcome(of: job) else { return nil }
        let last = job.timeline.last
        let step = FirmwareStep(status: job.state.rawValue, at: last?.at ?? job.finishedAt ?? Date(),
                                source: last?.source.rawValue ?? "backend", firmwareVersion: last?.firmwareVersion, info: last?.info)
        steps.append(step)
        outcome = verdict
        return step
    }

    /// The outcome the backend recorded for a finished job (for a resumed rollout, whose
    /// events of the past are gone); nil while it is active.
    public static func outcome(of job: FirmwareUpdate) -> FirmwareOutcome? {
        guard !job.active else { return nil }
        let last = job.timeline.last
        if job.state == .booted, last?.firmwareVersion == job.targetVersion { return .succeeded }
        let status = job.state.rawValue
        return .failed(status: status, reason: last?.info ?? "the backend recorded \(status)")
    }

    /// The backend's timeline as steps.
    public static func steps(of job: FirmwareUpdate) -> [FirmwareStep] {
        job.timeline.map { FirmwareStep(status: $0.status.rawValue, at: $0.at, source: $0.source.rawValue,
                                         firmwareVersion: $0.firmwareVersion, info: $0.info) }
    }
}
