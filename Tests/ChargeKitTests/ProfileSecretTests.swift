import BackendAPI
import Foundation
import Testing
@testable import ChargeKit

/// Secrets come from a file next to the profile or from the injected environment, and no
/// rendering but the change request ever shows them.
@Suite struct ProfileSecretTests {
    static let keyValue = "test-only-0123456789abcdef"
    static let modemValue = "modem-secret-only-for-tests"
    static let environment = ["VOLTNET_MODEM_PASSWORD": modemValue]

    func secureProfile() throws -> Profile {
        try fixtureLoader(environment: Self.environment).load("Fixtures/profiles/security-profile-2.json")
    }

    @Test func readsTheSecretFileRelativeToTheProfileWithoutItsLineBreak() throws {
        let profile = try secureProfile()
        guard case .secret(let secret) = profile.setting("authorizationKey")?.value else {
            Issue.record("authorizationKey is not a secret")
            return
        }
        #expect(secret.reveal() == Self.keyValue)
        #expect(secret.source == .file("Fixtures/profiles/secrets/authorization-key.txt"))
        #expect(secret.count == Self.keyValue.count)
    }

    @Test func readsTheSecretFromTheInjectedEnvironment() throws {
        let profile = try secureProfile()
        let override = try #require(profile.models.last?.ocpp16.first)
        #expect(override.key == "BackOfficeModemPassword")
        guard case .secret(let secret) = override.value else {
            Issue.record("the modem password is not a secret")
            return
        }
        #expect(secret.reveal() == Self.modemValue)
        #expect(secret.source == .environment("VOLTNET_MODEM_PASSWORD"))
        #expect(secret.source.description == "environment variable VOLTNET_MODEM_PASSWORD")
    }

