/// One value as parsed (already converted to the option's kind).
public enum OptionValue: Sendable, Equatable {
    case flag(Bool)
    case text(String)
    case int(Int)
    case double(Double)
}

/// The options given on the command line, in order. Read them with the typed accessors,
/// passing the `OptionSpec` constant the command declared.
public struct ParsedOptions: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let long: String
        public let value: OptionValue
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    mutating func append(_ option: OptionSpec, _ value: OptionValue) {
        entries.append(Entry(long: option.long, value: value))
    }

    private func values(_ option: OptionSpec) -> [OptionValue] {
        entries.filter { $0.long == option.long }.map(\.value)
    }

    public func isPresent(_ option: OptionSpec) -> Bool {
        entries.contains { $0.long == option.long }
    }

    /// A flag's value: the last of `--x` (true) and `--no-x` (false); false when absent.
    public func flag(_ option: OptionSpec) -> Bool {
        flagIfPresent(option) ?? false
    }

    /// A flag's value, nil when neither `--x` nor `--no-x` was given.
    public func flagIfPresent(_ option: OptionSpec) -> Bool? {
        guard case .flag(let value)? = values(option).last else { return nil }
        return value
    }

    /// How many times a repeatable flag was given (`-vvv` is 3); `--no-x` resets the count.
    public func count(_ option: OptionSpec) -> Int {
        var count = 0
        for case .flag(let on) in values(option) { count = on ? count + 1 : 0 }
        return count
    }

    /// The last text (value, choice or path) given.
    public func string(_ option: OptionSpec) -> String? {
        strings(option).last
    }

    /// Every text value of a repeatable option, in order.
    public func strings(_ option: OptionSpec) -> [String] {
        values(option).compactMap { if case .text(let text) = $0 { text } else { nil } }
    }

    public func int(_ option: OptionSpec) -> Int? {
        ints(option).last
    }

    public func ints(_ option: OptionSpec) -> [Int] {
        values(option).compactMap { if case .int(let value) = $0 { value } else { nil } }
    }

    public func double(_ option: OptionSpec) -> Double? {
        values(option).compactMap { if case .double(let value) = $0 { value } else { nil } }.last
    }

    /// A path option made absolute against `workingDirectory`.
    public func path(_ option: OptionSpec, relativeTo workingDirectory: String) -> String? {
        string(option).map { Paths.absolute($0, relativeTo: workingDirectory) }
    }
}

/// The positional arguments, addressed by their declarations.
public struct ParsedArguments: Sendable, Equatable {
    public let all: [String]
    private let byName: [String: [String]]

    init(all: [String], byName: [String: [String]]) {
        self.all = all
        self.byName = byName
    }

    /// The value of a required or optional positional.
    public func value(_ positional: PositionalSpec) -> String? {
        byName[positional.name]?.first
    }

    /// The values of a variadic positional.
    public func values(_ positional: PositionalSpec) -> [String] {
        byName[positional.name] ?? []
    }
}

/// The result of parsing: which command, with which options and arguments.
public struct Invocation: Sendable, Equatable {
    /// The command words found; may name a group ("config") or be empty.
    public let path: [String]
    /// The spec for `path`, nil when `path` is empty or a group without its own command.
    public let spec: CommandSpec?
    public let options: ParsedOptions
    /// Positional arguments in order, before they are matched to the spec.
    public let positionals: [String]
}

enum Paths {
    static func absolute(_ path: String, relativeTo directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
