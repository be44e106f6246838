import ChargeKit

extension CommandContext {
    /// The outbox in the local store (`$XDG_DATA_HOME/chargekit/outbox`).
    /// Signed inspection reports that a crash kept from being queued are queued here, so
    /// every reader of the outbox sees them.
    func outbox() throws -> Outbox {
        guard let data = settings.dataDirectory else { throw SettingsError.noConfigDirectory }
        let outbox = Outbox(dataDirectory: data)
        outbox.enqueueUnsentInspections(from: InspectionStore(dataDirectory: data))
        return outbox
    }

    /// Pushes what waits in the outbox, quietly: every command that reaches the backend calls
    /// this once it has its client, so records made offline go out with the next command that
    /// has signal, `concurrency` at a time. Entries that stay behind get one warning line; a failure here never fails
    /// the command that called it. `only` limits the push to those entry ids.
    @discardableResult
    func pushOutbox(_ client: BackendClient, only: Set<String>? = nil, concurrency: Int = 4) async -> OutboxPushReport? {
        guard let outbox = try? outbox() else { return nil }
        let report: OutboxPushReport
        do {
            report = try await OutboxSync(outbox: outbox).push(client: client, only: only, concurrency: concurrency)
        } catch {
            console.warning("the outbox could not be sent: \(error)")
            return nil
        }
        if !report.sent.isEmpty {
            console.verbose("outbox: sent \(report.sent.count) waiting record\(report.sent.count == 1 ? "" : "s")")
        }
        if !report.queued.isEmpty, !report.busy {
            let n = report.queued.count
            let why = report.stoppedBy.map { ": \($0)" } ?? (report.queued.first?.message.map { ": \($0)" } ?? "")
            console.warning("\(n) record\(n == 1 ? "" : "s") stay\(n == 1 ? "s" : "") in the outbox\(why); "
                            + "'chargekit sync' sends \(n == 1 ? "it" : "them") when the backend can be reached")
        }
        for damaged in report.damaged {
            console.warning("outbox: \(damaged)")
        }
        return report
    }
}
