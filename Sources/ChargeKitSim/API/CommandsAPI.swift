import BackendAPI
import Foundation
import HTTPServerKit
import JSON
import OCPP

/// `sendCommand`: the generic OCPP relay. The payload is checked against the action's
/// request type of the charger's version before anything is sent; the answer is the
/// charger's CALLRESULT payload, unchanged. With an Idempotency-Key a repeat replays the
/// stored answer without sending again.
struct CommandsAPI {
    let services: SimServices

    func send(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("chargerId")
        let spec = try services.fleet.reachable(id, by: request.user)
        let key = try request.idempotencyKey()
        let command = try request.decode(CommandRequest.self)
        let version = BackendAPI.OCPPVersion(spec.version)
        guard !command.action.isEmpty, command.action.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw APIError.validation(field: "/action", "an OCPP action name (letters only)")
        }
        guard CommandAction.supported(by: version).contains(command.action) else {
            throw APIError.validation(field: "/action", "\(command.action) is not relayed to OCPP \(version.rawValue) chargers "
                                      + "(supported: \(CommandAction.supported(by: version).joined(separator: ", ")))")
        }
        if let problem = Self.validate(command.action, payload: .object(command.payload), version: spec.version) {
            throw APIError.validation(field: "/payload", problem)
        }
        return try await Idempotency(store: services.idempotency).run(request, key: key, replay: { outcome in
            guard case .answer(let status, let body) = outcome else { throw APIError.inFlight() }
            return Reply.raw(status: status, body: body, headers: [Reply.replayed])
        }, work: {
            let response: JSONValue
            do {
                response = try await services.csms.send(id, action: command.action, payload: .object(command.payload))
            } catch {
                throw APIError.from(error, chargerId: id, action: command.action)
            }
            let answer = CommandResponse(action: command.action, response: response.objectValue ?? [:])
            let body = try JSONCoding.write(answer)
            return (Reply.raw(status: 200, body: body, headers: []), .answer(status: 200, body: body))
        })
    }

    /// Why `payload` is not a valid `action` request of `version`; nil when it is.
    static func validate(_ action: String, payload: JSONValue, version: OCPP.OCPPVersion) -> String? {
        let decoder = JSONValueDecoder()
        func check<R: OCPPRequest>(_ type: R.Type) -> String? {
            do {
                _ = try decoder.decode(type, from: payload)
                return nil
            } catch let error as DecodingError {
                return "does not match the \(action) request schema: \(describe(error))"
            } catch {
                return "does not match the \(action) request schema: \(error)"
            }
        }
        switch (version, action) {
        case (.v16, "Reset"): return check(V16.ResetRequest.self)
        case (.v16, "TriggerMessage"): return check(V16.TriggerMessageRequest.self)
        case (.v16, "RemoteStartTransaction"): return check(V16.RemoteStartTransactionRequest.self)
        case (.v16, "RemoteStopTransaction"): return check(V16.RemoteStopTransactionRequest.self)
        case (.v16, "ChangeAvailability"): return check(V16.ChangeAvailabilityRequest.self)
        case (.v16, "UnlockConnector"): return check(V16.UnlockConnectorRequest.self)
        case (.v16, "GetConfiguration"): return check(V16.GetConfigurationRequest.self)
        case (.v16, "ChangeConfiguration"): return check(V16.ChangeConfigurationRequest.self)
        case (.v16, "UpdateFirmware"): return check(V16.UpdateFirmwareRequest.self)
        case (.v16, "SignedUpdateFirmware"): return check(V16.SignedUpdateFirmwareRequest.self)
        case (.v16, "ClearCache"): return check(V16.ClearCacheRequest.self)
        case (.v16, "DataTransfer"): return check(V16.DataTransferRequest.self)
        case (.v201, "Reset"): return check(V201.ResetRequest.self)
        case (.v201, "TriggerMessage"): return check(V201.TriggerMessageRequest.self)
        case (.v201, "RequestStartTransaction"): return check(V201.RequestStartTransactionRequest.self)
        case (.v201, "RequestStopTransaction"): return check(V201.RequestStopTransactionRequest.self)
        case (.v201, "ChangeAvailability"): return check(V201.ChangeAvailabilityRequest.self)
        case (.v201, "UnlockConnector"): return check(V201.UnlockConnectorRequest.self)
        case (.v201, "GetVariables"): return check(V201.GetVariablesRequest.self)
        case (.v201, "SetVariables"): return check(V201.SetVariablesRequest.self)
        case (.v201, "SetNetworkProfile"): return check(V201.SetNetworkProfileRequest.self)
        case (.v201, "UpdateFirmware"): return check(V201.UpdateFirmwareRequest.self)
        case (.v201, "ClearCache"): return check(V201.ClearCacheRequest.self)
        case (.v201, "DataTransfer"): return check(V201.DataTransferRequest.self)
        default: return "no request schema for \(action)"
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            return "\(APIRequest.pointer(context.codingPath + [key])) is required"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = APIRequest.pointer(context.codingPath)
            return (at.isEmpty ? "" : at + ": ") + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
