import Testing
@testable import ChargeKit

/// Every way a profile can be wrong, with the exact message: file, line, column, field,
/// what is wrong and, for names, the closest right one. One fixture per kind of error.
@Suite struct ProfileErrorTests {
    static let invalid = "Fixtures/profiles/invalid/"

    struct Case: Sendable, CustomTestStringConvertible {
        let file: String
        let kinds: [ProfileIssue.Kind]
        let messages: [String]
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "syntax.json", kinds: [.syntax], messages: [
            "syntax.json:5:3: invalid JSON: unexpected character '}', expected a string key",
        ]),
        Case(file: "not-an-object.json", kinds: [.wrongType], messages: [
            "not-an-object.json:1:1: a profile is a JSON object, not an array",
        ]),
        Case(file: "missing-name.json", kinds: [.missingField], messages: [
            "missing-name.json:1:1: name: missing; every profile needs a name",
        ]),
        Case(file: "unknown-field.json", kinds: [.unknownField], messages: [
            "unknown-field.json:3:3: setings: unknown field; did you mean \"settings\"?",
        ]),
        Case(file: "unknown-setting.json", kinds: [.unknownSetting, .unknownSetting, .unknownSetting], messages: [
            "unknown-setting.json:4:5: settings.heartbeatIntervall: unknown setting; did you mean \"heartbeatInterval\"?",
            "unknown-setting.json:5:5: settings.ConnectionTimeOut: unknown setting; did you mean \"connectionTimeout\"?",
            "unknown-setting.json:6:5: settings.chargingRateUnit: unknown setting",
        ]),
        Case(file: "wrong-type.json", kinds: [.wrongType, .wrongType, .wrongType, .wrongType, .wrongType], messages: [
            "wrong-type.json:3:3: version: must be a string, not a number; write \"3\" in quotes",
            "wrong-type.json:5:5: settings.heartbeatInterval: must be an integer, not a string; write 300 without quotes",
            "wrong-type.json:6:5: settings.localPreAuthorize: must be true or false, not a string; write true without quotes",
            "wrong-type.json:7:5: settings.meterValuesSampledData: must be an array of measurands such as "
                + "[\"Energy.Active.Import.Register\", \"Voltage\"], not a string",
            "wrong-type.json:8:5: settings.connectionTimeout: must be a whole number, not 90.5",
        ]),
        Case(file: "out-of-range.json", kinds: [.outOfRange, .outOfRange, .outOfRange], messages: [
            "out-of-range.json:4:5: settings.heartbeatInterval: 5 is below the minimum 10",
            "out-of-range.json:5:5: settings.transactionMessageAttempts: 11 is above the maximum 10",
            "out-of-range.json:6:5: settings.cpoName: is 56 characters long; at most 50 are allowed",
        ]),
        Case(file: "bad-measurand.json", kinds: [.invalidValue, .invalidValue, .invalidValue], messages: [
            "bad-measurand.json:4:32: settings.meterValuesSampledData[0]: \"Energy.Active.Import\" is not an OCPP measurand; "
                + "did you mean \"Energy.Active.Import.Register\"?",
            "bad-measurand.json:4:67: settings.meterValuesSampledData[2]: \"Voltage\" is listed twice",
            "bad-measurand.json:4:78: settings.meterValuesSampledData[3]: \"Power.Active.Imprt\" is not an OCPP measurand; "
                + "did you mean \"Power.Active.Import\"?",
        ]),
        Case(file: "inline-secret.json", kinds: [.inlineSecret, .inlineSecret], messages: [
            "inline-secret.json:4:5: settings.authorizationKey: a secret must not be written into the profile; reference it as "
                + "{\"secret\": {\"file\": \"PATH\"}} (relative to this profile) or {\"secret\": {\"env\": \"NAME\"}}",
            "inline-secret.json:7:5: ocpp201[\"SecurityCtrlr.BasicAuthPassword\"]: a secret must not be written into the profile; "
                + "reference it as {\"secret\": {\"file\": \"PATH\"}} (relative to this profile) or {\"secret\": {\"env\": \"NAME\"}}",
        ]),
        Case(file: "unreadable-secret.json", kinds: [.unreadableSecret], messages: [
            "unreadable-secret.json:4:39: settings.authorizationKey.secret.file: cannot read the secret file "
                + "Fixtures/profiles/secrets/missing.txt: No such file or directory",
        ]),
        Case(file: "bad-extends.json", kinds: [.badExtends], messages: [
            "bad-extends.json:3:3: extends: cannot read Fixtures/profiles/does-not-exist.json: No such file or directory",
        ]),
        Case(file: "conflict.json", kinds: [.conflict, .conflict], messages: [
            "conflict.json:5:5: ocpp16.HeartbeatInterval: sets the same key as settings.heartbeatInterval "
                + "(Fixtures/profiles/cpo-base.json:6:5); use one of them",
            "conflict.json:8:5: ocpp201[\"ocppcommctrlr.heartbeatinterval\"]: sets the same key as settings.heartbeatInterval "
                + "(Fixtures/profiles/cpo-base.json:6:5); use one of them",
        ]),
        Case(file: "bad-key.json", kinds: [.invalidKey, .invalidKey, .invalidKey], messages: [
            "bad-key.json:4:5: ocpp16[\"Meter Value Sample Interval\"]: not a 1.6 configuration key (1 to 50 characters, no spaces or commas)",
            "bad-key.json:7:5: ocpp201.HeartbeatInterval: not a 2.0.1 variable; write Component[instance].Variable[instance]@evse:connector, "
                + "e.g. OCPPCommCtrlr.OfflineThreshold or EVSE.AvailabilityState@1",
            "bad-key.json:8:5: ocpp201[\"OCPPCommCtrlr.MessageAttempts[TransactionEvent\"]: not a 2.0.1 variable; write "
                + "Component[instance].Variable[instance]@evse:connector, e.g. OCPPCommCtrlr.OfflineThreshold or EVSE.AvailabilityState@1",
        ]),
        Case(file: "bad-model-section.json", kinds: [.missingField, .unknownField, .invalidValue], messages: [
            "bad-model-section.json:4:5: models[0]: needs \"vendor\", \"model\" or \"ocppVersion\" to say which chargers it is for",
            "bad-model-section.json:5:7: models[0].firmware: unknown field",
            "bad-model-section.json:12:7: models[1].ocppVersion: \"2.1\" is not an OCPP version chargekit knows; write \"1.6\" or \"2.0.1\"",
        ]),
    ]

    @Test(arguments: cases)
    func reportsEveryIssueWithItsLocation(_ testCase: Case) {
        let issues = loadIssues(Self.invalid + testCase.file)
        #expect(issues.map(\.description) == testCase.messages.map { "Fixtures/profiles/invalid/" + $0 })
        #expect(issues.map(\.kind) == testCase.kinds)
    }

    @Test func theErrorListsEveryIssueOnALineOfItsOwn() throws {
        let error = try #require(throws: ProfileError.self) { try fixtureLoader().load(Self.invalid + "out-of-range.json") }
        #expect(error.description.split(separator: "\n").count == 3)
        #expect(error.description.hasPrefix("Fixtures/profiles/invalid/out-of-range.json:4:5: settings.heartbeatInterval: "))
    }

    @Test func anUnknownSettingCarriesItsSuggestionAsData() {
        let issues = loadIssues(Self.invalid + "unknown-setting.json")
        #expect(issues.map(\.suggestion) == ["heartbeatInterval", "connectionTimeout", nil])
        #expect(issues.first?.field == "settings.heartbeatIntervall")
        #expect(issues.first?.file == "Fixtures/profiles/invalid/unknown-setting.json")
    }

    @Test func aMissingProfileIsUnreadableNotABadExtends() {
        let issues = loadIssues(Self.invalid + "nope.json")
        #expect(issues.map(\.description) == ["Fixtures/profiles/invalid/nope.json: cannot read the profile: No such file or directory"])
        #expect(issues.map(\.kind) == [.unreadableFile])
    }

    @Test func theOCPP201KeyOfASettingSuggestsTheSetting() {
        #expect(SettingsCatalogue.suggestion(for: "OCPPCommCtrlr.HeartbeatInterval") == "heartbeatInterval")
        #expect(SettingsCatalogue.suggestion(for: "AuthCtrlr.AuthorizeRemoteStart") == "authorizeRemoteTxRequests")
        #expect(SettingsCatalogue.suggestion(for: "meterValueSampleIntervall") == "meterValueSampleInterval")
        #expect(SettingsCatalogue.suggestion(for: "colour") == nil)
    }

    @Test func secretReferencesMustHaveOneSourceAndAValidName() {
        let loader = memoryLoader(["/mem/p.json": """
            {
              "name": "refs",
              "settings": {
                "authorizationKey": { "secret": { "file": "a.txt", "env": "A" } }
              },
              "ocpp16": {
                "ModemPassword": { "secret": { } },
                "ApnPassword": { "secret": { "env": "2FAST" } },
                "SimPin": { "secret": { "path": "x" } },
                "Other": { "secrets": { "env": "A" } },
                "Flag": { "value": true }
              }
            }
            """])
        #expect(loadIssues("p.json", with: loader).map(\.description) == [
            "p.json:4:27: settings.authorizationKey.secret: give \"file\" or \"env\", not both",
            "p.json:7:24: ocpp16.ModemPassword.secret: needs \"file\" or \"env\"",
            "p.json:8:34: ocpp16.ApnPassword.secret.env: \"2FAST\" is not an environment variable name (letters, digits and _, not starting with a digit)",
            "p.json:9:17: ocpp16.SimPin.secret: needs \"file\" or \"env\"",
            "p.json:9:29: ocpp16.SimPin.secret.path: unknown field",
            "p.json:10:16: ocpp16.Other.secrets: unknown field; did you mean \"secret\"?",
            "p.json:11:5: ocpp16.Flag: must be a secret reference {\"secret\": {\"file\": \"PATH\"}} or {\"secret\": {\"env\": \"NAME\"}}, not an object",
        ])
    }
}
