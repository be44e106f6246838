import BackendAPI
import OCPP
import Testing
@testable import ChargeKit

/// Resolving a profile for a charger: model sections, the keys of each OCPP version, and
/// what only the version can tell.
@Suite struct ProfileResolutionTests {
    func site() throws -> Profile { try fixtureLoader().load("Fixtures/profiles/site-amsterdam.json") }

    func pairs(_ resolved: ResolvedProfile) -> [String] {
        resolved.values.map { "\($0.key)=\($0.value)" }
    }

    @Test func mapsSettingsToOCPP16Keys() throws {
        let resolved = try site().resolve(for: alfen16)
        #expect(pairs(resolved) == [
            "HeartbeatInterval=300",
            "MeterValueSampleInterval=60",
            "MeterValuesSampledData=Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage",
            "StopTxnSampledData=Energy.Active.Import.Register",
            "ClockAlignedDataInterval=300",
            "MeterValuesAlignedData=Energy.Active.Import.Register",
            "ConnectionTimeOut=120",
            "AuthorizeRemoteTxRequests=true",
            "LocalAuthorizeOffline=true",
            "LocalPreAuthorize=true",
            "AllowOfflineTxForUnknownId=true",
            "AuthorizationCacheEnabled=true",
            "LocalAuthListEnabled=true",
            "StopTransactionOnInvalidId=true",
            "WebSocketPingInterval=60",
            "TransactionMessageAttempts=3",
            "TransactionMessageRetryInterval=60",
            "CpoName=VoltNet B.V.",
            "UnlockConnectorOnEVSideDisconnect=true",
            "ResetRetries=2",
        ])
        #expect(resolved.name == "voltnet-amsterdam")
        #expect(resolved.modelSections.map(\.description) == ["Fixtures/profiles/site-amsterdam.json:15:5"])
        let offline = try #require(resolved.value(forKey: "allowofflinetxforunknownid"))
        #expect(offline.setting == "allowOfflineTxForUnknownId")
        #expect(offline.origin.field == "models[0].settings.allowOfflineTxForUnknownId")
        #expect(offline.comparison == .boolean)
        let raw = try #require(resolved.value(forKey: "ResetRetries"))
        #expect(raw.setting == nil)
        #expect(raw.comparison == .text)
        #expect(raw.origin.description == "Fixtures/profiles/site-amsterdam.json:12:5")
        #expect(resolved.keysToRead == resolved.values.map(\.key))
    }

    @Test func mapsSettingsToOCPP201Variables() throws {
        let resolved = try site().resolve(for: zaptecPro)
        #expect(pairs(resolved) == [
            "OCPPCommCtrlr.HeartbeatInterval=300",
            "SampledDataCtrlr.TxUpdatedInterval=60",
            "SampledDataCtrlr.TxUpdatedMeasurands=Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage",
            "SampledDataCtrlr.TxEndedMeasurands=Energy.Active.Import.Register",
            "AlignedDataCtrlr.Interval=300",
            "AlignedDataCtrlr.Measurands=Energy.Active.Import.Register",
            "TxCtrlr.EVConnectionTimeOut=120",
            "AuthCtrlr.AuthorizeRemoteStart=true",
            "AuthCtrlr.LocalAuthorizeOffline=true",
            "AuthCtrlr.LocalPreAuthorize=true",
            "AuthCtrlr.OfflineTxForUnknownIdEnabled=false",
            "AuthCacheCtrlr.Enabled=true",
            "LocalAuthListCtrlr.Enabled=true",
            "TxCtrlr.StopTxOnInvalidId=true",
            "OCPPCommCtrlr.WebSocketPingInterval=60",
            "OCPPCommCtrlr.MessageAttempts[TransactionEvent]=3",
            "OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]=60",
            "SecurityCtrlr.OrganizationName=VoltNet B.V.",
            "TxCtrlr.TxStartPoint=PowerPathClosed",
            "TxCtrlr.TxStopPoint=EVConnected,Authorized",
            "OCPPCommCtrlr.OfflineThreshold=300",
        ])
        #expect(resolved.modelSections.isEmpty)
    }

    @Test func aNullInAModelSectionKeepsTheSettingAwayFromThoseModels() throws {
        let terraAC = try site().resolve(for: abbTerraAC)
        #expect(terraAC.value(forKey: "AuthorizeRemoteTxRequests") == nil)
        #expect(terraAC.modelSections.map(\.field) == ["models[0]"])
        let kempowerResolved = try site().resolve(for: kempower)
        #expect(kempowerResolved.value(forKey: "AuthCtrlr.AuthorizeRemoteStart") == nil)
    }

    @Test func aModelSectionReplacesAListWhole() throws {
        let resolved = try site().resolve(for: abbTerra54)
        #expect(resolved.value(forKey: "MeterValuesSampledData")?.value
            == .text("Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"))
        // Terra 54 is not a Terra AC: its AuthorizeRemoteTxRequests stays.
        #expect(resolved.value(forKey: "AuthorizeRemoteTxRequests")?.value == .text("true"))
    }

    @Test func aChargerWithoutAVendorMatchesNoVendorPattern() throws {
        let resolved = try site().resolve(for: ChargerIdentity(vendor: nil, model: "Eve Single S-line", ocppVersion: .v16))
        #expect(resolved.modelSections.isEmpty)
        #expect(resolved.value(forKey: "AllowOfflineTxForUnknownId")?.value == .text("false"))
    }

    @Test(arguments: [
        ("Eve*", "Eve Single S-line", true), ("eve*", "EVE DOUBLE PRO-LINE", true), ("*line", "Eve Single S-line", true),
        ("Terra AC*", "Terra 54", false), ("Pro", "Pro", true), ("Pro", "Pro 2", false), ("Go?", "Go2", true),
        ("Go?", "Go", false), ("*", "", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
    ])
    func globsMatchVendorsAndModels(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(Glob.matches(pattern, name) == expected)
    }

    @Test func sectionsCanMatchOnTheOCPPVersion() throws {
        let loader = memoryLoader(["/mem/p.json": """
            {"name": "p",
             "settings": {"meterValuesSampledData": ["Energy.Active.Import.Register", "Temperature"], "securityProfile": 0},
             "models": [{"ocppVersion": "2.0.1",
                         "settings": {"meterValuesSampledData": ["Energy.Active.Import.Register"], "securityProfile": null}}]}
            """])
        let profile = try loader.load("p.json")
        #expect(pairs(try profile.resolve(for: alfen16)) == ["MeterValuesSampledData=Energy.Active.Import.Register,Temperature", "SecurityProfile=0"])
        #expect(pairs(try profile.resolve(for: zaptecPro)) == ["SampledDataCtrlr.TxUpdatedMeasurands=Energy.Active.Import.Register"])
    }

    @Test func whatOnlyTheVersionCanTellFailsResolution() throws {
        let profile = try fixtureLoader().load("Fixtures/profiles/invalid/not-for-201.json")
        #expect(resolveIssues(profile, for: alfen16).isEmpty)
        let issues = resolveIssues(profile, for: zaptecPro)
        #expect(issues.map(\.description) == [
            "Fixtures/profiles/invalid/not-for-201.json:5:5: settings.meterValuesSampledData: \"Temperature\" is not a measurand in OCPP 2.0.1; "
                + "leave it out for these chargers in a model section (\"ocppVersion\": \"2.0.1\")",
            "Fixtures/profiles/invalid/not-for-201.json:6:5: settings.securityProfile: 0 is below the minimum 1 in OCPP 2.0.1; "
                + "set another value for these chargers in a model section (\"ocppVersion\": \"2.0.1\")",
            "Fixtures/profiles/invalid/not-for-201.json:6:5: settings.securityProfile: OCPP 2.0.1 changes the security profile "
                + "with SetNetworkProfile; add \"networkProfile\" with the \"ocppCsmsUrl\" to connect to",
        ])
        #expect(issues.map(\.kind) == [.notForCharger, .notForCharger, .missingField])
    }

    @Test func securityProfileTwoNeedsTLS() throws {
        let loader = memoryLoader(["/mem/p.json": """
            {"name": "p", "settings": {"securityProfile": 2},
             "networkProfile": {"ocppCsmsUrl": "ws://csms.example/ocpp"}}
            """])
        let profile = try loader.load("p.json")
        #expect(resolveIssues(profile, for: alfen16).isEmpty)
        #expect(resolveIssues(profile, for: zaptecPro).map(\.description)
            == ["p.json:2:21: networkProfile.ocppCsmsUrl: security profile 2 needs TLS: the URL must start with wss://"])
    }

    @Test func twoMatchingSectionsMayNotSetOneKeyTwice() throws {
        let loader = memoryLoader(["/mem/p.json": """
            {"name": "p",
             "models": [{"vendor": "Alfen", "settings": {"heartbeatInterval": 600}},
                        {"model": "Eve*", "ocpp16": {"HeartbeatInterval": "900"}}]}
            """])
        let profile = try loader.load("p.json")
        #expect(resolveIssues(profile, for: abbTerraAC).isEmpty)
        #expect(resolveIssues(profile, for: alfen16).map(\.description) == [
            "p.json:3:42: models[1].ocpp16.HeartbeatInterval: sets the same key as models[0].settings.heartbeatInterval (p.json:2:46) "
                + "for this charger; use one of them",
        ])
    }

    @Test func anUnknownOCPPVersionCannotBeResolved() throws {
        let profile = try site()
        let issues = resolveIssues(profile, for: ChargerIdentity(vendor: "X", model: "Y", ocppVersion: .unknown("2.1")))
        #expect(issues.map(\.description)
            == ["Fixtures/profiles/site-amsterdam.json: OCPP version 2.1 is not supported; profiles map to 1.6 and 2.0.1"])
    }

    @Test func theSecurityProfileGoesLastAfterTheAuthorizationKey() throws {
        let resolved = try fixtureLoader(environment: ["VOLTNET_MODEM_PASSWORD": "x"]).load("Fixtures/profiles/security-profile-2.json")
            .resolve(for: alfen16)
        #expect(resolved.values.suffix(3).map(\.key) == ["ResetRetries", "BackOfficeModemPassword", "SecurityProfile"])
        let keyIndex = try #require(resolved.values.firstIndex { $0.key == "AuthorizationKey" })
        #expect(keyIndex < resolved.values.count - 1)
        #expect(resolved.values.first { $0.key == "BackOfficeModemPassword" }?.access == .writeOnly)
        // A 2.0.1 charger reads the priority list too, to pick a free network slot.
        let zaptec = try fixtureLoader().load("Fixtures/profiles/security-profile-2.json").resolve(for: zaptecPro)
        #expect(zaptec.keysToRead.suffix(2) == ["SecurityCtrlr.SecurityProfile", "OCPPCommCtrlr.NetworkConfigurationPriority"])
        #expect(zaptec.networkProfile?.ocppCsmsUrl == "wss://ocpp.voltnet.example/ocpp")
        #expect(zaptec.value(forKey: "SecurityCtrlr.BasicAuthPassword")?.access == .writeOnly)
    }

    @Test func theChargerIdentityComesFromTheBackendsCharger() {
        let charger = Charger(id: "CP-1", vendor: "Alfen", model: "Eve Single S-line", ocppVersion: .v16, connected: true,
                              siteId: "S", site: SiteRef(id: "S", name: "S"))
        #expect(ChargerIdentity(charger) == alfen16)
        #expect(ChargerIdentity(Charger(id: "CP-2", connected: false, siteId: "S", site: SiteRef(id: "S", name: "S"))) == nil)
    }
}

