import BackendAPI
import ChargeKit
import Foundation
import JSON
import Testing
@testable import ChargeKitSim

/// Configuration read and apply, and the command relay, through the CSMS.
@Suite(.busySimulation) struct APIConfigurationTests {
    static let fleet = [spec("CP-16", abb), spec("CP-21", zaptec), spec("CP-OFF", alfen, faults: [.offline]),
                        spec("CP-REJ", alfen, faults: [.configRejected])]

    @Test func readsAndAppliesPerKeyWithoutEverShowingSecrets() async throws {
        try await SimAPI.run(Self.fleet) { api in
            #expect(await api.awaitOnline("CP-16"))
            #expect(await api.awaitOnline("CP-21"))
            let client = try api.client()
            let read = try await client.configuration("CP-16", keys: ["HeartbeatInterval", "AuthorizationKey", "NoSuchKey"])
            #expect(read.ocppVersion == .v16)
            #expect(read.items.map(\.key) == ["HeartbeatInterval", "AuthorizationKey"])
            #expect(read.items.first { $0.key == "AuthorizationKey" }?.value == nil)
            #expect(read.unknownKeys == ["NoSuchKey"])
            let secret = "0123456789abcdef0123"
            let applied = try await client.changeConfiguration("CP-16", [
                BackendAPI.ConfigurationChange(key: "HeartbeatInterval", value: "120"),
                BackendAPI.ConfigurationChange(key: "AuthorizationKey", value: secret),
                BackendAPI.ConfigurationChange(key: "NumberOfConnectors", value: "5"),
            ])
            #expect(applied.results.map(\.status) == [.accepted, .accepted, .rejected])
            #expect(applied.results.map(\.key) == ["HeartbeatInterval", "AuthorizationKey", "NumberOfConnectors"])
            let raw = try await api.raw("GET", "/v1/chargers/CP-16/configuration")
            #expect(raw.status == 200 && !raw.bodyString.contains(secret))
            #expect(try raw.decoded(Configuration.self).items.first { $0.key == "HeartbeatInterval" }?.value == "120")

            let v201 = try await client.configuration("CP-21", keys: ["OCPPCommCtrlr.HeartbeatInterval",
                                                                        "SecurityCtrlr.BasicAuthPassword",
                                                                        "DeviceDataCtrlr.ItemsPerMessage[GetVariables]", "Nope.Nothing"])
            #expect(v201.ocppVersion == .v201)
            let heartbeat = try #require(v201.items.first { $0.key == "OCPPCommCtrlr.HeartbeatInterval" })
            #expect(heartbeat.component == "OCPPCommCtrlr" && heartbeat.variable == "HeartbeatInterval")
            #expect(heartbeat.mutability == .readWrite && !heartbeat.readonly)
            let password = try #require(v201.items.first { $0.key == "SecurityCtrlr.BasicAuthPassword" })
            #expect(password.value == nil && password.mutability == .writeOnly)
            let items = try #require(v201.items.first { $0.key.hasPrefix("DeviceDataCtrlr") })
            #expect(items.readonly && items.variableInstance == "GetVariables")
            #expect(v201.unknownKeys == ["Nope.Nothing"])
            let set = try await client.changeConfiguration("CP-21", [
                BackendAPI.ConfigurationChange(key: "OCPPCommCtrlr.HeartbeatInterval", value: "90"),
                BackendAPI.ConfigurationChange(key: "SecurityCtrlr.SecurityProfile", value: "2"),
            ])
            #expect(set.results.map(\.status) == [.accepted, .rejected])
            let bad = try await api.rawJSON("POST", "/v1/chargers/CP-21/configuration",
                                            ConfigurationChangeRequest(changes: [.init(key: "HeartbeatInterval", value: "1")]))
            #expect(bad.status == 422 && bad.problem?.errors?.first?.field == "/changes/0/key")
            let duplicate = try await api.rawJSON("POST", "/v1/chargers/CP-16/configuration", ConfigurationChangeRequest(changes: [
                .init(key: "HeartbeatInterval", value: "1"), .init(key: "HeartbeatInterval", value: "2")]))
            #expect(duplicate.status == 422 && duplicate.problem?.errors?.first?.field == "/changes/1/key")
            let rejected = try await client.changeConfiguration("CP-REJ", [.init(key: "HeartbeatInterval", value: "60")])
            #expect(rejected.results.first?.status == .rejected)
        }
    }

