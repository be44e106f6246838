import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit site update` against `chargekit sim`, online and through the outbox.
@Suite struct SiteUpdateTests {
    @Test func locationAndTechnicalDataReachTheBackend() async throws {
        try await SimUnderTest.with(["--chargers", "3", "--speed", "50"]) { sim in
            try await sim.login("demo-operator")
            let result = try await sim.run(["site", "update", "CP-0001", "--address", "Damrak 1", "--postal-code", "1012 LG",
                                            "--city", "Amsterdam", "--country", "nl", "--lat", "52.3738", "--lon", "4.8910",
                                            "--set", "phases=3", "--set", "earthing=TT", "--set", "ean=871234567890123456"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("location:  Damrak 1, 1012 LG, Amsterdam, NL") && result.stdout.contains("earthing: TT"))
            var status = try JSONValue(parsing: try await sim.run(["status", "CP-0001", "--json"]).stdout)
            #expect(status["location"]?["address"]?["city"] == "Amsterdam" && status["location"]?["latitude"] == 52.3738)
            #expect(status["technical"]?["phases"] == "3" && status["technical"]?["ean"] == "871234567890123456")

            let removal = try await sim.run(["site", "update", "CP-0001", "--set", "ean="])
            #expect(removal.status == 0, "\(removal.stderr)")
            status = try JSONValue(parsing: try await sim.run(["status", "CP-0001", "--json"]).stdout)
            #expect(status["technical"]?["ean"] == nil && status["technical"]?["earthing"] == "TT", "only ean removed")
            let outbox = try JSONValue(parsing: try await sim.run(["sync", "--list", "--json"]).stdout)
            #expect(outbox["queued"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test(arguments: [
        (["--lat", "52.1"], "--lat and --lon go together"),
        (["--set", "phases=2"], "must be 1 or 3"),
        (["--set", "maxCurrentA=-16"], "positive number"),
        (["--set", "Earthing=TT"], "did you mean 'earthing'"),
        (["--country", "NLD"], "ISO 3166-1"),
        (["--lat", "95", "--lon", "4"], "outside -90…90"),
        ([], "nothing to change"),
    ])
    func badInputIsAUsageErrorAndNothingIsQueued(_ arguments: [String], _ message: String) async throws {
        let sandbox = try Sandbox()
        let result = try await BinaryRunner(product: "chargekit").run(["site", "update", "CP-0001"] + arguments,
                                                                      environment: SimUnderTest.environment(sandbox), timeout: 60)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        let outbox = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/data/chargekit/outbox")) ?? []
        #expect(outbox.filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test func aChangeMadeOfflineIsSentLaterAndARefusedOneIsNotKept() async throws {
        let sandbox = try Sandbox()
        let first = try await SimUnderTest.start(["--chargers", "3", "--speed", "50"], sandbox: sandbox)
        try await first.login("demo-operator")
        _ = await first.stop()
        let offline = try await first.run(["site", "update", "CP-0002", "--set", "maxCurrentA=32", "--city", "Utrecht"])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stderr.contains("waits in the outbox"), "\(offline.stderr)")

        let sim = try await SimUnderTest.start(["--chargers", "3", "--speed", "50"], sandbox: sandbox)
        try await sim.login("demo-operator")
        let sync = try await sim.run(["sync"])
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(sync.stdout.contains("site data of CP-0002"))
        let status = try JSONValue(parsing: try await sim.run(["status", "CP-0002", "--json"]).stdout)
        #expect(status["technical"]?["maxCurrentA"] == "32" && status["location"]?["address"]?["city"] == "Utrecht")

        let refused = try await sim.run(["site", "update", "CP-0999", "--set", "phases=1"])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("the backend refused the change"))
        let left = try JSONValue(parsing: try await sim.run(["sync", "--list", "--json"]).stdout)
        #expect(left["queued"]?.arrayValue?.isEmpty == true, "\(left)")
        _ = await sim.stop()
    }
}
