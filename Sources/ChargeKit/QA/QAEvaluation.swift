import BackendAPI
import Foundation
import JSON

/// The judgements of the checks that read state, without I/O: given what the backend and
/// the charger reported, PASS, WARN, FAIL or ERROR with the measured and expected values.
public enum QAEvaluation {
    // MARK: identity

    public static func identity(_ charger: Charger, _ options: QAOptions) -> QACheckResult {
        let measured: JSONValue = .object(JSONObject([
            ("vendor", charger.vendor.map(JSONValue.string) ?? .null), ("model", charger.model.map(JSONValue.string) ?? .null),
            ("serialNumber", charger.serialNumber.map(JSONValue.string) ?? .null),
            ("firmwareVersion", charger.firmwareVersion.map(JSONValue.string) ?? .null),
            ("bootStatus", charger.lastBoot.map { .string($0.status.rawValue) } ?? .null),
        ]))
        var expected = JSONObject([("bootStatus", "Accepted")])
        if let serial = options.expectedSerial { expected["serialNumber"] = .string(serial) }
        if let model = options.expectedModel { expected["model"] = .string(model) }
        if let firmware = options.expectedFirmware { expected["firmwareVersion"] = .string(firmware) }
        func result(_ status: QACheckStatus, _ message: String, remedy: String? = nil) -> QACheckResult {
            QACheckResult(id: .identity, status: status, measured: measured, expected: .object(expected), message: message, remedy: remedy)
        }
        guard let boot = charger.lastBoot else {
            return result(.fail, "no BootNotification received from \(charger.id)",
                          remedy: "Check the charger's CSMS URL and identity, then power-cycle it.")
        }
        guard boot.status == .accepted else {
            return result(.fail, "the last BootNotification was answered \(boot.status.rawValue)",
                          remedy: "Register the charger in the backend so its boot is accepted.")
        }
        let missing = [("vendor", charger.vendor), ("model", charger.model), ("serial number", charger.serialNumber),
                       ("firmware version", charger.firmwareVersion)].filter { $0.1?.isEmpty ?? true }.map(\.0)
        if !missing.isEmpty {
            return result(.fail, "the BootNotification lacks \(missing.joined(separator: ", "))",
                          remedy: "Ask the manufacturer for firmware that reports its full identity.")
        }
        var mismatches: [String] = []
        if let want = options.expectedSerial, want != charger.serialNumber { mismatches.append("serial \(charger.serialNumber ?? "-") (expected \(want))") }
        if let want = options.expectedModel, want != charger.model { mismatches.append("model \(charger.model ?? "-") (expected \(want))") }
        if let want = options.expectedFirmware, want != charger.firmwareVersion {
            mismatches.append("firmware \(charger.firmwareVersion ?? "-") (expected \(want))")
        }
        if !mismatches.isEmpty {
            return result(.fail, mismatches.joined(separator: "; "),
                          remedy: "Check that this is the charger the installation record names.")
        }
        return result(.pass, "\(charger.vendor ?? "") \(charger.model ?? ""), serial \(charger.serialNumber ?? ""), "
                      + "firmware \(charger.firmwareVersion ?? ""); boot accepted")
    }

    // MARK: connection

    /// `now` is the backend's time as far as the caller knows it; a heartbeat stamped later
    /// (a backend whose clock runs ahead) counts as just arrived.
    public static func connection(_ charger: Charger, heartbeatInterval: Int?, now: Date) -> QACheckResult {
        let last = charger.lastHeartbeatAt ?? charger.lastBoot?.at
        let age = last.map { max(0, now.timeIntervalSince($0)) }
        var measured = JSONObject([("connected", .bool(charger.connected))])
        measured["lastHeartbeatAt"] = charger.lastHeartbeatAt.map { .string(Timestamp.format($0)) } ?? .null
        if let age { measured["heartbeatAgeSeconds"] = .number(JSONNumber((age * 10).rounded() / 10)) }
        var expected = JSONObject([("connected", true)])
        if let heartbeatInterval { expected["maximumHeartbeatAgeSeconds"] = .number(JSONNumber(2 * heartbeatInterval)) }
        func result(_ status: QACheckStatus, _ message: String, remedy: String? = nil) -> QACheckResult {
            QACheckResult(id: .connection, status: status, measured: .object(measured), expected: .object(expected),
                          message: message, remedy: remedy)
        }
        guard charger.connected else {
            return result(.fail, "not connected to the backend" + (last.map { " (last seen \(Timestamp.format($0)))" } ?? " (never connected)"),
                          remedy: "Check power, network (SIM, Ethernet, Wi-Fi), the CSMS URL and the charger's identity.")
        }
        guard let heartbeatInterval, heartbeatInterval > 0 else {
            return result(.warn, "connected; the heartbeat interval is not set, so its age cannot be judged")
        }
        guard let age else {
            return result(.fail, "connected, but no heartbeat or boot was ever received",
                          remedy: "Check that the charger sends Heartbeat; reboot it if it does not.")
        }
        let limit = Double(2 * heartbeatInterval)
        guard age <= limit else {
            return result(.fail, "last heartbeat \(Int(age)) s ago, more than twice the interval (\(heartbeatInterval) s)",
                          remedy: "The connection drops or the charger stopped sending Heartbeat: check the network and the heartbeat setting.")
        }
        let what = charger.lastHeartbeatAt == nil ? "booted" : "last heartbeat"
        return result(.pass, "connected; \(what) \(Int(age)) s ago (interval \(heartbeatInterval) s)")
    }

