import Foundation
import JSON
import OCPP

/// CALLs from the CSMS, per version.
extension VirtualCharger {
    func handleCall16(_ id: String, _ action: String, _ payload: JSONValue, host: isolated ChargerHost) {
        switch action {
        case V16.GetConfigurationRequest.action:
            guard let r = decode(V16.GetConfigurationRequest.self, payload, id, host: host) else { return }
            getConfiguration16(id, r, host: host)
        case V16.ChangeConfigurationRequest.action:
            guard let r = decode(V16.ChangeConfigurationRequest.self, payload, id, host: host) else { return }
            reply(id, V16.ChangeConfigurationResponse(status: changeConfiguration16(r, host: host)), host: host)
        case V16.ResetRequest.action:
            guard let r = decode(V16.ResetRequest.self, payload, id, host: host) else { return }
            reply(id, V16.ResetResponse(status: .accepted), host: host)
            for c in connectors where c.tx != nil {
                stopTransaction(c.id, reason16: r.type == .soft ? .softReset : .hardReset, reason201: .immediateReset,
                                trigger: .resetCommand, unplug: false, host: host)
            }
            reboot(after: r.type == .soft ? timing.softRebootSeconds : timing.hardRebootSeconds, reason: .remoteReset, host: host)
        case V16.RemoteStartTransactionRequest.action:
            guard let r = decode(V16.RemoteStartTransactionRequest.self, payload, id, host: host) else { return }
            let accepted = remoteStart(connector: r.connectorId, idTag: r.idTag, idToken: nil, remoteStartId: nil, host: host)
            reply(id, V16.RemoteStartTransactionResponse(status: accepted != nil ? .accepted : .rejected), host: host)
            if let c = accepted { afterRemoteStartAccepted(c, host: host) }
        case V16.RemoteStopTransactionRequest.action:
            guard let r = decode(V16.RemoteStopTransactionRequest.self, payload, id, host: host) else { return }
            let target = connectors.first { $0.tx?.id16 == r.transactionId }
            reply(id, V16.RemoteStopTransactionResponse(status: target != nil ? .accepted : .rejected), host: host)
            if let c = target { stopTransaction(c.id, reason16: .remote, reason201: .remote, trigger: .remoteStop, unplug: true, host: host) }
        case V16.TriggerMessageRequest.action:
            guard let r = decode(V16.TriggerMessageRequest.self, payload, id, host: host) else { return }
            triggerMessage16(id, r, host: host)
        case V16.ChangeAvailabilityRequest.action:
            guard let r = decode(V16.ChangeAvailabilityRequest.self, payload, id, host: host) else { return }
            guard r.connectorId == 0 || connectors.contains(where: { $0.id == r.connectorId }) else {
                reply(id, V16.ChangeAvailabilityResponse(status: .rejected), host: host)
                return
            }
            let status = changeAvailability(evse: r.connectorId == 0 ? nil : r.connectorId, operative: r.type == .operative)
            reply(id, V16.ChangeAvailabilityResponse(status: status ? .accepted : .scheduled), host: host)
            if r.connectorId == 0 { sendAllStatuses(host: host) } else { sendStatus(r.connectorId, host: host) }
        case V16.UnlockConnectorRequest.action:
            guard let r = decode(V16.UnlockConnectorRequest.self, payload, id, host: host) else { return }
            guard let c = connectors.first(where: { $0.id == r.connectorId }) else {
                reply(id, V16.UnlockConnectorResponse(status: .notSupported), host: host)
                return
            }
            reply(id, V16.UnlockConnectorResponse(status: .unlocked), host: host)
            if c.tx != nil { stopTransaction(c.id, reason16: .unlockCommand, reason201: .other, trigger: .unlockCommand, unplug: true, host: host) }
        case V16.UpdateFirmwareRequest.action:
            guard let r = decode(V16.UpdateFirmwareRequest.self, payload, id, host: host) else { return }
            reply(id, V16.Empty(), host: host)
            startFirmwareJob(flavor: .v16, requestId: nil, location: r.location, retrieveAt: r.retrieveDate.date, installAt: nil,
                             retries: r.retries, retryInterval: r.retryInterval, signed: false, host: host)
        case V16.SignedUpdateFirmwareRequest.action:
            guard let r = decode(V16.SignedUpdateFirmwareRequest.self, payload, id, host: host) else { return }
            let replacing = firmware.map { $0.phase != .awaitingBoot } ?? false
            reply(id, V16.SignedUpdateFirmwareResponse(status: replacing ? .acceptedCanceled : .accepted), host: host)
            startFirmwareJob(flavor: .v16Signed, requestId: r.requestId, location: r.firmware.location,
                             retrieveAt: r.firmware.retrieveDateTime.date, installAt: r.firmware.installDateTime?.date,
                             retries: r.retries, retryInterval: r.retryInterval, signed: true, host: host)
        case V16.ClearCacheRequest.action:
            guard decode(V16.ClearCacheRequest.self, payload, id, host: host) != nil else { return }
            reply(id, V16.ClearCacheResponse(status: .accepted), host: host)
        case V16.DataTransferRequest.action:
            guard let r = decode(V16.DataTransferRequest.self, payload, id, host: host) else { return }
            reply(id, V16.DataTransferResponse(status: r.vendorId == spec.model.vendor ? .unknownMessageId : .unknownVendorId), host: host)
        default:
            replyError(id, .notImplemented, "\(action) is not implemented", host: host)
        }
    }

