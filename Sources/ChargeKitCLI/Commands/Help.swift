/// `chargekit help [COMMAND...]`: the same text as `--help`.
enum Help {
    static let topic = PositionalSpec("COMMAND", .variadic(min: 0),
                                      help: "The command to describe (both words of a two-level command).")

    static let spec = CommandSpec(
        path: ["help"],
        summary: "Show help for chargekit or one of its commands",
        positionals: [topic],
        manPage: "chargekit",
        resolvesSettings: false)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let words = context.arguments.values(topic)
        let formatter = HelpFormatter(tool: context.tool, palette: context.console.stdoutPalette)
        guard !words.isEmpty else {
            context.console.write(formatter.topLevel())
            return .ok
        }
        let invocation = try context.tool.parser.parse(["--"] + words)
        guard invocation.positionals.isEmpty else {
            throw UsageError("unknown command '\(words.joined(separator: " "))'", commandPath: ["help"])
        }
        if let spec = invocation.spec {
            context.console.write(formatter.command(spec))
        } else {
            context.console.write(formatter.group(invocation.path))
        }
        return .ok
    }
}

extension Command {
    static let help = Command(Help.spec) { try await Help.run($0) }
}
