import BackendAPI
import ChargeKit
import Checksum
import Foundation
import JSON
import Testing
import TestSupport

/// Inspection reports through the outbox: queued offline, sent once with their photos, and
/// never lost or doubled however often chargekit and the backend die on the way.
@Suite struct InspectionSyncTests {
    /// The periodic fixture's answers plus a photo, for `charger`.
    static func answers(photo: String, in sandbox: Sandbox, name: String) throws -> String {
        let data = try #require(FileManager.default.contents(atPath: try Fixtures.path("answers/periodic.json")))
        guard case .object(var object) = try JSONParser.parse(Array(data)) else {
            Issue.record("answers/periodic.json is not an object")
            return ""
        }
        object["P13"] = .object(["photo": .string(photo)])
        let path = sandbox.work + "/" + name
        try Data(JSONValue.object(object).description.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Bytes that differ per photo and compress badly, as photos do.
    static func photoBytes(_ seed: UInt64, count: Int) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: count)
        bytes[0] = 0xFF; bytes[1] = 0xD8
        for i in 2..<count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            bytes[i] = UInt8(truncatingIfNeeded: state)
        }
        return Data(bytes)
    }

    func client(_ url: String, token: String = "demo-operator") throws -> BackendClient {
        try BackendClient(configuration: BackendConfiguration(baseURL: url, token: token))
    }

    @Test func aReportMadeOfflineIsSentByTheNextCommandWithItsPhoto() async throws {
        let sandbox = try Sandbox()
        let photo = sandbox.work + "/front.jpg"
        try Self.photoBytes(1, count: 700_000).write(to: URL(fileURLWithPath: photo))
        let answers = try Self.answers(photo: "front.jpg", in: sandbox, name: "a.json")
        let sim = try await SimUnderTest.start(["--chargers", "3", "--speed", "50"], sandbox: sandbox)
        try await sim.login("demo-operator")
        // The backend goes away before the inspection is finished.
        _ = await sim.stop()
        let offline = try await sim.run(["inspect", "CP-0002", "--checklist", "periodic", "--answers", answers, "--inspector", "Hal"])
        #expect(offline.status == 0, "the local part succeeds: \(offline.stderr)")
        #expect(offline.stderr.contains("stays in the outbox"), "\(offline.stderr)")
        let pending = try await sim.run(["inspect", "list", "--pending", "--json"])
        let id = try #require(try JSONValue(parsing: pending.stdout)[0]?["id"]?.stringValue)

        let again = try await SimUnderTest.start(["--chargers", "3", "--speed", "50"], sandbox: sandbox)
        try await again.login("demo-operator")
        let sync = try await again.run(["sync", "--json"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let record = try await client(again.url).inspection(id)
        let local = try InspectionStore(dataDirectory: sandbox.root + "/data/chargekit").load(id)
        #expect(record.report.contentHash == local.report?.contentHash)
        let attachment = try #require(record.report.attachments.first)
        let held = try await client(again.url).inspectionAttachment(id, name: attachment.name)
        let photoDigest = SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: photo)))
        #expect(held.received && held.sha256 == photoDigest)
        let list = try await again.run(["inspect", "list", "--json"])
        let listed = try JSONValue(parsing: list.stdout)
        #expect(listed[0]?["state"] == "sent")
        let quiet = try await again.run(["sync", "--json"])
        let quietReport = try JSONValue(parsing: quiet.stdout)
        #expect(quiet.status == 0 && quietReport["sent"]?.arrayValue?.isEmpty == true, "sent once only: \(quiet.stdout)")
        _ = await again.stop()
    }

    /// SIGKILL at random moments of `chargekit sync`, 50 times, the backend killed and
    /// restarted now and then; afterwards every report is at the backend once, with every photo.
    @Test func killsDuringSyncNeitherLoseNorDoubleAReport() async throws {
        let sandbox = try Sandbox()
        let state = sandbox.root + "/sim-state"
        let reports = 12
        var photos: [String: String] = [:]  // charger → photo sha256
        for n in 1...reports {
            let charger = String(format: "CP-%04d", n)
            let photo = "photo-\(n).jpg"
            let bytes = Self.photoBytes(UInt64(n), count: 600_000 + n * 10_000)
            try bytes.write(to: URL(fileURLWithPath: sandbox.work + "/" + photo))
            photos[charger] = SHA256.hex(bytes)
            let answers = try Self.answers(photo: photo, in: sandbox, name: "answers-\(n).json")
            let result = try await BinaryRunner(product: "chargekit").run(
                ["inspect", charger, "--checklist", "periodic", "--answers", answers, "--inspector", "Ida"],
                environment: SimUnderTest.environment(sandbox), timeout: 120)
            #expect(result.status == 0, "\(result.stderr)")
        }
        var sim = try await SimUnderTest.start(["--chargers", "20", "--speed", "50", "--state-dir", state], sandbox: sandbox)
        try await sim.login("demo-operator")
        let executable = try BinaryRunner(product: "chargekit").executable
        var generator = SystemRandomNumberGenerator()
        var restarts = 0
        for round in 1...50 {
            if round % 12 == 0 {
                // The backend dies too (hard, every other time) and comes back with its state.
                _ = await sim.stop(signal: round % 24 == 0 ? SIGKILL : SIGTERM)
                sim = try await SimUnderTest.start(["--chargers", "20", "--speed", "50", "--state-dir", state], sandbox: sandbox)
                try await sim.login("demo-operator")
                restarts += 1
            }
            let delay = Int.random(in: 0...350, using: &generator)
            let environment = SimUnderTest.environment(sandbox)
            try await offPool {
                let process = Process()
                process.executableURL = executable
                process.arguments = ["sync"]
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                usleep(useconds_t(delay * 1000))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        #expect(restarts >= 4)
        let final = try await sim.run(["sync", "--json"])
        #expect(final.status == 0, "\(final.stdout)\(final.stderr)")

        let store = InspectionStore(dataDirectory: sandbox.root + "/data/chargekit")
        let drafts = store.all().inspections
        #expect(drafts.count == reports && drafts.allSatisfy { $0.sentAt != nil }, "every report confirmed")
        let backend = try client(sim.url)
        defer { backend.shutdown() }
        for draft in drafts {
            let page = try await backend.inspections(chargerId: draft.chargerId)
            #expect(page.items.map(\.id) == [draft.id], "\(draft.chargerId): exactly one report at the backend")
            let record = try await backend.inspection(draft.id)
            #expect(record.report == draft.report)
            for attachment in record.report.attachments {
                let held = try await backend.inspectionAttachment(draft.id, name: attachment.name)
                #expect(held.received && held.sha256 == photos[draft.chargerId], "\(draft.chargerId) \(attachment.name)")
            }
        }
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: state + "/inspections")
        #expect(onDisk.count == reports, "the backend holds \(onDisk.count) reports")
        _ = await sim.stop()
    }
}
