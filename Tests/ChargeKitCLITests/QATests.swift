import BackendAPI
import ChargeKit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import JSON
import Testing
import TestSupport

/// `chargekit qa` (the built binary) against `chargekit sim`.
@Suite struct QATests {
    /// The simulator runs 10 times faster than real time, so a message that waits 0.3 s in a
    /// loaded process arrives 3 sim seconds late and the charger's clock looks that far behind:
    /// the tests allow 30 s of drift (three real seconds of queueing on a busy CI machine). The
    /// drift limit itself is judged in QAEvaluationTests.
    static let speed = ["--speed", "10"]
    static let drift = ["--max-clock-drift", "30"]
    static let profile = packageRoot.appendingPathComponent("Fixtures/profiles/qa-acceptance.json").path

    static func client(_ url: String) throws -> BackendClient {
        try BackendClient(configuration: BackendConfiguration(baseURL: url, token: "demo-installer"))
    }

    /// Brings a charger to `profile` through the backend API, as an installer's tool would;
    /// answers the charger's statuses (a config-rejected charger answers Rejected).
    @discardableResult
    static func configure(_ url: String, _ id: String, profile path: String = profile) async throws -> [String] {
        let client = try client(url)
        defer { client.shutdown() }
        let charger = try await client.charger(id)
        let identity = try #require(ChargerIdentity(charger))
        let resolved = try ProfileLoader().load(path).resolve(for: identity)
        let plan = ConfigurationPlan(profile: resolved, current: try await client.configuration(id, keys: resolved.keysToRead))
        guard !plan.changes.isEmpty else { return [] }
        return try await client.changeConfiguration(id, plan.changeRequest().changes).results.map(\.status.rawValue)
    }