    func handleCall201(_ id: String, _ action: String, _ payload: JSONValue, frameBytes: Int, host: isolated ChargerHost) {
        if action == V201.GetVariablesRequest.action || action == V201.SetVariablesRequest.action {
            let limit = config.int("DeviceDataCtrlr.BytesPerMessage[\(action)]", default: Int.max)
            if frameBytes > limit {
                // B06.FR.17 / B05: a message longer than BytesPerMessage MAY get a FormatViolation.
                replyError(id, .formatViolation, "\(frameBytes) bytes, at most \(limit) per \(action) (BytesPerMessage)", host: host)
                return
            }
        }
        switch action {
        case V201.GetVariablesRequest.action:
            guard let r = decode(V201.GetVariablesRequest.self, payload, id, host: host) else { return }
            getVariables(id, r, host: host)
        case V201.SetVariablesRequest.action:
            guard let r = decode(V201.SetVariablesRequest.self, payload, id, host: host) else { return }
            setVariables(id, r, host: host)
        case V201.SetNetworkProfileRequest.action:
            guard let r = decode(V201.SetNetworkProfileRequest.self, payload, id, host: host) else { return }
            let current = config.int("SecurityCtrlr.SecurityProfile")
            if !(0...3).contains(r.configurationSlot) {
                reply(id, V201.SetNetworkProfileResponse(status: .rejected, statusInfo: .init(reasonCode: "InvalidSlot")), host: host)
            } else if r.connectionData.securityProfile < current {
                // B09.FR.04: no downgrade of the security profile.
                reply(id, V201.SetNetworkProfileResponse(status: .rejected, statusInfo: .init(reasonCode: "NoSecurityDowngrade")), host: host)
            } else {
                networkProfiles[r.configurationSlot] = r.connectionData
                reply(id, V201.SetNetworkProfileResponse(status: .accepted), host: host)
            }
        case V201.ResetRequest.action:
            guard let r = decode(V201.ResetRequest.self, payload, id, host: host) else { return }
            if r.evseId != nil {
                reply(id, V201.ResetResponse(status: .rejected, statusInfo: .init(reasonCode: "UnsupportedRequest")), host: host)
            } else if r.type == .onIdle, connectors.contains(where: { $0.tx != nil }) {
                resetWhenIdle = true
                reply(id, V201.ResetResponse(status: .scheduled), host: host)
            } else {
                reply(id, V201.ResetResponse(status: .accepted), host: host)
                for c in connectors where c.tx != nil {
                    stopTransaction(c.id, reason16: .hardReset, reason201: .immediateReset, trigger: .resetCommand, unplug: false, host: host)
                }
                reboot(after: r.type == .onIdle ? timing.softRebootSeconds : timing.hardRebootSeconds, reason: .remoteReset, host: host)
            }
        case V201.RequestStartTransactionRequest.action:
            guard let r = decode(V201.RequestStartTransactionRequest.self, payload, id, host: host) else { return }
            let accepted = remoteStart(connector: r.evseId, idTag: r.idToken.idToken, idToken: r.idToken, remoteStartId: r.remoteStartId, host: host)
            reply(id, V201.RequestStartTransactionResponse(status: accepted != nil ? .accepted : .rejected), host: host)
            if let c = accepted { afterRemoteStartAccepted(c, host: host) }
        case V201.RequestStopTransactionRequest.action:
            guard let r = decode(V201.RequestStopTransactionRequest.self, payload, id, host: host) else { return }
            let target = connectors.first { $0.tx?.id201 == r.transactionId }
            reply(id, V201.RequestStopTransactionResponse(status: target != nil ? .accepted : .rejected), host: host)
            if let c = target { stopTransaction(c.id, reason16: .remote, reason201: .remote, trigger: .remoteStop, unplug: true, host: host) }
        case V201.TriggerMessageRequest.action:
            guard let r = decode(V201.TriggerMessageRequest.self, payload, id, host: host) else { return }
            triggerMessage201(id, r, host: host)
        case V201.ChangeAvailabilityRequest.action:
            guard let r = decode(V201.ChangeAvailabilityRequest.self, payload, id, host: host) else { return }
            if let evse = r.evse, !connectors.contains(where: { $0.id == evse.id }) {
                reply(id, V201.ChangeAvailabilityResponse(status: .rejected, statusInfo: .init(reasonCode: "UnknownEvse")), host: host)
                return
            }
            let now = changeAvailability(evse: r.evse?.id, operative: r.operationalStatus == .operative)
            reply(id, V201.ChangeAvailabilityResponse(status: now ? .accepted : .scheduled), host: host)
            if let evse = r.evse?.id { sendStatus(evse, host: host) } else { for c in connectors { sendStatus(c.id, host: host) } }
        case V201.UnlockConnectorRequest.action:
            guard let r = decode(V201.UnlockConnectorRequest.self, payload, id, host: host) else { return }
            guard let c = connectors.first(where: { $0.id == r.evseId }), r.connectorId == 1 else {
                reply(id, V201.UnlockConnectorResponse(status: .unknownConnector), host: host)
                return
            }
            reply(id, V201.UnlockConnectorResponse(status: c.tx != nil ? .ongoingAuthorizedTransaction : .unlocked), host: host)
        case V201.UpdateFirmwareRequest.action:
            guard let r = decode(V201.UpdateFirmwareRequest.self, payload, id, host: host) else { return }
            let replacing = firmware.map { $0.phase != .awaitingBoot } ?? false
            reply(id, V201.UpdateFirmwareResponse(status: replacing ? .acceptedCanceled : .accepted), host: host)
            startFirmwareJob(flavor: .v201, requestId: r.requestId, location: r.firmware.location,
                             retrieveAt: r.firmware.retrieveDateTime.date, installAt: r.firmware.installDateTime?.date,
                             retries: r.retries, retryInterval: r.retryInterval, signed: r.firmware.signature != nil, host: host)
        case V201.ClearCacheRequest.action:
            guard decode(V201.ClearCacheRequest.self, payload, id, host: host) != nil else { return }
            reply(id, V201.ClearCacheResponse(status: .accepted), host: host)
        case V201.DataTransferRequest.action:
            guard let r = decode(V201.DataTransferRequest.self, payload, id, host: host) else { return }
            reply(id, V201.DataTransferResponse(status: r.vendorId == spec.model.vendor ? .unknownMessageId : .unknownVendorId), host: host)
        default:
            replyError(id, .notImplemented, "\(action) is not implemented", host: host)
        }
    }

