import Foundation
import JSON
import Testing
import TestSupport

/// Update calls the simulator's OCPP log recorded: (charger, action, payload), CSMS to charger.
func firmwareCalls(inLog path: String) throws -> [(charger: String, action: String, payload: JSONValue)] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").compactMap { line in
        let entry = try JSONValue(parsing: String(line))
        guard entry["direction"]?.stringValue == "csms->charger", let charger = entry["chargerId"]?.stringValue,
              let frame = entry["frame"]?.stringValue else { return nil }
        let message = try JSONValue(parsing: frame)
        guard message[0]?.intValue == 2, let action = message[2]?.stringValue,
              ["UpdateFirmware", "SignedUpdateFirmware"].contains(action), let payload = message[3] else { return nil }
        return (charger, action, payload)
    }
}

/// `chargekit firmware update` against `chargekit sim`, on OCPP 1.6 and 2.0.1 chargers.
/// The fleet of seed 1: CP-0001 Eve Double Pro-line 1.6 (6.4.0-4202), CP-0002 Terra 54 1.6,
/// CP-0003 Eve Double 1.6, CP-0004 S-Series 2.0.1 (1.40.2), CP-0005 Terra AC W22 1.6,
/// CP-0006 Eve Single 1.6 on 6.5.1-4230, CP-0007 S-Series 2.0.1, CP-0008 Terra 54 1.6,
/// CP-0009 Eve Single 1.6; the catalogue has 6.5.1-4231 for the Eves, 1.41.2 for the S-Series.
@Suite struct FirmwareUpdateTests {
    @Test func updatesOnBothOCPPVersionsAreFollowedToTheBootWithTheNewVersion() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.root + "/ocpp.jsonl"
        let sim = try await SimUnderTest.start(["--chargers", "9", "--speed", "30", "--ocpp-log", log], sandbox: sandbox)
        do {
            try await sim.login("demo-installer")
            let v16 = try await sim.run(["firmware", "update", "CP-0001", "--to", "6.5.1-4231", "--wait", "--wait-timeout", "300"])
            #expect(v16.status == 0, "\(v16.stderr)")
            let statuses = v16.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
                .compactMap { $0.count >= 3 ? String($0[2]) : nil }
            #expect(statuses == ["Accepted", "Downloading", "Downloaded", "Installing", "Installed", "Booted"], "\(v16.stdout)")
            #expect(v16.stdout.contains("Booted 6.5.1-4231"))
            #expect(v16.stderr.contains("CP-0001 runs 6.5.1-4231 now"))

            let v201 = try await sim.run(["firmware", "update", "CP-0004", "--to", "1.41.2", "--wait", "--wait-timeout", "300", "--json"])
            #expect(v201.status == 0, "\(v201.stderr)")
            let report = try JSONValue(parsing: v201.stdout)
            #expect(report["result"]?.stringValue == "succeeded")
            #expect(report["fromVersion"]?.stringValue == "1.40.2" && report["targetVersion"]?.stringValue == "1.41.2")
            let steps = report["steps"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
            #expect(steps == ["Accepted", "Downloading", "Downloaded", "Installing", "InstallRebooting", "Booted"], "\(steps)")
            let requestId = try #require(report["requestId"]?.intValue)

            let status = try await sim.run(["status", "CP-0004", "--json"])
            #expect(try JSONValue(parsing: status.stdout)["firmwareVersion"]?.stringValue == "1.41.2")

            // Each version's own message, once per charger.
            let calls = try firmwareCalls(inLog: log)
            #expect(calls.map(\.charger) == ["CP-0001", "CP-0004"])
            #expect(calls.first?.action == "UpdateFirmware" && calls.first?.payload["location"]?.stringValue != nil
                    && calls.first?.payload["retrieveDate"] != nil && calls.first?.payload["requestId"] == nil)
            #expect(calls.last?.action == "UpdateFirmware" && calls.last?.payload["requestId"]?.intValue == requestId
                    && calls.last?.payload["firmware"]?["location"]?.stringValue != nil)
        } catch {
            _ = await sim.stop()
            throw error
        }
        let ending = await sim.stop()
        #expect(ending.status == 0)
    }

    @Test func refusalsComeBeforeAnythingIsSent() async throws {
        let sandbox = try Sandbox()
        let log = sandbox.root + "/ocpp.jsonl"
        let sim = try await SimUnderTest.start(["--chargers", "9", "--speed", "30", "--ocpp-log", log, "--fault", "CP-0003:offline"],
                                               sandbox: sandbox)
        do {
            try await sim.login("demo-installer")
            let already = try await sim.run(["firmware", "update", "CP-0006", "--to", "6.5.1-4230", "--wait"])
            #expect(already.status == 0, "\(already.stderr)")
            #expect(already.stdout.contains("CP-0006 already runs 6.5.1-4230"))
            let wrongModel = try await sim.run(["firmware", "update", "CP-0002", "--to", "6.5.1-4231"])
            #expect(wrongModel.status == 65)
            #expect(wrongModel.stderr.contains("no firmware 6.5.1-4231 for model Terra 54"), "\(wrongModel.stderr)")
            let list = try await sim.run(["firmware", "list", "--model", "Eve Single S-line", "--json"])
            let eveId = try #require(try JSONValue(parsing: list.stdout).arrayValue?.first { $0["version"] == "6.5.1-4231" }?["id"]?.stringValue)
            let wrongId = try await sim.run(["firmware", "update", "CP-0002", "--to", eveId])
            #expect(wrongId.status == 65)
            #expect(wrongId.stderr.contains("not for CP-0002's model Terra 54"), "\(wrongId.stderr)")
            let offline = try await sim.run(["firmware", "update", "CP-0003", "--to", "6.5.1-4231"])
            #expect(offline.status == 69)
            #expect(offline.stderr.contains("CP-0003 is not connected"), "\(offline.stderr)")
            let unknown = try await sim.run(["firmware", "update", "CP-0001", "--to", "fw_000000000000"])
            #expect(unknown.status == 65, "\(unknown.stderr)")
            for (arguments, message) in [
                (["firmware", "update", "CP-0001"], "--to is required"),
                (["firmware", "update", "CP-0001", "--to", "1", "--at", "tomorrow"], "not an RFC 3339 time"),
                (["firmware", "update", "CP-0001", "--to", "1", "--wait-timeout", "5"], "--wait-timeout needs --wait"),
                (["firmware", "update", "CP-0001", "--to", "1", "--retries", "11"], "--retries must be 0 to 10"),
            ] {
                let result = try await sim.run(arguments)
                #expect(result.status == 64, "\(arguments)")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
            #expect(try firmwareCalls(inLog: log).isEmpty, "no update request went out")
        } catch {
            _ = await sim.stop()
            throw error
        }
        _ = await sim.stop()
    }

    @Test func firmwareFaultsEndInTheirFailingStatus() async throws {
        try await SimUnderTest.with(["--chargers", "9", "--speed", "30", "--fault", "CP-0001:firmware-download-fails",
                                     "--fault", "CP-0004:firmware-install-fails", "--fault", "CP-0003:skips-firmware-status",
                                     "--fault", "CP-0007:firmware-download-fails"]) { sim in
            try await sim.login("demo-installer")
            let download = try await sim.run(["firmware", "update", "CP-0001", "--to", "6.5.1-4231", "--retries", "0", "--wait",
                                              "--wait-timeout", "300"])
            #expect(download.status == 1, "\(download.stderr)")
            #expect(download.stderr.contains("update failed with DownloadFailed"), "\(download.stderr)")
            let install = try await sim.run(["firmware", "update", "CP-0004", "--to", "1.41.2", "--wait", "--wait-timeout", "300", "--json"])
            #expect(install.status == 1, "\(install.stderr)")
            let report = try JSONValue(parsing: install.stdout)
            #expect(report["result"]?.stringValue == "failed" && report["failedStatus"]?.stringValue == "InstallationFailed")
            let v201Download = try await sim.run(["firmware", "update", "CP-0007", "--to", "1.41.2", "--retries", "0", "--wait",
                                                  "--wait-timeout", "300"])
            #expect(v201Download.status == 1, "\(v201Download.stderr)")
            #expect(v201Download.stderr.contains("DownloadFailed"))
            // No status at all: the boot with the new version is the success.
            let silent = try await sim.run(["firmware", "update", "CP-0003", "--to", "6.5.1-4231", "--wait", "--wait-timeout", "300"])
            #expect(silent.status == 0, "\(silent.stderr)")
            let words = silent.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(2).first }
            #expect(words == ["Accepted", "Booted"], "\(silent.stdout)")
        }
    }

    @Test func aWaitThatRunsOutIs75() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "30"]) { sim in
            try await sim.login("demo-installer")
            let result = try await sim.run(["firmware", "update", "CP-0001", "--to", "6.5.1-4231", "--at", "2035-01-01T00:00:00Z",
                                            "--wait", "--wait-timeout", "1"])
            #expect(result.status == 75, "\(result.stderr)")
            #expect(result.stderr.contains("not over: nothing decisive arrived within 1 s"), "\(result.stderr)")
            #expect(result.stdout.contains("Accepted"))
            // The job is still active: a second request is refused by the backend.
            let again = try await sim.run(["firmware", "update", "CP-0001", "--to", "6.5.1-4231"])
            #expect(again.status == 65 && again.stderr.contains("active"), "\(again.stderr)")
        }
    }
}
