import ChargeKit
import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit inspect` as a person and a script use it: the built binary, a private store,
/// a pseudo-terminal for the interactive walk.
@Suite struct InspectTests {
    let sandbox: Sandbox
    let runner: BinaryRunner

    init() throws {
        sandbox = try Sandbox()
        runner = try BinaryRunner(product: "chargekit")
    }

    var environment: [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": sandbox.home, "XDG_CONFIG_HOME": sandbox.configHome, "XDG_DATA_HOME": sandbox.root + "/data"]
    }

    func run(_ arguments: [String]) async throws -> BinaryResult {
        try await runner.run(arguments, environment: environment, workingDirectory: URL(fileURLWithPath: sandbox.work), timeout: 120)
    }

    var inspections: String { sandbox.root + "/data/chargekit/inspections" }

    func storedDrafts() -> [InspectionDraft] {
        let (drafts, damaged) = InspectionStore(dataDirectory: sandbox.root + "/data/chargekit").all()
        #expect(damaged.isEmpty)
        return drafts
    }

    func answers(_ object: [String: Any], name: String = "answers.json") throws -> String {
        let path = sandbox.work + "/" + name
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let periodic: [String: String] = [
        "P1": "pass", "P2": "pass", "P3": "pass", "P4": "pass", "P5": "pass", "P6": "pass", "emergencyStop": "no",
        "filterMats": "yes", "P8": "pass", "P10": "pass", "P11": "pass", "P12": "180 MΩ", "signature": "A. Installer",
    ]

    @Test func anAnswersFileSignsAReportThatVerifiesUntilItIsTouched() async throws {
        let result = try await run(["inspect", "CP-1", "--checklist", try Fixtures.path("checklists/commissioning.json"),
                                    "--answers", try Fixtures.path("answers/commissioning.json"), "--inspector", "Ann Example",
                                    "--registration", "R-77", "--instrument", "MFT-1", "--calibrated", "2020-01-10"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("verdict: PASS") && result.stdout.contains("signed:  Ann Example"))
        #expect(result.stderr.contains("calibrated 2020-01-10, more than a year ago"), "expired calibration warned")
        let list = try await run(["inspect", "list", "--json"])
        let rows = try JSONParser.parse(Array(list.stdout.utf8))
        let id = try #require(rows[0]?["id"]?.stringValue)
        #expect(rows[0]?["state"] == "queued" && rows[0]?["verdict"] == "pass")

        let verified = try await run(["inspect", "verify", String(id.prefix(6))])
        #expect(verified.status == 0 && verified.stdout.contains("intact"), "\(verified.stdout)\(verified.stderr)")
        let html = try await run(["inspect", "render", id, "--output", "report.html"])
        #expect(html.status == 0)
        let page = try #require(sandbox.read(sandbox.work + "/report.html"))
        #expect(page.contains("<!DOCTYPE html>") && page.contains("Ann Example") && page.contains("calibration expired"))
        let json = try await run(["inspect", "render", id, "--format", "json"])
        let report = try JSONParser.parse(Array(json.stdout.utf8))
        #expect(report["id"]?.stringValue == id && report["contentHash"]?.stringValue?.count == 64)

        // A changed measurement in the stored report no longer matches its signature.
        let file = inspections + "/" + id + ".json"
        let stored = try #require(sandbox.read(file))
        #expect(stored.contains("\"value\" : 0.32"))
        try sandbox.write(stored.replacingOccurrences(of: "\"value\" : 0.32", with: "\"value\" : 0.31"), to: file)
        let tampered = try await run(["inspect", "verify", id])
        #expect(tampered.status == 1 && tampered.stdout.contains("content changed"), "\(tampered.stdout)")
        let discard = try await run(["inspect", "discard", id])
        #expect(discard.status == 65 && discard.stderr.contains("only drafts can be discarded"))
    }

    @Test func aFailingItemFailsTheVerdictWithWhatWasMeasuredAndTheLimit() async throws {
        var answers = Self.periodic
        answers["P12"] = "0.4 MΩ"
        let result = try await run(["inspect", "CP-2", "--checklist", "periodic", "--answers", try self.answers(answers),
                                    "--inspector", "Bo"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains("verdict: FAIL"))
        #expect(result.stdout.contains("P12") && result.stdout.contains("0.4 MΩ is outside ≥ 1 MΩ"), "\(result.stdout)")
    }

    @Test func testerExportsAndAnswersFileTogether() async throws {
        let full = try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: try Fixtures.path("answers/commissioning.json")))))
        guard case .object(var object) = full else { Issue.record("answers fixture is not an object"); return }
        for id in ["C1", "D4", "D9"] { object.removeValue(forKey: id) }
        let path = sandbox.work + "/rest.json"
        try Data(JSONValue.object(object).description.utf8).write(to: URL(fileURLWithPath: path))
        // Photo paths in the fixture are relative to the fixture's folder.
        try FileManager.default.createDirectory(atPath: sandbox.work + "/../photos", withIntermediateDirectories: true)
        try? FileManager.default.copyItem(atPath: try Fixtures.path("photos/installation.png"), toPath: sandbox.root + "/photos/installation.png")
        let result = try await run(["inspect", "CP-3", "--checklist", "commissioning", "--answers", path,
                                    "--measurements", try Fixtures.path("measurements/columns.csv"), "--map", try Fixtures.path("measurements/columns-map.json"),
                                    "--inspector", "Cy"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Riso [MOhm]") || result.stderr.contains("not mapped"), "unmapped columns are reported: \(result.stderr)")
        let answersByItem = storedDrafts().first?.plainAnswers
        #expect(answersByItem?["C1"] == .measurement(value: 0.32, unit: "Ω"))
        #expect(answersByItem?["D9"] == .measurement(value: 24, unit: "ms"))
    }

    @Test(arguments: [
        (["C1x": 0.3], "C1x", "not an item"),
        (["C1": "3 V"], "C1", "measures"),
        (["C1": "abc"], "C1", "not a number"),
        (["B8": ["photo": "missing.jpg"]], "B8", "cannot be read"),
    ] as [([String: any Sendable], String, String)])
    func badAnswersAreDataErrorsNamingTheItem(_ bad: [String: any Sendable], item: String, words: String) async throws {
        let path = try answers(bad)
        let result = try await run(["inspect", "CP-4", "--checklist", "commissioning", "--answers", path, "--inspector", "Di"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("answers.json") && result.stderr.contains(item) && result.stderr.contains(words), "\(result.stderr)")
        #expect(storedDrafts().allSatisfy { $0.answers.isEmpty }, "nothing recorded from a rejected file")
    }

    @Test func missingRequiredAnswersAreListedAndTheDraftKept() async throws {
        let result = try await run(["inspect", "CP-5", "--checklist", "periodic", "--answers", try answers(["P1": "pass"]), "--inspector", "Ed"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("required items are unanswered: P2, P3"), "\(result.stderr)")
        #expect(storedDrafts().count == 1)
        let again = try await run(["inspect", "CP-5", "--checklist", "periodic", "--answers", try answers(Self.periodic), "--inspector", "Ed"])
        #expect(again.status == 0 && again.stderr.contains("resuming inspection"), "\(again.stderr)")
        #expect(storedDrafts().count == 1)
    }

    @Test func anInvalidTemplateNamesFileItemAndField() async throws {
        let path = sandbox.work + "/broken.json"
        try sandbox.write("""
            {"id": "x", "version": "1", "title": "X", "standards": [], "sections": [
              {"id": "A", "title": "A", "items": [{"id": "M1", "kind": "measurement", "text": "R", "unit": "furlong"}]}]}
            """, to: path)
        let result = try await run(["inspect", "CP-6", "--checklist", "broken.json"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("broken.json") && result.stderr.contains("M1") && result.stderr.contains("unit"), "\(result.stderr)")
        let unknown = try await run(["inspect", "CP-6", "--checklist", "nonesuch"])
        #expect(unknown.status == 66 && unknown.stderr.contains("commissioning, periodic"))
        let halfImport = try await run(["inspect", "CP-6", "--checklist", "periodic", "--measurements", "x.csv"])
        #expect(halfImport.status == 64 && halfImport.stderr.contains("--map"))
    }

    /// The walk on a terminal: answers, a value flagged at once, back, skip, quit; a kill
    /// between answers; resume; sign.
    @Test func theInteractiveWalkResumesAfterQuitAndKill() async throws {
        let photo = sandbox.work + "/lid.png"
        try FileManager.default.copyItem(atPath: try Fixtures.path("photos/installation.png"), toPath: photo)
        func start() throws -> PseudoTerminal {
            try PseudoTerminal(executable: runner.executable, arguments: ["inspect", "CP-7", "--checklist", "periodic", "--inspector", "Fay"],
                               environment: environment.merging(["TERM": "dumb", "NO_COLOR": "1"]) { $1 }, workingDirectory: sandbox.work)
        }
        let first = try start()
        try await first.expect("[1/17] P1")
        try await first.expect("P1> ")
        first.send("pass")
        try await first.expect("P2> ")
        first.send("fail")
        try await first.expect("✗ FAIL: answered fail")
        try await first.expect("P3> ")
        first.send("back")
        try await first.expect("P2 [fail]> ")
        first.send("note lid seal brittle")
        try await first.expect("note saved")
        first.send("pass")
        try await first.expect("P3> ")
        first.send("skip")
        try await first.expect("P4> ")
        first.send("quit")
        try await first.expect("saved; run the same command again to resume")
        #expect(try await first.wait() == 0)
        var draft = try #require(storedDrafts().first)
        #expect(draft.answers["P2"]?.answer == .pass && draft.answers["P2"]?.note == "lid seal brittle")
        #expect(draft.answers["P3"] == nil)

        let second = try start()
        try await second.expect("resuming inspection")
        try await second.expect("P3> ")
        second.send("p")
        try await second.expect("P4> ")
        second.send("pass")
        try await second.expect("P5> ")
        second.signal(SIGKILL)
        #expect(try await second.wait() == 128 + SIGKILL)
        draft = try #require(storedDrafts().first)
        #expect(draft.answers["P4"]?.answer == .pass, "the answer before the kill is in the draft")

        let third = try start()
        try await third.expect("P5> ")
        for answer in ["pass", "pass"] { third.send(answer) }
        try await third.expect("emergencyStop> ")
        third.send("maybe")
        try await third.expect("not one of yes, no")
        third.send("no")
        try await third.expect("filterMats> ")  // P7 applies only with an emergency stop
        third.send("yes")
        try await third.expect("P8> ")
        third.send("pass")
        try await third.expect("P9> ")
        third.send("skip")
        try await third.expect("P10> ")
        third.send("pass")
        try await third.expect("P11> ")
        third.send("pass")
        try await third.expect("P12> ")
        third.send("250 kΩ")
        try await third.expect("✗ FAIL")
        try await third.expect("P13> ")
        third.send("back")
        try await third.expect("P12 [0.25 MΩ]> ")
        third.send("200")
        try await third.expect("✓ within ≥ 1 MΩ")
        try await third.expect("P13> ")
        third.send("lid.png")
        try await third.expect("remarks> ")
        third.send("")
        try await third.expect("type an answer")
        third.send("all fine")
        try await third.expect("signature> ")
        third.send("Fay")
        try await third.expect("sign and finish the report as Fay?")
        third.send("y")
        try await third.expect("verdict: PASS")
        #expect(try await third.wait() == 0, "\(third.transcript)")
        draft = try #require(storedDrafts().first)
        #expect(draft.report?.verdict == .pass)
        #expect(draft.report?.attachments.first?.itemId == "P13")
        #expect(draft.answers["P9"] == nil && draft.answers["P7"] == nil)
    }
}

/// `chargekit inspect` with a backend: the identity comes from it when it answers.
@Suite struct InspectBackendTests {
    @Test func theIdentityIsReadFromTheBackendAndLeftForLaterWhenItIsGone() async throws {
        let sandbox = try Sandbox()
        let sim = try await SimUnderTest.start(["--chargers", "3", "--speed", "50"], sandbox: sandbox)
        try await sim.login("demo-installer")
        let answers = try Fixtures.path("answers/periodic.json")
        let online = try await sim.run(["inspect", "CP-0001", "--checklist", "periodic", "--answers", answers, "--inspector", "Gus"])
        #expect(online.status == 0, "\(online.stderr)")
        let status = try JSONValue(parsing: try await sim.run(["status", "CP-0001", "--json"]).stdout)
        _ = await sim.stop()

        let store = InspectionStore(dataDirectory: sandbox.root + "/data/chargekit")
        let report = try #require(store.all().inspections.first?.report)
        #expect(report.properties?["vendor"] == status["vendor"]?.stringValue && report.properties?["vendor"] != nil)
        #expect(report.properties?["serialNumber"] == status["serialNumber"]?.stringValue)
        #expect(report.properties?["firmwareVersion"] == status["firmwareVersion"]?.stringValue)

        let offline = try await sim.run(["inspect", "CP-0002", "--checklist", "periodic", "--answers", answers, "--inspector", "Gus"])
        #expect(offline.status == 0, "the inspection does not need the backend: \(offline.stderr)")
        #expect(offline.stderr.contains("charger identity left for later"), "\(offline.stderr)")
        let second = try #require(store.all().inspections.first { $0.chargerId == "CP-0002" })
        #expect(second.charger == nil && second.report != nil)
    }
}
