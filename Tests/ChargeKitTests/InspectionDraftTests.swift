import BackendAPI
import Checksum
import Foundation
import JSON
import Testing
import TestSupport
@testable import ChargeKit

@Suite struct InspectionDraftTests {
    static func template() throws -> ChecklistTemplate { try ChecklistTemplateTests.shipped("commissioning") }

    static func answered(_ template: ChecklistTemplate, _ typed: [String: String] = ChecklistTemplateTests.good,
                         at date: Date = Date(timeIntervalSince1970: 1_790_000_000.123_456)) throws -> InspectionDraft {
        var draft = InspectionDraft(chargerId: "CP-0001", template: template, templateSource: "commissioning", startedAt: date)
        for (id, text) in typed {
            draft.answers[id] = .init(answer: try ChecklistAnswer.parse(text, for: try #require(template.item(id))), at: date)
        }
        draft.instrument = Instrument(serial: "MI3152-0042", calibratedAt: "2026-03-01")
        return draft
    }

    @Test func finishingSealsAReportTheContractAccepts() throws {
        let template = try Self.template()
        var draft = try Self.answered(template)
        #expect(throws: InspectionFinishError.self) { try draft.finish(template: template) }
        draft.inspector = Inspector(name: "A. Installer", registration: "NL-1234")
        let report = try draft.finish(template: template, at: Date(timeIntervalSince1970: 1_790_000_600.987_654))
        #expect(report.verdict == .pass)
        #expect(report.kind == .commissioning)
        #expect(report.checklist == ChecklistRef(id: "commissioning", version: "1.0.0", standard: "IEC 60364-6", edition: "2016"))
        let c1 = try #require(report.answers.first { $0.itemId == "C1" })
        #expect(c1.result == .pass)
        #expect(c1.measurements == [InspectionMeasurement(value: 0.32, unit: "Ω", limit: MeasurementLimit(max: 1, rule: "≤ 1 Ω"),
                                                          result: .pass, instrument: "MI3152-0042",
                                                          at: Date(timeIntervalSince1970: 1_790_000_000.123))])
        #expect(report.answers.first { $0.itemId == "earthing" }?.text == "TN-S")
        #expect(!report.answers.contains { $0.itemId == "D6" }, "skipped items are not reported")
        #expect(report.contentHashIsValid)
        // The hash survives the trip to the backend and back, and sees any change.
        let back = try JSONCoding.decode(InspectionReport.self, from: JSONCoding.encode(report))
        #expect(back.contentHashIsValid && back == report)
        var tampered = back
        tampered.answers[0].note = "edited later"
        #expect(!tampered.contentHashIsValid)
        // Finished is finished.
        draft.answers["C1"] = .init(answer: .measurement(value: 5, unit: "Ω"), at: Date())
        #expect(try draft.finish(template: template) == report)
    }

    @Test func unansweredRequiredItemsAreNamed() throws {
        let template = try Self.template()
        var typed = ChecklistTemplateTests.good
        typed["C1"] = nil
        typed["signature"] = nil
        var draft = try Self.answered(template, typed)
        draft.inspector = Inspector(name: "A. Installer")
        #expect(throws: InspectionFinishError(missing: ["C1", "signature"])) { try draft.finish(template: template) }
    }

    @Test func aFailingItemFailsTheReportAndAnOldCalibrationIsMarked() throws {
        let template = try Self.template()
        var draft = try Self.answered(template, ChecklistTemplateTests.good.merging(["C2": "0.4"]) { $1 })
        draft.inspector = Inspector(name: "A. Installer")
        draft.instrument = Instrument(serial: "MI3152-0042", calibratedAt: "2024-01-15")
        let report = try draft.finish(template: template)
        #expect(report.verdict == .fail)
        #expect(report.answers.first { $0.itemId == "C2" }?.result == .fail)
        #expect(report.properties?["calibrationExpired"] == "true")
    }

    @Test func theStoreKeepsDraftsPhotosAndFindsThemAgain() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("inspections-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = InspectionStore(dataDirectory: root)
        let template = try Self.template()
        var draft = try Self.answered(template)
        let photoPath = root + "/front.JPG"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).write(to: URL(fileURLWithPath: photoPath))
        let photo = try store.storePhoto(at: photoPath, item: "B8", in: &draft)
        draft.answers["B8"] = .init(answer: .photo(path: photoPath), at: Date())
        #expect(photo.mediaType == "image/jpeg" && photo.size == 7)
        #expect(AttachmentDescriptor.isValidName(photo.name) && photo.name.hasPrefix("B8-"))
        try store.save(draft)
        try FileManager.default.removeItem(atPath: photoPath)  // the store keeps its own copy
        #expect(SHA256.hex(try #require(FileManager.default.contents(atPath: store.path(of: photo, in: draft)))) == photo.sha256)
        #expect(try store.load(draft.id) == draft)
        #expect(store.openDraft(charger: "CP-0001", checklist: "commissioning")?.id == draft.id)
        #expect(store.openDraft(charger: "CP-0002", checklist: "commissioning") == nil)
        #expect(try store.find(String(draft.id.prefix(6))).id == draft.id)
        #expect(throws: InspectionStore.Error.self) { try store.find("zz") }

        draft.inspector = Inspector(name: "A. Installer")
        let report = try draft.finish(template: template)
        #expect(report.attachments.map(\.name) == [photo.name])
        #expect(report.answers.first { $0.itemId == "B8" }?.attachments == [photo.name])
        try store.save(draft)
        #expect(store.openDraft(charger: "CP-0001", checklist: "commissioning") == nil, "a finished inspection is not resumed")
        #expect(throws: InspectionStore.Error.self) { try store.discard(draft.id) }

        let other = InspectionDraft(chargerId: "CP-0002", template: template, templateSource: "commissioning")
        try store.save(other)
        try FileManager.default.createDirectory(atPath: root + "/inspections", withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: root + "/inspections/broken.json"))
        let listed = store.all()
        #expect(Set(listed.inspections.map(\.id)) == [draft.id, other.id])
        #expect(listed.damaged.map(\.path) == [root + "/inspections/broken.json"])
        try store.discard(other.id)
        #expect(store.all().inspections.map(\.id) == [draft.id])
    }
}
