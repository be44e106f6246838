import BackendAPI
import JSON
import OCPP

/// Raising a 2.0.1 charger's security profile, the OCPP 2.0.1 way (use case B09 with A02/A03):
/// `SecurityCtrlr.SecurityProfile` is read-only, so the profile travels in a network
/// connection profile:
///
/// 1. `SetNetworkProfile` into a free configuration slot, with the new security profile:
///
///        {"configurationSlot": 1,
///         "connectionData": {"ocppVersion": "OCPP20", "ocppTransport": "JSON",
///                            "ocppCsmsUrl": "wss://ocpp.example/ocpp", "messageTimeout": 30,
///                            "securityProfile": 2, "ocppInterface": "Wired0"}}
///
/// 2. `SetVariables` putting that slot first in `OCPPCommCtrlr.NetworkConfigurationPriority`,
///    keeping the old slots behind it as the fallback if the new connection fails:
///
///        {"setVariableData": [{"attributeType": "Actual", "attributeValue": "1,0",
///                              "component": {"name": "OCPPCommCtrlr"},
///                              "variable": {"name": "NetworkConfigurationPriority"}}]}
///
/// 3. `Reset` `{"type": "OnIdle"}`: the charger reconnects through the new slot.
///
/// Each step goes through the backend's command relay (`POST .../commands`); `evaluate`
/// judges the charger's answer. Afterwards, re-reading `SecurityCtrlr.SecurityProfile`
/// verifies the change (the charger falls back to the old slot if the new one fails).
public struct SecurityProfileChange: Sendable, Equatable {
    /// Why the change cannot be planned; the diff row then says so as a read-only mismatch.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// `OCPPCommCtrlr.NetworkConfigurationPriority` was not read, or is not a list of slots:
        /// without it a free slot cannot be chosen safely.
        case priorityUnreadable
        /// The profile pins `configurationSlot` to the slot the charger is connected through.
        case activeSlot(Int)
        /// The profile has no `networkProfile` (resolution normally refuses this already).
        case noNetworkProfile

        public var description: String {
            switch self {
            case .priorityUnreadable:
                "cannot change: \(ResolvedProfile.networkConfigurationPriorityKey) could not be read, so no free slot is known"
            case .activeSlot(let slot):
                "cannot change: networkProfile.configurationSlot \(slot) is the slot the charger is connected through"
            case .noNetworkProfile:
                "cannot change: the profile has no networkProfile"
            }
        }
    }

    /// One command of the change.
    public struct Step: Sendable, Equatable {
        public enum Kind: String, Sendable, Hashable, Encodable {
            case setNetworkProfile, setNetworkConfigurationPriority, reset
        }

        public var kind: Kind
        /// For the backend's command relay: `client.command(id, action: command.action, payload: command.payload)`.
        public var command: CommandRequest

        /// Judges the charger's answer (`CommandResponse.response`).
        public func evaluate(_ response: JSONObject) -> StepOutcome {
            switch kind {
            case .setNetworkProfile:
                let status = response["status"]?.stringValue
                return StepOutcome(status: status, reason: response["statusInfo"]?["reasonCode"]?.stringValue,
                                   succeeded: status == V201.SetNetworkProfileStatus.accepted.rawValue)
            case .setNetworkConfigurationPriority:
                let result = response["setVariableResult"]?[0]
                let status = result?["attributeStatus"]?.stringValue
                let good = [V201.SetVariableStatus.accepted.rawValue, V201.SetVariableStatus.rebootRequired.rawValue]
                return StepOutcome(status: status, reason: result?["attributeStatusInfo"]?["reasonCode"]?.stringValue,
                                   succeeded: status.map(good.contains) ?? false)
            case .reset:
                let status = response["status"]?.stringValue
                return StepOutcome(status: status, reason: response["statusInfo"]?["reasonCode"]?.stringValue,
                                   succeeded: status == V201.ResetStatus.accepted.rawValue || status == V201.ResetStatus.scheduled.rawValue,
                                   waitsForIdle: status == V201.ResetStatus.scheduled.rawValue)
            }
        }
    }

    /// The charger's answer to a step, judged.
    public struct StepOutcome: Sendable, Equatable {
        /// The status the charger gave (`Accepted`, `Rejected`, ...); nil when the answer had none.
        public var status: String?
        /// `statusInfo.reasonCode`, when given.
        public var reason: String?
        public var succeeded: Bool
        /// A reset the charger scheduled for when its transactions end.
        public var waitsForIdle: Bool

        public init(status: String?, reason: String? = nil, succeeded: Bool, waitsForIdle: Bool = false) {
            self.status = status
            self.reason = reason
            self.succeeded = succeeded
            self.waitsForIdle = waitsForIdle
        }
    }

    public var current: Int?
    public var desired: Int
    public var configurationSlot: Int
    public var priorityBefore: [Int]
    public var priorityAfter: [Int]
    public var connection: NetworkProfileSettings
    /// SetNetworkProfile, SetVariables (priority), Reset: in this order, each only after the
    /// previous one succeeded.
    public var steps: [Step]

    static func make(desired: DesiredValue, current: String?, priority: String?,
                     network: NetworkProfileSettings?) -> Result<SecurityProfileChange, Refusal> {
        guard let network else { return .failure(.noNetworkProfile) }
        let texts = ValueComparison.items(priority ?? "")
        let before = texts.compactMap { Int($0) }
        guard !before.isEmpty, before.count == texts.count, let profile = Int(desired.value.reveal()) else {
            return .failure(.priorityUnreadable)
        }
        let slot: Int
        if let pinned = network.configurationSlot {
            guard pinned != before[0] else { return .failure(.activeSlot(pinned)) }
            slot = pinned
        } else {
            slot = (0...).first { !before.contains($0) } ?? 0
        }
        let after = [slot] + before.filter { $0 != slot }
        let connectionData: JSONValue = [
            "ocppVersion": .string(V201.OCPPVersionName.ocpp20.rawValue),
            "ocppTransport": .string(V201.OCPPTransport.json.rawValue),
            "ocppCsmsUrl": .string(network.ocppCsmsUrl),
            "messageTimeout": JSONValue(network.messageTimeout),
            "securityProfile": JSONValue(profile),
            "ocppInterface": .string(network.ocppInterface),
        ]
        let priorityData: JSONValue = [
            "attributeType": .string(SettingsCatalogue.ocpp201Attribute),
            "attributeValue": .string(after.map(String.init).joined(separator: ",")),
            "component": ["name": "OCPPCommCtrlr"],
            "variable": ["name": "NetworkConfigurationPriority"],
        ]
        let steps = [
            Step(kind: .setNetworkProfile, command: CommandRequest(
                action: V201.SetNetworkProfileRequest.action,
                payload: ["configurationSlot": JSONValue(slot), "connectionData": connectionData])),
            Step(kind: .setNetworkConfigurationPriority, command: CommandRequest(
                action: V201.SetVariablesRequest.action, payload: ["setVariableData": [priorityData]])),
            Step(kind: .reset, command: CommandRequest(
                action: V201.ResetRequest.action, payload: ["type": .string(V201.ResetType.onIdle.rawValue)])),
        ]
        return .success(SecurityProfileChange(current: current.flatMap { Int(ValueComparison.trimmed($0)) }, desired: profile,
                                              configurationSlot: slot, priorityBefore: before, priorityAfter: after,
                                              connection: network, steps: steps))
    }
}
