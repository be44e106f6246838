import BackendAPI
import JSON
import OCPP
import Testing
@testable import ChargeKit

/// Raising a 2.0.1 charger's security profile through a network profile, and the 1.6 key.
@Suite struct ProfileSecurityProfileTests {
    func resolved(_ charger: ChargerIdentity = zaptecPro, networkProfile: String = #"{"ocppCsmsUrl": "wss://ocpp.voltnet.example/ocpp"}"#)
        throws -> ResolvedProfile {
        try memoryLoader([
            "/mem/p.json": #"{"name": "p", "settings": {"heartbeatInterval": 300, "securityProfile": 2}, "networkProfile": \#(networkProfile)}"#,
        ]).load("p.json").resolve(for: charger)
    }

    func current(securityProfile: String = "1", priority: String? = "0") -> Configuration {
        var items = [item201("OCPPCommCtrlr.HeartbeatInterval", "300"), item201("SecurityCtrlr.SecurityProfile", securityProfile, .readOnly)]
        if let priority { items.append(item201("OCPPCommCtrlr.NetworkConfigurationPriority", priority)) }
        return Configuration(ocppVersion: .v201, items: items)
    }

    @Test func plansSetNetworkProfilePriorityAndReset() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: current())
        let row = try #require(plan.rows.last)
        #expect(row.key == "SecurityCtrlr.SecurityProfile")
        #expect(row.action == .set)
        #expect(row.current == "1")
        #expect(row.note == "via SetNetworkProfile (slot 1), NetworkConfigurationPriority 1,0 and a reset")
        // Not a configuration change: the variable is read-only.
        #expect(plan.changes.isEmpty)
        let change = try #require(plan.securityProfileChange)
        #expect(change.current == 1)
        #expect(change.desired == 2)
        #expect(change.configurationSlot == 1)
        #expect(change.priorityBefore == [0])
        #expect(change.priorityAfter == [1, 0])
        #expect(change.steps.map(\.kind) == [.setNetworkProfile, .setNetworkConfigurationPriority, .reset])
        #expect(change.steps.map(\.command.action) == ["SetNetworkProfile", "SetVariables", "Reset"])
        #expect(change.steps.map { JSONValue.object($0.command.payload).jsonText } == [
            #"{"configurationSlot":1,"connectionData":{"messageTimeout":30,"ocppCsmsUrl":"wss://ocpp.voltnet.example/ocpp","#
                + #""ocppInterface":"Wired0","ocppTransport":"JSON","ocppVersion":"OCPP20","securityProfile":2}}"#,
            #"{"setVariableData":[{"attributeType":"Actual","attributeValue":"1,0","component":{"name":"OCPPCommCtrlr"},"#
                + #""variable":{"name":"NetworkConfigurationPriority"}}]}"#,
            #"{"type":"OnIdle"}"#,
        ])
    }

    @Test func thePayloadsAreTheOCPPSchemasShapes() throws {
        let change = try #require(ConfigurationPlan(profile: try resolved(), current: current()).securityProfileChange)
        let decoder = JSONValueDecoder()
        let network = try decoder.decode(V201.SetNetworkProfileRequest.self, from: .object(change.steps[0].command.payload))
        #expect(network == V201.SetNetworkProfileRequest(configurationSlot: 1, connectionData: V201.NetworkConnectionProfile(
            ocppVersion: .ocpp20, ocppTransport: .json, ocppCsmsUrl: "wss://ocpp.voltnet.example/ocpp", messageTimeout: 30,
            securityProfile: 2, ocppInterface: .wired0)))
        let priority = try decoder.decode(V201.SetVariablesRequest.self, from: .object(change.steps[1].command.payload))
        #expect(priority.setVariableData == [V201.SetVariableData(
            component: V201.Component(name: "OCPPCommCtrlr"), variable: V201.Variable(name: "NetworkConfigurationPriority"),
            attributeValue: "1,0", attributeType: .actual)])
        let reset = try decoder.decode(V201.ResetRequest.self, from: .object(change.steps[2].command.payload))
        #expect(reset == V201.ResetRequest(type: .onIdle))
        #expect(change.steps.allSatisfy { CommandAction.ocpp201.contains($0.command.action) })
    }

    @Test func theLowestFreeSlotUnlessTheProfilePinsOne() throws {
        let free = try #require(ConfigurationPlan(profile: try resolved(), current: current(priority: "0, 1,2")).securityProfileChange)
        #expect(free.configurationSlot == 3)
        #expect(free.priorityAfter == [3, 0, 1, 2])
        let gap = try #require(ConfigurationPlan(profile: try resolved(), current: current(priority: "1")).securityProfileChange)
        #expect(gap.configurationSlot == 0)
        #expect(gap.priorityAfter == [0, 1])
        let pinned = try resolved(networkProfile: #"{"ocppCsmsUrl": "wss://x/ocpp", "configurationSlot": 2, "ocppInterface": "Wireless0", "messageTimeout": 60}"#)
        let change = try #require(ConfigurationPlan(profile: pinned, current: current(priority: "0,2")).securityProfileChange)
        #expect(change.configurationSlot == 2)
        #expect(change.priorityAfter == [2, 0])
        #expect(change.steps[0].command.payload["connectionData"]?["ocppInterface"] == "Wireless0")
        #expect(change.steps[0].command.payload["connectionData"]?["messageTimeout"] == 60)
    }

    @Test func refusesWhatCouldCutTheChargerOff() throws {
        let unread = ConfigurationPlan(profile: try resolved(), current: current(priority: nil))
        #expect(unread.securityProfileChange == nil)
        #expect(unread.rows.last?.action == .readOnlyMismatch)
        #expect(unread.rows.last?.note
            == "cannot change: OCPPCommCtrlr.NetworkConfigurationPriority could not be read, so no free slot is known")
        let garbled = ConfigurationPlan(profile: try resolved(), current: current(priority: "0,primary"))
        #expect(garbled.securityProfileChange == nil)
        let active = ConfigurationPlan(profile: try resolved(networkProfile: #"{"ocppCsmsUrl": "wss://x/ocpp", "configurationSlot": 0}"#),
                                       current: current(priority: "0,1"))
        #expect(active.securityProfileChange == nil)
        #expect(active.rows.last?.note == "cannot change: networkProfile.configurationSlot 0 is the slot the charger is connected through")
    }

    @Test func nothingToDoWhenTheChargerAlreadyRunsTheProfile() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: current(securityProfile: "2"))
        #expect(plan.rows.last?.action == .ok)
        #expect(plan.securityProfileChange == nil)
        #expect(plan.isUpToDate)
    }

    @Test func judgesEachAnswer() throws {
        let steps = try #require(ConfigurationPlan(profile: try resolved(), current: current()).securityProfileChange).steps
        #expect(steps[0].evaluate(["status": "Accepted"]) == .init(status: "Accepted", succeeded: true))
        #expect(steps[0].evaluate(["status": "Rejected", "statusInfo": ["reasonCode": "NoSecurityDowngrade"]])
            == .init(status: "Rejected", reason: "NoSecurityDowngrade", succeeded: false))
        #expect(steps[1].evaluate(["setVariableResult": [["attributeStatus": "RebootRequired", "component": ["name": "OCPPCommCtrlr"],
                                                          "variable": ["name": "NetworkConfigurationPriority"]]]]).succeeded)
        #expect(steps[1].evaluate(["setVariableResult": [["attributeStatus": "Rejected", "attributeStatusInfo": ["reasonCode": "InvalidValue"]]]])
            == .init(status: "Rejected", reason: "InvalidValue", succeeded: false))
        #expect(!steps[1].evaluate([:]).succeeded)
        #expect(steps[2].evaluate(["status": "Scheduled"]) == .init(status: "Scheduled", succeeded: true, waitsForIdle: true))
        #expect(!steps[2].evaluate(["status": "Rejected"]).succeeded)
    }

    @Test func verifiedByReadingTheProfileBackAfterTheReboot() throws {
        let plan = ConfigurationPlan(profile: try resolved(), current: current())
        let before = plan.verify(results: [], reread: current())
        #expect(before.outcomes.last?.result == .rebootPending)
        #expect(before.needsReset)
        let upgraded = plan.verify(results: [], reread: current(securityProfile: "2", priority: "1,0"), afterReboot: true)
        #expect(upgraded.outcomes.last?.result == .verified)
        #expect(upgraded.succeeded)
        // The new connection failed and the charger fell back to the old slot.
        let fellBack = plan.verify(results: [], reread: current(securityProfile: "1", priority: "1,0"), afterReboot: true)
        #expect(fellBack.outcomes.last?.result == .notVerified)
        #expect(fellBack.outcomes.last?.current == "1")
    }

    @Test func onOCPP16TheSecurityProfileIsAKey() throws {
        let resolved16 = try resolved(alfen16)
        let plan = ConfigurationPlan(profile: resolved16, current: Configuration(ocppVersion: .v16, items: [
            item16("HeartbeatInterval", "300"), item16("SecurityProfile", "1"),
        ]))
        #expect(plan.securityProfileChange == nil)
        #expect(plan.changes.map(\.description) == ["SecurityProfile=2"])
        #expect(resolved16.keysToRead == ["HeartbeatInterval", "SecurityProfile"])
    }
}
