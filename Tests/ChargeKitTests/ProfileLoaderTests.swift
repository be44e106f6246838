import Testing
@testable import ChargeKit

/// Loading the fixture profiles and what `extends` does with them.
@Suite struct ProfileLoaderTests {
    @Test func loadsTheCPOBaseWithTypedValues() throws {
        let base = try fixtureLoader().load("Fixtures/profiles/cpo-base.json")
        #expect(base.name == "voltnet-base")
        #expect(base.version == "2024.06")
        #expect(base.description?.hasPrefix("VoltNet defaults") == true)
        #expect(base.files == ["Fixtures/profiles/cpo-base.json"])
        #expect(base.setting("heartbeatInterval")?.value == .integer(300))
        #expect(base.setting("authorizeRemoteTxRequests")?.value == .boolean(false))
        #expect(base.setting("meterValuesSampledData")?.value
            == .measurands(["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage"]))
        #expect(base.setting("cpoName")?.value == .text("VoltNet B.V."))
        #expect(base.setting("heartbeatInterval")?.origin.description == "Fixtures/profiles/cpo-base.json:6:5")
        // Settings come in catalogue order, whatever the file's order.
        #expect(base.settings.map(\.name) == SettingsCatalogue.names.filter { base.setting($0) != nil })
        // Raw values are kept as OCPP carries them: booleans and numbers become text.
        #expect(base.ocpp16.map { "\($0.key)=\($0.value?.description ?? "null")" }
            == ["UnlockConnectorOnEVSideDisconnect=true", "ResetRetries=3"])
        #expect(base.ocpp201.map { "\($0.key)=\($0.value?.description ?? "null")" }
            == ["TxCtrlr.TxStartPoint=PowerPathClosed", "TxCtrlr.TxStopPoint=EVConnected,Authorized", "OCPPCommCtrlr.OfflineThreshold=300"])
        #expect(base.models.map { [$0.vendor, $0.model] } == [["ABB", "Terra AC*"], ["Kempower", nil], ["ABB", "Terra 54*"]])
        #expect(base.networkProfile == nil)
    }

    @Test func aVariantOverridesItsBaseSettingBySettingAndKeyByKey() throws {
        let site = try fixtureLoader().load("Fixtures/profiles/site-amsterdam.json")
        #expect(site.name == "voltnet-amsterdam")
        #expect(site.version == "2024.06-ams.2")
        #expect(site.files == ["Fixtures/profiles/cpo-base.json", "Fixtures/profiles/site-amsterdam.json"])
        // Later wins, and remembers where it was said.
        #expect(site.setting("clockAlignedDataInterval")?.value == .integer(300))
        #expect(site.setting("clockAlignedDataInterval")?.origin.file == "Fixtures/profiles/site-amsterdam.json")
        #expect(site.setting("authorizeRemoteTxRequests")?.value == .boolean(true))
        // What the variant does not mention comes from the base.
        #expect(site.setting("heartbeatInterval")?.value == .integer(300))
        #expect(site.setting("heartbeatInterval")?.origin.file == "Fixtures/profiles/cpo-base.json")
        // Raw overrides merge per key, keeping the base's order.
        #expect(site.ocpp16.map { "\($0.key)=\($0.value?.description ?? "null")" }
            == ["UnlockConnectorOnEVSideDisconnect=true", "ResetRetries=2"])
        // Model sections accumulate, base first.
        #expect(site.models.map(\.vendor) == ["ABB", "Kempower", "ABB", "Alfen"])
        #expect(site.models.last?.origin.description == "Fixtures/profiles/site-amsterdam.json:15:5")
    }

    @Test func nullInAVariantRemovesWhatTheBaseSet() throws {
        let loader = memoryLoader([
            "/mem/base.json": #"{"name": "base", "settings": {"heartbeatInterval": 300, "localPreAuthorize": true}, "ocpp16": {"ResetRetries": 3, "X": "1"}}"#,
            "/mem/site.json": #"{"name": "site", "extends": "base.json", "settings": {"localPreAuthorize": null}, "ocpp16": {"resetretries": null}}"#,
        ])
        let site = try loader.load("site.json")
        #expect(site.settings.map(\.name) == ["heartbeatInterval"])
        #expect(site.ocpp16.map(\.key) == ["X"])
    }

    @Test func extendsIsRelativeToTheFileThatSaysIt() throws {
        let loader = memoryLoader([
            "/mem/sites/nl/ams.json": #"{"name": "ams", "extends": "../../base/cpo.json"}"#,
            "/mem/base/cpo.json": #"{"name": "cpo", "extends": "./common.json", "settings": {"heartbeatInterval": 600}}"#,
            "/mem/base/common.json": #"{"name": "common", "settings": {"heartbeatInterval": 300, "connectionTimeout": 60}}"#,
        ])
        let profile = try loader.load("sites/nl/ams.json")
        #expect(profile.files == ["base/common.json", "base/cpo.json", "sites/nl/ams.json"])
        #expect(profile.name == "ams")
        #expect(profile.setting("heartbeatInterval")?.value == .integer(600))
        #expect(profile.setting("connectionTimeout")?.value == .integer(60))
    }

    @Test func aCycleIsNamedLinkByLink() {
        let issues = loadIssues("Fixtures/profiles/invalid/cycle-a.json")
        #expect(issues.map(\.description) == [
            "Fixtures/profiles/invalid/cycle-b.json:3:3: extends: leads back to a profile already extended: "
                + "Fixtures/profiles/invalid/cycle-a.json -> Fixtures/profiles/invalid/cycle-b.json -> Fixtures/profiles/invalid/cycle-a.json",
        ])
        #expect(issues.map(\.kind) == [.extendsCycle])
    }

    @Test func aProfileThatExtendsItselfIsACycle() {
        let loader = memoryLoader(["/mem/p.json": #"{"name": "p", "extends": "p.json"}"#])
        #expect(loadIssues("p.json", with: loader).map(\.description)
            == ["p.json:1:15: extends: leads back to a profile already extended: p.json -> p.json"])
    }

    @Test func extendsNestsAtMostEightLevels() {
        var files: [String: String] = [:]
        for level in 0...9 {
            files["/mem/p\(level).json"] = level == 9 ? #"{"name": "p9"}"# : #"{"name": "p\#(level)", "extends": "p\#(level + 1).json"}"#
        }
        #expect(loadIssues("p0.json", with: memoryLoader(files)).map(\.description)
            == ["p8.json:1:16: extends: more than 8 levels of extends"])
        files["/mem/p8.json"] = #"{"name": "p8"}"#
        #expect(loadIssues("p0.json", with: memoryLoader(files)).isEmpty)
    }

    @Test func issuesOfEveryFileInTheChainAreReportedTogether() {
        let loader = memoryLoader([
            "/mem/site.json": "{\n  \"name\": \"site\",\n  \"extends\": \"base.json\",\n  \"settings\": {\"heartbeatInterval\": 1}\n}",
            "/mem/base.json": "{\n  \"name\": \"base\",\n  \"settings\": {\"connectionTimeout\": 0}\n}",
        ])
        #expect(loadIssues("site.json", with: loader).map(\.description) == [
            "site.json:4:16: settings.heartbeatInterval: 1 is below the minimum 10",
            "base.json:3:16: settings.connectionTimeout: 0 is below the minimum 10",
        ])
    }

    @Test func aSyntaxErrorInTheBaseNamesTheBase() {
        let loader = memoryLoader([
            "/mem/site.json": #"{"name": "site", "extends": "base.json"}"#,
            "/mem/base.json": "{\n  \"name\": \"base\",\n  \"settings\": {\"heartbeatInterval\": 300 \"x\": 1}\n}",
        ])
        #expect(loadIssues("site.json", with: loader).map(\.description)
            == ["base.json:3:41: invalid JSON: unexpected character '\"', expected ',' or '}'"])
    }

    @Test func duplicateKeysAreASyntaxError() {
        let loader = memoryLoader(["/mem/p.json": "{\"name\": \"p\", \"settings\": {\"heartbeatInterval\": 300, \"heartbeatInterval\": 600}}"])
        #expect(loadIssues("p.json", with: loader).map(\.description)
            == ["p.json:1:54: invalid JSON: duplicate key \"heartbeatInterval\""])
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let loader = memoryLoader(["/mem/p.json": "\u{FEFF}{\"name\": \"p\"}"])
        #expect(try loader.load("p.json").name == "p")
    }

    @Test func theNetworkProfileIsValidatedAndDefaulted() throws {
        let good = memoryLoader(["/mem/p.json": #"{"name": "p", "networkProfile": {"ocppCsmsUrl": "wss://csms.example/ocpp"}}"#])
        let network = try #require(try good.load("p.json").networkProfile)
        #expect(network.ocppCsmsUrl == "wss://csms.example/ocpp")
        #expect(network.messageTimeout == 30)
        #expect(network.ocppInterface == "Wired0")
        #expect(network.configurationSlot == nil)

        let bad = memoryLoader(["/mem/p.json": """
            {"name": "p", "networkProfile": {"ocppCsmsUrl": "https://csms.example", "messageTimeout": 0,
             "ocppInterface": "wired1", "slot": 2}}
            """])
        #expect(loadIssues("p.json", with: bad).map(\.description) == [
            "p.json:1:34: networkProfile.ocppCsmsUrl: \"https://csms.example\" is not a WebSocket URL; write ws://host/path or wss://host/path",
            "p.json:1:73: networkProfile.messageTimeout: 0 is below the minimum 1",
            "p.json:2:2: networkProfile.ocppInterface: \"wired1\" is not an OCPP interface "
                + "(Wired0, Wired1, Wired2, Wired3, Wireless0, Wireless1, Wireless2, Wireless3); did you mean \"Wired1\"?",
            "p.json:2:29: networkProfile.slot: unknown field",
        ])
    }
}
