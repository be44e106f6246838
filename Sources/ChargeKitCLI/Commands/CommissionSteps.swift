import BackendAPI
import ChargeKit
import DurableFiles
import Foundation
import JSON

/// The steps of `chargekit commission`, each on the library that does the job alone
/// (`status`, `config apply`, `firmware update`, `qa`, `inspect`, `site update`).
enum CommissionSteps {
    typealias Record = CommissionStepRecord

    static func failed(_ step: CommissionStep, _ code: ExitCode, _ summary: String, detail: JSONValue? = nil) -> Record {
        Record(step: step, status: .failed, summary: summary, exitCode: code.rawValue, detail: detail)
    }

    // MARK: status

    /// The charger is connected and has identified itself (as the installer expects).
    static func status(_ run: CommissionRun) async throws -> Record {
        var c = try await run.client.charger(run.id)
        if !c.connected || c.lastBoot == nil {
            // A charger just powered on takes a while to reach the backend: wait on the feed for its boot.
            run.say("      waiting up to \(run.input.onlineTimeout.components.seconds) s for \(run.id) to connect and boot")
            let watcher = EventWatcher(client: run.client, options: .init(chargers: [run.id], types: ["BootNotification"]))
            try await watcher.start()
            c = try await run.client.charger(run.id)
            if !c.connected || c.lastBoot == nil {
                _ = try? await watcher.next(from: run.id, timeout: run.input.onlineTimeout) { _ in true }
                c = try await run.client.charger(run.id)
            }
            await watcher.stop()
        }
        let detail = try? JSONValue(encoding: c)
        guard c.connected else {
            let seen = c.lastHeartbeatAt.map { "; last heartbeat \(Timestamp.format($0))" } ?? "; never connected"
            return failed(.status, .unavailable, "\(run.id) is not connected to the backend\(seen)", detail: detail)
        }
        guard c.lastBoot != nil, let vendor = c.vendor, let model = c.model else {
            return failed(.status, .checksFailed, "\(run.id) is connected but has not identified itself (no accepted BootNotification)",
                          detail: detail)
        }
        if let expected = run.input.expectSerial, c.serialNumber != expected {
            return failed(.status, .checksFailed, "serial number is \(c.serialNumber ?? "not reported"), expected \(expected)", detail: detail)
        }
        if let expected = run.input.expectModel, model != expected {
            return failed(.status, .checksFailed, "model is \(model), expected \(expected)", detail: detail)
        }
        return Record(step: .status, status: .done,
                      summary: "\(vendor) \(model), serial \(c.serialNumber ?? "?"), firmware \(c.firmwareVersion ?? "?"), "
                          + "OCPP \(c.ocppVersion?.rawValue ?? "?")",
                      detail: detail)
    }

    // MARK: configure

    static func configure(_ run: CommissionRun) async throws -> Record {
        let applier = ConfigurationApplier(client: run.client, options: .init(reboot: .auto), chargers: [run.id])
        let result: ConfigurationApplyResult
        do {
            result = try await applier.apply(run.id, profile: run.input.profile)
        } catch {
            await applier.shutdown()
            throw error
        }
        await applier.shutdown()
        let detail = try? JSONValue(encoding: result)
        guard result.succeeded else {
            return failed(.configure, .checksFailed, result.failures.joined(separator: "; "), detail: detail)
        }
        let changes = result.sent.count
        var summary = changes == 0 ? "already conforms to \(result.profile)" : "\(changes) setting\(changes == 1 ? "" : "s") changed"
        if result.reset != nil { summary += ", charger reset" }
        if changes > 0 { summary += ", every key verified" }
        return Record(step: .configure, status: .done, summary: summary, detail: detail)
    }

    // MARK: firmware

