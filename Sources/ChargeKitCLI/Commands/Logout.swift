import ChargeKit

/// `chargekit logout`: removes the stored token.
enum Logout {
    static let spec = CommandSpec(
        path: ["logout"],
        summary: "Remove the stored API token",
        discussion: """
            Removes the token file chargekit login wrote (or the one --token-file or \
            CHARGEKIT_TOKEN_FILE names). Succeeds when there is none. config.json is left as it is.
            """,
        relevantGlobalOptions: [GlobalOptions.tokenFile],
        manPage: "chargekit-login")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let tokenFile = context.settings.tokenFile else { throw SettingsError.noConfigDirectory }
        let removed = try CredentialStore.remove(at: tokenFile.value)
        if context.console.json {
            try context.console.json(Result(tokenFile: tokenFile.value, removed: removed))
        } else if removed {
            context.console.info("Logged out: removed \(tokenFile.value).")
        } else {
            context.console.info("Not logged in: there is no token at \(tokenFile.value).")
        }
        return .ok
    }

    struct Result: Encodable {
        let tokenFile: String
        let removed: Bool
    }
}

extension Command {
    static let logout = Command(Logout.spec) { try await Logout.run($0) }
}