    /// Returns whether the change applies now (false: Scheduled until the transaction ends).
    private func changeAvailability(evse: Int?, operative: Bool) -> Bool {
        var immediate = true
        for i in connectors.indices where evse == nil || connectors[i].id == evse {
            if connectors[i].tx != nil || connectors[i].starting != nil {
                connectors[i].operativeAfterTransaction = operative
                immediate = false
            } else {
                connectors[i].operative = operative
                if !connectors[i].faulted { connectors[i].status16 = operative ? .available : .unavailable }
            }
        }
        return immediate
    }

    // MARK: 1.6 configuration

    private func getConfiguration16(_ id: String, _ r: V16.GetConfigurationRequest, host: isolated ChargerHost) {
        let keys = r.key ?? []
        let maxKeys = config.int("GetConfigurationMaxKeys", default: 1000)
        if keys.count > maxKeys {
            replyError(id, .occurrenceConstraintViolation, "at most \(maxKeys) keys per GetConfiguration (GetConfigurationMaxKeys)", host: host)
            return
        }
        var known: [V16.KeyValue] = []
        var unknown: [String] = []
        let wanted = keys.isEmpty ? config.order : keys
        for key in wanted {
            guard let v = config.variable(key), v.access != .writeOnly else {
                // Write-only keys (AuthorizationKey) are never read back: they answer as unknown.
                if !keys.isEmpty { unknown.append(key) }
                continue
            }
            known.append(V16.KeyValue(key: key, readonly: v.access == .readOnly, value: v.value))
        }
        reply(id, V16.GetConfigurationResponse(configurationKey: known.isEmpty ? nil : known, unknownKey: unknown.isEmpty ? nil : unknown), host: host)
    }

