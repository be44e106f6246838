extension V201 {
    /// A 2.0.1 variable addressed as one string, the way profiles and the backend API name it:
    ///
    ///     Component.Variable
    ///     Component.Variable[variableInstance]
    ///     Component[componentInstance].Variable
    ///     ...@evseId           (component on that EVSE)
    ///     ...@evseId:connectorId
    ///
    /// e.g. `OCPPCommCtrlr.HeartbeatInterval`, `DeviceDataCtrlr.ItemsPerMessage[GetVariables]`,
    /// `EVSE.Power@1`.
    public struct VariableKey: Sendable, Hashable, CustomStringConvertible {
        public var component: String
        public var componentInstance: String?
        public var variable: String
        public var variableInstance: String?
        public var evseId: Int?
        public var connectorId: Int?

        public init(component: String, variable: String, componentInstance: String? = nil, variableInstance: String? = nil,
                    evseId: Int? = nil, connectorId: Int? = nil) {
            self.component = component; self.variable = variable; self.componentInstance = componentInstance
            self.variableInstance = variableInstance; self.evseId = evseId; self.connectorId = connectorId
        }

        /// Nil when the text does not have the shape above.
        public init?(parsing text: String) {
            var rest = Substring(text)
            if let at = rest.lastIndex(of: "@") {
                let address = rest[rest.index(after: at)...]
                rest = rest[..<at]
                let parts = address.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count <= 2, let evse = Int(parts[0]), evse >= 0 else { return nil }
                evseId = evse
                if parts.count == 2 {
                    guard let connector = Int(parts[1]), connector >= 0 else { return nil }
                    connectorId = connector
                }
            }
            // Component part: up to the first "." outside brackets.
            guard let (comp, compInstance, afterComp) = Self.nameAndInstance(rest), afterComp.first == "." else { return nil }
            let variablePart = afterComp.dropFirst()
            guard let (variable, variableInstance, tail) = Self.nameAndInstance(variablePart), tail.isEmpty else { return nil }
            self.component = comp
            self.componentInstance = compInstance
            self.variable = variable
            self.variableInstance = variableInstance
        }

        private static func nameAndInstance(_ s: Substring) -> (String, String?, Substring)? {
            var i = s.startIndex
            while i < s.endIndex, s[i] != ".", s[i] != "[" { i = s.index(after: i) }
            let name = String(s[s.startIndex..<i])
            guard !name.isEmpty, name.count <= 50, !name.contains("]") else { return nil }
            guard i < s.endIndex, s[i] == "[" else { return (name, nil, s[i...]) }
            guard let close = s[i...].firstIndex(of: "]") else { return nil }
            let instance = String(s[s.index(after: i)..<close])
            guard !instance.isEmpty, instance.count <= 50 else { return nil }
            return (name, instance, s[s.index(after: close)...])
        }

        public var description: String {
            var out = component
            if let ci = componentInstance { out += "[\(ci)]" }
            out += "." + variable
            if let vi = variableInstance { out += "[\(vi)]" }
            if let evse = evseId {
                out += "@\(evse)"
                if let c = connectorId { out += ":\(c)" }
            }
            return out
        }

        public var componentType: Component {
            Component(name: component, instance: componentInstance, evse: evseId.map { EVSE(id: $0, connectorId: connectorId) })
        }

        public var variableType: Variable { Variable(name: variable, instance: variableInstance) }

        public init(component: Component, variable: Variable) {
            self.init(component: component.name, variable: variable.name, componentInstance: component.instance,
                      variableInstance: variable.instance, evseId: component.evse?.id, connectorId: component.evse?.connectorId)
        }
    }

    /// Mutability of a variable as the 2.0.1 device model (part 2, appendix 3) defines it.
    /// GetVariables does not report mutability, so a CSMS that wants a "read-only" flag has to
    /// know it from the standard.
    public enum Mutability: String, Sendable, Hashable, Codable {
        case readOnly = "ReadOnly", readWrite = "ReadWrite", writeOnly = "WriteOnly"
    }

    /// Standard mutability of the variables commissioning touches (OCPP 2.0.1 part 2 appendix 3).
    /// Where the standard allows a station to choose, the stricter or more common one is given.
    public static let standardMutability: [String: Mutability] = [
        "OCPPCommCtrlr.HeartbeatInterval": .readWrite,
        "OCPPCommCtrlr.WebSocketPingInterval": .readWrite,
        "OCPPCommCtrlr.NetworkConfigurationPriority": .readWrite,
        "OCPPCommCtrlr.NetworkProfileConnectionAttempts": .readWrite,
        "OCPPCommCtrlr.OfflineThreshold": .readWrite,
        "OCPPCommCtrlr.MessageAttempts[TransactionEvent]": .readWrite,
        "OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]": .readWrite,
        "SampledDataCtrlr.TxUpdatedInterval": .readWrite,
        "SampledDataCtrlr.TxUpdatedMeasurands": .readWrite,
        "SampledDataCtrlr.TxStartedMeasurands": .readWrite,
        "SampledDataCtrlr.TxEndedMeasurands": .readWrite,
        "SampledDataCtrlr.TxEndedInterval": .readWrite,
        "AlignedDataCtrlr.Interval": .readWrite,
        "AlignedDataCtrlr.Measurands": .readWrite,
        "AlignedDataCtrlr.TxEndedInterval": .readWrite,
        "AlignedDataCtrlr.TxEndedMeasurands": .readWrite,
        "TxCtrlr.EVConnectionTimeOut": .readWrite,
        "TxCtrlr.StopTxOnInvalidId": .readWrite,
        "TxCtrlr.TxStartPoint": .readWrite,
        "TxCtrlr.TxStopPoint": .readWrite,
        "AuthCtrlr.AuthorizeRemoteStart": .readWrite,
        "AuthCtrlr.LocalAuthorizeOffline": .readWrite,
        "AuthCtrlr.LocalPreAuthorize": .readWrite,
        "AuthCtrlr.OfflineTxForUnknownIdEnabled": .readWrite,
        "AuthCacheCtrlr.Enabled": .readWrite,
        "LocalAuthListCtrlr.Enabled": .readWrite,
        "SecurityCtrlr.SecurityProfile": .readOnly,
        "SecurityCtrlr.BasicAuthPassword": .writeOnly,
        "SecurityCtrlr.OrganizationName": .readWrite,
        "SecurityCtrlr.Identity": .readOnly,
        "DeviceDataCtrlr.ItemsPerMessage[GetVariables]": .readOnly,
        "DeviceDataCtrlr.ItemsPerMessage[SetVariables]": .readOnly,
        "DeviceDataCtrlr.BytesPerMessage[GetVariables]": .readOnly,
        "DeviceDataCtrlr.BytesPerMessage[SetVariables]": .readOnly,
        "ClockCtrlr.DateTime": .readOnly,
    ]
}
