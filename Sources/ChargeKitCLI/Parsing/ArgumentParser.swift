import ChargeKit
/// A mistake on the command line: exit 64, the message, and a pointer to the right help.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The command whose help would help (empty: the top-level help).
    public let commandPath: [String]
    /// For an unknown option, its name as typed without any value ("--token").
    public let unknownOption: String?

    public init(_ message: String, commandPath: [String] = [], unknownOption: String? = nil) {
        self.message = message
        self.commandPath = commandPath
        self.unknownOption = unknownOption
    }

    public var description: String { message }
}

/// One parser for every command. Syntax, as in curl and getopt_long:
///
/// - `--name value`, `--name=value`; `--name` for flags, `--no-name` for negatable flags;
/// - `-x`, bundled `-qv`, `-o value`, `-ovalue`, and `-qo value` (a value-taking letter
///   takes the rest of the bundle, or the next argument);
/// - a value-taking option takes the next argument whatever it looks like (`-n -5`);
/// - `--` ends the options; a lone `-` is a positional (standard input, by convention);
/// - the first positionals are command words, matched against the command paths, so
///   `config get` is two words; global options are accepted before, between and after
///   them, a command's own options once its words are known;
/// - a non-repeatable option given twice keeps the last value (so aliases can be overridden).
///
/// Options are never abbreviated: a new option must not change what an old spelling meant.
public struct ArgumentParser: Sendable {
    public let commands: [CommandSpec]
    public let globalOptions: [OptionSpec]

    public init(commands: [CommandSpec], globalOptions: [OptionSpec]) {
        self.commands = commands
        self.globalOptions = globalOptions
    }

