import BackendAPI
import ChargeKit
import Checksum
import Foundation
import Testing
@testable import ChargeKitSim

/// Firmware update jobs from request to the boot that confirms them, and every way they fail.
@Suite(.busySimulation) struct APIFirmwareUpdateTests {
    /// The catalogue's newer version for the charger's model.
    static func upgrade(_ client: BackendClient, for model: ChargerModel) async throws -> Firmware {
        let target = FirmwareSeed.newerVersion(than: model.firmwareVersions.last ?? "")
        return try #require(try await client.firmwareCatalogue(model: model.model, version: target).items.first)
    }

    /// Polls the job (real time, bounded) until it is no longer active.
    static func finished(_ client: BackendClient, _ id: String, timeout: Duration = .seconds(60)) async throws -> BackendAPI.FirmwareUpdate {
        let deadline = ContinuousClock.now + timeout
        var job = try await client.firmwareUpdate(id)
        while job.active, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            job = try await client.firmwareUpdate(id)
        }
        return job
    }

    @Test(arguments: [("CP-16", "1.6"), ("CP-21", "2.0.1")])
    func anUpdateToTheNewerVersionEndsBootedWithIt(id: String, version: String) async throws {
        let model = version == "1.6" ? abb : zaptec
        try await SimAPI.run([spec(id, model)]) { api in
            #expect(await api.awaitOnline(id))
            let client = try api.client(SimUser.demoInstallerToken)
            let target = try await Self.upgrade(client, for: model)
            let job = try await client.startFirmwareUpdate(id, FirmwareUpdateRequest(firmwareId: target.id, retries: 1, retryIntervalSeconds: 5),
                                                           idempotencyKey: UUID().uuidString)
            #expect(job.active && job.targetVersion == target.version && job.createdBy == "demo.installer")
            #expect(job.timeline.map(\.status).prefix(2) == [.requested, .accepted])
            #expect(job.timeline.map(\.source).prefix(2) == [.backend, .response])
            if version == "1.6" {
                #expect(job.requestId == nil && job.response.isEmpty)
            } else {
                #expect(job.requestId != nil && job.response["status"] == "Accepted")
            }
            let done = try await Self.finished(client, job.id)
            #expect(!done.active && done.state == .booted && done.finishedAt != nil)
            #expect(done.timeline.last?.firmwareVersion == target.version && done.timeline.last?.source == .boot)
            let statuses = done.timeline.filter { $0.source == .notification }.map(\.status)
            #expect(statuses.starts(with: [.downloading, .downloaded, .installing]))
            #expect(try await client.charger(id).firmwareVersion == target.version)
            let listed = try await client.firmwareUpdates(chargerId: id)
            #expect(listed.items.map(\.id) == [job.id])
        }
    }

    @Test(arguments: [(ChargerFault.firmwareDownloadFails, FirmwareUpdateStatus.downloadFailed),
                      (.firmwareInstallFails, .installationFailed), (.skipsFirmwareStatus, .booted)])
    func eachFirmwareFaultEndsTheJobAsTheDomainSays(fault: ChargerFault, end: FirmwareUpdateStatus) async throws {
        for model in [abb, zaptec] {
            try await SimAPI.run([spec("CP-F", model, faults: [fault])]) { api in
                #expect(await api.awaitOnline("CP-F"))
                let client = try api.client()
                let target = try await Self.upgrade(client, for: model)
                let job = try await client.startFirmwareUpdate("CP-F", FirmwareUpdateRequest(firmwareId: target.id, retries: 1,
                                                                                              retryIntervalSeconds: 5),
                                                               idempotencyKey: UUID().uuidString)
                let done = try await Self.finished(client, job.id)
                #expect(!done.active && done.state == end, "\(fault) on \(model.model): \(done.timeline.map(\.status))")
                if fault == .skipsFirmwareStatus {
                    #expect(!done.timeline.contains { $0.source == .notification }, "no statuses, the boot decides")
                    #expect(done.timeline.last?.firmwareVersion == target.version)
                }
            }
        }
    }

    @Test func aJobWithNothingDecisiveTimesOut() async throws {
        try await SimAPI.run([spec("CP-T", abb)], configure: { configuration in
            configuration.simulation.timing.installSeconds = 1_000_000
            // Long after the 20 s download (6 s real at speed 200), so a loaded machine still sees Installing first.
            configuration.firmwareJobGraceSeconds = 1200
        }) { api in
            #expect(await api.awaitOnline("CP-T"))
            let client = try api.client()
            let target = try await Self.upgrade(client, for: abb)
            let job = try await client.startFirmwareUpdate("CP-T", FirmwareUpdateRequest(firmwareId: target.id, retries: 0, retryIntervalSeconds: 0),
                                                           idempotencyKey: UUID().uuidString)
            let done = try await Self.finished(client, job.id)
            #expect(done.state == .timedOut && done.timeline.last?.source == .backend && !done.active)
            #expect(done.timeline.contains { $0.status == .installing })
        }
    }

    @Test func oneActiveJobPerChargerAndTheContractsRefusals() async throws {
        let specs = [spec("CP-A", abb), spec("CP-OFF", abb, faults: [.offline]), spec("CP-Z", zaptec)]
        try await SimAPI.run(specs) { api in
            #expect(await api.awaitOnline("CP-A"))
            let client = try api.client()
            let target = try await Self.upgrade(client, for: abb)
            let key = UUID().uuidString
            let body = FirmwareUpdateRequest(firmwareId: target.id)
            let first = try await api.rawJSON("POST", "/v1/chargers/CP-A/firmware-updates", body, headers: [("Idempotency-Key", key)])
            let jobId = try first.decoded(BackendAPI.FirmwareUpdate.self).id
            #expect(first.status == 201 && first.headers["Location"] == "/v1/firmware-updates/\(jobId)")
            let replay = try await api.rawJSON("POST", "/v1/chargers/CP-A/firmware-updates", body, headers: [("Idempotency-Key", key)])
            #expect(replay.status == 200 && replay.headers["Idempotent-Replayed"] == "true")
            let second = await problem { _ = try await client.startFirmwareUpdate("CP-A", body, idempotencyKey: UUID().uuidString) }
            #expect(second?.status == 409 && second?.problem?.type == .updateInProgress && second?.problem?.updateId == jobId)
            let offline = await problem { _ = try await client.startFirmwareUpdate("CP-OFF", body, idempotencyKey: UUID().uuidString) }
            #expect(offline?.status == 409 && offline?.problem?.type == .chargerOffline)
            #expect(try await client.firmwareUpdates(chargerId: "CP-OFF").items.isEmpty, "no job for an offline charger")
            let wrongModel = await problem { _ = try await client.startFirmwareUpdate("CP-Z", body, idempotencyKey: UUID().uuidString) }
            #expect(wrongModel?.status == 422 && wrongModel?.problem?.errors?.first?.field == "/firmwareId")
            // An installer may install approved firmware only.
            _ = try await client.updateFirmwareEntry(target.id, FirmwarePatch(approved: false))
            let installer = try api.client(SimUser.demoInstallerToken)
            let unapproved = await problem { _ = try await installer.startFirmwareUpdate("CP-Z", FirmwareUpdateRequest(firmwareId: target.id),
                                                                                         idempotencyKey: UUID().uuidString) }
            #expect(unapproved?.status == 403)
            let hidden = await problem { _ = try await api.client("site2-installer").firmwareUpdate(jobId) }
            #expect(hidden?.status == 404, "a job of a charger out of reach")
        }
    }

    @Test func signedFirmwareGoesOutAsSignedUpdateFirmwareOn16() async throws {
        let frames = FrameCollector()
        try await SimAPI.run([spec("CP-S", abb)], configure: { $0.frameHook = frames.hook }) { api in
            #expect(await api.awaitOnline("CP-S"))
            let client = try api.client()
            let image = bytes(70_000, seed: 21)
            let path = try temporaryFile(image)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let upload = try await client.createFirmwareUpload(FirmwareUploadRequest(
                filename: "signed.bin", size: Int64(image.count), sha256: SHA256.hex(image), version: "1.9.0-signed",
                models: [abb.model], signature: Data("signature".utf8).base64EncodedString(),
                signingCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), idempotencyKey: UUID().uuidString)
            _ = try await client.putFirmwareChunk(upload.uploadId, path: path, range: try #require(ContentRange(offset: 0, length: 70_000, total: 70_000)))
            let firmware = try await client.completeFirmwareUpload(upload.uploadId)
            #expect(firmware.signed && !firmware.approved)
            let job = try await client.startFirmwareUpdate("CP-S", FirmwareUpdateRequest(firmwareId: firmware.id), idempotencyKey: UUID().uuidString)
            #expect(job.requestId != nil && job.response["status"] == "Accepted")
            let done = try await Self.finished(client, job.id)
            #expect(done.state == .booted && done.timeline.contains { $0.status == .signatureVerified })
            #expect(frames.all.contains { $0.frame.contains("\"SignedUpdateFirmware\"") })
        }
    }
}