    // MARK: clock

    public static func clock(_ charger: Charger, limit: Double) -> QACheckResult {
        let expected: JSONValue = ["maximumDriftSeconds": .number(JSONNumber(limit))]
        guard let offset = charger.clockOffsetSeconds else {
            return QACheckResult(id: .clock, status: .error, expected: expected,
                                 message: "the backend reports no clock offset: no timestamped message from the charger yet",
                                 remedy: "Wait for a heartbeat or status message and run the check again.")
        }
        let measured: JSONValue = ["offsetSeconds": .number(JSONNumber((offset * 1000).rounded() / 1000))]
        let direction = offset >= 0 ? "ahead of" : "behind"
        let text = String(format: "%.1f", abs(offset))
        guard abs(offset) <= limit else {
            return QACheckResult(id: .clock, status: .fail, measured: measured, expected: expected,
                                 message: "the charger's clock is \(text) s \(direction) the backend's (limit \(limit) s)",
                                 remedy: "Set the charger to take its time from the CSMS or NTP, then reboot it.")
        }
        return QACheckResult(id: .clock, status: .pass, measured: measured, expected: expected,
                             message: "clock \(text) s \(direction) the backend's")
    }

    // MARK: connectors

    /// 1.6: connector 0 and 1…`numberOfConnectors` (when known) must each have a status;
    /// 2.0.1: every reported EVSE connector. Each must be `expected` and report no error.
    public static func connectors(_ charger: Charger, numberOfConnectors: Int?, expected status: ConnectorStatus) -> QACheckResult {
        let is16 = charger.ocppVersion == .v16
        func label(_ c: Connector) -> String { c.evseId.map { "\($0)/\(c.connectorId)" } ?? String(c.connectorId) }
        var measured = JSONObject()
        for c in charger.connectors {
            var entry = JSONObject([("status", .string(c.status.rawValue))])
            if let code = c.errorCode { entry["errorCode"] = .string(code) }
            if let vendor = c.vendorErrorCode { entry["vendorErrorCode"] = .string(vendor) }
            if let info = c.info { entry["info"] = .string(info) }
            measured[label(c)] = .object(entry)
        }
        var expectedValue = JSONObject([("status", .string(status.rawValue))])
        if is16 { expectedValue["errorCode"] = "NoError" }
        if let numberOfConnectors, is16 { expectedValue["connectors"] = .number(JSONNumber(numberOfConnectors + 1)) }
        func result(_ s: QACheckStatus, _ message: String, remedy: String? = nil) -> QACheckResult {
            QACheckResult(id: .connectors, status: s, measured: .object(measured), expected: .object(expectedValue),
                          message: message, remedy: remedy)
        }
        guard !charger.connectors.isEmpty else {
            return result(.fail, "no StatusNotification received for any connector",
                          remedy: "Trigger a StatusNotification (or reboot the charger) and check again.")
        }
        var problems: [String] = []
        if is16, let n = numberOfConnectors {
            let reported = Set(charger.connectors.map(\.connectorId))
            let missing = (0...n).filter { !reported.contains($0) }
            if !missing.isEmpty { problems.append("no status for connector \(missing.map(String.init).joined(separator: ", "))") }
        }
        var faulted: [String] = []
        for c in charger.connectors.sorted(by: { (label($0)) < (label($1)) }) {
            let errorCode = c.errorCode ?? (c.status == .faulted ? c.vendorErrorCode : nil)
            if c.status == .faulted {
                var text = "connector \(label(c)) Faulted"
                if let errorCode { text += " \(errorCode)" }
                let detail = [c.vendorErrorCode == errorCode ? nil : c.vendorErrorCode, c.info].compactMap { $0 }
                if !detail.isEmpty { text += " (\(detail.joined(separator: ": ")))" }
                faulted.append(text)
            } else if c.status != status, !(is16 && c.connectorId == 0 && c.status == .available) {
                problems.append("connector \(label(c)) \(c.status.rawValue), expected \(status.rawValue)")
            } else if let code = c.errorCode, code != "NoError" {
                problems.append("connector \(label(c)) reports \(code)")
            }
        }
        if !faulted.isEmpty {
            return result(.fail, (faulted + problems).joined(separator: "; "),
                          remedy: "Inspect the connector and its protection (RCD, wiring); clear the fault and check again.")
        }
        if !problems.isEmpty {
            return result(.fail, problems.joined(separator: "; "),
                          remedy: "Make sure no vehicle is plugged in and the connectors are operative (ChangeAvailability).")
        }
        let count = charger.connectors.count
        return result(.pass, "\(count) status\(count == 1 ? "" : "es") reported, all \(status.rawValue)\(is16 ? " with NoError" : "")")
    }

