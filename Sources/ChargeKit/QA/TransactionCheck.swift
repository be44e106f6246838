import BackendAPI
import Foundation
import JSON

/// The opt-in transaction check (a vehicle or test adapter on the connector): remote start
/// accepted → Preparing → Charging, the energy register rising over two samples at the
/// sample interval, remote stop → Finishing → Available, and meterStop ≥ meterStart.
/// Every step waits on the session's events feed.
struct TransactionCheck {
    let session: QASession
    let facts: ChargerFacts
    let timeout: Duration

    private struct Failure: Error {
        var status: QACheckStatus
        var message: String
        var remedy: String?
    }

    /// What the steps found, for `measured` and for the cleanup after a failure.
    private final class Progress: @unchecked Sendable {
        var steps: [String] = []
        var connector: Int?
        var transactionId: String?
        var meterStart: Double?
        var meterStop: Double?
        var samples: [(energy: Double, at: Date?)] = []
        var last: Int64 = 0
    }

    func run() async -> QACheckResult {
        let progress = Progress()
        let interval = facts.int(facts.sampleIntervalKey)
        var expected = JSONObject([("steps", .array(facts.version == .v201
            ? ["Accepted", "Occupied", "Started", "Charging", "2 samples", "Ended", "Available"]
            : ["Accepted", "Preparing", "Charging", "2 samples", "Finishing", "Available"]))])
        if let interval { expected["sampleIntervalSeconds"] = .number(JSONNumber(interval)) }
        expected["meterStop"] = "≥ meterStart"
        do {
            try await perform(progress, interval: interval)
            let energy = (progress.meterStop ?? 0) - (progress.meterStart ?? 0)
            return QACheckResult(id: .transaction, status: .pass, measured: measured(progress), expected: .object(expected),
                                 message: "connector \(progress.connector ?? 0): \(progress.steps.joined(separator: " → ")); "
                                    + "\(Int(energy)) Wh charged")
        } catch let failure as Failure {
            await cleanUp(progress)
            return QACheckResult(id: .transaction, status: failure.status, measured: measured(progress), expected: .object(expected),
                                 message: (progress.steps.isEmpty ? "" : progress.steps.joined(separator: " → ") + "; ") + failure.message,
                                 remedy: failure.remedy)
        } catch {
            await cleanUp(progress)
            return QACheckResult(id: .transaction, status: .error, measured: measured(progress), expected: .object(expected),
                                 message: "\(error)")
        }
    }

    private func measured(_ p: Progress) -> JSONValue {
        var object = JSONObject([("steps", .array(p.steps.map(JSONValue.string)))])
        if let c = p.connector { object["connector"] = .number(JSONNumber(c)) }
        if let t = p.transactionId { object["transactionId"] = .string(t) }
        if let m = p.meterStart { object["meterStartWh"] = .number(JSONNumber(m)) }
        if let m = p.meterStop { object["meterStopWh"] = .number(JSONNumber(m)) }
        object["sampleEnergyWh"] = .array(p.samples.map { .number(JSONNumber($0.energy)) })
        return .object(object)
    }

