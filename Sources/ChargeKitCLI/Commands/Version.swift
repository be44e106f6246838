import ChargeKit

/// `chargekit version` and `chargekit --version`.
enum Version {
    static let spec = CommandSpec(
        path: ["version"],
        summary: "Print the chargekit and libcurl versions",
        manPage: "chargekit",
        resolvesSettings: false)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        if context.console.json {
            try context.console.json(Result(version: ChargeKit.version, libcurl: ChargeKit.libcurlVersion))
        } else {
            context.console.print("chargekit \(ChargeKit.version)")
            context.console.print(ChargeKit.libcurlVersion)
        }
        return .ok
    }

    struct Result: Encodable {
        let version: String
        let libcurl: String
    }
}

extension Command {
    static let version = Command(Version.spec) { try await Version.run($0) }
}