    // MARK: configuration

    public static func configuration(_ plan: ConfigurationPlan, profileFile: String, charger: String) -> QACheckResult {
        var measured = JSONObject()
        var expected = JSONObject()
        var differing: [String] = []
        var unverifiable: [String] = []
        for row in plan.rows {
            switch row.action {
            case .ok:
                continue
            case .writeOnly:
                unverifiable.append(row.key)
            case .set, .readOnlyMismatch, .unsupported:
                measured[row.key] = row.current.map(JSONValue.string) ?? .null
                expected[row.key] = .string(row.desired)
                let now = row.current.map { "'\($0)'" } ?? "unknown to the charger"
                differing.append("\(row.key) is \(now), profile wants '\(row.desired)'"
                                 + (row.action == .readOnlyMismatch ? " (read-only)" : ""))
            }
        }
        let total = plan.rows.count
        let name = plan.profile.name + (plan.profile.version.map { " \($0)" } ?? "")
        guard differing.isEmpty else {
            let shown = differing.prefix(3).joined(separator: "; ") + (differing.count > 3 ? "; and \(differing.count - 3) more" : "")
            return QACheckResult(id: .configuration, status: .fail, measured: .object(measured), expected: .object(expected),
                                 message: "\(differing.count) of \(total) keys differ from \(name): \(shown)",
                                 remedy: "Run 'chargekit config apply --profile \(profileFile) \(charger)'.")
        }
        var message = "\(total - unverifiable.count) of \(total) keys as \(name) wants"
        if !unverifiable.isEmpty { message += "; \(unverifiable.joined(separator: ", ")) cannot be read back" }
        return QACheckResult(id: .configuration, status: .pass, measured: ["keysChecked": .number(JSONNumber(total))],
                             expected: ["profile": .string(name)], message: message)
    }

    // MARK: firmware

    /// `catalogue` is the backend's firmware for the charger's model (approved or not).
    public static func firmware(_ charger: Charger, catalogue: [Firmware], expected: String?) -> QACheckResult {
        guard let version = charger.firmwareVersion else {
            return QACheckResult(id: .firmware, status: .error, message: "the charger reported no firmware version",
                                 remedy: "Check the identity check: the BootNotification lacks it.")
        }
        let measured: JSONValue = ["firmwareVersion": .string(version)]
        if let expected {
            let want: JSONValue = ["firmwareVersion": .string(expected)]
            guard version == expected else {
                return QACheckResult(id: .firmware, status: .fail, measured: measured, expected: want,
                                     message: "runs \(version), expected \(expected)",
                                     remedy: "Update the firmware with 'chargekit firmware update'.")
            }
            return QACheckResult(id: .firmware, status: .pass, measured: measured, expected: want, message: "runs \(expected) as expected")
        }
        let model = charger.model ?? ""
        let approved = catalogue.filter { $0.approved && $0.models.contains(model) }
        let newest = approved.max { ($0.uploadedAt, $0.version) < ($1.uploadedAt, $1.version) }
        let expectedValue: JSONValue = ["approved": .array(approved.sorted { $0.uploadedAt < $1.uploadedAt }.map { .string($0.version) })]
        guard !approved.isEmpty else {
            return QACheckResult(id: .firmware, status: .error, measured: measured, expected: expectedValue,
                                 message: "the backend's catalogue has no approved firmware for \(model)",
                                 remedy: "Have the CPO approve a firmware for this model, or pass --expect-firmware.")
        }
        guard approved.contains(where: { $0.version == version }) else {
            return QACheckResult(id: .firmware, status: .fail, measured: measured, expected: expectedValue,
                                 message: "runs \(version), which is not approved for \(model)"
                                    + (newest.map { " (newest approved: \($0.version))" } ?? ""),
                                 remedy: "Update to an approved version with 'chargekit firmware update'.")
        }
        if let newest, newest.version != version {
            return QACheckResult(id: .firmware, status: .warn, measured: measured, expected: expectedValue,
                                 message: "runs \(version), approved; a newer approved version \(newest.version) is available")
        }
        return QACheckResult(id: .firmware, status: .pass, measured: measured, expected: expectedValue,
                             message: "runs \(version), the newest approved version for \(model)")
    }

