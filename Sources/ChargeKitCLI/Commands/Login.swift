import ChargeKit
import JSON

/// `chargekit login --backend URL`: reads a token from stdin and stores it.
enum Login {
    static let spec = CommandSpec(
        path: ["login"],
        summary: "Store the API token for a backend, read from standard input",
        discussion: """
            The token is read from standard input: typed or pasted with echo off when standard input \
            is a terminal, or piped (chargekit login --backend URL < token.txt). It is never accepted \
            as an argument and never printed.

            The token is stored with mode 0600 in the token file (default \
            $XDG_CONFIG_HOME/chargekit/token, or --token-file / CHARGEKIT_TOKEN_FILE), and the backend \
            URL is recorded in $XDG_CONFIG_HOME/chargekit/config.json, both written atomically.
            """,
        relevantGlobalOptions: [GlobalOptions.backend, GlobalOptions.tokenFile],
        manPage: "chargekit-login")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let backend = context.settings.backend else {
            throw CLIError(.usage, "login needs the backend URL", hint: "Run 'chargekit login --backend URL'.")
        }
        guard var config = context.settings.configFile, let tokenFile = context.settings.tokenFile else {
            throw SettingsError.noConfigDirectory
        }
        let token = try BearerToken(validating: readToken(context, backend: backend.value.absoluteString))
        try CredentialStore.save(token, to: tokenFile.value)
        config.set(ConfigFile.Key.backend, .string(backend.value.absoluteString))
        if case .flag = tokenFile.source {
            // Later commands must find the token where it was put.
            config.set(ConfigFile.Key.tokenFile, .string(tokenFile.value))
        }
        try config.save()
        if context.console.json {
            try context.console.json(Result(backend: backend.value.absoluteString, tokenFile: tokenFile.value,
                                            configFile: config.path))
        } else {
            context.console.info("Token for \(backend.value.absoluteString) stored in \(tokenFile.value) (mode 0600).")
            context.console.verbose("Backend recorded in \(config.path).")
        }
        return .ok
    }

    private static func readToken(_ context: CommandContext, backend: String) throws -> String {
        let stdin = context.io.stdin
        if context.io.stdinIsTTY {
            context.console.prompt("API token for \(backend) (input hidden): ")
            return try stdin.withEchoDisabled { try stdin.readLine() } ?? ""
        }
        let limit = CredentialStore.maximumTokenLength + 2
        let bytes = try stdin.readAll(limit: limit)
        guard bytes.count <= limit else { throw CredentialError.tokenTooLong }
        return String(decoding: bytes, as: UTF8.self)
    }

    struct Result: Encodable {
        let backend: String
        let tokenFile: String
        let configFile: String
    }
}

extension Command {
    static let login = Command(Login.spec) { try await Login.run($0) }
}
