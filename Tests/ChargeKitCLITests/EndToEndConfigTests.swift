import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit config get/diff/apply` as a process against `chargekit sim`.
@Suite struct EndToEndConfigTests {
    /// Written to a file the profile references; must never appear in any output.
    static let secret = "e2e-Secret-AK-7f3a9c"

    /// A profile every simulated model drifts from: heartbeat and sample interval differ from
    /// the sim's defaults, the ping interval answers RebootRequired on Alfen and Zaptec, the
    /// authorization key is write-only.
    static func writeProfile(_ sandbox: Sandbox) throws -> String {
        try sandbox.write(secret + "\n", to: sandbox.root + "/ak.txt")
        let path = sandbox.root + "/drift.json"
        try sandbox.write("""
            {
              "name": "e2e-drift",
              "version": "1",
              "settings": {
                "heartbeatInterval": 120,
                "meterValueSampleInterval": 15,
                "webSocketPingInterval": 45,
                "cpoName": "E2E Charging",
                "authorizationKey": { "secret": { "file": "\(sandbox.root)/ak.txt" } }
              }
            }
            """, to: path)
        return path
    }

    static func id(_ chargers: [JSONValue], _ predicate: (JSONValue) -> Bool) throws -> String {
        try #require(chargers.first(where: predicate)?["id"]?.stringValue)
    }

    /// Lines the simulator logged (with -v) for requests to `path` with `method`.
    static func requests(_ sim: SimUnderTest, _ method: String, _ path: String) -> Int {
        sim.process.stderrSoFar.split(separator: "\n").filter { $0.hasPrefix("\(method) \(path) ") || $0.hasPrefix("\(method) \(path)?") }.count
    }

    @Test func a16AndA201ChargerGoFromDriftToConforming() async throws {
        try await SimUnderTest.with(["--chargers", "10", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            let chargers = try await sim.fleet(count: 10)
            let v16 = try Self.id(chargers) { $0["ocppVersion"] == "1.6" }
            let v201 = try Self.id(chargers) { $0["ocppVersion"] == "2.0.1" }
            for (id, heartbeatKey) in [(v16, "HeartbeatInterval"), (v201, "OCPPCommCtrlr.HeartbeatInterval")] {
                let before = try await sim.run(["config", "diff", id, "--profile", profile, "--json"])
                #expect(before.status == 1, "\(id) drifts: \(before.stderr)")
                let rows = try #require(try JSONValue(parsing: before.stdout).arrayValue)
                let heartbeat = try #require(rows.first { $0["key"]?.stringValue == heartbeatKey })
                #expect(heartbeat["setting"] == "heartbeatInterval" && heartbeat["desired"] == "120" && heartbeat["action"] == "set")
                #expect(heartbeat["current"]?.stringValue != "120")
                #expect(rows.allSatisfy { $0.objectValue?.keys.sorted().starts(with: ["action", "current", "desired", "key"]) == true })

                let apply = try await sim.run(["config", "apply", id, "--profile", profile])
                #expect(apply.status == 0, "\(id): \(apply.stdout)\n\(apply.stderr)")
                #expect(apply.stdout.contains(heartbeatKey) && apply.stdout.contains("verified"))
                #expect(apply.stderr.contains("applied and verified"), "\(apply.stderr)")

                let after = try await sim.run(["config", "diff", id, "--profile", profile])
                #expect(after.status == 0, "\(id) conforms: \(after.stdout)\n\(after.stderr)")
                #expect(after.stderr.contains("conforms to e2e-drift"))

                let get = try await sim.run(["config", "get", id, heartbeatKey, "--json"])
                #expect(get.status == 0, "\(get.stderr)")
                #expect(try JSONValue(parsing: get.stdout)["items"]?[0]?["value"] == "120")
            }
        }
    }

    @Test func rebootRequiredResetsExactlyOnceWithAutoAndNeverWithNever() async throws {
        try await SimUnderTest.with(["--chargers", "10", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            let chargers = try await sim.fleet(count: 10)
            // Alfen answers RebootRequired for WebSocketPingInterval.
            let id = try Self.id(chargers) { $0["vendor"] == "Alfen" }
            let commands = "/v1/chargers/\(id)/commands"

            let never = try await sim.run(["config", "apply", id, "--profile", profile, "--reboot", "never"])
            #expect(never.status == 1, "\(never.stdout)\n\(never.stderr)")
            #expect(never.stderr.contains("\(id): WebSocketPingInterval: waits for a reboot"), "\(never.stderr)")
            #expect(Self.requests(sim, "POST", commands) == 0, "no reset with --reboot never")
            #expect(!never.stderr.contains("reset:"))

            let auto = try await sim.run(["config", "apply", id, "--profile", profile, "--reboot", "auto", "--json"])
            #expect(auto.status == 0, "\(auto.stdout)\n\(auto.stderr)")
            #expect(Self.requests(sim, "POST", commands) == 1, "exactly one reset with --reboot auto")
            let result = try JSONValue(parsing: auto.stdout)
            #expect(result["reset"]?["command"] == "Reset Soft" && result["reset"]?["booted"] == true)
            #expect(result["reset"]?["reason"] == "rebootRequired")
            let ping = try #require(result["outcomes"]?.arrayValue?.first { $0["key"] == "WebSocketPingInterval" })
            #expect(ping["status"] == "RebootRequired" && ping["result"] == "verified" && ping["current"] == "45")

            // Conforming now: nothing to send, so nothing asks for a reset.
            let again = try await sim.run(["config", "apply", id, "--profile", profile])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(Self.requests(sim, "POST", commands) == 1)
        }
    }

    @Test func aRejectingChargerFailsNamingTheKeys() async throws {
        try await SimUnderTest.with(["--chargers", "10", "--speed", "50", "--fault", "CP-0003:config-rejected"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            _ = try await sim.fleet(count: 10)
            let result = try await sim.run(["config", "apply", "CP-0003", "--profile", profile])
            #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("CP-0003: HeartbeatInterval: Rejected") || result.stderr.contains("CP-0003: OCPPCommCtrlr.HeartbeatInterval: Rejected"),
                    "\(result.stderr)")
            #expect(result.stdout.contains("rejected"))
            #expect(!result.stderr.contains("applied and verified"))
        }
    }

    @Test func secretsAppearNowhere() async throws {
        try await SimUnderTest.with(["--chargers", "10", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            let chargers = try await sim.fleet(count: 10)
            var outputs: [String] = []
            for id in [try Self.id(chargers) { $0["ocppVersion"] == "1.6" }, try Self.id(chargers) { $0["ocppVersion"] == "2.0.1" }] {
                for arguments in [["config", "diff", id, "--profile", profile, "-vv"],
                                  ["config", "apply", id, "--profile", profile, "--dry-run", "-vv"],
                                  ["config", "apply", id, "--profile", profile, "-vv"],
                                  ["config", "apply", id, "--profile", profile, "--json"],
                                  ["config", "get", id, "--json"]] {
                    let result = try await sim.run(arguments)
                    #expect(result.status == 0 || result.status == 1, "\(arguments): \(result.stderr)")
                    outputs += [result.stdout, result.stderr]
                }
                let applied = try await sim.run(["config", "apply", id, "--profile", profile, "--json"])
                let key = try JSONValue(parsing: applied.stdout)["outcomes"]?.arrayValue?.first { $0["setting"] == "authorizationKey" }
                #expect(key?["desired"] == "(secret)" && key?["result"] == "writeOnlyAccepted", "\(applied.stdout)")
                outputs += [applied.stdout, applied.stderr]
            }
            let events = try await sim.run(["config", "get", "CP-0001", "AuthorizationKey", "--json"])
            outputs.append(events.stdout)
            #expect(outputs.joined().contains("(secret)"), "the secret is shown as (secret)")
            #expect(outputs.joined().contains("> POST /v1/chargers/"), "-vv traced the requests")
            for output in outputs + [sim.process.stdoutSoFar, sim.process.stderrSoFar] {
                #expect(!output.contains(Self.secret), "the secret leaked")
            }
        }
    }

    @Test func aBadProfileFailsBeforeAnythingIsSent() async throws {
        try await SimUnderTest.with(["--chargers", "3", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-installer")
            let bad = packageRoot.appendingPathComponent("Fixtures/profiles/invalid/unknown-setting.json").path
            let result = try await sim.run(["config", "apply", "CP-0001", "--profile", bad])
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.contains("unknown-setting.json:") && result.stderr.contains("settings."), "\(result.stderr)")
            let missing = try await sim.run(["config", "diff", "CP-0001", "--profile", sim.sandbox.root + "/nope.json"])
            #expect(missing.status == 66, "\(missing.stderr)")
            let usage = try await sim.run(["config", "apply", "--profile", bad])
            #expect(usage.status == 64)
            #expect(Self.requests(sim, "POST", "/v1/chargers/CP-0001/configuration") == 0)
            #expect(Self.requests(sim, "GET", "/v1/chargers/CP-0001/configuration") == 0)
        }
    }

    /// 40 chargers, one of them refusing every change: the fleet run applies to the other
    /// 39, names the one that failed and exits 1; each charger costs one read, one write and
    /// one verify read (plus the Reset where a key asked for it, the verify read after the boot), with
    /// the identities taken from the listing rather than read per charger.
    @Test func aFleetApplyRunsOverTheSelectionAndCountsItsRequests() async throws {
        try await SimUnderTest.with(["--chargers", "40", "--speed", "50", "--fault", "CP-0005:config-rejected", "-v"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            _ = try await sim.fleet(count: 40)
            let apply = try await sim.run(["config", "apply", "--select", "id=CP-00*", "--profile", profile, "--concurrency", "8",
                                           "--json", "--progress", "plain"])
            #expect(apply.status == 1, "\(apply.stderr)")
            let entries = try #require(try JSONValue(parsing: apply.stdout).arrayValue)
            #expect(entries.compactMap { $0["chargerId"]?.stringValue } == (1...40).map { String(format: "CP-%04d", $0) })
            #expect(entries.filter { $0["succeeded"] == false }.compactMap { $0["chargerId"]?.stringValue } == ["CP-0005"])
            #expect(apply.stderr.contains("CP-0005: ") && apply.stderr.contains(": Rejected"), "\(apply.stderr)")
            #expect(apply.stderr.contains("39 of 40 chargers applied and verified"), "\(apply.stderr)")
            #expect(apply.stderr.contains("40/40 chargers") || apply.stderr.contains("done, 40 chargers"), "progress: \(apply.stderr)")
            var resets = 0
            for entry in entries {
                let id = try #require(entry["chargerId"]?.stringValue)
                let reset = entry["result"]?["reset"] != nil && entry["result"]?["reset"] != .null
                if reset {
                    resets += 1
                    #expect(entry["result"]?["reset"]?["booted"] == true, "\(id)")
                }
                let path = "/v1/chargers/\(id)"
                #expect(Self.requests(sim, "GET", path + "/configuration") == 2, "\(id)")
                #expect(Self.requests(sim, "POST", path + "/configuration") == 1, "\(id)")
                #expect(Self.requests(sim, "POST", path + "/commands") == (reset ? 1 : 0), "\(id)")
                #expect(Self.requests(sim, "GET", path) == 0, "\(id): the listing gave the identity")
            }
            #expect(resets > 0, "Alfen, ABB Terra AC and Zaptec answer RebootRequired for the ping interval")

            let diff = try await sim.run(["config", "diff", "--select", "id=CP-00*", "--profile", profile, "--json"])
            #expect(diff.status == 1, "CP-0005 still drifts: \(diff.stderr)")
            let rows = try #require(try JSONValue(parsing: diff.stdout).arrayValue)
            #expect(rows.count == 40)
            #expect(rows.filter { $0["conforms"] == false }.compactMap { $0["chargerId"]?.stringValue } == ["CP-0005"])
            let others = try await sim.run(["config", "diff", "--select", "id=CP-001*", "--select", "id=CP-002*", "--profile", profile])
            #expect(others.status == 0, "\(others.stdout)\n\(others.stderr)")
            #expect(others.stderr.contains("20 of 20 chargers conform"), "\(others.stderr)")
        }
    }

    /// The 2.0.1 way to a new security profile (network profile slot, priority, reset), a
    /// dry run that sends nothing, and --reboot always on a charger no key asked to reset.
    @Test func securityProfileDryRunAndRebootAlwaysOn201() async throws {
        try await SimUnderTest.with(["--chargers", "10", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-installer")
            let chargers = try await sim.fleet(count: 10)
            // Kempower: no key answers RebootRequired, so every reset below is chargekit's choice.
            let id = try Self.id(chargers) { $0["vendor"] == "Kempower" }
            let profile = packageRoot.appendingPathComponent("Fixtures/profiles/security-profile-2.json").path
            let commands = "/v1/chargers/\(id)/commands"

            let dry = try await sim.run(["config", "apply", id, "--profile", profile, "--dry-run", "--json"])
            #expect(dry.status == 0, "\(dry.stderr)")
            let planned = try JSONValue(parsing: dry.stdout)
            #expect(planned["dryRun"] == true && planned["outcomes"] == nil)
            #expect(planned["sent"]?.arrayValue?.contains("SetNetworkProfile (setNetworkProfile)") == true, "\(dry.stdout)")
            #expect(Self.requests(sim, "POST", "/v1/chargers/\(id)/configuration") == 0)
            #expect(Self.requests(sim, "POST", commands) == 0)

            let apply = try await sim.run(["config", "apply", id, "--profile", profile, "--json"])
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let result = try JSONValue(parsing: apply.stdout)
            #expect(result["securitySteps"]?.arrayValue?.compactMap { $0["step"]?.stringValue }
                    == ["setNetworkProfile", "setNetworkConfigurationPriority", "reset"])
            #expect(result["securitySteps"]?.arrayValue?.allSatisfy { $0["succeeded"] == true } == true)
            #expect(result["reset"]?["reason"] == "securityProfile" && result["reset"]?["booted"] == true)
            let security = try #require(result["outcomes"]?.arrayValue?.first { $0["key"] == "SecurityCtrlr.SecurityProfile" })
            #expect(security["result"] == "verified" && security["current"] == "2")
            #expect(Self.requests(sim, "POST", commands) == 3, "three steps, one reset among them")

            let always = try await sim.run(["config", "apply", id, "--profile", profile, "--reboot", "always", "--json"])
            #expect(always.status == 0, "\(always.stderr)")
            let again = try JSONValue(parsing: always.stdout)
            #expect(again["securitySteps"]?.arrayValue?.isEmpty == true, "the security profile is already 2")
            #expect(again["reset"]?["reason"] == "requested" && again["reset"]?["command"] == "Reset OnIdle")
            #expect(Self.requests(sim, "POST", commands) == 4)
        }
    }

    /// A charger that never connected has no identity to resolve the profile for: alone it
    /// is "unavailable" (69), in a fleet it is one failed row among verified ones.
    @Test func aChargerThatNeverBootedFailsAloneAndInAFleet() async throws {
        try await SimUnderTest.with(["--chargers", "5", "--speed", "50", "--fault", "CP-0002:offline"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            let deadline = ContinuousClock.now + .seconds(90)
            while try await JSONValue(parsing: sim.run(["chargers", "list", "--json"]).stdout).arrayValue?
                .filter({ $0["connected"] == true && $0["ocppVersion"] != nil }).count != 4 {
                guard ContinuousClock.now < deadline else { throw CancellationError() }
                try await Task.sleep(for: .milliseconds(100))
            }
            let alone = try await sim.run(["config", "diff", "CP-0002", "--profile", profile])
            #expect(alone.status == 69, "\(alone.stderr)")
            #expect(alone.stderr.contains("CP-0002 has not sent a BootNotification yet"), "\(alone.stderr)")
            let fleet = try await sim.run(["config", "apply", "--select", "id=CP-*", "--profile", profile])
            #expect(fleet.status == 1, "\(fleet.stderr)")
            #expect(fleet.stderr.contains("CP-0002: CP-0002 has not sent a BootNotification yet"), "\(fleet.stderr)")
            #expect(fleet.stderr.contains("4 of 5 chargers applied and verified"), "\(fleet.stderr)")
            let rows = fleet.stdout.split(separator: "\n").filter { $0.hasPrefix("CP-") }
            #expect(rows.count == 5)
            #expect(rows.filter { $0.hasSuffix("verified") }.count == 4, "\(fleet.stdout)")
        }
    }

    /// The fleet run in-process, against the simulator process: a bar on a terminal's
    /// stderr, and no escape sequence or carriage return when stderr is piped.
    @Test func aFleetRunDrawsABarOnlyOnATerminal() async throws {
        try await SimUnderTest.with(["--chargers", "12", "--speed", "50"]) { sim in
            try await sim.login("demo-installer")
            let profile = try Self.writeProfile(sim.sandbox)
            _ = try await sim.fleet(count: 12)
            let arguments = ["config", "diff", "--select", "id=CP-*", "--profile", profile, "--concurrency", "4"]
            let terminal = await sim.sandbox.run(arguments, tty: .init(stderr: true))
            #expect(terminal.status == 1, "drifts: \(terminal.stderr)")
            #expect(terminal.stderr.contains("\r") && terminal.stderr.contains("config diff") && terminal.stderr.contains("12/12 chargers"),
                    "\(terminal.stderr.debugDescription)")
            #expect(terminal.stdout.split(separator: "\n").filter { $0.hasPrefix("CP-") }.count == 12)
            let piped = await sim.sandbox.run(arguments)
            #expect(piped.status == 1)
            #expect(!piped.stderr.contains("\r") && !piped.stderr.contains("\u{1B}") && !piped.stdout.contains("\u{1B}"),
                    "\(piped.stderr.debugDescription)")
            #expect(piped.stderr.contains("0 of 12 chargers conform to e2e-drift"), "\(piped.stderr)")
        }
    }
}
