import BackendAPI
import ChargeKit

/// `chargekit firmware list`: the firmware catalogue, every page.
enum FirmwareList {
    static let model = OptionSpec("model", .value("MODEL"), help: "Only images for this charger model.")

    static let spec = CommandSpec(
        path: ["firmware", "list"],
        summary: "List the firmware catalogue",
        discussion: """
            Lists the catalogue entries the backend holds, newest upload first: id, version, \
            charger models, size, sha256, whether an operator approved it, and when it was uploaded.
            """,
        options: [model],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-firmware")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let client = try context.backendClient()
        defer { client.shutdown() }
        let entries = try await client.allFirmware(model: context.options.string(model))
        if context.console.json {
            try context.console.json(entries)
            return .ok
        }
        printTable(entries, context: context)
        context.console.info("\(entries.count) image\(entries.count == 1 ? "" : "s")")
        return .ok
    }

    static func printTable(_ entries: [Firmware], context: CommandContext) {
        let palette = context.console.stdoutPalette
        var table = TextTable(columns: [.init("ID"), .init("VERSION"), .init("MODELS"), .init("SIZE", alignment: .right),
                                        .init("SHA256"), .init("APPROVED"), .init("UPLOADED")])
        for f in entries {
            table.append([f.id, f.version, f.models.joined(separator: ","), ProgressReporter.bytes(f.size), f.sha256,
                          f.approved ? palette.green("yes") : "no", Timestamp.format(f.uploadedAt)])
        }
        context.console.write(table.render(palette: palette))
    }
}

extension Command {
    static let firmwareList = Command(FirmwareList.spec) { try await FirmwareList.run($0) }
}
