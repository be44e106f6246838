import BackendAPI
import ChargeKit
import Checksum
import Foundation
import JSON
import Testing
@testable import ChargeKitSim

/// Inspection reports with their attachments, and QA runs: idempotent, immutable, per charger.
@Suite(.busySimulation) struct APIRecordsTests {
    static let photo = bytes(150_000, seed: 11)
    static let signature = bytes(2_000, seed: 12)

    static func report(id: String = UUID().uuidString.lowercased(), charger: String = "CP-0001", verdict: Verdict = .pass,
                       finished: Date = Date(timeIntervalSince1970: 1_750_000_000)) -> InspectionReport {
        InspectionReport(
            id: id, chargerId: charger, kind: .commissioning,
            checklist: ChecklistRef(id: "be-arei-722-commissioning", version: "3", standard: "AREI 7.22", edition: "2020"),
            inspector: Inspector(name: "Ann", registration: "BE-INS-1"),
            instruments: [Instrument(serial: "MI3152-1", calibratedAt: "2025-01-10")],
            startedAt: finished.addingTimeInterval(-3600), finishedAt: finished, verdict: verdict,
            answers: [InspectionAnswer(itemId: "C2", result: .pass, measurements: [
                InspectionMeasurement(label: "L1-PE", value: 550, unit: "MΩ", limit: MeasurementLimit(min: 1), result: .pass,
                                      instrument: "MI3152-1", at: finished.addingTimeInterval(-600))], attachments: ["rcd.jpg"])],
            attachments: [
                AttachmentDescriptor(name: "rcd.jpg", sha256: SHA256.hex(photo), size: Int64(photo.count), mediaType: "image/jpeg",
                                     kind: .photo, itemId: "C2"),
                AttachmentDescriptor(name: "signature.png", sha256: SHA256.hex(signature), size: Int64(signature.count),
                                     mediaType: "image/png", kind: .signature),
            ],
            properties: ["regime": "BE-AREI"], contentHash: String(repeating: "ab", count: 32))
    }

    /// Without --state-dir nothing outlives the process, so records there are written
    /// atomically but not fsync'd; they still read back complete, with nothing left over.
    @Test func aTemporaryStateDirectoryIsWrittenAtomicallyWithoutSyncs() throws {
        let state = try StateDirectory.open(nil)
        defer { state.close() }
        #expect(!state.persistent)
        let receipt = QARunReceipt(id: "r-1", receivedAt: Date(timeIntervalSince1970: 1_790_000_000))
        try state.write(receipt, to: "qa-runs/r-1.json")
        try state.write(receipt, to: "qa-runs/r-1.json")
        #expect(try state.read(QARunReceipt.self, from: "qa-runs/r-1.json") == receipt)
        #expect(state.list("qa-runs") == ["r-1.json"], "no temporary file left behind")
    }

    @Test func aReportIsRecordedOnceAndItsAttachmentsArriveInChunks() async throws {
        try await SimAPI.run(count: 6) { api in
            let client = try api.client("site1-installer")
            let report = Self.report()
            let receipt = try await client.createInspection(report, idempotencyKey: report.id)
            #expect(receipt.id == report.id && receipt.attachments.map(\.received) == [false, false])
            let replay = try await api.rawJSON("POST", "/v1/inspections", report, token: "site1-installer",
                                               headers: [("Idempotency-Key", report.id)])
            #expect(replay.status == 200 && replay.headers["Idempotent-Replayed"] == "true")
            var changed = report
            changed.verdict = .fail
            let reuse = try await api.rawJSON("POST", "/v1/inspections", changed, token: "site1-installer",
                                              headers: [("Idempotency-Key", report.id)])
            #expect(reuse.status == 422 && reuse.problem?.type == .idempotencyKeyReuse)
            // The same report under another key: 200; another report with its id: 409.
            #expect(try await client.createInspection(report, idempotencyKey: UUID().uuidString) == receipt)
            let conflict = await problem { _ = try await client.createInspection(changed, idempotencyKey: UUID().uuidString) }
            #expect(conflict?.status == 409 && conflict?.problem?.type == .conflict)
            let keyless = try await api.rawJSON("POST", "/v1/inspections", report, token: "site1-installer")
            #expect(keyless.status == 400 && keyless.problem?.errors?.first?.field == "Idempotency-Key")

            let path = try temporaryFile(Self.photo)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let sha = SHA256.hex(Self.photo)
            let first = try await client.putInspectionAttachmentChunk(report.id, name: "rcd.jpg", path: path,
                                                                      range: try #require(ContentRange(start: 0, end: 99_999, total: 150_000)), sha256: sha)
            #expect(first.offset == 100_000)
            let state = try await client.inspectionAttachment(report.id, name: "rcd.jpg")
            #expect(state.offset == 100_000 && !state.received && state.mediaType == "image/jpeg")
            let wrongFile = await problem { _ = try await client.putInspectionAttachmentChunk(
                report.id, name: "rcd.jpg", path: path, range: try #require(ContentRange(start: 100_000, end: 149_999, total: 150_000)),
                sha256: String(repeating: "0", count: 64)) }
            #expect(wrongFile?.status == 409 && wrongFile?.problem?.expectedSha256 == sha)
            let last = try await client.putInspectionAttachmentChunk(report.id, name: "rcd.jpg", path: path,
                                                                     range: try #require(ContentRange(start: 100_000, end: 149_999, total: 150_000)), sha256: sha)
            #expect(last.offset == 150_000)
            #expect(try await client.inspectionAttachment(report.id, name: "rcd.jpg").received)
            // Bytes that do not match the declaration: 422 and back to 0.
            let bad = try temporaryFile(bytes(2_000, seed: 99))
            defer { try? FileManager.default.removeItem(atPath: bad) }
            let mismatch = await problem { _ = try await client.putInspectionAttachmentChunk(
                report.id, name: "signature.png", path: bad, range: try #require(ContentRange(start: 0, end: 1_999, total: 2_000)),
                sha256: SHA256.hex(Self.signature)) }
            #expect(mismatch?.status == 422 && mismatch?.problem?.type == .checksumMismatch)
            #expect(try await client.inspectionAttachment(report.id, name: "signature.png").offset == 0)
            let undeclared = await problem { _ = try await client.inspectionAttachment(report.id, name: "other.jpg") }
            #expect(undeclared?.status == 404)

            let record = try await client.inspection(report.id)
            #expect(record.report == report && record.receivedBy == "ann")
            #expect(record.attachments == [AttachmentReceipt(name: "rcd.jpg", received: true),
                                           AttachmentReceipt(name: "signature.png", received: false)])
            let replayNow = try await api.rawJSON("POST", "/v1/inspections", report, token: "site1-installer",
                                                  headers: [("Idempotency-Key", report.id)])
            #expect(try replayNow.decoded(InspectionReceipt.self).attachments.first?.received == true, "the receipt as it is now")
            // Another site's installer sees none of it.
            #expect(await problem { _ = try await api.client("site2-installer").inspection(report.id) }?.status == 404)
        }
    }