    @Test func theProcessEnvironmentIsNeverRead() throws {
        // PATH is set in the test process, but the loader only knows what it was given.
        let loader = memoryLoader(["/mem/p.json": #"{"name": "p", "ocpp16": {"ApnPassword": {"secret": {"env": "PATH"}}}}"#])
        let profile = try loader.load("p.json")
        #expect(resolveIssues(profile, for: alfen16).map(\.description)
            == ["p.json:1:53: ocpp16.ApnPassword.secret.env: environment variable PATH is not set"])
    }

    @Test func emptySecretsAreRefused() throws {
        var loader = memoryLoader([
            "/mem/p.json": #"{"name": "p", "settings": {"authorizationKey": {"secret": {"file": "empty.txt"}}}, "ocpp16": {"ApnPassword": {"secret": {"env": "EMPTY"}}}}"#,
            "/mem/empty.txt": "\n",
        ], environment: ["EMPTY": ""])
        #expect(loadIssues("p.json", with: loader).map(\.description) == [
            "p.json:1:60: settings.authorizationKey.secret.file: the secret file empty.txt is empty",
        ])
        loader = memoryLoader(["/mem/p.json": #"{"name": "p", "ocpp16": {"ApnPassword": {"secret": {"env": "EMPTY"}}}}"#],
                              environment: ["EMPTY": ""])
        #expect(resolveIssues(try loader.load("p.json"), for: alfen16).map(\.description) == [
            "p.json:1:53: ocpp16.ApnPassword.secret.env: environment variable EMPTY is empty",
        ])
    }

    @Test func noRenderingShowsTheValue() throws {
        let secret = Secret(Self.keyValue, source: .file("k.txt"))
        #expect(String(describing: secret) == "(secret)")
        #expect("\(secret)" == "(secret)")
        #expect(String(reflecting: secret) == "(secret)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains(Self.keyValue))
        #expect(dumped.contains("(secret)"))
        #expect(Mirror(reflecting: secret).children.isEmpty)
        let json = String(decoding: try JSONCoding.encode([secret]), as: UTF8.self)
        #expect(json == #"["(secret)"]"#)
        let value = ConfigurationValue.secret(secret)
        #expect("\(value)" == "(secret)")
        #expect(String(decoding: try JSONCoding.encode([value]), as: UTF8.self) == #"["(secret)"]"#)
        #expect(SettingValue.secret(secret).description == "(secret)")
    }

    @Test func noProfileRenderingShowsAnyValue() throws {
        let profile = try secureProfile()
        let resolved = try profile.resolve(for: alfen16)
        var everything = ""
        dump(profile, to: &everything)
        dump(resolved, to: &everything)
        everything += String(describing: profile) + String(reflecting: resolved)
        everything += String(decoding: try JSONCoding.encode(resolved.values), as: UTF8.self)
        let current = Configuration(ocppVersion: .v16, items: [
            item16("AuthorizationKey", nil), item16("BackOfficeModemPassword", nil), item16("SecurityProfile", "0"),
        ])
        let plan = ConfigurationPlan(profile: resolved, current: current)
        dump(plan, to: &everything)
        everything += String(decoding: try JSONCoding.encode(plan.rows), as: UTF8.self)
        everything += plan.changes.map(\.description).joined()
        let report = plan.verify(results: [ConfigurationChangeResult(key: "AuthorizationKey", status: .accepted)], reread: current)
        everything += String(decoding: try JSONCoding.encode(report), as: UTF8.self)
        dump(report, to: &everything)
        #expect(!everything.contains(Self.keyValue))
        #expect(!everything.contains(Self.modemValue))
        #expect(everything.contains("(secret)"))
        // The rows say (secret) where a value would be.
        let row = try #require(plan.rows.first { $0.key == "AuthorizationKey" })
        #expect(row.desired == "(secret)")
        #expect(row.action == .writeOnly)
        // Only the change request carries them.
        let request = plan.changeRequest()
        #expect(request.changes.contains(ConfigurationChange(key: "AuthorizationKey", value: Self.keyValue)))
        #expect(request.changes.contains(ConfigurationChange(key: "BackOfficeModemPassword", value: Self.modemValue)))
    }

    @Test func aSecretOnlySomeChargersNeedIsOnlyNeededForThem() throws {
        // Loads without the Alfen modem password: a Zaptec or an ABB does not need it.
        let profile = try fixtureLoader().load("Fixtures/profiles/security-profile-2.json")
        #expect(resolveIssues(profile, for: zaptecPro).isEmpty)
        #expect(resolveIssues(profile, for: abbTerraAC).isEmpty)
        #expect(resolveIssues(profile, for: alfen16).map(\.description) == [
            "Fixtures/profiles/security-profile-2.json:20:50: models[0].ocpp16.BackOfficeModemPassword.secret.env: "
                + "environment variable VOLTNET_MODEM_PASSWORD is not set",
        ])
    }

    @Test func aRawOverrideSecretIsOnlyNeededForItsVersion() throws {
        let loader = memoryLoader([
            "/mem/p.json": """
                {
                  "name": "p",
                  "ocpp201": { "ModemCtrlr.ApnPassword": { "secret": { "file": "missing.txt" } } },
                  "models": [
                    { "vendor": "Alfen", "settings": { "authorizationKey": { "secret": { "file": "short.txt" } } } }
                  ]
                }
                """,
            "/mem/short.txt": "tooshort\n",
        ])
        let profile = try loader.load("p.json")
        #expect(resolveIssues(profile, for: abbTerraAC).isEmpty)
        #expect(resolveIssues(profile, for: alfen16).map(\.description) == [
            "p.json:5:40: models[0].settings.authorizationKey: the secret from short.txt has 8 characters; authorizationKey needs 16 to 40",
        ])
        #expect(resolveIssues(profile, for: zaptecPro).map(\.description) == [
            "p.json:3:56: ocpp201[\"ModemCtrlr.ApnPassword\"].secret.file: cannot read the secret file missing.txt: No such file or directory",
        ])
    }

    @Test func errorsNeverRepeatASecret() throws {
        let inline = loadIssues("Fixtures/profiles/invalid/inline-secret.json")
        #expect(inline.count == 2)
        #expect(!inline.map(\.description).joined().contains("0123456789abcdef0123"))
        let loader = memoryLoader(["/mem/p.json": #"{"name": "p", "settings": {"authorizationKey": {"secret": {"env": "K"}}}}"#],
                                  environment: ["K": "tooshort"])
        let short = loadIssues("p.json", with: loader).map(\.description).joined()
        #expect(short == "p.json:1:28: settings.authorizationKey: the secret from environment variable K has 8 characters; authorizationKey needs 16 to 40")
        #expect(!short.contains("tooshort"))
    }

    @Test func aChargerAnsweringWithASecretIsStillShownAsSecret() throws {
        let resolved = try secureProfile().resolve(for: alfen16)
        // A backend must answer null for write-only keys; a careless one might not.
        let current = Configuration(ocppVersion: .v16, items: [item16("AuthorizationKey", "leaked-by-the-backend")])
        let plan = ConfigurationPlan(profile: resolved, current: current)
        let row = try #require(plan.rows.first { $0.key == "AuthorizationKey" })
        #expect(row.current == "(secret)")
        #expect(row.action == .writeOnly)
        let report = plan.verify(results: [], reread: current)
        #expect(report.outcomes.first { $0.key == "AuthorizationKey" }?.current == nil)
    }
}
