import BackendAPI
import ChargeKit
import Foundation

/// `chargekit status CHARGER`: identity, connection and connectors of one charger.
enum Status {
    static let charger = PositionalSpec("CHARGER", help: "The charger's id (its OCPP identity), e.g. CP-0001.")

    static let spec = CommandSpec(
        path: ["status"],
        summary: "Show a charger's identity, connection and connectors",
        discussion: """
            Shows what the backend knows of one charger: vendor, model, serial, firmware and \
            OCPP version from its last BootNotification, whether it is connected and how old its \
            last heartbeat is, each connector's status and error code, and its site.
            """,
        positionals: [charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-status")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let id = context.arguments.value(charger) else {
            throw UsageError("missing CHARGER", commandPath: spec.path)
        }
        let client = try context.backendClient()
        defer { client.shutdown() }
        let c = try await client.charger(id)
        await context.pushOutbox(client)
        if context.console.json {
            try context.console.json(c)
            return .ok
        }
        let console = context.console
        let palette = console.stdoutPalette
        console.print("charger:    \(c.id)")
        console.print("identity:   \(c.vendor ?? "?") \(c.model ?? "?"), serial \(c.serialNumber ?? "?")")
        console.print("firmware:   \(c.firmwareVersion ?? "?")")
        console.print("OCPP:       \(c.ocppVersion?.rawValue ?? "?")")
        let state = c.connected ? palette.green("connected") : palette.red("not connected")
        console.print("connection: \(state)")
        if let beat = c.lastHeartbeatAt {
            console.print("heartbeat:  \(age(since: beat)) ago (\(Timestamp.format(beat)))")
        } else {
            console.print("heartbeat:  none yet")
        }
        if let boot = c.lastBoot {
            console.print("last boot:  \(Timestamp.format(boot.at)) \(boot.reason ?? "") \(boot.status.rawValue)")
        }
        console.print("site:       \(c.site.id) (\(c.site.name))")
        if !c.connectors.isEmpty {
            console.print("")
            var table = TextTable(columns: [.init("CONNECTOR", alignment: .right), .init("STATUS"), .init("ERROR"), .init("INFO")])
            for connector in c.connectors {
                let label = connector.evseId.map { "\($0)/\(connector.connectorId)" } ?? String(connector.connectorId)
                let status = connector.status.rawValue
                let shown = connector.status == .faulted ? palette.red(status) : status
                let detail = [connector.info, connector.vendorErrorCode].compactMap { $0 }.joined(separator: " ")
                table.append([label, shown, connector.errorCode ?? "-", detail.isEmpty ? "-" : detail])
            }
            console.write(table.render(palette: palette))
        }
        return .ok
    }

    /// "42 s", "5 min", "3 h", "2 d".
    static func age(since date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<120: return "\(seconds) s"
        case ..<7200: return "\(seconds / 60) min"
        case ..<172_800: return "\(seconds / 3600) h"
        default: return "\(seconds / 86400) d"
        }
    }
}

extension Command {
    static let status = Command(Status.spec) { try await Status.run($0) }
}
