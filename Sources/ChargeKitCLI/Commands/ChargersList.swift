import BackendAPI
import ChargeKit

/// `chargekit chargers list`: the chargers the token reaches, filtered, every page.
enum ChargersList {
    static let model = OptionSpec("model", .value("MODEL"), help: "Only chargers of this model.")
    static let vendor = OptionSpec("vendor", .value("VENDOR"), help: "Only chargers of this vendor.")
    static let firmware = OptionSpec("firmware", .value("VERSION"), help: "Only chargers running this firmware version.")
    static let site = OptionSpec("site", .value("SITE"), help: "Only chargers of this site.")
    static let connected = OptionSpec("connected", help: "Only chargers connected now.")
    static let disconnected = OptionSpec("disconnected", help: "Only chargers not connected now.")
    static let limit = OptionSpec("limit", .int("N"), help: "List at most N chargers (default: all).")

    static let spec = CommandSpec(
        path: ["chargers", "list"],
        summary: "List chargers, following every page",
        discussion: """
            Lists the chargers the token reaches, page by page until the last, with their \
            identity, OCPP version and whether they are connected now.
            """,
        options: [model, vendor, firmware, site, connected, disconnected, limit],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-chargers")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let options = context.options
        if options.flag(connected) && options.flag(disconnected) {
            throw UsageError("--connected and --disconnected exclude each other", commandPath: spec.path)
        }
        if let n = options.int(limit), n < 1 {
            throw UsageError("--limit must be at least 1", commandPath: spec.path)
        }
        let filter = ChargerFilter(
            model: options.string(model), vendor: options.string(vendor), firmwareVersion: options.string(firmware),
            site: options.string(site),
            connected: options.flag(connected) ? true : options.flag(disconnected) ? false : nil)
        let client = try context.backendClient()
        defer { client.shutdown() }
        let chargers = try await client.allChargers(filter, maximum: options.int(limit))
        await context.pushOutbox(client)
        if context.console.json {
            try context.console.json(chargers)
            return .ok
        }
        var table = TextTable(columns: [.init("ID"), .init("VENDOR"), .init("MODEL"), .init("SERIAL"),
                                        .init("FIRMWARE"), .init("OCPP"), .init("CONNECTED"), .init("SITE")])
        for c in chargers {
            table.append([c.id, c.vendor ?? "-", c.model ?? "-", c.serialNumber ?? "-", c.firmwareVersion ?? "-",
                          c.ocppVersion?.rawValue ?? "-", c.connected ? "yes" : "no", c.siteId])
        }
        context.console.write(table.render(palette: context.console.stdoutPalette))
        context.console.info("\(chargers.count) charger\(chargers.count == 1 ? "" : "s")")
        return .ok
    }
}

extension Command {
    static let chargersList = Command(ChargersList.spec) { try await ChargersList.run($0) }
}