    /// Waits (event-driven, through the CLI's status) until the simulator reports `ids` connected.
    static func waitConnected(_ sim: SimUnderTest, _ ids: [String]) async throws {
        let client = try client(sim.url)
        defer { client.shutdown() }
        let deadline = ContinuousClock.now + .seconds(60)
        for id in ids {
            while true {
                let charger = try await client.charger(id)
                if charger.connected && !charger.connectors.isEmpty { break }
                guard ContinuousClock.now < deadline else { Issue.record("\(id) never connected"); return }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// JUnit counts per testsuite, read with an XML parser.
    final class JUnitCounts: NSObject, XMLParserDelegate {
        var suites: [(name: String, tests: Int, failures: Int, errors: Int, skipped: Int, cases: Int)] = []
        var root: [String: String] = [:]
        var failureElements = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            switch name {
            case "testsuites": root = attributes
            case "testsuite":
                suites.append((attributes["name"] ?? "", Int(attributes["tests"] ?? "") ?? -1, Int(attributes["failures"] ?? "") ?? -1,
                               Int(attributes["errors"] ?? "") ?? -1, Int(attributes["skipped"] ?? "") ?? -1, 0))
            case "testcase": suites[suites.count - 1].cases += 1
            case "failure": failureElements += 1
            default: break
            }
        }

        static func read(_ path: String) throws -> JUnitCounts {
            let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
            let counts = JUnitCounts()
            parser.delegate = counts
            #expect(parser.parse(), "JUnit XML must parse: \(parser.parserError.map { "\($0)" } ?? "")")
            return counts
        }
    }

    static func statuses(_ report: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for check in report?["checks"]?.arrayValue ?? [] {
            if let id = check["id"]?.stringValue, let status = check["status"]?.stringValue { result[id] = status }
        }
        return result
    }

    @Test func freshlyConfiguredChargersOfBothVersionsPassEveryCheck() async throws {
        try await SimUnderTest.with(["--chargers", "4"] + Self.speed) { sim in
            try await sim.login("demo-installer")
            // The fleet is made from the seed: CP-0001 is an OCPP 1.6 Alfen, CP-0004 a 2.0.1 Kempower.
            try await Self.waitConnected(sim, ["CP-0001", "CP-0004"])
            for (id, version) in [("CP-0001", "1.6"), ("CP-0004", "2.0.1")] {
                #expect(try await Self.configure(sim.url, id).allSatisfy { $0 == "Accepted" })
                let junit = sim.sandbox.root + "/\(id).xml"
                let result = try await sim.run(["qa", id, "--profile", Self.profile, "--transaction", "--reset", "--json",
                                                "--junit", junit] + Self.drift)
                #expect(result.status == 0, "\(id): \(result.stderr)\n\(result.stdout)")
                let report = try JSONValue(parsing: result.stdout)
                #expect(report["charger"]?.stringValue == id && report["ocppVersion"]?.stringValue == version)
                #expect(report["verdict"] == "pass" && report["recorded"] == true)
                var expected = Dictionary(uniqueKeysWithValues: QACheckID.allCases.map { ($0.rawValue, "PASS") })
                // The simulated catalogue always holds a newer approved version than the fleet runs.
                expected["firmware"] = "WARN"
                #expect(Self.statuses(report) == expected, "\(id): \(result.stdout)")
                for check in report["checks"]?.arrayValue ?? [] {
                    #expect(check["durationMs"]?.intValue != nil && check["message"]?.stringValue?.isEmpty == false)
                    #expect(check.objectValue?["measured"] != nil && check.objectValue?["expected"] != nil)
                }
                let transaction = report["checks"]?.arrayValue?.first { $0["id"] == "transaction" }
                #expect((transaction?["measured"]?["meterStopWh"]?.doubleValue ?? 0) > (transaction?["measured"]?["meterStartWh"]?.doubleValue ?? 0))
                #expect(report["startedAt"]?.stringValue.flatMap(Timestamp.parse) != nil)

                let counts = try JUnitCounts.read(junit)
                #expect(counts.suites.count == 1 && counts.suites.first?.name == id)
                #expect(counts.suites.first.map { ($0.tests, $0.failures, $0.errors, $0.skipped, $0.cases) } ?? (0, 0, 0, 0, 0) == (9, 0, 0, 0, 9))

                // Recorded at the backend, once, with every check.
                let client = try Self.client(sim.url)
                defer { client.shutdown() }
                let runs = try await client.qaRuns(chargerId: id).items
                let runId = try #require(report["id"]?.stringValue)
                #expect(runs.map(\.id) == [runId])
                let recorded = try await client.qaRun(runId)
                #expect(recorded.run.checks.count == 9 && recorded.run.verdict == .pass && recorded.run.chargerId == id)
            }
        }
    }

    @Test func eachSimulatedFaultFailsExactlyTheRightCheck() async throws {
        try await SimUnderTest.with(["--chargers", "5", "--fault", "CP-0002:offline",
                                     "--fault", "CP-0003:connector-faulted", "--fault", "CP-0005:config-rejected"] + Self.speed) { sim in
            try await sim.login("demo-installer")
            try await Self.waitConnected(sim, ["CP-0001", "CP-0003", "CP-0005"])
            #expect(try await Self.configure(sim.url, "CP-0001").allSatisfy { $0 == "Accepted" })
            #expect(try await Self.configure(sim.url, "CP-0003").allSatisfy { $0 == "Accepted" })
            let rejected = try await Self.configure(sim.url, "CP-0005")
            #expect(!rejected.isEmpty && rejected.allSatisfy { $0 == "Rejected" }, "\(rejected)")

            let junit = sim.sandbox.root + "/fleet.xml"
            let result = try await sim.run(["qa", "--select", "id=CP-0001", "--select", "id=CP-0002", "--select", "id=CP-0003",
                                            "--select", "id=CP-0005", "--concurrency", "4", "--profile", Self.profile,
                                            "--json", "--junit", junit] + Self.drift)
            #expect(result.status == 1, "\(result.stderr)")
            let fleet = try JSONValue(parsing: result.stdout)
            let reports = fleet["chargers"]?.arrayValue ?? []
            #expect(reports.compactMap { $0["charger"]?.stringValue } == ["CP-0001", "CP-0002", "CP-0003", "CP-0005"])
            #expect(fleet["summary"] == ["chargers": 4, "pass": 1, "fail": 3, "error": 0])
            func failing(_ n: Int) -> [String] {
                Self.statuses(reports[n]).filter { $0.value == "FAIL" || $0.value == "ERROR" }.map(\.key).sorted()
            }
            func message(_ n: Int, _ check: String) -> String {
                reports[n]["checks"]?.arrayValue?.first { $0["id"]?.stringValue == check }?["message"]?.stringValue ?? ""
            }
            #expect(failing(0).isEmpty && reports[0]["verdict"] == "pass", "\(reports[0])")
            #expect(failing(1) == ["connection"], "offline: \(reports[1])")
            #expect(message(1, "connection").contains("not connected"))
            #expect(Self.statuses(reports[1]).filter { $0.key != "connection" }.values.allSatisfy { $0 == "SKIP" })
            #expect(failing(2) == ["connectors"], "connector-faulted: \(reports[2])")
            #expect(message(2, "connectors").contains("Faulted GroundFailure") && message(2, "connectors").contains("E-GF-30"))
            #expect(failing(3) == ["configuration"], "config-rejected: \(reports[3])")
            #expect(message(3, "configuration").contains("CpoName is ''"), "\(message(3, "configuration"))")
            #expect(reports.allSatisfy { $0["recorded"] == true })

            let counts = try JUnitCounts.read(junit)
            #expect(counts.suites.map(\.name) == ["CP-0001", "CP-0002", "CP-0003", "CP-0005"])
            #expect(counts.suites.map(\.failures) == [0, 1, 1, 1] && counts.failureElements == 3)
            #expect(counts.suites.map(\.skipped) == [0, 6, 0, 0])
            #expect(counts.suites.allSatisfy { $0.tests == 7 && $0.cases == 7 && $0.errors == 0 })
            #expect(counts.root["tests"] == "28" && counts.root["failures"] == "3")

            // The table a person reads: status column, remedy line, verdict.
            let human = try await sim.run(["qa", "CP-0003"] + Self.drift)
            #expect(human.status == 1)
            #expect(human.stdout.contains("connectors     FAIL"), "\(human.stdout)")
            #expect(human.stdout.contains("remedy: Inspect the connector"))
            #expect(human.stdout.contains("verdict: FAIL"))
            #expect(!human.stdout.contains("\u{1B}["), "no colour when piped")
        }
    }

    @Test func aRunWhoseBackendVanishesBeforeTheRecordIsKeptAndSyncSendsItOnce() async throws {
        let sandbox = try Sandbox()
        let arguments = ["--chargers", "2", "--state-dir", sandbox.root + "/sim-state"] + Self.speed
        let first = try await SimUnderTest.start(arguments, sandbox: sandbox)
        let upstream = try #require(URL(string: first.url)?.port)
        let proxy = try GateProxy(upstreamPort: UInt16(upstream), trigger: "POST /v1/qa-runs")
        defer { proxy.stop() }
        let login = try await first.run(["login", "--backend", proxy.url], stdin: "demo-installer\n")
        #expect(login.status == 0)
        try await Self.waitConnected(first, ["CP-0001"])

        let runner = try BinaryRunner(product: "chargekit")
        let environment = SimUnderTest.environment(sandbox)
        async let qa = runner.run(["qa", "CP-0001", "--json"] + Self.drift, environment: environment, timeout: 180)
        await proxy.waitUntilHeld()
        // The checks are done and the record is on its way: the backend goes away now.
        #expect(await first.stop().status == 0)
        proxy.letGo()
        let result = try await qa
        #expect(result.status == 0, "the checks passed; the record waits: \(result.stderr)")
        #expect(result.stderr.contains("1 record stays in the outbox"), "\(result.stderr)")
        let report = try JSONValue(parsing: result.stdout)
        #expect(report["verdict"] == "pass" && report["recorded"] == false)
        let runId = try #require(report["id"]?.stringValue)
        let outbox = Outbox(dataDirectory: sandbox.root + "/data/chargekit")
        let waiting = outbox.entries().entries
        #expect(waiting.count == 1 && waiting.first?.kind == "qa-run")
        #expect(try waiting.first?.payload(as: QARun.self).id == runId)

        let down = try await first.run(["sync"])
        #expect(down.status == 75, "\(down.stderr)")

        let second = try await SimUnderTest.start(arguments, sandbox: sandbox)
        let sent = try await second.run(["sync", "--backend", second.url, "--json"])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(try JSONValue(parsing: sent.stdout)["sent"]?[0]?["receipt"]?["id"]?.stringValue == runId)
        #expect(outbox.entries().entries.isEmpty)
        let client = try Self.client(second.url)
        defer { client.shutdown() }
        #expect(try await client.qaRuns(chargerId: "CP-0001").items.map(\.id) == [runId])
        let again = try await second.run(["sync", "--backend", second.url])
        #expect(again.status == 0 && again.stderr.contains("nothing to send"))
        #expect(try await client.qaRuns(chargerId: "CP-0001").items.map(\.id) == [runId])
        #expect(await second.stop().status == 0)
    }

    @Test func badInvocationsAreUsageErrors() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "50"]) { sim in
            try await sim.login("demo-installer")
            #expect(try await sim.run(["qa"]).status == 64)
            #expect(try await sim.run(["qa", "CP-0001", "--select", "id=CP-0001"]).status == 64)
            #expect(try await sim.run(["qa", "CP-0001", "--check", "nonsense"]).status == 64)
            #expect(try await sim.run(["qa", "CP-0001", "--min-voltage", "260"]).status == 64)
            let missing = try await sim.run(["qa", "CP-0001", "--profile", sim.sandbox.root + "/nope.json"])
            #expect(missing.status == 66, "\(missing.stderr)")
            let unknown = try await sim.run(["qa", "CP-9999"])
            #expect(unknown.status == 66, "\(unknown.stderr)")
            let none = try await sim.run(["qa", "--select", "model=Nothing"])
            #expect(none.status == 66)
        }
    }
}
