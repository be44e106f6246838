import BackendAPI
import ChargeKit
import Checksum
import CurlHTTP
import Foundation
import Testing
import TestSupport
@testable import ChargeKitSim

/// Resumable uploads, the catalogue and the charger-facing download.
@Suite(.busySimulation) struct APIFirmwareTests {
    static let image = bytes(300_000, seed: 3)

    static func request(_ data: Data = image, version: String = "9.0.0", models: [String] = ["Terra AC W22"]) -> FirmwareUploadRequest {
        FirmwareUploadRequest(filename: "fw-\(version).bin", size: Int64(data.count), sha256: SHA256.hex(data), version: version,
                              models: models, notes: "test image")
    }

    static func range(_ start: Int, _ end: Int, _ total: Int) throws -> ContentRange {
        try #require(ContentRange(start: Int64(start), end: Int64(end), total: Int64(total)))
    }

    @Test func anUploadResumesAfterAnInterruptionAndCompletesIntoTheCatalogue() async throws {
        try await SimAPI.run(count: 3) { api in
            let client = try api.client("site1-installer")
            let path = try temporaryFile(Self.image)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let key = UUID().uuidString
            let upload = try await client.createFirmwareUpload(Self.request(), idempotencyKey: key)
            #expect(upload.offset == 0 && upload.state == .receiving && upload.chunkSize > 0)
            // The same key and body: the same upload, as it is now.
            let replay = try await api.rawJSON("POST", "/v1/firmware/uploads", Self.request(), token: "site1-installer",
                                               headers: [("Idempotency-Key", key)])
            #expect(replay.status == 200 && replay.headers["Idempotent-Replayed"] == "true")
            #expect(try replay.decoded(FirmwareUpload.self).uploadId == upload.uploadId)
            let reuse = try await api.rawJSON("POST", "/v1/firmware/uploads", Self.request(version: "9.0.1"), token: "site1-installer",
                                              headers: [("Idempotency-Key", key)])
            #expect(reuse.status == 422 && reuse.problem?.type == .idempotencyKeyReuse)

            // 100,000 bytes arrive; the connection drops in the middle of the next chunk.
            #expect(try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(0, 99_999, 300_000)).offset == 100_000)
            let cut = try await rawPartialPut(api, upload.uploadId, range: "bytes 100000-199999/300000",
                                              body: Self.image.subdata(in: 100_000..<150_000))
            #expect(cut != 200, "the cut chunk is not acknowledged")
            let state = try await client.firmwareUpload(upload.uploadId)
            #expect(state.offset == 100_000, "a cut chunk adds nothing")
            // Past the offset: 409 with where to resume.
            let ahead = await problem { _ = try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(150_000, 299_999, 300_000)) }
            #expect(ahead?.status == 409 && ahead?.problem?.type == .uploadOffsetMismatch && ahead?.problem?.currentOffset == 100_000)
            // A retry with another chunk size overlapping what arrived: the known part is skipped.
            #expect(try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(50_000, 249_999, 300_000)).offset == 250_000)
            // A range already received is a no-op.
            #expect(try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(0, 9, 300_000)).offset == 250_000)
            let early = await problem { _ = try await client.completeFirmwareUpload(upload.uploadId) }
            #expect(early?.status == 409 && early?.problem?.type == .conflict && early?.problem?.currentOffset == 250_000)
            #expect(try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(250_000, 299_999, 300_000)).offset == 300_000)
            #expect(try await client.firmwareUpload(upload.uploadId).state == .received)

            let firmware = try await client.completeFirmwareUpload(upload.uploadId)
            #expect(firmware.sha256 == SHA256.hex(Self.image) && !firmware.approved && firmware.uploadedBy == "ann")
            #expect(try await client.completeFirmwareUpload(upload.uploadId) == firmware, "complete is repeatable")
            let done = try await client.firmwareUpload(upload.uploadId)
            #expect(done.state == .completed && done.firmwareId == firmware.id && done.offset == 300_000)
            #expect(try await client.firmwareCatalogue(sha256: firmware.sha256).items == [firmware])
            // The same image again is a conflict naming it; another user cannot see the upload.
            let duplicate = await problem { _ = try await client.createFirmwareUpload(Self.request(), idempotencyKey: UUID().uuidString) }
            #expect(duplicate?.status == 409 && duplicate?.problem?.firmwareId == firmware.id)
            let foreign = await problem { _ = try await api.client("site2-installer").firmwareUpload(upload.uploadId) }
            #expect(foreign?.status == 404)
        }
    }

    /// A PUT whose body stops half-way (Content-Length larger than what is sent, then close).
    func rawPartialPut(_ api: SimAPI, _ uploadId: String, range: String, body: Data) async throws -> Int {
        let port = api.backend.port
        let head = """
            PUT /v1/firmware/uploads/\(uploadId) HTTP/1.1\r
            Host: 127.0.0.1\r
            Authorization: Bearer site1-installer\r
            Content-Type: application/octet-stream\r
            Content-Range: \(range)\r
            Content-Length: 100000\r
            \r

            """
        return try await offPool {
            let client = try RawClient(port: port, receiveTimeout: 10)
            try client.send(head)
            try client.send(body)
            shutdown(client.fd, Int32(SHUT_WR))
            let answer = client.readAll()
            return Int(String(decoding: answer.prefix(12), as: UTF8.self).split(separator: " ").dropFirst().first ?? "") ?? 0
        }
    }

    @Test func aChecksumMismatchDiscardsTheBytes() async throws {
        try await SimAPI.run(count: 3) { api in
            let client = try api.client()
            let other = bytes(300_000, seed: 9)
            let path = try temporaryFile(other)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let upload = try await client.createFirmwareUpload(Self.request(), idempotencyKey: UUID().uuidString)
            _ = try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(0, 299_999, 300_000))
            let error = await problem { _ = try await client.completeFirmwareUpload(upload.uploadId) }
            #expect(error?.status == 422 && error?.problem?.type == .checksumMismatch)
            #expect(error?.problem?.expectedSha256 == SHA256.hex(Self.image) && error?.problem?.actualSha256 == SHA256.hex(other))
            #expect(try await client.firmwareUpload(upload.uploadId).offset == 0)
            let wrongTotal = await problem { _ = try await client.putFirmwareChunk(upload.uploadId, path: path, range: Self.range(0, 9, 10)) }
            #expect(wrongTotal?.status == 422 && wrongTotal?.problem?.errors?.first?.field == "Content-Range")
            let noRange = try await api.raw("PUT", "/v1/firmware/uploads/\(upload.uploadId)", headers: [("Content-Type", MediaType.octetStream)],
                                            body: Data([1, 2, 3]))
            #expect(noRange.status == 400 && noRange.problem?.errors?.first?.field == "Content-Range")
        }
    }

    @Test func theDownloadIsSignedRangedAndDigested() async throws {
        try await SimAPI.run(count: 3) { api in
            let firmware = try #require(try await api.client().firmwareCatalogue().items.first)
            let sig = api.backend.services.signer.sign(firmwareId: firmware.id, expires: Date().addingTimeInterval(600))
            let path = APIPaths.firmwareDownload(firmware.id, sig: sig)
            let whole = try await api.raw("GET", path, token: nil)
            #expect(whole.status == 200 && SHA256.hex(whole.body) == firmware.sha256 && Int64(whole.body.count) == firmware.size)
            #expect(whole.headers["ETag"] == "\"\(firmware.sha256)\"" && whole.headers["Accept-Ranges"] == "bytes")
            #expect(whole.headers["Content-Digest"]?.hasPrefix("sha-256=:") == true)
            let tail = try await api.raw("GET", path, token: nil, headers: [("Range", "bytes=1000-")])
            #expect(tail.status == 206 && tail.body == whole.body.subdata(in: 1000..<whole.body.count))
            #expect(tail.headers["Content-Range"] == "bytes 1000-\(firmware.size - 1)/\(firmware.size)")
            let outside = try await api.raw("GET", path, token: nil, headers: [("Range", "bytes=\(firmware.size)-")])
            #expect(outside.status == 416 && outside.headers["Content-Range"] == "bytes */\(firmware.size)")
            let head = try await api.raw("HEAD", path, token: nil)
            #expect(head.status == 200 && head.body.isEmpty && head.headers["Content-Length"] == String(firmware.size))
            for bad in ["/v1/firmware/\(firmware.id)/download", APIPaths.firmwareDownload(firmware.id, sig: sig + "0"),
                        APIPaths.firmwareDownload(firmware.id, sig: api.backend.services.signer.sign(
                            firmwareId: firmware.id, expires: Date().addingTimeInterval(-5)))] {
                let refused = try await api.raw("GET", bad, token: nil)
                #expect(refused.status == 403 && refused.problem?.type == .forbidden, "\(bad)")
            }
            let otherImage = APIPaths.firmwareDownload("fw_other", sig: sig)
            #expect(try await api.raw("GET", otherImage, token: nil).status == 403, "a signature is for one image")
        }
    }

    @Test func anUploadAndTheCatalogueOutliveARestartWithTheSameStateDirectory() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try temporaryFile(Self.image)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var uploadId = ""
        var catalogue: [String] = []
        let key = UUID().uuidString
        try await SimAPI.run(count: 3, stateDirectory: directory) { api in
            let client = try api.client("site1-installer")
            uploadId = try await client.createFirmwareUpload(Self.request(), idempotencyKey: key).uploadId
            _ = try await client.putFirmwareChunk(uploadId, path: path, range: Self.range(0, 123_455, 300_000))
            catalogue = try await client.firmwareCatalogue().items.map(\.id)
        }
        try await SimAPI.run(count: 3, stateDirectory: directory) { api in
            let client = try api.client("site1-installer")
            #expect(try await client.firmwareCatalogue().items.map(\.id) == catalogue)
            #expect(try await client.firmwareUpload(uploadId).offset == 123_456)
            let replay = try await api.rawJSON("POST", "/v1/firmware/uploads", Self.request(), token: "site1-installer",
                                               headers: [("Idempotency-Key", key)])
            #expect(replay.status == 200 && replay.headers["Idempotent-Replayed"] == "true")
            #expect(try replay.decoded(FirmwareUpload.self).offset == 123_456, "the replay shows the upload as it is now")
            _ = try await client.putFirmwareChunk(uploadId, path: path, range: Self.range(123_456, 299_999, 300_000))
            let firmware = try await client.completeFirmwareUpload(uploadId)
            #expect(firmware.sha256 == SHA256.hex(Self.image))
        }
        try await SimAPI.run(count: 3, stateDirectory: directory) { api in
            let entries = try await api.client().firmwareCatalogue(sha256: SHA256.hex(Self.image)).items
            #expect(entries.count == 1 && entries.first?.version == "9.0.0")
        }
    }

    /// Idempotency records are a log appended per request: a restart replays them, skips a
    /// line a crash cut short, and reads the single file earlier simulators wrote.
    static let other = bytes(4096, seed: 9)

    @Test func idempotencyRecordsOutliveARestartThroughTheirLog() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/idempotency.jsonl"
        let (first, second) = (UUID().uuidString, UUID().uuidString)
        var uploads: [String] = []
        try await SimAPI.run(count: 1, stateDirectory: directory) { api in
            let client = try api.client("site1-installer")
            uploads.append(try await client.createFirmwareUpload(Self.request(), idempotencyKey: first).uploadId)
            uploads.append(try await client.createFirmwareUpload(Self.request(Self.other, version: "9.0.1"), idempotencyKey: second).uploadId)
        }
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        // The first record as the earlier single file, the second in the log, then a torn line.
        try "[\(lines[0])]".write(toFile: directory + "/idempotency.json", atomically: true, encoding: .utf8)
        try (lines[1] + "\n" + lines[0].prefix(40)).write(toFile: log, atomically: true, encoding: .utf8)
        try await SimAPI.run(count: 1, stateDirectory: directory) { api in
            for (key, request, upload) in [(first, Self.request(), uploads[0]), (second, Self.request(Self.other, version: "9.0.1"), uploads[1])] {
                let replay = try await api.rawJSON("POST", "/v1/firmware/uploads", request, token: "site1-installer",
                                                   headers: [("Idempotency-Key", key)])
                #expect(replay.status == 200 && replay.headers["Idempotent-Replayed"] == "true")
                #expect(try replay.decoded(FirmwareUpload.self).uploadId == upload)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/idempotency.json"))
        #expect(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count == 2)
    }
}
