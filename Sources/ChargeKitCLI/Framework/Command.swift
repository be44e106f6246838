import ChargeKit
import Foundation

/// A command: its declaration and the function that runs it. One file per command under
/// `Commands/`, each adding a `static let` here via an extension, registered in `CLI.commands`.
///
///     enum ChargerList {
///         static let site = OptionSpec("site", .value("SITE"), help: "Only chargers of SITE.", repeatable: true)
///         static let spec = CommandSpec(path: ["charger", "list"], summary: "List chargers", options: [site])
///         static func run(_ context: CommandContext) async throws -> ExitCode {
///             let sites = context.options.strings(site)
///             ...
///             return .ok
///         }
///     }
///     extension Command { static let chargerList = Command(ChargerList.spec, run: ChargerList.run) }
public struct Command: Sendable {
    public let spec: CommandSpec
    public let run: @Sendable (CommandContext) async throws -> ExitCode

    public init(_ spec: CommandSpec, run: @escaping @Sendable (CommandContext) async throws -> ExitCode) {
        self.spec = spec
        self.run = run
    }
}

/// What a running command gets: its parsed options and arguments, the IO, a console for
/// output, the resolved settings, and helpers for the token and progress.
public struct CommandContext: Sendable {
    public let io: IO
    public let console: Console
    public let spec: CommandSpec
    public let options: ParsedOptions
    public let arguments: ParsedArguments
    /// Resolved before `run` when the spec says `resolvesSettings` (the default).
    public let settings: Settings
    public let progressMode: ProgressMode
    /// The tool being run (its command list and global options), for help.
    public let tool: CommandLineTool

    /// Normally built by `CommandLineTool.run`; public so a command's `run` can be tested alone.
    public init(io: IO, console: Console, spec: CommandSpec, options: ParsedOptions, arguments: ParsedArguments,
                settings: Settings, progressMode: ProgressMode = .auto, tool: CommandLineTool) {
        self.io = io
        self.console = console
        self.spec = spec
        self.options = options
        self.arguments = arguments
        self.settings = settings
        self.progressMode = progressMode
        self.tool = tool
    }

    /// The API token from the resolved token file. Warns on stderr when the file is
    /// readable by group or others. Never prints the token.
    public func token() throws -> BearerToken {
        guard let tokenFile = settings.tokenFile else { throw SettingsError.noConfigDirectory }
        let stored: StoredToken
        do {
            stored = try CredentialStore.read(from: tokenFile.value)
        } catch {
            if case .notFound(let path) = error, case .builtIn = tokenFile.source {
                throw CLIError(.noPermission, "not logged in (no token at \(path))",
                               hint: "Run 'chargekit login --backend URL' and paste the token.")
            }
            if case .notFound(let path) = error {
                throw CLIError(.noInput, "token file \(path) (\(tokenFile.source)) does not exist")
            }
            throw error
        }
        if stored.isAccessibleByOthers {
            console.warning("token file \(stored.path) is accessible by group or others (mode \(String(stored.mode, radix: 8))); "
                            + "run 'chmod 600 \(stored.path)'")
        }
        return stored.token
    }

    /// The backend URL, or a usage error saying how to give one.
    public func backend() throws -> URL {
        guard let backend = settings.backend else {
            throw CLIError(.usage, "no backend given",
                           hint: "Pass --backend URL, set \(Settings.backendVariable), or run 'chargekit login --backend URL'.")
        }
        return backend.value
    }

    /// A progress reporter on stderr honouring `--progress`, `--quiet` and the terminal.
    public func progress(label: String, total: Int64?, unit: ProgressReporter.Unit = .bytes) -> ProgressReporter {
        let style = ProgressReporter.style(for: progressMode, stderrIsTTY: io.stderrIsTTY,
                                           environment: io.environment, quiet: console.quiet)
        return ProgressReporter(label: label, total: total, style: style, output: io.stderr, unit: unit, now: io.now)
    }

    /// A path option made absolute against the working directory.
    public func path(_ option: OptionSpec) -> String? {
        options.path(option, relativeTo: io.workingDirectory)
    }
}
