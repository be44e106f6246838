import BackendAPI
import ChargeKit

/// `chargekit config get CHARGER [KEY...]`: configuration read live from the charger.
enum ConfigGet {
    static let charger = PositionalSpec("CHARGER", help: "The charger's id, e.g. CP-0001.")
    static let keys = PositionalSpec("KEY", .variadic(min: 0),
                                     help: "1.6 keys (HeartbeatInterval) or 2.0.1 Component.Variable names; none reads all.")

    static let spec = CommandSpec(
        path: ["config", "get"],
        summary: "Read a charger's configuration keys or variables",
        discussion: """
            Reads configuration live from the charger through the backend: OCPP 1.6 keys \
            (GetConfiguration) or 2.0.1 variables written Component.Variable (GetVariables), with \
            whether each is read-only. Without KEY, every key the charger reports. Write-only \
            values (secrets such as AuthorizationKey) are never shown.
            """,
        positionals: [charger, keys],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: ConfigShared.manPage)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let id = context.arguments.value(charger) else { throw UsageError("missing CHARGER", commandPath: spec.path) }
        let wanted = context.arguments.values(keys)
        let client = try context.backendClient()
        defer { client.shutdown() }
        let applier = ConfigurationApplier(client: client)
        let configuration = try await applier.read(id, keys: wanted)
        if context.console.json {
            try context.console.json(configuration)
            return .ok
        }
        var table = TextTable(columns: [.init("KEY"), .init("VALUE"), .init("ACCESS")])
        for item in configuration.items {
            table.append([item.key, item.value ?? "(not readable)", access(item)])
        }
        context.console.write(table.render(palette: context.console.stdoutPalette))
        for key in configuration.unknownKeys {
            context.console.warning("\(id) does not know \(key)")
        }
        return .ok
    }

    /// `read-only`, `read-write`, `write-only`.
    static func access(_ item: ConfigurationItem) -> String {
        switch item.mutability {
        case .writeOnly?: "write-only"
        case .readOnly?: "read-only"
        default: item.readonly ? "read-only" : (item.value == nil ? "write-only" : "read-write")
        }
    }
}

extension Command {
    static let configGet = Command(ConfigGet.spec) { try await ConfigGet.run($0) }
}