    // MARK: meter

    /// `samples` per connector from a triggered reading; `previousEnergy` per connector from
    /// before it (the backend's last reading), to see the register never went back.
    public static func meter(samples: [Int: [MeterSample]], previousEnergy: [Int: Double], voltageRange: ClosedRange<Double>,
                             maximumCurrent: Double?, ocppVersion: OCPPVersion?) -> QACheckResult {
        var measured = JSONObject()
        var problems: [String] = []
        var voltagesSeen = 0
        var energySeen = 0
        for connector in samples.keys.sorted() {
            let values = samples[connector] ?? []
            var entry = JSONObject()
            let voltages = values.filter { $0.measurand == MeterSample.voltage }
            for v in voltages {
                voltagesSeen += 1
                entry["voltage" + (v.phase ?? "")] = .number(JSONNumber(v.value))
                if !voltageRange.contains(v.value) {
                    problems.append("connector \(connector) \(v.phase ?? "") voltage \(v.value) V outside \(Int(voltageRange.lowerBound))–\(Int(voltageRange.upperBound)) V")
                }
            }
            let currents = values.filter { $0.measurand == MeterSample.current }
            for c in currents {
                entry["current" + (c.phase ?? "")] = .number(JSONNumber(c.value))
                if c.value < 0 || (maximumCurrent.map { c.value > $0 * 1.1 } ?? false) {
                    problems.append("connector \(connector) \(c.phase ?? "") current \(c.value) A implausible")
                }
            }
            let power = values.last { $0.measurand == MeterSample.power && $0.phase == nil }
            if let power {
                entry["powerW"] = .number(JSONNumber(power.value))
                if power.value < 0 { problems.append("connector \(connector) power \(power.value) W is negative") }
                // V × I over the phases must roughly give the power (AC readings).
                let pairs = voltages.compactMap { v in currents.first { $0.phase == v.phase }.map { v.value * $0.value } }
                if !pairs.isEmpty, pairs.count == currents.count {
                    let product = pairs.reduce(0, +)
                    if abs(product - power.value) > max(0.1 * power.value, 100) {
                        problems.append("connector \(connector) power \(Int(power.value)) W does not match V × I (\(Int(product)) W)")
                    }
                }
            }
            if let energy = MeterSample.energyWh(values) {
                energySeen += 1
                entry["energyWh"] = .number(JSONNumber(energy))
                if let before = previousEnergy[connector] {
                    entry["previousEnergyWh"] = .number(JSONNumber(before))
                    if energy < before { problems.append("connector \(connector) energy register went back from \(before) to \(energy) Wh") }
                }
            }
            measured[String(connector)] = .object(entry)
        }
        let expected: JSONValue = ["voltageV": [.number(JSONNumber(voltageRange.lowerBound)), .number(JSONNumber(voltageRange.upperBound))],
                                   "energyRegister": "never decreasing"]
        if samples.values.allSatisfy(\.isEmpty) {
            return QACheckResult(id: .meter, status: .error, measured: .object(measured), expected: expected,
                                 message: "the triggered MeterValues carried no readings",
                                 remedy: "Configure measurands (MeterValuesSampledData / AlignedDataCtrlr.Measurands).")
        }
        if !problems.isEmpty {
            return QACheckResult(id: .meter, status: .fail, measured: .object(measured), expected: expected,
                                 message: problems.joined(separator: "; "),
                                 remedy: "Measure the supply at the charger's terminals and check the meter's wiring.")
        }
        if voltagesSeen == 0 {
            let key = ocppVersion == .v201 ? "AlignedDataCtrlr.Measurands" : "MeterValuesSampledData"
            return QACheckResult(id: .meter, status: .warn, measured: .object(measured), expected: expected,
                                 message: "no Voltage in the charger's readings, so the voltage was not checked"
                                    + (energySeen > 0 ? "; energy register fine" : ""),
                                 remedy: "Add Voltage to \(key).")
        }
        return QACheckResult(id: .meter, status: .pass, measured: .object(measured), expected: expected,
                             message: "\(voltagesSeen) phase voltage\(voltagesSeen == 1 ? "" : "s") within "
                                + "\(Int(voltageRange.lowerBound))–\(Int(voltageRange.upperBound)) V"
                                + (energySeen > 0 ? ", energy register not decreasing" : ""))
    }
}
