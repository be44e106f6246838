import BackendAPI
import CurlHTTP
import DurableFiles
import Foundation
import JSON
import Synchronization
import TestSupport
import Testing
@testable import ChargeKit

/// The outbox against the recording loopback server: entries on disk, sent once with their
/// key, kept until confirmed.
@Suite struct OutboxTests {
    let server: TestHTTPServer
    let client: BackendClient
    let data: String

    init() throws {
        server = try TestHTTPServer()
        client = try BackendClient(configuration: BackendConfiguration(
            baseURL: server.baseURL, token: "tok",
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10), maxDelay: .milliseconds(50))))
        data = NSTemporaryDirectory() + "outbox-tests-" + UUID().uuidString
    }

    static func run(_ charger: String = "CP-0001", verdict: Verdict = .pass) -> QARun {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        return QARun(id: UUID().uuidString.lowercased(), chargerId: charger, startedAt: start, finishedAt: start.addingTimeInterval(12),
                     verdict: verdict, tool: ToolInfo(name: "chargekit", version: ChargeKit.version), firmwareVersion: "1.2.3",
                     checks: [QACheck(id: "identity", status: .pass, measured: ["vendor": "Alfen"], durationMs: 40)])
    }

    static func receipt(_ run: QARun, status: Int) -> TestReply {
        .response(status: status, headers: [("Content-Type", MediaType.json)],
                  body: (try? JSONCoding.encode(QARunReceipt(id: run.id, receivedAt: Date()))) ?? Data())
    }

    @Test func entriesAreFilesThatSurviveAndReadBackInOrder() throws {
        let outbox = Outbox(dataDirectory: data)
        #expect(outbox.entries().entries.isEmpty && outbox.entries().damaged.isEmpty, "no directory is an empty outbox")
        let first = try outbox.enqueue(Self.run("CP-0001"))
        let second = try outbox.enqueue(Self.run("CP-0002", verdict: .fail))
        let listed = outbox.entries()
        #expect(listed.entries.map(\.id).sorted() == [first.id, second.id].sorted())
        #expect(listed.entries.first { $0.id == second.id }?.summary == "QA run of CP-0002 (fail)")
        let decoded = try #require(listed.entries.first { $0.id == first.id }).payload(as: QARun.self)
        #expect(decoded.chargerId == "CP-0001" && decoded.checks.first?.measured == ["vendor": "Alfen"])
        // Mode 0600 inside a 0700 directory: the records are the installer's.
        let attributes = try FileManager.default.attributesOfItem(atPath: outbox.path(of: first.id))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // A write cut short leaves a dot file, which is ignored; a damaged file is kept and reported.
        try Data("{\"half".utf8).write(to: URL(fileURLWithPath: outbox.directory + "/.x.json.tmp-abc123"))
        try Data("not json".utf8).write(to: URL(fileURLWithPath: outbox.directory + "/broken.json"))
        let again = outbox.entries()
        #expect(again.entries.count == 2)
        #expect(again.damaged.count == 1 && again.damaged.first?.path.hasSuffix("/broken.json") == true)
        #expect(FileManager.default.fileExists(atPath: outbox.directory + "/broken.json"))
    }

    @Test func anEntryIsSentWithItsKeyAndRemovedOnlyOnceConfirmed() async throws {
        let outbox = Outbox(dataDirectory: data)
        let run = Self.run()
        let entry = try outbox.enqueue(run)
        // Refused twice (connection-level 503s the client retries), then a lost answer, then recorded.
        server.route("/v1/qa-runs", method: "POST", [.status(503), .status(503), .status(503), Self.receipt(run, status: 201)])
        let failed = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(failed.sent.isEmpty)
        #expect(failed.queued.map(\.reason) == [.unreachable] && failed.queued.first?.attempts == 1)
        #expect(outbox.entries().entries.first?.lastError?.contains("503") == true, "the entry stays with why")
        let sent = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(sent.sent.map(\.id) == [entry.id] && sent.sent.first?.receipt.id == run.id)
        #expect(sent.queued.isEmpty && outbox.entries().entries.isEmpty)
        let posts = server.requests(path: "/v1/qa-runs")
        #expect(posts.count == 4)
        #expect(Set(posts.compactMap { $0.header("Idempotency-Key") }) == [entry.idempotencyKey], "one key across every attempt")
        #expect(Set(posts.map(\.body)).count == 1, "the same bytes every time, as a replay needs")
        let body = try JSONCoding.decode(QARun.self, from: try #require(posts.last).body)
        #expect(body == run)
        let third = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(third.sent.isEmpty && third.queued.isEmpty && server.requests(path: "/v1/qa-runs").count == 4)
    }

    @Test func anUnreachableBackendStopsThePushAndKeepsEverything() async throws {
        let outbox = Outbox(dataDirectory: data)
        for n in 1...3 { try outbox.enqueue(Self.run("CP-000\(n)")) }
        let port = server.port
        server.stop()
        let dead = try BackendClient(configuration: BackendConfiguration(
            baseURL: "http://127.0.0.1:\(port)", retry: RetryPolicy(maxAttempts: 1)))
        let report = try await OutboxSync(outbox: outbox).push(client: dead)
        #expect(report.sent.isEmpty)
        #expect(report.queued.map(\.reason) == [.unreachable, .notTried, .notTried], "one failed attempt, then no more")
        if case .unreachable = report.stoppedBy {} else { Issue.record("stopped by \(String(describing: report.stoppedBy))") }
        #expect(outbox.entries().entries.count == 3)
        #expect(outbox.entries().entries.map(\.attempts).sorted() == [0, 0, 1])
    }

    @Test func refusedEntriesStayAndTheRestGoes() async throws {
        let outbox = Outbox(dataDirectory: data)
        let bad = try outbox.enqueue(Self.run("CP-0001"))
        let good = Self.run("CP-0002")
        let goodEntry = try outbox.enqueue(good)
        server.route("/v1/qa-runs", method: "POST") { request in
            if request.header("Idempotency-Key") == bad.idempotencyKey {
                var problem = Problem(.validation, detail: "checks: at least one")
                problem.status = 422
                return .response(status: 422, headers: [("Content-Type", MediaType.problemJSON)],
                                 body: (try? JSONCoding.encode(problem)) ?? Data())
            }
            return Self.receipt(good, status: 201)
        }
        let report = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(report.sent.map(\.id) == [goodEntry.id])
        #expect(report.queued.map(\.id) == [bad.id] && report.queued.first?.reason == .rejected)
        #expect(report.queued.first?.message?.contains("checks: at least one") == true)
        #expect(outbox.entries().entries.map(\.id) == [bad.id], "nothing the backend refused is thrown away")
    }

    @Test func anUnknownKindWaitsForAChargekitThatKnowsIt() async throws {
        let outbox = Outbox(dataDirectory: data)
        let entry = OutboxEntry(kind: "future-kind", summary: "something new", payload: ["a": 1])
        try outbox.save(entry)
        let report = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(report.queued.map(\.reason) == [.unsendable])
        #expect(server.requests.isEmpty && outbox.entries().entries.count == 1)
    }

    /// A sender that sends in steps records its progress in the entry and resumes from it.
    struct TwoSteps: OutboxSender {
        let kind = "two-steps"
        let failSecond: Bool
        func send(_ entry: OutboxEntry, client: BackendClient, progress: OutboxProgress) async throws -> OutboxReceipt {
            if entry.progress?["first"] != true {
                _ = try await client.whoami()
                try progress.save(["first": true])
            }
            if failSecond { throw BackendError.unreachable(HTTPError(.connectionRefused, message: "down")) }
            _ = try await client.whoami()
            return OutboxReceipt(id: "done")
        }
    }

    @Test func aSteppedSenderResumesWhereItStopped() async throws {
        let outbox = Outbox(dataDirectory: data)
        try outbox.save(OutboxEntry(kind: "two-steps", summary: "stepped", payload: [:]))
        let identity = Identity(user: "u", name: "U", role: .installer, sites: [], allSites: false)
        server.route("/v1/whoami", method: "GET", [.response(status: 200, headers: [("Content-Type", MediaType.json)],
                                                             body: try JSONCoding.encode(identity))])
        let first = try await OutboxSync(outbox: outbox, senders: [TwoSteps(failSecond: true)]).push(client: client)
        #expect(first.queued.count == 1 && outbox.entries().entries.first?.progress == ["first": true])
        let second = try await OutboxSync(outbox: outbox, senders: [TwoSteps(failSecond: false)]).push(client: client)
        #expect(second.sent.first?.receipt.id == "done")
        #expect(server.requests(path: "/v1/whoami").count == 2, "the first step was not repeated")
    }

    @Test func onePusherAtATime() async throws {
        let outbox = Outbox(dataDirectory: data)
        try outbox.enqueue(Self.run())
        let held = try #require(try await outbox.lock())
        let report = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(report.busy && report.queued.map(\.reason) == [.notTried] && server.requests.isEmpty)
        held.release()
        let again = try #require(try await outbox.lock(wait: .seconds(5)), "released: free again")
        again.release()
    }

    @Test func aPushOfNoOutboxCreatesNothingAndABusyOneStillReportsWhatWaits() async throws {
        let outbox = Outbox(dataDirectory: data)
        let empty = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(empty.isEmpty && !FileManager.default.fileExists(atPath: outbox.directory), "no directory, no lock file")
        // Held by another pusher with nothing waiting: not busy, and the damaged file is still named.
        try AtomicFile.createDirectories(outbox.directory)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: outbox.directory + "/broken.json"))
        let held = try #require(try await outbox.lock())
        let idle = try await OutboxSync(outbox: outbox).push(client: client)
        #expect(!idle.busy && idle.queued.isEmpty && idle.damaged.count == 1)
        held.release()
    }

    /// Grouped writes keep `save`'s guarantee: each file fsync'd before its rename, the
    /// directory fsync'd after it, all before the caller hears back; concurrent callers
    /// share directory syncs.
    @Test func groupedEnqueuesAreDurableBeforeTheyReturn() async throws {
        let steps = StepLog()
        let outbox = Outbox(dataDirectory: data) { step in steps.append(step) }
        let runs = (1...40).map { Self.run(String(format: "CP-%04d", $0)) }
        let entries = try await withThrowingTaskGroup(of: OutboxEntry.self) { group in
            for run in runs {
                group.addTask {
                    let entry = try await outbox.enqueue(grouped: run)
                    // Already durable: its sync, its rename and a directory sync after it are done.
                    let done = steps.all
                    let path = outbox.path(of: entry.id)
                    let synced = try #require(done.firstIndex(of: .fileSynced(path)))
                    let renamed = try #require(done.firstIndex(of: .renamed(path)))
                    #expect(synced < renamed)
                    #expect(done[renamed...].contains { if case .directorySynced = $0 { true } else { false } })
                    return entry
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outbox.entries().entries.map(\.id)) == Set(entries.map(\.id)))
        #expect(try outbox.entries().entries.map { try $0.payload(as: QARun.self).chargerId }.sorted() == runs.map(\.chargerId))
        let directorySyncs = steps.all.filter { if case .directorySynced = $0 { true } else { false } }.count
        #expect(directorySyncs >= 1 && directorySyncs <= 40)
        // Grouped removals: gone once they return; a missing entry is no error.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for entry in entries { group.addTask { try await outbox.remove(grouped: entry) } }
            try await group.waitForAll()
        }
        #expect(outbox.entries().entries.isEmpty)
        try await outbox.remove(grouped: entries[0])
    }

    final class StepLog: Sendable {
        private let steps = Mutex<[GroupCommit.Step]>([])
        func append(_ step: GroupCommit.Step) { steps.withLock { $0.append(step) } }
        var all: [GroupCommit.Step] { steps.withLock { $0 } }
    }
}