    static func firmware(_ run: inout CommissionRun) async throws -> Record {
        if run.input.firmware == "skip" { return Record(step: .firmware, status: .skipped, summary: "left as it is (--firmware skip)") }
        let charger = try await run.client.charger(run.id)
        let updater = FirmwareUpdater(client: run.client)
        let say = run.say
        let onStep: @Sendable (FirmwareStep) -> Void = { step in
            say("      \(Timestamp.format(step.at))  \(step.status)" + (step.info.map { "  \($0)" } ?? ""))
        }
        let from = charger.firmwareVersion ?? "?"
        if let requested = run.state.firmwareRequested,
           let job = try await run.client.firmwareUpdates(chargerId: run.id).items.first(where: { $0.firmwareId == requested }),
           job.active || FirmwareTracker.outcome(of: job)?.succeeded == true {
            // Asked for before the interruption: follow that update rather than ask twice.
            run.say("      following update \(job.id), asked for before the interruption")
            let followed = try await updater.follow(job, wait: run.input.firmwareTimeout, onStep: onStep)
            return firmwareRecord(followed, from: run.state.record(of: .status)?.detail?["firmwareVersion"]?.stringValue ?? from)
        }
        let target: Firmware
        if run.input.firmware == "approved" {
            guard let model = charger.model else { return failed(.firmware, .checksFailed, "the charger reports no model") }
            let approved = try await run.client.allFirmware(model: model, approved: true)
            guard let newest = approved.max(by: { ($0.uploadedAt, $0.version) < ($1.uploadedAt, $1.version) }) else {
                return Record(step: .firmware, status: .skipped, summary: "no approved firmware for \(model) in the catalogue")
            }
            target = newest
        } else {
            target = try await updater.resolve(run.input.firmware, model: charger.model)
        }
        if charger.firmwareVersion == target.version {
            return Record(step: .firmware, status: .done, summary: "already on \(target.version)")
        }
        let plan = try await updater.plan(charger: run.id, to: target.id)
        run.state.firmwareRequested = target.id
        try run.store.save(run.state)
        let followed = try await updater.run(plan, options: FirmwareUpdateOptions(), wait: run.input.firmwareTimeout, onStep: onStep)
        return firmwareRecord(followed, from: from)
    }

    static func firmwareRecord(_ followed: FirmwareUpdater.Followed, from: String) -> Record {
        let target = followed.update.targetVersion
        let detail = try? JSONValue(encoding: followed.tracker.steps)
        if followed.timedOut {
            return failed(.firmware, .tempFail, "no outcome within the firmware timeout (update \(followed.update.id))", detail: detail)
        }
        switch followed.tracker.outcome {
        case .succeeded?:
            return Record(step: .firmware, status: .done, summary: "\(from) → \(target)", detail: detail)
        case .failed(let status, let reason)?:
            return failed(.firmware, .checksFailed, "update to \(target) failed: \(status) (\(reason))", detail: detail)
        case nil:
            return failed(.firmware, .tempFail, "the update to \(target) has no outcome yet (update \(followed.update.id))", detail: detail)
        }
    }

    // MARK: QA