    private func changeConfiguration16(_ r: V16.ChangeConfigurationRequest, host: isolated ChargerHost) -> V16.ConfigurationStatus {
        if r.key == "SecurityProfile", let new = Int(r.value), new < config.int("SecurityProfile") {
            return .rejected  // Security Whitepaper: the profile may not be lowered
        }
        switch config.write(r.key, r.value, rejectWritable: spec.faults.contains(.configRejected)) {
        case .accepted:
            configChanged(r.key, host: host)
            return .accepted
        case .rebootRequired: return .rebootRequired
        case .rejected: return .rejected
        case .unknown: return .notSupported
        }
    }

    private func triggerMessage16(_ id: String, _ r: V16.TriggerMessageRequest, host: isolated ChargerHost) {
        if let cid = r.connectorId, cid != 0, !connectors.contains(where: { $0.id == cid }) {
            reply(id, V16.TriggerMessageResponse(status: .rejected), host: host)
            return
        }
        switch r.requestedMessage {
        case .diagnosticsStatusNotification:
            reply(id, V16.TriggerMessageResponse(status: .notImplemented), host: host)
        case .bootNotification:
            reply(id, V16.TriggerMessageResponse(status: .accepted), host: host)
            sendBoot(triggered: true, host: host)
        case .heartbeat:
            reply(id, V16.TriggerMessageResponse(status: .accepted), host: host)
            sendCall(V16.HeartbeatRequest(), host: host)
        case .statusNotification:
            reply(id, V16.TriggerMessageResponse(status: .accepted), host: host)
            if let cid = r.connectorId, cid != 0 { sendStatus(cid, host: host) } else { sendAllStatuses(host: host) }
        case .meterValues:
            reply(id, V16.TriggerMessageResponse(status: .accepted), host: host)
            for c in connectors where r.connectorId == nil || r.connectorId == 0 || r.connectorId == c.id {
                sendMeterValues(c.id, setting: .sampledMeasurands, context: .trigger, host: host)
            }
        case .firmwareStatusNotification:
            reply(id, V16.TriggerMessageResponse(status: .accepted), host: host)
            let status = firmware != nil ? (lastFirmwareStatus.flatMap(V16.FirmwareStatus.init(rawValue:)) ?? .idle) : .idle
            sendCall(V16.FirmwareStatusNotificationRequest(status: status), host: host)
        }
    }

    // MARK: 2.0.1 device model

    private func getVariables(_ id: String, _ r: V201.GetVariablesRequest, host: isolated ChargerHost) {
        let limit = config.int("DeviceDataCtrlr.ItemsPerMessage[GetVariables]", default: 1000)
        guard r.getVariableData.count <= limit else {
            // B06.FR.16: more GetVariableData than ItemsPerMessageGetVariables MAY get a CALLERROR.
            replyError(id, .occurrenceConstraintViolation, "at most \(limit) items per GetVariables (ItemsPerMessage)", host: host)
            return
        }
        let results = r.getVariableData.map { item -> V201.GetVariableResult in
            let key = V201.VariableKey(component: item.component, variable: item.variable)
            let name = key.description
            func result(_ status: V201.GetVariableStatus, _ value: String? = nil) -> V201.GetVariableResult {
                V201.GetVariableResult(attributeStatus: status, component: item.component, variable: item.variable,
                                       attributeValue: value, attributeType: item.attributeType)
            }
            guard let v = config.variable(name) else {
                return result(config.components.contains(ConfigStore.componentKey(key)) ? .unknownVariable : .unknownComponent)
            }
            if let type = item.attributeType, type != .actual { return result(.notSupportedAttributeType) }
            if v.access == .writeOnly { return result(.rejected) }
            return result(.accepted, v.dynamic ? dynamicValue(name, host: host) : v.value)
        }
        reply(id, V201.GetVariablesResponse(getVariableResult: results), host: host)
    }