/// The catalogue against the standard as the OCPP module records it.
@Suite struct SettingsCatalogueTests {
    @Test func everySettingHasAKeyInBothVersions() {
        #expect(SettingsCatalogue.all.count == 20)
        #expect(Set(SettingsCatalogue.names).count == SettingsCatalogue.all.count)
        for definition in SettingsCatalogue.all {
            #expect(definition.ocpp16 != nil, "\(definition.name)")
            #expect(definition.ocpp201.flatMap { V201.VariableKey(parsing: $0.key) } != nil, "\(definition.name)")
        }
    }

    @Test func the201AccessFactsAgreeWithTheDeviceModel() {
        for definition in SettingsCatalogue.all {
            guard let key = definition.ocpp201, let standard = V201.standardMutability[key.key] else {
                Issue.record("\(definition.name): \(definition.ocpp201?.key ?? "-") is not in V201.standardMutability")
                continue
            }
            switch standard {
            case .readWrite: #expect(key.access == .readWrite || key.access == .readWriteOrReadOnly, "\(definition.name)")
            case .readOnly: #expect(key.access == .readOnlyViaNetworkProfile, "\(definition.name)")
            case .writeOnly: #expect(key.access == .writeOnly, "\(definition.name)")
            }
        }
    }

    @Test func measurandsAreTheStandardsOfEachVersion() {
        #expect(SettingsCatalogue.measurands16.contains("Temperature"))
        #expect(SettingsCatalogue.measurands16.contains("RPM"))
        #expect(!SettingsCatalogue.measurands201.contains("Temperature"))
        #expect(SettingsCatalogue.measurands201.contains("Energy.Active.Net"))
        #expect(SettingsCatalogue.allMeasurands.count == Set(SettingsCatalogue.measurands16 + SettingsCatalogue.measurands201).count)
    }