    public func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var state = State(parser: self, arguments: arguments)
        try state.run()
        return Invocation(path: state.path, spec: state.spec, options: state.options, positionals: state.positionals)
    }

    /// The spec for exactly this path.
    public func spec(for path: [String]) -> CommandSpec? {
        commands.first { $0.path == path }
    }

    /// The words that can follow `path` ("get", "set" after "config"; top-level words after []).
    public func subcommandWords(after path: [String]) -> [String] {
        var words: [String] = []
        for command in commands where command.path.count > path.count && command.path.starts(with: path) {
            let word = command.path[path.count]
            if !words.contains(word) { words.append(word) }
        }
        return words
    }

    /// Matches the positionals of an invocation to its spec's declarations.
    public func matchPositionals(_ positionals: [String], to spec: CommandSpec) throws(UsageError) -> ParsedArguments {
        var byName: [String: [String]] = [:]
        var remaining = positionals[...]
        for declaration in spec.positionals {
            switch declaration.arity {
            case .required:
                guard let value = remaining.popFirst() else {
                    throw UsageError("missing argument \(declaration.name) for '\(spec.name)'", commandPath: spec.path)
                }
                byName[declaration.name] = [value]
            case .optional:
                if let value = remaining.popFirst() { byName[declaration.name] = [value] }
            case .variadic(let minimum):
                guard remaining.count >= minimum else {
                    throw UsageError("'\(spec.name)' needs at least \(minimum) \(declaration.name) argument\(minimum == 1 ? "" : "s")",
                                     commandPath: spec.path)
                }
                byName[declaration.name] = Array(remaining)
                remaining = []
            }
        }
        if !remaining.isEmpty {
            // Never echo the stray words: someone may have typed a token where it does not belong.
            if spec.positionals.isEmpty {
                throw UsageError("'\(spec.name)' takes no arguments (got \(remaining.count))", commandPath: spec.path)
            }
            throw UsageError("too many arguments for '\(spec.name)' (\(remaining.count) more than it takes)",
                             commandPath: spec.path)
        }
        return ParsedArguments(all: positionals, byName: byName)
    }

    private struct State {
        let parser: ArgumentParser
        let arguments: [String]
        var index = 0
        var path: [String] = []
        var spec: CommandSpec?
        var commandWordsDone = false
        var optionsEnded = false
        var options = ParsedOptions()
        var positionals: [String] = []

        init(parser: ArgumentParser, arguments: [String]) {
            self.parser = parser
            self.arguments = arguments
        }

        var table: [OptionSpec] { parser.globalOptions + (spec?.options ?? []) }

        mutating func run() throws(UsageError) {
            while index < arguments.count {
                let argument = arguments[index]
                index += 1
                if !optionsEnded && argument == "--" {
                    optionsEnded = true
                } else if !optionsEnded && argument.hasPrefix("--") {
                    try parseLong(argument)
                } else if !optionsEnded && argument.hasPrefix("-") && argument.count > 1 {
                    try parseShortBundle(argument)
                } else {
                    try takePositional(argument)
                }
            }
        }

        mutating func takePositional(_ argument: String) throws(UsageError) {
            if !commandWordsDone {
                let candidate = path + [argument]
                if parser.commands.contains(where: { $0.path.starts(with: candidate) }) {
                    path = candidate
                    spec = parser.spec(for: path)
                    if parser.subcommandWords(after: path).isEmpty { commandWordsDone = true }
                    return
                }
                if spec == nil {
                    let words = parser.subcommandWords(after: path)
                    let prefix = path.isEmpty ? "" : path.joined(separator: " ") + " "
                    var message = "unknown command '\(prefix)\(argument)'"
                    if let match = Suggestion.closest(to: argument, in: words, preferring: .containing) {
                        message += "; did you mean '\(prefix)\(match)'?"
                    }
                    throw UsageError(message, commandPath: path)
                }
                commandWordsDone = true
            }
            positionals.append(argument)
        }

        mutating func parseLong(_ argument: String) throws(UsageError) {
            let body = argument.dropFirst(2)
            let name: String
            let inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
                inlineValue = nil
            }
            if let option = table.first(where: { $0.long == name }) {
                if option.kind.takesValue {
                    let raw: String
                    if let inlineValue { raw = inlineValue } else { raw = try takeValue(for: option) }
                    try record(option, raw: raw)
                } else {
                    guard inlineValue == nil else {
                        throw UsageError("option '--\(name)' does not take a value", commandPath: path)
                    }
                    options.append(option, .flag(true))
                }
                return
            }
            if name.hasPrefix("no-"), let option = table.first(where: { $0.long == String(name.dropFirst(3)) }) {
                guard option.negatable else {
                    throw UsageError("option '--\(option.long)' cannot be negated", commandPath: path)
                }
                guard inlineValue == nil else {
                    throw UsageError("option '--\(name)' does not take a value", commandPath: path)
                }
                options.append(option, .flag(false))
                return
            }
            // Only the name is echoed: the value after '=' may be a secret (`--token=...`).
            var message = "unknown option '--\(name)'"
            let spellings = table.flatMap { option in
                option.negatable ? ["--" + option.long, "--no-" + option.long] : ["--" + option.long]
            }
            if let match = Suggestion.closest(to: "--" + name, in: spellings, preferring: .containing) {
                message += "; did you mean '\(match)'?"
            }
            throw UsageError(message, commandPath: path, unknownOption: "--" + name)
        }

        mutating func parseShortBundle(_ argument: String) throws(UsageError) {
            let letters = Array(argument.dropFirst())
            var position = 0
            while position < letters.count {
                let letter = letters[position]
                position += 1
                guard let option = table.first(where: { $0.short == letter }) else {
                    var message = "unknown option '-\(letter)'"
                    if letters.count > 1 { message += " in '\(argument)'" }
                    if let match = table.first(where: { $0.short.map { String($0).lowercased() } == String(letter).lowercased() }) {
                        message += "; did you mean '-\(match.short.map(String.init) ?? "")'?"
                    }
                    throw UsageError(message, commandPath: path, unknownOption: "-\(letter)")
                }
                if option.kind.takesValue {
                    let rest = String(letters[position...])
                    let raw: String
                    if rest.isEmpty { raw = try takeValue(for: option) } else { raw = rest }
                    try record(option, raw: raw)
                    return
                }
                options.append(option, .flag(true))
            }
        }

        mutating func takeValue(for option: OptionSpec) throws(UsageError) -> String {
            guard index < arguments.count else {
                throw UsageError("option '--\(option.long)' needs a value (\(option.kind.valueName ?? "VALUE"))",
                                 commandPath: path)
            }
            index += 1
            return arguments[index - 1]
        }

        mutating func record(_ option: OptionSpec, raw: String) throws(UsageError) {
            let value: OptionValue
            switch option.kind {
            case .flag:
                value = .flag(true)
            case .value:
                value = .text(raw)
            case .path:
                guard !raw.isEmpty else {
                    throw UsageError("option '--\(option.long)' needs a non-empty path", commandPath: path)
                }
                value = .text(raw)
            case .int(let name):
                guard let number = Int(raw) else {
                    throw UsageError("option '--\(option.long)' expects a whole number \(name), got '\(raw)'",
                                     commandPath: path)
                }
                value = .int(number)
            case .double(let name):
                guard let number = Double(raw), number.isFinite else {
                    throw UsageError("option '--\(option.long)' expects a number \(name), got '\(raw)'",
                                     commandPath: path)
                }
                value = .double(number)
            case .choice(let allowed):
                guard allowed.contains(raw) else {
                    var message = "option '--\(option.long)' must be one of \(allowed.joined(separator: ", ")), got '\(raw)'"
                    if let match = Suggestion.closest(to: raw, in: allowed, preferring: .containing) { message += "; did you mean '\(match)'?" }
                    throw UsageError(message, commandPath: path)
                }
                value = .text(raw)
            }
            options.append(option, value)
        }
    }
}
