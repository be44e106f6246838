import JSON

/// `POST /v1/chargers/{chargerId}/commands`: an OCPP action and its request payload.
public struct CommandRequest: Codable, Sendable, Equatable {
    public var action: String
    public var payload: JSONObject

    public init(action: String, payload: JSONObject) {
        self.action = action
        self.payload = payload
    }
}

/// The charger's CALLRESULT payload to a command.
public struct CommandResponse: Codable, Sendable, Equatable {
    public var action: String
    public var response: JSONObject

    public init(action: String, response: JSONObject) {
        self.action = action
        self.response = response
    }
}

/// The OCPP actions the command relay supports, per version.
public enum CommandAction {
    public static let ocpp16: [String] = [
        "Reset", "TriggerMessage", "RemoteStartTransaction", "RemoteStopTransaction",
        "ChangeAvailability", "UnlockConnector", "GetConfiguration", "ChangeConfiguration",
        "UpdateFirmware", "SignedUpdateFirmware", "ClearCache", "DataTransfer",
    ]
    public static let ocpp201: [String] = [
        "Reset", "TriggerMessage", "RequestStartTransaction", "RequestStopTransaction",
        "ChangeAvailability", "UnlockConnector", "GetVariables", "SetVariables",
        "SetNetworkProfile", "UpdateFirmware", "ClearCache", "DataTransfer",
    ]

    /// The supported actions of a version (empty for an unknown version).
    public static func supported(by version: OCPPVersion) -> [String] {
        switch version {
        case .v16: ocpp16
        case .v201: ocpp201
        case .unknown: []
        }
    }
}
