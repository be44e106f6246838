import BackendAPI
import Foundation
import HTTPServerKit

/// Firmware update jobs: `createFirmwareUpdate`, `listChargerFirmwareUpdates`,
/// `getFirmwareUpdate`. The update request goes out through `CSMS.updateFirmware` (the
/// version's own message; SignedUpdateFirmware for signed firmware on 1.6) with a signed
/// download URL of this backend as its location.
struct FirmwareUpdatesAPI {
    let services: SimServices

    func create(_ request: APIRequest) async throws -> ServerResponse {
        let chargerId = request.parameter("chargerId")
        let spec = try services.fleet.reachable(chargerId, by: request.user)
        let key = try request.idempotencyKey()
        let body = try request.decode(FirmwareUpdateRequest.self)
        if let retries = body.retries, !(0...10).contains(retries) {
            throw APIError.validation(field: "/retries", "must be 0 to 10")
        }
        if let interval = body.retryIntervalSeconds, !(0...86_400).contains(interval) {
            throw APIError.validation(field: "/retryIntervalSeconds", "must be 0 to 86400")
        }
        let user = request.user
        let jobs = services.jobs
        return try await Idempotency(store: services.idempotency).run(request, key: key, replay: { outcome in
            guard case .resource(let id) = outcome, let job = await jobs.job(id) else {
                throw APIError.notFound("The firmware update this key started is gone.")
            }
            return Reply.json(job, headers: [Reply.replayed])
        }, work: {
            guard let entry = await services.firmware.entry(body.firmwareId) else {
                throw APIError.validation(field: "/firmwareId", "no firmware \(body.firmwareId) in the catalogue")
            }
            guard entry.firmware.approved || user.mayApproveFirmware else {
                throw APIError.forbidden("Installers may only install approved firmware; \(entry.firmware.id) is not approved.")
            }
            let view = await services.csms.charger(chargerId)
            let model = view?.identity?.model ?? spec.model.model
            guard entry.firmware.models.contains(model) else {
                throw APIError.validation(field: "/firmwareId", "\(entry.firmware.id) is not for model \(model)")
            }
            guard view?.connected == true else {
                throw APIError.chargerOffline(chargerId)
            }
            let clock = services.simulation.clock
            let now = clock.now
            let retrieveAt = body.retrieveAt ?? now
            let id = try await jobs.reserve(chargerId: chargerId, firmware: entry.firmware, request: body, retrieveAt: retrieveAt,
                                            by: user.user, now: now, startSeq: services.csms.eventLog.latestSeq)
            let location = location(entry.firmware, retrieveAt: retrieveAt, now: now, body: body)
            let ack: FirmwareUpdateAck
            do {
                ack = try await services.csms.updateFirmware(chargerId, FirmwareUpdate(
                    location: location, retrieveAt: retrieveAt, installAt: body.installAt, retries: body.retries,
                    retryInterval: body.retryIntervalSeconds, signingCertificate: entry.signingCertificate,
                    signature: entry.signature))
            } catch {
                await jobs.discard(id)
                throw APIError.from(error, chargerId: chargerId, action: "UpdateFirmware")
            }
            guard let job = await jobs.answered(id, ack: ack, at: clock.now) else {
                throw APIError.unavailable("The job was lost while the simulator stopped.")
            }
            return (Reply.json(job, status: 201, headers: [(HeaderName.location, APIPaths.firmwareUpdate(id))]), .resource(id))
        })
    }

    /// The signed download URL the charger gets, valid a week past when it will fetch and retry.
    func location(_ firmware: Firmware, retrieveAt: Date, now: Date, body: FirmwareUpdateRequest) -> String {
        let ahead = max(0, retrieveAt.timeIntervalSince(now)) + Double((body.retries ?? 2) * (body.retryIntervalSeconds ?? 30))
        let sig = services.signer.sign(firmwareId: firmware.id, expires: Date().addingTimeInterval(ahead + 7 * 86_400))
        return FirmwareLocation.make(base: services.chargerFacingURL + APIPaths.firmwareDownload(firmware.id, sig: sig),
                                     version: firmware.version, sha256: firmware.sha256)
    }

    func list(_ request: APIRequest) async throws -> ServerResponse {
        let chargerId = request.parameter("chargerId")
        _ = try services.fleet.reachable(chargerId, by: request.user)
        let limit = try request.limit()
        let active = try request.bool(QueryName.active)
        let items = await services.jobs.jobs(chargerId: chargerId, active: active)
        return Reply.json(try Pager.page(items, key: { Pager.newestFirstKey($0.createdAt, $0.id) },
                                         cursor: request.string(QueryName.cursor), limit: limit))
    }

    func get(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("updateId")
        guard let job = await services.jobs.job(id), request.user.reaches(site: services.fleet.site(of: job.chargerId)) else {
            throw APIError.notFound("No firmware update \(id).")
        }
        return Reply.json(job)
    }
}
