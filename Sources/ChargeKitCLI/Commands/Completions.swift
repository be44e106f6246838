/// `chargekit completions bash|zsh|fish`: a completion script generated from the option tables.
enum Completions {
    static let shell = PositionalSpec("SHELL", help: "bash, zsh or fish.", choices: CompletionScripts.Shell.allCases.map(\.rawValue))

    static let spec = CommandSpec(
        path: ["completions"],
        summary: "Print a shell completion script (bash, zsh or fish)",
        discussion: """
            Prints a completion script for SHELL on standard output, generated from the same \
            option tables as the parser and the help, so every command, option, choice and \
            file argument completes. Load it for the running shell, or save it where the shell \
            looks for completions (see EXAMPLES in chargekit-completions(1)).
            """,
        positionals: [shell],
        resolvesSettings: false)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let name = context.arguments.value(shell) ?? ""
        guard let shell = CompletionScripts.Shell(rawValue: name) else {
            let known = CompletionScripts.Shell.allCases.map(\.rawValue).joined(separator: ", ")
            throw UsageError("unknown shell '\(name)' (shells: \(known))", commandPath: spec.path)
        }
        context.console.write(CompletionScripts.script(for: shell, table: CompletionTable(tool: context.tool)))
        return .ok
    }
}

extension Command {
    static let completions = Command(Completions.spec) { try await Completions.run($0) }
}
