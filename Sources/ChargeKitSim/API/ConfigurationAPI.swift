import BackendAPI
import Foundation
import HTTPServerKit
import OCPP

/// `getConfiguration` and `changeConfiguration`, live from the charger through the CSMS.
struct ConfigurationAPI {
    let services: SimServices

    /// 1.6 keys that are secrets: never answered with a value, and a charger that hides them
    /// (as write-only) still has them.
    static let secret16: Set<String> = ["AuthorizationKey"]

    func get(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("chargerId")
        _ = try services.fleet.reachable(id, by: request.user)
        let keys = request.strings(QueryName.key)
        guard keys.count <= 500 else { throw APIError.badRequest(field: QueryName.key, "at most 500 keys") }
        for key in keys where !(1...256).contains(Check.length(key)) {
            throw APIError.badRequest(field: QueryName.key, "a key is 1 to 256 characters long")
        }
        let version = try await connectedVersion(id)
        let reading: ConfigurationReading
        do {
            reading = try await services.csms.getConfiguration(id, keys: keys)
        } catch {
            throw APIError.from(error, chargerId: id, action: version == .v16 ? "GetConfiguration" : "GetVariables")
        }
        return Reply.json(configuration(reading, version: version))
    }

    func configuration(_ reading: ConfigurationReading, version: OCPP.OCPPVersion) -> Configuration {
        var items: [ConfigurationItem] = []
        var unknown: [String] = []
        for value in reading.values {
            if version == .v16 {
                let secret = Self.secret16.contains(value.key)
                items.append(ConfigurationItem(key: value.key, value: secret ? nil : value.value, readonly: value.readonly ?? false))
                continue
            }
            let parsed = V201.VariableKey(parsing: value.key)
            let standard = parsed.flatMap {
                V201.standardMutability[V201.VariableKey(component: $0.component, variable: $0.variable,
                                                         componentInstance: $0.componentInstance,
                                                         variableInstance: $0.variableInstance).description]
            }
            let writeOnly = standard == .writeOnly || value.status == "Rejected"
            let mutability: Mutability? = writeOnly ? .writeOnly : standard.map { Mutability(rawValue: $0.rawValue) }
            items.append(ConfigurationItem(
                key: value.key, value: writeOnly ? nil : value.value, readonly: mutability == .readOnly,
                component: parsed?.component, componentInstance: parsed?.componentInstance, variable: parsed?.variable,
                variableInstance: parsed?.variableInstance, evseId: parsed?.evseId, connectorId: parsed?.connectorId,
                mutability: mutability))
        }
        for key in reading.unknownKeys {
            if version == .v16, Self.secret16.contains(key) {
                items.append(ConfigurationItem(key: key, value: nil, readonly: false))
            } else {
                unknown.append(key)
            }
        }
        return Configuration(ocppVersion: BackendAPI.OCPPVersion(version), items: items, unknownKeys: unknown)
    }

    func change(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("chargerId")
        _ = try services.fleet.reachable(id, by: request.user)
        let body = try request.decode(ConfigurationChangeRequest.self)
        guard (1...ConfigurationChangeRequest.maxChanges).contains(body.changes.count) else {
            throw APIError.validation(field: "/changes", "1 to 500 changes")
        }
        var seen: Set<String> = []
        let version = services.fleet.specs[id]?.version
        for (n, change) in body.changes.enumerated() {
            if !(1...256).contains(Check.length(change.key)) {
                throw APIError.validation(field: "/changes/\(n)/key", "a key is 1 to 256 characters long")
            }
            if Check.length(change.value) > 1000 { throw APIError.validation(field: "/changes/\(n)/value", "longer than 1000 characters") }
            if !seen.insert(change.key.lowercased()).inserted {
                throw APIError.validation(field: "/changes/\(n)/key", "duplicate key \(change.key)")
            }
            if version == .v201, V201.VariableKey(parsing: change.key) == nil {
                throw APIError.validation(field: "/changes/\(n)/key", "not a 2.0.1 key (Component.Variable[instance]@evse:connector)")
            }
        }
        let connected = try await connectedVersion(id)
        let action = connected == .v16 ? "ChangeConfiguration" : "SetVariables"
        let outcomes: [ChargeKitSim.ConfigurationChangeResult]
        do {
            outcomes = try await services.csms.changeConfiguration(id, body.changes.map { ConfigurationChange(key: $0.key, value: $0.value) })
        } catch {
            throw APIError.from(error, chargerId: id, action: action)
        }
        var results: [BackendAPI.ConfigurationChangeResult] = []
        for outcome in outcomes {
            switch outcome.outcome {
            case .success(let status):
                results.append(BackendAPI.ConfigurationChangeResult(key: outcome.key,
                                                                    status: BackendAPI.ConfigurationChangeStatus(rawValue: status.rawValue)))
            case .failure(let error):
                // The charger went away or stopped answering part-way: the answers so far.
                var problem = APIError.from(error, chargerId: id, action: "\(action) \(outcome.key)")
                problem.problem.results = results
                throw problem
            }
        }
        return Reply.json(ConfigurationChangeResponse(results: results))
    }

    /// The OCPP version of a connected charger; 409 charger-offline otherwise.
    func connectedVersion(_ id: String) async throws -> OCPP.OCPPVersion {
        guard let view = await services.csms.charger(id), view.connected, let version = view.ocppVersion, view.lastBoot != nil else {
            throw APIError.chargerOffline(id)
        }
        return version
    }
}