    private func setVariables(_ id: String, _ r: V201.SetVariablesRequest, host: isolated ChargerHost) {
        let limit = config.int("DeviceDataCtrlr.ItemsPerMessage[SetVariables]", default: 1000)
        guard r.setVariableData.count <= limit else {
            replyError(id, .occurrenceConstraintViolation, "at most \(limit) items per SetVariables (ItemsPerMessage)", host: host)
            return
        }
        var changed: [String] = []
        let results = r.setVariableData.map { item -> V201.SetVariableResult in
            let key = V201.VariableKey(component: item.component, variable: item.variable)
            let name = key.description
            func result(_ status: V201.SetVariableStatus) -> V201.SetVariableResult {
                V201.SetVariableResult(attributeStatus: status, component: item.component, variable: item.variable, attributeType: item.attributeType)
            }
            guard config.variable(name) != nil else {
                return result(config.components.contains(ConfigStore.componentKey(key)) ? .unknownVariable : .unknownComponent)
            }
            if let type = item.attributeType, type != .actual { return result(.notSupportedAttributeType) }
            switch config.write(name, item.attributeValue, rejectWritable: spec.faults.contains(.configRejected)) {
            case .accepted:
                changed.append(name)
                return result(.accepted)
            case .rebootRequired: return result(.rebootRequired)
            case .rejected: return result(.rejected)
            case .unknown: return result(.unknownVariable)
            }
        }
        reply(id, V201.SetVariablesResponse(setVariableResult: results), host: host)
        for name in changed { configChanged(name, host: host) }
    }

    private func triggerMessage201(_ id: String, _ r: V201.TriggerMessageRequest, host: isolated ChargerHost) {
        if let evse = r.evse, !connectors.contains(where: { $0.id == evse.id }) {
            reply(id, V201.TriggerMessageResponse(status: .rejected, statusInfo: .init(reasonCode: "UnknownEvse")), host: host)
            return
        }
        let selected = connectors.filter { r.evse == nil || r.evse?.id == $0.id }
        switch r.requestedMessage {
        case .bootNotification:
            reply(id, V201.TriggerMessageResponse(status: .accepted), host: host)
            sendBoot(triggered: true, host: host)
        case .heartbeat:
            reply(id, V201.TriggerMessageResponse(status: .accepted), host: host)
            sendCall(V201.HeartbeatRequest(), host: host)
        case .statusNotification:
            reply(id, V201.TriggerMessageResponse(status: .accepted), host: host)
            for c in selected { sendStatus(c.id, host: host) }
        case .meterValues:
            reply(id, V201.TriggerMessageResponse(status: .accepted), host: host)
            for c in selected { sendMeterValues(c.id, setting: .alignedMeasurands, context: .trigger, host: host) }
        case .transactionEvent:
            let withTx = selected.filter { $0.tx != nil }
            reply(id, V201.TriggerMessageResponse(status: withTx.isEmpty ? .rejected : .accepted), host: host)
            for c in withTx { sendTransactionUpdate(c.id, trigger: .trigger, context: .trigger, host: host) }
        case .firmwareStatusNotification:
            reply(id, V201.TriggerMessageResponse(status: .accepted), host: host)
            if let job = firmware, let last = lastFirmwareStatus, let status = V201.FirmwareStatus(rawValue: last) {
                sendCall(V201.FirmwareStatusNotificationRequest(status: status, requestId: job.requestId), host: host)
            } else {
                sendCall(V201.FirmwareStatusNotificationRequest(status: .idle), host: host)
            }
        default:
            reply(id, V201.TriggerMessageResponse(status: .notImplemented), host: host)
        }
    }
}
