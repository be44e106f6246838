/// What shell completion needs to know, read from the same option tables the parser uses, so
/// a new command or option completes without anyone touching the scripts.
struct CompletionTable: Sendable {
    /// How the word after an option (or a positional) completes.
    enum ValueKind: Sendable, Equatable {
        /// Nothing to offer: free text, numbers, charger ids.
        case free
        /// File names.
        case file
        /// Directory names.
        case directory
        /// One of these words.
        case choice([String])
    }

    struct Option: Sendable {
        var long: String
        var short: Character?
        var help: String
        /// nil for flags.
        var value: ValueKind?
        var negatable: Bool
    }

    /// A command word reachable from a path, with its one-line summary.
    struct Word: Sendable {
        var word: String
        var summary: String
    }

    struct Node: Sendable {
        /// The words so far: [] for the top level, ["config"] for a group, ["config", "apply"].
        var path: [String]
        /// The words that may follow.
        var next: [Word]
        /// For a runnable command: its own options (the global ones are in `globals`).
        var options: [Option]
        /// How its positional arguments complete; nil when there are none or it is a group.
        var positional: ValueKind?
    }

    let name: String
    let nodes: [Node]
    let globals: [Option]

    init(tool: CommandLineTool) {
        name = tool.name
        globals = tool.globalOptions.map(Self.option)
        var paths: [[String]] = [[]]
        for command in tool.commands {
            for length in 1...command.spec.path.count {
                let prefix = Array(command.spec.path.prefix(length))
                if !paths.contains(prefix) { paths.append(prefix) }
            }
        }
        var nodes: [Node] = []
        for path in paths {
            var next: [Word] = []
            for command in tool.commands where command.spec.path.count > path.count && Array(command.spec.path.prefix(path.count)) == path {
                let word = command.spec.path[path.count]
                guard !next.contains(where: { $0.word == word }) else { continue }
                let group = path + [word]
                if let leaf = tool.command(at: group) {
                    next.append(Word(word: word, summary: leaf.spec.summary))
                } else {
                    let words = tool.commands.filter { $0.spec.path.count > group.count && Array($0.spec.path.prefix(group.count)) == group }
                        .map { $0.spec.path[group.count] }.uniqued()
                    next.append(Word(word: word, summary: "Commands: " + words.joined(separator: ", ")))
                }
            }
            let command = tool.command(at: path)
            var positional: ValueKind?
            if let spec = command?.spec, let first = spec.positionals.first {
                // `help` takes command words; everything else by the argument's name.
                if spec.path == ["help"] {
                    positional = .choice(tool.commands.map { $0.spec.path[0] }.uniqued())
                } else if !first.choices.isEmpty {
                    positional = .choice(first.choices)
                } else {
                    positional = Self.kind(named: first.name)
                }
            }
            nodes.append(Node(path: path, next: next, options: command?.spec.options.map(Self.option) ?? [], positional: positional))
        }
        self.nodes = nodes
    }

    /// Every option a command accepts: its own, then the global ones.
    func options(of node: Node) -> [Option] { node.options + globals }

    /// Options that take a value anywhere, by spelling: the word after one is never a command.
    var valueOptionSpellings: [String] {
        var spellings: [String] = []
        for option in globals + nodes.flatMap(\.options) where option.value != nil {
            for spelling in ["--" + option.long] + (option.short.map { ["-\($0)"] } ?? []) where !spellings.contains(spelling) {
                spellings.append(spelling)
            }
        }
        return spellings
    }

    static func option(_ spec: OptionSpec) -> Option {
        let value: ValueKind?
        switch spec.kind {
        case .flag: value = nil
        case .choice(let words): value = .choice(words)
        case .path(let name): value = kind(named: name)
        case .value(let name): value = kind(named: name)
        case .int, .double: value = .free
        }
        return Option(long: spec.long, short: spec.short, help: spec.help, value: value, negatable: spec.negatable)
    }

    /// `FILE`, `CSV`, `PROFILE` complete as files, `DIR` as directories.
    static func kind(named name: String) -> ValueKind {
        let upper = name.uppercased()
        if upper == "DIR" || upper.hasSuffix("DIR") { return .directory }
        if ["FILE", "CSV", "PATH"].contains(where: { upper == $0 || upper.hasSuffix($0) }) { return .file }
        return .free
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