    @Test func secretKeysAreTheSecretSettingsAndPasswords() {
        #expect(SettingsCatalogue.isSecretKey("authorizationkey", version: .v16))
        #expect(SettingsCatalogue.isSecretKey("SecurityCtrlr.BasicAuthPassword", version: .v201))
        #expect(SettingsCatalogue.isSecretKey("ApnPassword", version: .v16))
        #expect(!SettingsCatalogue.isSecretKey("HeartbeatInterval", version: .v16))
    }

    @Test func valuesAreWrittenAsOCPPCarriesThem() {
        #expect(SettingValue.boolean(true).configurationValue == .text("true"))
        #expect(SettingValue.boolean(false).configurationValue == .text("false"))
        #expect(SettingValue.integer(300).configurationValue == .text("300"))
        #expect(SettingValue.measurands(["Voltage", "SoC"]).configurationValue == .text("Voltage,SoC"))
        #expect(SettingValue.measurands([]).configurationValue == .text(""))
    }

    @Test(arguments: [
        (ValueComparison.boolean, "True", "true", true), (.boolean, " FALSE", "false", true), (.boolean, "1", "true", false),
        (.integer, "0300", "300", true), (.integer, " 60 ", "60", true), (.integer, "sixty", "60", false),
        (.unorderedList, "Voltage, Energy.Active.Import.Register", "Energy.Active.Import.Register,Voltage", true),
        (.unorderedList, "Voltage,Voltage", "Voltage", true), (.unorderedList, "Voltage", "Voltage,SoC", false),
        (.unorderedList, "", "", true), (.text, "VoltNet B.V.", "VoltNet B.V.", true), (.text, "voltnet b.v.", "VoltNet B.V.", false),
        (.text, "TRUE", "true", true),
    ])
    func comparesAsChargersReport(_ comparison: ValueComparison, _ current: String, _ desired: String, _ expected: Bool) {
        #expect(comparison.matches(current: current, desired: desired) == expected)
    }
}
