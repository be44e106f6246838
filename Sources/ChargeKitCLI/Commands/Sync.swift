import ChargeKit
import Foundation

/// `chargekit sync`: sends what waits in the outbox (QA runs recorded without signal, ...).
enum Sync {
    static let list = OptionSpec("list", help: "Only list what waits in the outbox; send nothing.")

    static let spec = CommandSpec(
        path: ["sync"],
        summary: "Send what waits in the local outbox to the backend",
        discussion: """
            Records made while the backend could not be reached (QA runs, ...) wait in the outbox \
            in the local store. Every command that reaches the backend sends them quietly; sync \
            sends them explicitly and says what happened to each. Each entry is sent with the \
            idempotency key it got when it was made, so an entry whose answer was lost is \
            recorded once, not twice, and it leaves the outbox only after the backend confirmed it.
            """,
        options: [list],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-sync")

    /// The JSON written for `--list`.
    struct Listing: Encodable {
        var queued: [OutboxPushReport.Queued]
        var damaged: [String]
    }

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let console = context.console
        let outbox = try context.outbox()
        if context.options.flag(list) {
            let listing = outbox.entries()
            let queued = listing.entries.map {
                OutboxPushReport.Queued(id: $0.id, kind: $0.kind, summary: $0.summary, chargerId: $0.chargerId,
                                        attempts: $0.attempts, reason: .notTried, message: $0.lastError)
            }
            if console.json {
                try console.json(Listing(queued: queued, damaged: listing.damaged.map(\.description)))
            } else {
                render(queued: queued, title: "WAITING", context: context)
                for damaged in listing.damaged { console.warning("outbox: \(damaged)") }
                console.info("\(queued.count) entr\(queued.count == 1 ? "y" : "ies") in \(outbox.directory)")
            }
            return listing.damaged.isEmpty ? .ok : .dataError
        }
        let waiting = outbox.entries()
        if waiting.entries.isEmpty {
            if console.json {
                try console.json(OutboxPushReport())
            } else {
                console.info("nothing to send")
            }
            for damaged in waiting.damaged { console.warning("outbox: \(damaged)") }
            return waiting.damaged.isEmpty ? .ok : .dataError
        }
        let client = try context.backendClient()
        defer { client.shutdown() }
        let report = try await OutboxSync(outbox: outbox).push(client: client, wait: .seconds(60), concurrency: 4)
        if console.json {
            try console.json(report)
        } else {
            var table = TextTable(columns: [.init("ENTRY"), .init("KIND"), .init("RESULT"), .init("DETAIL")])
            for sent in report.sent {
                table.append([sent.summary, sent.kind, context.console.stdoutPalette.green("sent"),
                              sent.receipt.id.map { "recorded as \($0)" } ?? "confirmed"])
            }
            for queued in report.queued {
                table.append([queued.summary, queued.kind, context.console.stdoutPalette.yellow("queued"),
                              queued.message ?? queued.reason.rawValue])
            }
            console.write(table.render(palette: console.stdoutPalette))
            console.info("\(report.sent.count) sent, \(report.queued.count) still queued")
        }
        for damaged in report.damaged { console.warning("outbox: \(damaged)") }
        return exitCode(for: report)
    }

    static func render(queued: [OutboxPushReport.Queued], title: String, context: CommandContext) {
        var table = TextTable(columns: [.init("ENTRY"), .init("KIND"), .init("ATTEMPTS", alignment: .right), .init("LAST ERROR")])
        for q in queued {
            table.append([q.summary, q.kind, String(q.attempts), q.message ?? "-"])
        }
        if !queued.isEmpty { context.console.write(table.render(palette: context.console.stdoutPalette)) }
    }

    /// 0 when everything went; 75 when the backend could not be reached (or another process
    /// was sending) and entries wait for the next try; otherwise what the first refusal means.
    static func exitCode(for report: OutboxPushReport) -> ExitCode {
        if report.busy { return .tempFail }
        if let stop = report.stoppedBy {
            let mapped = ErrorMapping.report(for: stop).code
            return mapped == .unavailable ? .tempFail : mapped
        }
        if report.queued.contains(where: { $0.reason == .unreachable }) { return .tempFail }
        if report.queued.contains(where: { $0.reason == .notPermitted }) { return .noPermission }
        if !report.queued.isEmpty || !report.damaged.isEmpty { return .dataError }
        return .ok
    }
}

extension Command {
    static let sync = Command(Sync.spec) { try await Sync.run($0) }
}