    static func qa(_ run: inout CommissionRun) async throws -> Record {
        var checks = QACheckID.defaults
        if run.input.transaction { checks.append(.transaction) }
        let options = QAOptions(checks: checks, expectedSerial: run.input.expectSerial, expectedModel: run.input.expectModel,
                                profile: run.input.profile)
        let session = QASession(client: run.client, options: options, watch: .chargers([run.id]), profileFile: run.input.profilePath)
        try await session.start()
        let report: QAReport
        do {
            report = try await session.run(run.id)
        } catch {
            await session.stop()
            throw error
        }
        await session.stop()
        try run.context.outbox().enqueue(report.run)
        run.state.qaRunId = report.id
        if !run.console.json { Qa.render(report, context: run.context) }
        let detail = try? JSONValue(encoding: report)
        let failing = report.checks.filter { $0.status == .fail || $0.status == .error }
        guard failing.isEmpty else {
            return failed(.qa, .checksFailed, "failed: " + failing.map { "\($0.id.rawValue) (\($0.message))" }.joined(separator: "; "),
                          detail: detail)
        }
        let warnings = report.count(.warn)
        return Record(step: .qa, status: .done,
                      summary: "\(report.count(.pass)) checks passed" + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : ""),
                      detail: detail)
    }

    // MARK: inspection

    static func inspection(_ run: inout CommissionRun) async throws -> Record {
        let store = try run.context.inspectionStore()
        var session: InspectionSession
        if let known = run.state.inspectionId, let draft = try? store.load(known) {
            // The inspection this commissioning started: finished already after a crash, or to go on with.
            session = InspectionSession(store: store, template: run.input.template, draft: draft)
        } else {
            session = try InspectionSession.open(store: store, charger: run.id, template: run.input.template,
                                                 templateSource: run.input.templateSource)
            run.state.inspectionId = session.draft.id
            try run.store.save(run.state)
        }
        if !session.draft.isFinished {
            try session.describe(inspector: run.input.inspector, instrument: run.input.instrument)
            if session.draft.charger == nil { await Inspect.identify(&session, client: run.client, context: run.context) }
            try session.record(answers: run.input.answers)
            if run.context.io.stdinIsTTY && run.input.answersPath == nil {
                var walk = InspectWalk(session: session, context: run.context)
                let outcome = try await walk.run()
                session = walk.session
                if outcome == .quit {
                    return Record(step: .inspection, status: .paused, summary: "draft \(session.draft.id) saved; not finished")
                }
            } else {
                let missing = session.evaluation.missing.map(\.id)
                guard missing.isEmpty else {
                    return failed(.inspection, .dataError, "required items are unanswered: \(missing.joined(separator: ", ")) "
                                  + "(draft \(session.draft.id) kept)")
                }
                guard session.signer != nil else {
                    return failed(.inspection, .usage, "nobody to sign: give --inspector NAME or answer the signature item")
                }
            }
            _ = try session.finish()
        }
        try run.context.outbox().enqueue(inspection: session.draft, store: store)
        guard let report = session.draft.report else { return failed(.inspection, .software, "the report was not sealed") }
        let evaluation = session.evaluation
        let detail: JSONValue = ["id": .string(report.id), "verdict": .string(report.verdict.rawValue),
                                 "contentHash": .string(report.contentHash),
                                 "failures": .array(evaluation.failures.map { .string("\($0.id): \($0.message ?? "failed")") })]
        if report.verdict == .fail {
            return Record(step: .inspection, status: .done,
                          summary: "verdict FAIL: " + evaluation.failures.map(\.id).joined(separator: ", "),
                          exitCode: ExitCode.checksFailed.rawValue, detail: detail)
        }
        return Record(step: .inspection, status: .done, summary: "verdict PASS, signed by \(report.inspector.name)", detail: detail)
    }

    // MARK: site data

    /// What the inspection established about the installation (earthing, phases, ...) and the
    /// commissioning date, recorded with the charger at the backend through the outbox.
    static func site(_ run: CommissionRun) async throws -> Record {
        var technical: [String: String?] = [TechnicalKey.installedAt: String(Timestamp.format(Date()).prefix(10))]
        if let inspectionId = run.state.inspectionId, let draft = try? run.context.inspectionStore().load(inspectionId) {
            for item in run.input.template.items {
                guard let key = item.prefill, let answer = draft.answers[item.id]?.answer else { continue }
                switch answer {
                case .choice(let text), .text(let text): technical[key] = text
                case .measurement(let value, _): technical[key] = ChecklistRule.number(value)
                default: continue
                }
            }
        }
        try run.context.outbox().enqueue(ChargerPatch(technical: technical), charger: run.id)
        return Record(step: .site, status: .done, summary: "queued: " + technical.keys.sorted().joined(separator: ", "))
    }

    // MARK: report

    static func report(_ run: inout CommissionRun) async throws -> Record {
        let store = try run.context.inspectionStore()
        guard let inspectionId = run.state.inspectionId, let draft = try? store.load(inspectionId) else {
            return failed(.report, .software, "no inspection to report")
        }
        var photos: [String: Data] = [:]
        for (item, photo) in draft.photos { photos[item] = FileManager.default.contents(atPath: store.path(of: photo, in: draft)) }
        let html = InspectionRenderer(draft: draft, template: run.input.template, photos: photos, appendices: appendices(run.state)).html()
        try AtomicFile.write(Array(html.utf8), to: run.input.reportPath)
        run.state.reportPath = run.input.reportPath
        let pushed = await run.context.pushOutbox(run.client)
        let queued = pushed?.queued.count ?? 0
        let delivery = queued == 0 ? "report, QA run and site data sent to the backend"
                                 : "\(queued) record\(queued == 1 ? "" : "s") wait in the outbox for 'chargekit sync'"
        return Record(step: .report, status: .done, summary: "\(run.input.reportPath); \(delivery)")
    }

    /// The commissioning steps and the acceptance tests, for the customer's report.
    static func appendices(_ state: CommissionState) -> [InspectionRenderer.Appendix] {
        var result: [InspectionRenderer.Appendix] = []
        let rows = state.steps.filter { $0.step != .report }.map { record in
            InspectionRenderer.Appendix.Row([record.step.title, record.status.rawValue, record.summary],
                                            failed: record.status == .failed || record.exitCode != nil)
        }
        result.append(.init(title: "Commissioning steps", columns: ["Step", "Outcome", "Detail"], rows: rows))
        if let checks = state.record(of: .qa)?.detail?["checks"]?.arrayValue, !checks.isEmpty {
            let qaRows = checks.map { check in
                let status = check["status"]?.stringValue ?? "?"
                return InspectionRenderer.Appendix.Row([check["id"]?.stringValue ?? "?", status.uppercased(), check["message"]?.stringValue ?? ""],
                                                       failed: status == "fail" || status == "error")
            }
            result.append(.init(title: "Acceptance tests (QA)", columns: ["Check", "Result", "Detail"], rows: qaRows))
        }
        return result
    }
}
