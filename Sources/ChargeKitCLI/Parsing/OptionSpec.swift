/// One option, declared as a value in a command's table (or the global table). The parser,
/// `--help`, the man-page meta-test and the did-you-mean suggestions all read the same value.
public struct OptionSpec: Sendable, Equatable {
    /// What follows the option on the command line.
    public enum Kind: Sendable, Equatable {
        /// No value: `--json`. Repeatable flags count (`-vv`); negatable ones accept `--no-x`.
        case flag
        /// Free text, shown in help as the value name: `--backend URL`.
        case value(String)
        /// One of a fixed set: `--progress auto|plain|none`.
        case choice([String])
        /// A whole number: `--retries N`.
        case int(String)
        /// A finite decimal number: `--timeout SECONDS`.
        case double(String)
        /// A file system path (non-empty), relative to the working directory: `--cacert FILE`.
        case path(String)

        public var takesValue: Bool {
            if case .flag = self { return false }
            return true
        }

        /// How the value is shown in help and messages ("URL", "auto|plain|none"); nil for flags.
        public var valueName: String? {
            switch self {
            case .flag: nil
            case .value(let name), .int(let name), .double(let name), .path(let name): name
            case .choice(let values): values.joined(separator: "|")
            }
        }
    }

    /// Help groups, shown in the order they first appear in a table.
    public enum Group {
        public static let general = "General"
        public static let connection = "Connection"
        public static let output = "Output"
        public static let options = "Options"
    }

    /// The long name without dashes: "token-file".
    public let long: String
    /// The short letter, if any: "v" for `-v`.
    public let short: Character?
    public let kind: Kind
    public let help: String
    public let group: String
    /// May be given more than once; all values are kept (flags count). Otherwise the last wins.
    public let repeatable: Bool
    /// A flag that also accepts `--no-<long>` (which sets it false).
    public let negatable: Bool

    public init(_ long: String, short: Character? = nil, _ kind: Kind = .flag, help: String,
                group: String = Group.options, repeatable: Bool = false, negatable: Bool = false) {
        self.long = long
        self.short = short
        self.kind = kind
        self.help = help
        self.group = group
        self.repeatable = repeatable
        self.negatable = negatable
    }

    /// "--backend" — how messages name the option.
    public var spelling: String { "--" + long }

    /// The option as shown in help: "-o, --output FILE", "    --[no-]verify".
    public var synopsis: String {
        let shortPart = short.map { "-\($0), " } ?? "    "
        let longPart = negatable ? "--[no-]\(long)" : "--\(long)"
        return shortPart + longPart + (kind.valueName.map { " " + $0 } ?? "")
    }
}

/// A positional argument of a command.
public struct PositionalSpec: Sendable, Equatable {
    public enum Arity: Sendable, Equatable {
        case required
        case optional
        /// Any number of values, at least `min`. Only the last positional may be variadic.
        case variadic(min: Int)
    }

    /// Shown in usage lines and help: "FILE".
    public let name: String
    public let arity: Arity
    public let help: String
    /// The words it accepts, when they are a fixed set (shell completion offers them).
    public let choices: [String]

    public init(_ name: String, _ arity: Arity = .required, help: String, choices: [String] = []) {
        self.name = name
        self.arity = arity
        self.help = help
        self.choices = choices
    }

    /// "FILE", "[FILE]", "FILE...", "[FILE...]".
    public var synopsis: String {
        switch arity {
        case .required: name
        case .optional: "[\(name)]"
        case .variadic(let min): min > 0 ? "\(name)..." : "[\(name)...]"
        }
    }
}

/// Everything the framework knows about a command except how to run it.
public struct CommandSpec: Sendable, Equatable {
    /// The command's words: ["login"], ["config", "get"].
    public let path: [String]
    /// One line for the command list.
    public let summary: String
    /// Paragraphs for `--help`, separated by blank lines.
    public let discussion: String
    public let options: [OptionSpec]
    public let positionals: [PositionalSpec]
    /// Global options worth listing in this command's help ("--backend" for login).
    public let relevantGlobalOptions: [OptionSpec]
    /// The man page documenting the command, without section: "chargekit-login".
    public let manPage: String
    /// Whether settings (backend, token file, TLS) are resolved before `run`. Commands that
    /// must work with a broken config.json (help, version) say false.
    public let resolvesSettings: Bool

    public init(path: [String], summary: String, discussion: String = "", options: [OptionSpec] = [],
                positionals: [PositionalSpec] = [], relevantGlobalOptions: [OptionSpec] = [],
                manPage: String? = nil, resolvesSettings: Bool = true) {
        self.path = path
        self.summary = summary
        self.discussion = discussion
        self.options = options
        self.positionals = positionals
        self.relevantGlobalOptions = relevantGlobalOptions
        self.manPage = manPage ?? "chargekit-" + (path.first ?? "")
        self.resolvesSettings = resolvesSettings
    }

    /// "config get".
    public var name: String { path.joined(separator: " ") }

    /// Declaration mistakes a test should catch: duplicate names or letters (also against
    /// the global table), negatable non-flags, a variadic positional that is not last, an
    /// optional positional before a required one.
    public func declarationProblems(globalOptions: [OptionSpec]) -> [String] {
        var problems: [String] = []
        var longs = Set(globalOptions.map(\.long))
        var shorts = Set(globalOptions.compactMap(\.short))
        for option in options {
            if !longs.insert(option.long).inserted { problems.append("\(name): duplicate option --\(option.long)") }
            if let short = option.short, !shorts.insert(short).inserted {
                problems.append("\(name): duplicate short option -\(short)")
            }
            if option.negatable && option.kind.takesValue {
                problems.append("\(name): --\(option.long) takes a value and cannot be negatable")
            }
            if option.long.hasPrefix("no-") { problems.append("\(name): declare --\(option.long) as negatable instead") }
        }
        var sawOptional = false
        for (position, positional) in positionals.enumerated() {
            switch positional.arity {
            case .required:
                if sawOptional { problems.append("\(name): required \(positional.name) after an optional argument") }
            case .optional:
                sawOptional = true
            case .variadic:
                sawOptional = true
                if position != positionals.count - 1 { problems.append("\(name): variadic \(positional.name) is not last") }
            }
        }
        return problems
    }
}
