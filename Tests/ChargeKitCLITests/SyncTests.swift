import BackendAPI
import ChargeKit
import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit sync` and the quiet push of every backend command, against `chargekit sim`
/// processes that are stopped and started again on the same state directory.
@Suite struct SyncTests {
    static func run(_ charger: String) -> QARun {
        let start = Date()
        return QARun(id: UUID().uuidString.lowercased(), chargerId: charger, startedAt: start, finishedAt: start.addingTimeInterval(3),
                     verdict: .pass, tool: ToolInfo(name: "chargekit", version: ChargeKit.version),
                     checks: [QACheck(id: "identity", status: .pass, durationMs: 12)])
    }

    static func qaRuns(_ url: String, charger: String) async throws -> [QARunSummary] {
        let client = try BackendClient(configuration: BackendConfiguration(baseURL: url, token: "demo-operator"))
        defer { client.shutdown() }
        return try await client.qaRuns(chargerId: charger).items
    }

    @Test func entriesWaitWhileTheBackendIsDownAndAreRecordedOnceWhenItIsBack() async throws {
        let sandbox = try Sandbox()
        let state = sandbox.root + "/sim-state"
        let arguments = ["--chargers", "3", "--speed", "50", "--state-dir", state]
        let outbox = Outbox(dataDirectory: sandbox.root + "/data/chargekit")

        let first = try await SimUnderTest.start(arguments, sandbox: sandbox)
        try await first.login("demo-installer")
        let empty = try await first.run(["sync"])
        #expect(empty.status == 0 && empty.stderr.contains("nothing to send"), "\(empty.stderr)")
        let run = Self.run("CP-0001")
        let entry = try outbox.enqueue(run)
        let listed = try await first.run(["sync", "--list", "--json"])
        #expect(listed.status == 0)
        #expect(try JSONValue(parsing: listed.stdout)["queued"]?[0]?["id"]?.stringValue == entry.id)
        #expect(await first.stop().status == 0)

        // Backend down: the entry stays, sync says 75, other commands fail as they always did.
        let down = try await first.run(["sync", "--json"])
        #expect(down.status == 75, "\(down.stderr)")
        let report = try JSONValue(parsing: down.stdout)
        #expect(report["sent"]?.arrayValue?.isEmpty == true)
        #expect(report["queued"]?[0]?["reason"] == "unreachable" && report["queued"]?[0]?["attempts"] == 1)
        #expect(outbox.entries().entries.map(\.id) == [entry.id])

        let second = try await SimUnderTest.start(arguments, sandbox: sandbox)
        let sent = try await second.run(["sync", "--backend", second.url, "--json"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let answer = try JSONValue(parsing: sent.stdout)
        #expect(answer["sent"]?[0]?["id"]?.stringValue == entry.id)
        #expect(answer["sent"]?[0]?["receipt"]?["id"]?.stringValue == run.id)
        #expect(answer["queued"]?.arrayValue?.isEmpty == true)
        #expect(outbox.entries().entries.isEmpty)
        #expect(try await Self.qaRuns(second.url, charger: "CP-0001").map(\.id) == [run.id])

        // The state a SIGKILL between the backend's answer and the removal leaves: the same
        // entry, same key. Sending it again is a replay, not a second run.
        try outbox.save(entry)
        let again = try await second.run(["sync", "--backend", second.url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("QA run of CP-0001 (pass)") && again.stdout.contains("recorded as \(run.id)"))
        #expect(try await Self.qaRuns(second.url, charger: "CP-0001").map(\.id) == [run.id])

        // Any backend command pushes quietly.
        let other = Self.run("CP-0002")
        try outbox.enqueue(other)
        let whoami = try await second.run(["whoami", "--backend", second.url])
        #expect(whoami.status == 0 && !whoami.stderr.contains("outbox"), "\(whoami.stderr)")
        #expect(outbox.entries().entries.isEmpty)
        #expect(try await Self.qaRuns(second.url, charger: "CP-0002").map(\.id) == [other.id])
        #expect(await second.stop().status == 0)

        // And warns when it cannot.
        try outbox.enqueue(Self.run("CP-0003"))
        let third = try await SimUnderTest.start(["--chargers", "3", "--speed", "50", "--tokens", try Self.tokens(sandbox)], sandbox: sandbox)
        try await third.login("other-site")
        let refused = try await third.run(["chargers", "list"])
        #expect(refused.status == 0)
        #expect(refused.stderr.contains("1 record stays in the outbox"), "\(refused.stderr)")
        #expect(outbox.entries().entries.count == 1)
        let sync = try await third.run(["sync"])
        #expect(sync.status == 65, "the backend refuses a charger out of reach (404): \(sync.stderr)")
        #expect(sync.stdout.contains("No charger CP-0003"), "\(sync.stdout)")
        #expect(outbox.entries().entries.count == 1, "refused, and still kept")
        #expect(await third.stop().status == 0)
    }

    /// A token that reaches no site of the small fleet.
    static func tokens(_ sandbox: Sandbox) throws -> String {
        let path = sandbox.root + "/tokens.json"
        try sandbox.write("""
            [{"token": "other-site", "user": "bob", "name": "Bob", "role": "installer", "sites": ["SITE-99"]}]
            """, to: path)
        return path
    }
}

/// SIGKILL at the worst moment: the backend has recorded the run, chargekit has not yet heard
/// so, and dies. The entry stays; the next sync replays it under the same key, and the
/// backend still has one run.
@Suite struct SyncKillTests {
    @Test func aSyncKilledAfterTheBackendRecordedButBeforeTheAnswerSendsNoSecondRun() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "50"]) { sim in
            let upstream = try #require(URL(string: sim.url)?.port)
            let proxy = try GateProxy(upstreamPort: UInt16(upstream), trigger: "POST /v1/qa-runs", mode: .swallowResponse)
            defer { proxy.stop() }
            let environment = SimUnderTest.environment(sim.sandbox)
            let login = try await sim.run(["login", "--backend", proxy.url], stdin: "demo-installer\n")
            #expect(login.status == 0)
            let outbox = Outbox(dataDirectory: sim.sandbox.root + "/data/chargekit")
            let run = SyncTests.run("CP-0001")
            let entry = try outbox.enqueue(run)

            let chargekit = try BinaryRunner(product: "chargekit").executable.path
            let sync = try await BackgroundProcess.start(URL(fileURLWithPath: "/bin/sh"),
                                                         ["-c", "echo started; exec \"$0\" sync", chargekit],
                                                         environment: environment, readyPrefix: "started", timeout: 60)
            await proxy.waitUntilHeld()
            // Until the backend has the run (the answer to chargekit is being dropped).
            let deadline = ContinuousClock.now + .seconds(60)
            while try await SyncTests.qaRuns(sim.url, charger: "CP-0001").isEmpty {
                guard ContinuousClock.now < deadline else { Issue.record("the backend never recorded the run"); return }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sync.isRunning, "still waiting for the answer")
            let killed = await sync.stop(signal: SIGKILL, timeout: 30)
            #expect(killed.bySignal)
            let left = outbox.entries().entries
            #expect(left.map(\.id) == [entry.id] && left.first?.attempts == 1 && left.first?.idempotencyKey == entry.idempotencyKey)
            #expect(outbox.entries().damaged.isEmpty)

            let again = try await sim.run(["sync", "--backend", sim.url, "--json"])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try JSONValue(parsing: again.stdout)["sent"]?[0]?["receipt"]?["id"]?.stringValue == run.id)
            #expect(outbox.entries().entries.isEmpty)
            #expect(try await SyncTests.qaRuns(sim.url, charger: "CP-0001").map(\.id) == [run.id], "recorded once")
        }
    }
}

/// `chargekit sync` in-process against the recording server: the exit status says what to do.
@Suite struct SyncExitTests {
    @Test func aRefusedTokenIs77AndTheEntryStays() async throws {
        let sandbox = try Sandbox()
        let server = try TestHTTPServer()
        defer { server.stop() }
        var problem = Problem(.unauthorized, detail: "The token is not valid.")
        problem.status = 401
        server.route("/v1/qa-runs", method: "POST", [.response(status: 401, headers: [("Content-Type", MediaType.problemJSON)],
                                                               body: try JSONCoding.encode(problem))])
        try sandbox.write("not-valid\n", to: sandbox.tokenPath)
        let outbox = Outbox(dataDirectory: sandbox.root + "/data/chargekit")
        let first = try outbox.enqueue(SyncTests.run("CP-0001"))
        let second = try outbox.enqueue(SyncTests.run("CP-0002"))

        let refused = await sandbox.run(["sync", "--backend", server.baseURL])
        #expect(refused.status == 77, "\(refused.stderr)")
        #expect(refused.stdout.contains("not authorised: The token is not valid."), "\(refused.stdout)")
        // sync sends four at a time, so both went before the refusal came back; both stay.
        #expect(Set(server.requests(path: "/v1/qa-runs").compactMap { $0.header("Idempotency-Key") })
                == [first.idempotencyKey, second.idempotencyKey])
        #expect(outbox.entries().entries.map(\.attempts) == [1, 1])

        let listed = await sandbox.run(["sync", "--list"])
        #expect(listed.status == 0 && listed.stdout.contains("QA run of CP-0001 (pass)") && listed.stdout.contains("not authorised"))
        #expect(server.requests(path: "/v1/qa-runs").count == 2, "--list sends nothing")
    }
}
