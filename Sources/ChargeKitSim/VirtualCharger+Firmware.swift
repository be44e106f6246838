import Checksum
import Foundation
import OCPP

/// A firmware update in progress. It outlives reboots (its timers survive them).
struct FirmwareJob {
    enum Flavor {
        /// 1.6 UpdateFirmware: FirmwareStatusNotification, no request id.
        case v16
        /// 1.6 Security Whitepaper SignedUpdateFirmware: SignedFirmwareStatusNotification.
        case v16Signed
        /// 2.0.1 UpdateFirmware.
        case v201
    }

    enum Phase { case waitingForDownload, downloading, downloaded, installing, awaitingBoot }

    var id: Int
    var flavor: Flavor
    var requestId: Int?
    var location: String
    var target: FirmwareLocation
    var installAt: Date?
    var attemptsLeft: Int
    var retryInterval: Double
    var signed: Bool
    var phase = Phase.waitingForDownload
    var downloadStartedAt: Double = 0
    var newVersion: String?
}

/// When UpdateFirmware gives no `retries`, the charger decides: it retries twice.
let defaultFirmwareRetries = 2
/// When UpdateFirmware gives no `retryInterval`, the charger waits this many seconds.
let defaultFirmwareRetryInterval = 30.0

extension VirtualCharger {
    /// `retries` is read as the number of retries after the first attempt (2.0.1 calls them
    /// "retries"; 1.6's wording "how many times ... must try" is ambiguous), so
    /// `retries: 2` means up to three downloads.
    func startFirmwareJob(flavor: FirmwareJob.Flavor, requestId: Int?, location: String, retrieveAt: Date, installAt: Date?,
                          retries: Int?, retryInterval: Int?, signed: Bool, host: isolated ChargerHost) {
        firmwareJobCounter += 1
        let job = FirmwareJob(id: firmwareJobCounter, flavor: flavor, requestId: requestId, location: location,
                              target: FirmwareLocation(parsing: location), installAt: installAt,
                              attemptsLeft: 1 + max(0, retries ?? defaultFirmwareRetries),
                              retryInterval: Double(max(0, retryInterval ?? Int(defaultFirmwareRetryInterval))), signed: signed)
        firmware = job
        lastFirmwareStatus = nil
        let delay = retrieveAt.timeIntervalSince(chargerNow(host))
        if delay > 0 { sendFirmwareStatus(.downloadScheduled, host: host) }
        host.schedule(index, after: max(0, delay), .firmware(job: job.id, step: .download), survivesReboot: true)
    }

    func firmwareStep(job id: Int, step: FirmwareStep, host: isolated ChargerHost) {
        guard var job = firmware, job.id == id else { return }
        switch step {
        case .download:
            guard job.phase == .waitingForDownload else { return }
            job.phase = .downloading
            job.downloadStartedAt = host.clock.elapsed
            firmware = job
            sendFirmwareStatus(.downloading, host: host)
            if spec.faults.contains(.firmwareDownloadFails) {
                host.schedule(index, after: timing.downloadSeconds, .firmware(job: id, step: .downloadResult(ok: false, checksumMismatch: false)),
                              survivesReboot: true)
            } else {
                host.startFetch(index, job: id, url: job.location)
            }
        case .downloadResult(let ok, let mismatch):
            guard job.phase == .downloading else { return }
            if ok {
                job.phase = .downloaded
                firmware = job
                sendFirmwareStatus(.downloaded, host: host)
                if job.signed { sendFirmwareStatus(.signatureVerified, host: host) }
                let wait = job.installAt.map { $0.timeIntervalSince(chargerNow(host)) } ?? 0
                if wait > 0 { sendFirmwareStatus(.installScheduled, host: host) }
                host.schedule(index, after: max(0, wait), .firmware(job: id, step: .install), survivesReboot: true)
            } else if mismatch, job.flavor != .v16 {
                // 2.0.1 L01: the image failed verification; no retry.
                sendFirmwareStatus(.installVerificationFailed, host: host)
                firmware = nil
            } else {
                job.attemptsLeft -= 1
                if job.attemptsLeft > 0 {
                    job.phase = .waitingForDownload
                    firmware = job
                    host.schedule(index, after: job.retryInterval, .firmware(job: id, step: .download), survivesReboot: true)
                } else {
                    sendFirmwareStatus(.downloadFailed, host: host)
                    firmware = nil
                }
            }
        case .install:
            guard job.phase == .downloaded else { return }
            if connectors.contains(where: { $0.tx != nil }) {
                // Installing waits for running transactions to end.
                host.schedule(index, after: 30, .firmware(job: id, step: .install), survivesReboot: true)
                return
            }
            job.phase = .installing
            firmware = job
            sendFirmwareStatus(.installing, host: host)
            host.schedule(index, after: timing.installSeconds, .firmware(job: id, step: .installDone), survivesReboot: true)
        case .installDone:
            guard job.phase == .installing else { return }
            if spec.faults.contains(.firmwareInstallFails) {
                sendFirmwareStatus(.installationFailed, host: host)
                firmware = nil
                return
            }
            if job.flavor == .v16 {
                sendFirmwareStatus(.installed, host: host)
            } else {
                sendFirmwareStatus(.installRebooting, host: host)
            }
            job.phase = .awaitingBoot
            firmware = job
            if let v = job.newVersion { firmwareVersion = v }
            reboot(after: timing.firmwareRebootSeconds, reason: .firmwareUpdate, host: host)
        }
    }

    func fetchCompleted(job id: Int, result: Result<Data, any Error>, host: isolated ChargerHost) {
        guard var job = firmware, job.id == id, job.phase == .downloading else { return }
        var ok = false
        var mismatch = false
        if case .success(let data) = result {
            let digest = SHA256.hex(data)
            if let expected = job.target.sha256, expected != digest {
                mismatch = true
            } else {
                ok = true
                job.newVersion = job.target.version ?? "unknown-" + String(digest.prefix(8))
                firmware = job
            }
        }
        let remaining = job.downloadStartedAt + timing.downloadSeconds - host.clock.elapsed
        host.schedule(index, after: max(0, remaining), .firmware(job: id, step: .downloadResult(ok: ok, checksumMismatch: mismatch)),
                      survivesReboot: true)
    }

    /// After the boot that follows an install: 2.0.1 (and signed 1.6) report Installed now.
    func firmwareAfterBoot(host: isolated ChargerHost) {
        guard let job = firmware, job.phase == .awaitingBoot else { return }
        if job.flavor != .v16 { sendFirmwareStatus(.installed, host: host) }
        firmware = nil
    }

    func sendFirmwareStatus(_ status: V201.FirmwareStatus, host: isolated ChargerHost) {
        guard let job = firmware else { return }
        lastFirmwareStatus = status.rawValue
        if spec.faults.contains(.skipsFirmwareStatus) { return }
        switch job.flavor {
        case .v16:
            // Plain 1.6 has no scheduling or signature states; those are simply not sent.
            guard let s = V16.FirmwareStatus(rawValue: status.rawValue) else { return }
            sendCall(V16.FirmwareStatusNotificationRequest(status: s), host: host)
        case .v16Signed:
            guard let s = V16.SignedFirmwareStatus(rawValue: status.rawValue) else { return }
            sendCall(V16.SignedFirmwareStatusNotificationRequest(status: s, requestId: job.requestId), host: host)
        case .v201:
            sendCall(V201.FirmwareStatusNotificationRequest(status: status, requestId: job.requestId), host: host)
        }
    }
}