    @Test func listsAreNewestFirstAndPaged() async throws {
        try await SimAPI.run(count: 3) { api in
            let client = try api.client()
            let dates = (0..<5).map { Date(timeIntervalSince1970: 1_750_000_000 + Double($0) * 86_400) }
            var ids: [String] = []
            for date in dates {
                let report = Self.report(finished: date)
                _ = try await client.createInspection(report, idempotencyKey: report.id)
                ids.append(report.id)
            }
            let page = try await client.inspections(chargerId: "CP-0001")
            #expect(page.items.map(\.id) == ids.reversed() && page.isLast)
            #expect(page.items.allSatisfy { !$0.attachmentsComplete })
            let limited = try await api.raw("GET", "/v1/chargers/CP-0001/inspections?limit=2")
            let first = try limited.decoded(InspectionPage.self)
            #expect(first.items.count == 2 && first.nextCursor != nil)
            #expect(try await client.inspections(chargerId: "CP-0002").items.isEmpty)
            let invalid = try await api.rawJSON("POST", "/v1/inspections", Self.report(id: "not-a-uuid"), headers: [("Idempotency-Key", "k")])
            #expect(invalid.status == 422 && invalid.problem?.errors?.first?.field == "/id")
            let foreign = await problem { _ = try await api.client("site2-installer").createInspection(Self.report(), idempotencyKey: "x") }
            #expect(foreign?.status == 404)
        }
    }

    @Test func qaRunsAreRecordedIdempotentlyAndCounted() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = QARun(id: UUID().uuidString.lowercased(), chargerId: "CP-0002", startedAt: Date(timeIntervalSince1970: 1_750_000_000),
                        finishedAt: Date(timeIntervalSince1970: 1_750_000_300), verdict: .fail, tool: ToolInfo(name: "chargekit", version: "0.1"),
                        firmwareVersion: "1.0", checks: [
                            QACheck(id: "boot.identity", status: .pass, measured: ["vendor": "ABB"], durationMs: 12, references: ["TC_001_CS"]),
                            QACheck(id: "energy.increasing", status: .fail, measured: 0, expected: "> 0", durationMs: 1000),
                            QACheck(id: "reset.clean", status: .skip, durationMs: 0),
                        ])
        try await SimAPI.run(count: 3, stateDirectory: directory) { api in
            let client = try api.client()
            let receipt = try await client.createQARun(run, idempotencyKey: run.id)
            let replay = try await api.rawJSON("POST", "/v1/qa-runs", run, headers: [("Idempotency-Key", run.id)])
            #expect(replay.status == 200 && replay.headers["Idempotent-Replayed"] == "true")
            #expect(try replay.decoded(QARunReceipt.self) == receipt)
            var other = run
            other.verdict = .pass
            #expect(await problem { _ = try await client.createQARun(other, idempotencyKey: UUID().uuidString) }?.status == 409)
            #expect(try await client.qaRun(run.id).run == run)
        }
        try await SimAPI.run(count: 3, stateDirectory: directory) { api in
            let client = try api.client()
            let summaries = try await client.qaRuns(chargerId: "CP-0002")
            #expect(summaries.items.first?.counts == QACheckCounts(pass: 1, fail: 1, warn: 0, skip: 1, error: 0))
            #expect(try await client.qaRun(run.id).receivedBy == "demo.operator")
            let replay = try await api.rawJSON("POST", "/v1/qa-runs", run, headers: [("Idempotency-Key", run.id)])
            #expect(replay.headers["Idempotent-Replayed"] == "true", "idempotency records outlive a restart")
        }
    }
}
