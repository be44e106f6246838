import BackendAPI
import ChargeKit

/// `chargekit whoami`: who the token belongs to and which sites it reaches.
enum Whoami {
    static let spec = CommandSpec(
        path: ["whoami"],
        summary: "Show who the token belongs to and which sites it may act on",
        discussion: "Asks the backend whose token this is, the role it has, and the sites it reaches.",
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-whoami")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let client = try context.backendClient()
        defer { client.shutdown() }
        let identity = try await client.whoami()
        await context.pushOutbox(client)
        if context.console.json {
            try context.console.json(identity)
            return .ok
        }
        context.console.print("user:  \(identity.user) (\(identity.name))")
        context.console.print("role:  \(identity.role.rawValue)")
        context.console.print("sites: \(identity.allSites ? "all" : identity.sites.joined(separator: ", "))")
        if let expiry = identity.tokenExpiresAt {
            context.console.print("token expires: \(Timestamp.format(expiry))")
        }
        return .ok
    }
}

extension Command {
    static let whoami = Command(Whoami.spec) { try await Whoami.run($0) }
}