    private func perform(_ p: Progress, interval: Int?) async throws {
        let charger = facts.charger
        let v201 = facts.version == .v201
        guard let connector = charger.connectors.first(where: {
            $0.status == .available && (v201 ? ($0.evseId ?? 0) >= 1 : $0.connectorId >= 1)
        }).map({ v201 ? ($0.evseId ?? $0.connectorId) : $0.connectorId }) else {
            throw Failure(status: .skip, message: "no Available connector to start a transaction on")
        }
        p.connector = connector
        p.last = await session.watcher.lastSeq
        let tag = session.options.idTag
        let start: (String, JSONObject) = v201
            ? ("RequestStartTransaction", ["idToken": ["idToken": .string(tag), "type": "Central"], "evseId": .number(JSONNumber(connector)),
                                           "remoteStartId": .number(JSONNumber(Int.random(in: 1...1_000_000)))])
            : ("RemoteStartTransaction", ["connectorId": .number(JSONNumber(connector)), "idTag": .string(tag)])
        let answer = try await session.client.command(charger.id, action: start.0, payload: start.1)
        let status = answer.response["status"]?.stringValue ?? "?"
        guard status == "Accepted" else {
            throw Failure(status: .fail, message: "\(start.0) answered \(status)",
                          remedy: "Check that remote start is allowed and the id tag \(tag) is accepted.")
        }
        p.steps.append("Accepted")
        if v201 {
            _ = try await wait(p, "Occupied") {
                $0.type == "StatusNotification" && $0.payload["evseId"]?.intValue == connector && $0.payload["connectorStatus"] == "Occupied"
            }
            let started = try await wait(p, "Started") {
                $0.type == "TransactionEvent" && $0.payload["eventType"] == "Started" && $0.payload["evse"]?["id"]?.intValue == connector
            }
            p.transactionId = started.payload["transactionInfo"]?["transactionId"]?.stringValue
            p.meterStart = MeterSample.energyWh(MeterSample.parse(started.payload))
            let tx = p.transactionId
            _ = try await wait(p, "Charging") {
                $0.type == "TransactionEvent" && $0.payload["transactionInfo"]?["transactionId"]?.stringValue == tx
                    && $0.payload["transactionInfo"]?["chargingState"] == "Charging"
            }
        } else {
            _ = try await wait(p, "Preparing") { Self.status16($0, connector, "Preparing") }
            let started = try await wait(p, nil) { $0.type == "StartTransaction" && $0.payload["connectorId"]?.intValue == connector }
            p.meterStart = started.payload["meterStart"]?.doubleValue
            _ = try await wait(p, "Charging") { Self.status16($0, connector, "Charging") }
        }
        for n in 1...2 {
            let tx = p.transactionId
            let sample = try await wait(p, nil) { event in
                let periodic = MeterSample.parse(event.payload).contains { $0.context == "Sample.Periodic" }
                if v201 {
                    return event.type == "TransactionEvent" && periodic
                        && event.payload["transactionInfo"]?["transactionId"]?.stringValue == tx
                }
                return event.type == "MeterValues" && periodic && event.payload["connectorId"]?.intValue == connector
                    && event.payload["transactionId"] != nil
            }
            let readings = MeterSample.parse(sample.payload)
            guard let energy = MeterSample.energyWh(readings) else {
                throw Failure(status: .fail, message: "sample \(n) carries no energy register",
                              remedy: "Add Energy.Active.Import.Register to the sampled measurands.")
            }
            if !v201, p.transactionId == nil, let id = sample.payload["transactionId"] {
                p.transactionId = id.intValue.map(String.init) ?? id.stringValue
            }
            p.samples.append((energy, readings.first?.timestamp))
        }
        p.steps.append("2 samples")
        if let first = p.samples.first, let second = p.samples.last {
            guard second.energy > first.energy else {
                throw Failure(status: .fail, message: "the energy register did not rise (\(first.energy) → \(second.energy) Wh)",
                              remedy: "Check that the vehicle or test adapter draws current and the meter is wired.")
            }
            if let interval, interval > 0, let a = first.at, let b = second.at {
                let gap = b.timeIntervalSince(a)
                let tolerance = max(5, 0.25 * Double(interval))
                guard abs(gap - Double(interval)) <= tolerance else {
                    throw Failure(status: .fail, message: "samples \(Int(gap)) s apart, the sample interval is \(interval) s",
                                  remedy: "Check the charger's sample interval setting.")
                }
            }
        }
        guard let transactionId = p.transactionId else {
            throw Failure(status: .error, message: "the charger never named the transaction, so it cannot be stopped remotely")
        }
        let stop: (String, JSONObject) = v201
            ? ("RequestStopTransaction", ["transactionId": .string(transactionId)])
            : ("RemoteStopTransaction", ["transactionId": .number(JSONNumber(Int(transactionId) ?? 0))])
        let stopAnswer = try await session.client.command(charger.id, action: stop.0, payload: stop.1)
        let stopStatus = stopAnswer.response["status"]?.stringValue ?? "?"
        guard stopStatus == "Accepted" else {
            throw Failure(status: .fail, message: "\(stop.0) answered \(stopStatus)", remedy: "Stop the session at the charger.")
        }
        if v201 {
            let ended = try await wait(p, "Ended") {
                $0.type == "TransactionEvent" && $0.payload["eventType"] == "Ended"
                    && $0.payload["transactionInfo"]?["transactionId"]?.stringValue == transactionId
            }
            p.meterStop = MeterSample.energyWh(MeterSample.parse(ended.payload)) ?? p.samples.last?.energy
            _ = try await wait(p, "Available") {
                $0.type == "StatusNotification" && $0.payload["evseId"]?.intValue == connector && $0.payload["connectorStatus"] == "Available"
            }
        } else {
            _ = try await wait(p, "Finishing") { Self.status16($0, connector, "Finishing") }
            let stopped = try await wait(p, nil) {
                $0.type == "StopTransaction" && $0.payload["transactionId"]?.intValue.map(String.init) == transactionId
            }
            p.meterStop = stopped.payload["meterStop"]?.doubleValue
            _ = try await wait(p, "Available") { Self.status16($0, connector, "Available") }
        }
        if p.meterStart == nil { p.meterStart = p.samples.first?.energy }
        guard let meterStart = p.meterStart, let meterStop = p.meterStop else {
            throw Failure(status: .fail, message: "the transaction's meter start or stop was not reported")
        }
        guard meterStop >= meterStart else {
            throw Failure(status: .fail, message: "meterStop \(meterStop) Wh is below meterStart \(meterStart) Wh",
                          remedy: "The meter or its register handling is faulty: contact the manufacturer.")
        }
    }

    private static func status16(_ event: Event, _ connector: Int, _ status: String) -> Bool {
        event.type == "StatusNotification" && event.payload["connectorId"]?.intValue == connector && event.payload["status"]?.stringValue == status
    }

    /// The next matching event after the previous step's, recorded as `step` when named.
    private func wait(_ p: Progress, _ step: String?, _ predicate: @escaping @Sendable (Event) -> Bool) async throws -> Event {
        do {
            let event = try await session.watcher.next(from: facts.charger.id, after: p.last, timeout: timeout, where: predicate)
            p.last = event.seq
            if let step { p.steps.append(step) }
            return event
        } catch let error as EventWatcher.WaitError {
            throw Failure(status: .fail, message: "waiting for \(step ?? "the next message"): \(error)",
                          remedy: "Check the vehicle or test adapter and the connector.")
        }
    }

    /// After a failure mid-way, try not to leave a session running.
    private func cleanUp(_ p: Progress) async {
        guard let transactionId = p.transactionId, p.meterStop == nil else { return }
        let stop: (String, JSONObject) = facts.version == .v201
            ? ("RequestStopTransaction", ["transactionId": .string(transactionId)])
            : ("RemoteStopTransaction", ["transactionId": .number(JSONNumber(Int(transactionId) ?? 0))])
        _ = try? await session.client.command(facts.charger.id, action: stop.0, payload: stop.1)
    }
}
