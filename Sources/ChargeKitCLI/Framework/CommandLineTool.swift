/// A set of commands with global options: parses, dispatches, renders help and maps errors
/// to exit codes. `CLI.tool` is chargekit's; tests build their own with test commands.
public struct CommandLineTool: Sendable {
    public let name: String
    public let abstract: String
    public let commands: [Command]
    public let globalOptions: [OptionSpec]

    public init(name: String, abstract: String, commands: [Command], globalOptions: [OptionSpec]) {
        self.name = name
        self.abstract = abstract
        self.commands = commands
        self.globalOptions = globalOptions
    }

    public var parser: ArgumentParser {
        ArgumentParser(commands: commands.map(\.spec), globalOptions: globalOptions)
    }

    public func command(at path: [String]) -> Command? {
        commands.first { $0.spec.path == path }
    }

    /// Runs one command line and returns the exit status. Never throws, never exits.
    public func run(_ arguments: [String], io: IO) async -> Int32 {
        let parser = self.parser
        let invocation: Invocation
        do {
            invocation = try parser.parse(arguments)
        } catch {
            // The parse failed, so --no-color may not have been read; look for it literally.
            let console = Console(io: io, noColorFlag: arguments.contains("--" + GlobalOptions.noColor.long))
            return fail(error, console: console)
        }
        let options = invocation.options
        let console = Console(io: io, json: options.flag(GlobalOptions.json), quiet: options.flag(GlobalOptions.quiet),
                              verbosity: options.count(GlobalOptions.verbose), noColorFlag: options.flag(GlobalOptions.noColor))
        do {
            if options.flag(GlobalOptions.help) {
                let formatter = HelpFormatter(tool: self, palette: console.stdoutPalette)
                if let spec = invocation.spec {
                    console.write(formatter.command(spec))
                } else if invocation.path.isEmpty {
                    console.write(formatter.topLevel())
                } else {
                    console.write(formatter.group(invocation.path))
                }
                return ExitCode.ok.rawValue
            }
            let path = options.flag(GlobalOptions.version) ? ["version"] : invocation.path
            guard !path.isEmpty else {
                throw UsageError("no command given (commands: \(parser.subcommandWords(after: []).joined(separator: ", ")))")
            }
            guard let command = command(at: path) else {
                let words = parser.subcommandWords(after: path).joined(separator: ", ")
                throw UsageError("'\(path.joined(separator: " "))' needs a command: \(words)", commandPath: path)
            }
            if console.quiet && console.verbosity > 0 {
                throw UsageError("--quiet and --verbose cannot be used together", commandPath: path)
            }
            let positionals = options.flag(GlobalOptions.version) ? [] : invocation.positionals
            let arguments = try parser.matchPositionals(positionals, to: command.spec)
            let settings: Settings
            if command.spec.resolvesSettings {
                settings = try Settings.resolve(options: options, environment: io.environment,
                                                workingDirectory: io.workingDirectory)
                for row in settings.summary {
                    console.verbose("\(row.name): \(row.value) (\(row.source))")
                }
            } else {
                settings = .unresolved
            }
            let context = CommandContext(
                io: io, console: console, spec: command.spec, options: options, arguments: arguments,
                settings: settings,
                progressMode: options.string(GlobalOptions.progress).flatMap(ProgressMode.init(rawValue:)) ?? .auto,
                tool: self)
            return try await command.run(context).rawValue
        } catch {
            return fail(error, console: console)
        }
    }

    private func fail(_ error: any Error, console: Console) -> Int32 {
        let report = ErrorMapping.report(for: error)
        console.error(report.message)
        if let hint = report.hint { console.io.stderr.write(hint + "\n") }
        return report.code.rawValue
    }
}