    @Test func anOfflineChargerIs409AtOnce() async throws {
        try await SimAPI.run(Self.fleet) { api in
            let client = try api.client()
            for call in [{ _ = try await client.configuration("CP-OFF") },
                         { _ = try await client.changeConfiguration("CP-OFF", [.init(key: "HeartbeatInterval", value: "60")]) },
                         { _ = try await client.command("CP-OFF", action: "Reset", payload: ["type": "Soft"]) }] as [@Sendable () async throws -> Void] {
                let error = await problem(of: call)
                #expect(error?.status == 409 && error?.problem?.type == .chargerOffline && error?.problem?.chargerId == "CP-OFF")
            }
        }
    }

    @Test func theRelayAnswersTheChargersPayloadAndItsErrors() async throws {
        try await SimAPI.run(Self.fleet) { api in
            #expect(await api.awaitOnline("CP-16"))
            #expect(await api.awaitOnline("CP-21"))
            let client = try api.client()
            let trigger = try await client.command("CP-21", action: "TriggerMessage",
                                                   payload: ["requestedMessage": "StatusNotification", "evse": ["id": 1, "connectorId": 1]])
            #expect(trigger == CommandResponse(action: "TriggerMessage", response: ["status": "Accepted"]))
            // The other version's action, an unsupported one, a payload off its schema: 422 before sending.
            for (id, action, payload, field) in [("CP-16", "RequestStartTransaction", JSONObject(), "/action"),
                                                 ("CP-16", "GetDiagnostics", JSONObject(), "/action"),
                                                 ("CP-16", "Reset", ["type": "Sideways"] as JSONObject, "/payload"),
                                                 ("CP-21", "Reset", JSONObject(), "/payload")] {
                let error = await problem { _ = try await client.command(id, action: action, payload: payload) }
                #expect(error?.status == 422 && error?.problem?.errors?.first?.field == field, "\(action)")
            }
            // More GetVariables items than the Zaptec takes in one message: its CALLERROR, relayed.
            let five = (0..<5).map { _ in JSONValue.object(["component": ["name": "OCPPCommCtrlr"], "variable": ["name": "HeartbeatInterval"]]) }
            let error = await problem { _ = try await client.command("CP-21", action: "GetVariables", payload: ["getVariableData": .array(five)]) }
            #expect(error?.status == 502 && error?.problem?.type == .ocppCallError)
            #expect(error?.problem?.ocppErrorCode == "OccurrenceConstraintViolation" && error?.problem?.chargerId == "CP-21")
        }
    }

    @Test func aRepeatedRemoteStartWithTheSameKeyStartsOneTransaction() async throws {
        try await SimAPI.run(Self.fleet) { api in
            #expect(await api.awaitOnline("CP-16"))
            let body = CommandRequest(action: "RemoteStartTransaction", payload: ["connectorId": 1, "idTag": "QA-1"])
            let key = UUID().uuidString
            let cursor = api.backend.simulation.csms.eventLog.latestSeq
            let first = try await api.rawJSON("POST", "/v1/chargers/CP-16/commands", body, headers: [("Idempotency-Key", key)])
            #expect(first.status == 200 && first.headers["Idempotent-Replayed"] == nil)
            let again = try await api.rawJSON("POST", "/v1/chargers/CP-16/commands", body, headers: [("Idempotency-Key", key)])
            #expect(again.status == 200 && again.headers["Idempotent-Replayed"] == "true")
            #expect(again.body == first.body)
            let other = CommandRequest(action: "RemoteStartTransaction", payload: ["connectorId": 1, "idTag": "QA-2"])
            let reuse = try await api.rawJSON("POST", "/v1/chargers/CP-16/commands", other, headers: [("Idempotency-Key", key)])
            #expect(reuse.status == 422 && reuse.problem?.type == .idempotencyKeyReuse)
            // Another user's identical key is another request.
            let mine = try await api.rawJSON("POST", "/v1/chargers/CP-16/commands", body, token: "admin-token",
                                             headers: [("Idempotency-Key", key)])
            #expect(mine.headers["Idempotent-Replayed"] == nil)
            // Exactly one transaction started (the admin's second start was refused: the connector is busy).
            let started = await awaitEvent(api.backend.simulation, "CP-16", "StartTransaction", after: cursor)
            #expect(started != nil)
            await simSleep(api.backend.simulation, 30)
            let page = await api.backend.simulation.csms.events(after: cursor, chargers: ["CP-16"], types: ["StartTransaction"])
            #expect(page.events.count == 1)
        }
    }
}
