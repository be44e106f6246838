import BackendAPI
import ChargeKit
import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit commission` end to end: the built binary against `chargekit sim`.
@Suite struct CommissionTests {
    static let arguments = ["--chargers", "20", "--speed", "50"]

    func commission(_ sim: SimUnderTest, _ charger: String, _ extra: [String] = []) async throws -> BinaryResult {
        try await sim.run(["commission", charger, "--profile", try Fixtures.path("profiles/cpo-base.json"),
                           "--answers", try Fixtures.path("answers/commissioning.json"), "--report", sim.sandbox.work + "/\(charger).html",
                           "--json"] + extra, timeout: 300)
    }

    func summary(_ result: BinaryResult) throws -> JSONValue { try JSONValue(parsing: result.stdout) }

    func step(_ summary: JSONValue, _ name: String) -> JSONValue? {
        summary["steps"]?.arrayValue?.first { $0["step"]?.stringValue == name }
    }

    /// A 1.6 and a 2.0.1 charger, drifting from the profile and on old firmware, end conforming,
    /// on the approved version, with the QA run, the inspection and the site data at the backend.
    @Test(arguments: ["CP-0001", "CP-0004"])
    func aDriftingChargerOnOldFirmwareIsCommissioned(_ charger: String) async throws {
        try await SimUnderTest.with(Self.arguments) { sim in
            try await sim.login("demo-installer")
            let before = try JSONValue(parsing: try await sim.run(["status", charger, "--json"]).stdout)
            let drift = try await sim.run(["config", "diff", charger, "--profile", try Fixtures.path("profiles/cpo-base.json")])
            #expect(drift.status == 1, "the charger starts drifting: \(drift.stdout)")

            let result = try await commission(sim, charger)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            let s = try summary(result)
            #expect(s["verdict"] == "pass")
            for name in ["status", "configure", "firmware", "qa", "inspection", "site", "report"] {
                #expect(step(s, name)?["status"] == "done", "\(name): \(String(describing: step(s, name)))")
            }
            let after = try JSONValue(parsing: try await sim.run(["status", charger, "--json"]).stdout)
            #expect(after["firmwareVersion"] != before["firmwareVersion"], "firmware was brought forward")
            #expect(step(s, "firmware")?["summary"]?.stringValue?.contains("→ \(after["firmwareVersion"]?.stringValue ?? "?")") == true)
            let conforms = try await sim.run(["config", "diff", charger, "--profile", try Fixtures.path("profiles/cpo-base.json")])
            #expect(conforms.status == 0, "\(conforms.stdout)")
            #expect(after["technical"]?["earthing"] == "TN-S" && after["technical"]?["installedAt"] != nil, "site data recorded")

            let client = try BackendClient(configuration: .init(baseURL: sim.url, token: "demo-operator"))
            defer { client.shutdown() }
            let inspections = try await client.inspections(chargerId: charger)
            #expect(inspections.items.map(\.id) == [s["inspection"]?["id"]?.stringValue ?? "?"])
            let runs = try await client.qaRuns(chargerId: charger)
            #expect(runs.items.count == 1 && runs.items.first?.verdict == .pass)
            let page = try #require(sim.sandbox.read(sim.sandbox.work + "/\(charger).html"))
            #expect(page.contains("Commissioning steps") && page.contains("Acceptance tests (QA)") && page.contains(">PASS<"))
        }
    }

    /// SIGKILL while each step runs, then the same command again: it says it resumes, and
    /// ends where an uninterrupted run ends, with one firmware update and one inspection.
    @Test func killedInEachStepAndResumedToTheSameEnd() async throws {
        try await SimUnderTest.with(Self.arguments) { sim in
            try await sim.login("demo-installer")
            let executable = try BinaryRunner(product: "chargekit").executable
            let steps = ["status", "configure", "firmware", "QA", "inspection", "site data", "report"]
            let chargers = ["CP-0001", "CP-0003", "CP-0004", "CP-0007", "CP-0005", "CP-0011", "CP-0008"]
            let client = try BackendClient(configuration: .init(baseURL: sim.url, token: "demo-operator"))
            defer { client.shutdown() }
            var interruptedSteps: [String] = []
            for (index, title) in steps.enumerated() {
                let charger = chargers[index]
                let arguments = ["commission", charger, "--profile", try Fixtures.path("profiles/cpo-base.json"),
                                 "--answers", try Fixtures.path("answers/commissioning.json"),
                                 "--report", sim.sandbox.work + "/\(charger).html"]
                // Killed by the thread watching its output the moment the step starts (for the
                // firmware step: once the charger is downloading, the request at the backend). A
                // kill from this task could come after the whole run when the executor is loaded.
                let first = try await BackgroundProcess.start(executable, arguments, environment: SimUnderTest.environment(sim.sandbox),
                                                              readyPrefix: "[\(index + 1)/7] \(title) …", timeout: 240,
                                                              signal: SIGKILL, whenStdoutContains: title == "firmware" ? "Downloading" : nil)
                if title == "firmware" {
                    #expect(first.stdoutSoFar.contains("Downloading"), "\(first.stdoutSoFar)")
                }
                let killed = await first.stop(signal: SIGKILL, timeout: 0)
                // On a starved machine a short step can end, and the run with it, before the kill lands;
                // then the next run is a new commissioning, and the counts below say so.
                let interrupted = killed.bySignal || killed.status != 0
                if interrupted { interruptedSteps.append(title) }
                let again = try await sim.run(arguments + ["--json"], timeout: 300)
                #expect(again.status == 0, "\(title): \(again.stdout)\n\(again.stderr)")
                #expect(again.stderr.contains("resuming the commissioning of \(charger)") == interrupted, "\(title): \(again.stderr)")
                let s = try summary(again)
                #expect(s["verdict"] == "pass", "\(title)")
                if title == "firmware" && interrupted {
                    #expect(again.stderr.contains("asked for before the interruption"), "\(again.stderr)")
                }
                let updates = try await client.firmwareUpdates(chargerId: charger)
                #expect(updates.items.count == 1, "\(title): one firmware update, not \(updates.items.count)")
                let inspections = try await client.inspections(chargerId: charger).items.count
                #expect(inspections == (interrupted ? 1 : 2), "\(title): \(inspections) inspections")
                let status = try JSONValue(parsing: try await sim.run(["status", charger, "--json"]).stdout)
                #expect(step(s, "firmware")?["summary"]?.stringValue?.hasSuffix(status["firmwareVersion"]?.stringValue ?? "?") == true,
                        "\(title): \(String(describing: step(s, "firmware")))")
            }
            // The long steps are always caught mid-way; the firmware one is killed mid-download by construction.
            #expect(["configure", "firmware", "QA"].allSatisfy(interruptedSteps.contains), "\(interruptedSteps)")
            #expect(interruptedSteps.count >= 4, "\(interruptedSteps)")
        }
    }

    /// A faulted connector stops the run at QA with exit 1; the inspection and the report are
    /// done all the same, and the next run starts again at QA.
    @Test func aFaultedChargerStopsAtQAWithTheInspectionSaved() async throws {
        try await SimUnderTest.with(Self.arguments + ["--fault", "CP-0006:connector-faulted"]) { sim in
            try await sim.login("demo-installer")
            let result = try await commission(sim, "CP-0006")
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            let s = try summary(result)
            #expect(s["verdict"] == "fail")
            #expect(step(s, "qa")?["status"] == "failed")
            #expect(step(s, "qa")?["summary"]?.stringValue?.contains("connectors") == true)
            #expect(step(s, "inspection")?["status"] == "done" && step(s, "report")?["status"] == "done")
            let store = InspectionStore(dataDirectory: sim.sandbox.root + "/data/chargekit")
            #expect(store.all().inspections.filter { $0.chargerId == "CP-0006" && $0.isFinished }.count == 1)
            #expect(FileManager.default.fileExists(atPath: sim.sandbox.work + "/CP-0006.html"))

            let again = try await commission(sim, "CP-0006")
            #expect(again.status == 1)
            #expect(again.stderr.contains("resuming the commissioning of CP-0006"), "\(again.stderr)")
            #expect(store.all().inspections.filter { $0.chargerId == "CP-0006" }.count == 1, "the inspection is not done twice")
        }
    }

    @Test func badInputFailsBeforeAnythingIsSent() async throws {
        let sandbox = try Sandbox()
        let runner = try BinaryRunner(product: "chargekit")
        let environment = SimUnderTest.environment(sandbox)
        let noProfile = try await runner.run(["commission", "CP-0001"], environment: environment)
        #expect(noProfile.status == 64 && noProfile.stderr.contains("--profile FILE is required"))
        let broken = try await runner.run(["commission", "CP-0001", "--profile", try Fixtures.path("profiles/invalid/unknown-setting.json")],
                                          environment: environment)
        #expect(broken.status == 65, "\(broken.stderr)")
        let simWithBackend = try await runner.run(["commission", "CP-0001", "--sim", "--backend", "http://127.0.0.1:9"], environment: environment)
        #expect(simWithBackend.status == 64 && simWithBackend.stderr.contains("--sim brings its own backend"))
        let unknown = try await runner.run(["commission", "CP-9999", "--sim"], environment: environment, timeout: 120)
        #expect(unknown.status == 66 && unknown.stderr.contains("no charger CP-9999"), "\(unknown.stderr)")
    }

    /// The README's first command, as a fresh user runs it: no login, no files.
    @Test func theSimDemoNeedsNothingSetUp() async throws {
        let sandbox = try Sandbox()
        let result = try await BinaryRunner(product: "chargekit").run(["commission", "CP-0001", "--sim"],
                                                                     environment: SimUnderTest.environment(sandbox),
                                                                     workingDirectory: URL(fileURLWithPath: sandbox.work), timeout: 300)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("CP-0001: commissioned, PASS"))
        #expect(FileManager.default.fileExists(atPath: sandbox.work + "/chargekit-report-CP-0001.html"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/data/chargekit/outbox"), "nothing of the demo is left in the store")
    }
}
