import ChargeKit
import ChargeKitCLI
import Testing

@Suite struct ParserTests {
    let parser = TestCommands.parser
    typealias T = TestCommands

    func parse(_ arguments: [String]) throws -> Invocation {
        try parser.parse(arguments)
    }

    func usageError(_ arguments: [String]) -> UsageError? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            return error
        }
    }

    @Test func longOptionWithSeparateValueAndWithEquals() throws {
        let spaced = try parse(["copy", "--output", "a.txt", "src"])
        let joined = try parse(["copy", "--output=a.txt", "src"])
        #expect(spaced.options.string(T.output) == "a.txt")
        #expect(joined.options.string(T.output) == "a.txt")
        #expect(spaced.positionals == ["src"])
    }

    @Test func equalsKeepsTheRestOfTheValue() throws {
        let invocation = try parse(["copy", "--header=a=b=c", "src"])
        #expect(invocation.options.strings(T.header) == ["a=b=c"])
    }

    @Test func bundledShortFlags() throws {
        let invocation = try parse(["copy", "-ab", "src"])
        #expect(invocation.options.flag(T.all))
        #expect(invocation.options.flag(T.brief))
        let globals = try parse(["-qk", "copy", "src"])
        #expect(globals.options.flag(GlobalOptions.quiet))
        #expect(globals.options.flag(GlobalOptions.insecure))
    }

    @Test func shortOptionWithSeparateOrAttachedValue() throws {
        #expect(try parse(["copy", "-o", "f", "s"]).options.string(T.output) == "f")
        #expect(try parse(["copy", "-of", "s"]).options.string(T.output) == "f")
        #expect(try parse(["copy", "-abo", "f", "s"]).options.string(T.output) == "f")
        let bundled = try parse(["copy", "-abofile.txt", "s"])
        #expect(bundled.options.string(T.output) == "file.txt")
        #expect(bundled.options.flag(T.all) && bundled.options.flag(T.brief))
        #expect(try parse(["copy", "-n7", "s"]).options.int(T.count) == 7)
    }

    @Test func valueTakingOptionTakesTheNextArgumentWhateverItLooksLike() throws {
        #expect(try parse(["copy", "--count", "-5", "s"]).options.int(T.count) == -5)
        #expect(try parse(["copy", "-H", "--json", "s"]).options.strings(T.header) == ["--json"])
    }

    @Test func repeatedOptionsAccumulateAndCount() throws {
        let invocation = try parse(["copy", "-H", "a", "--header", "b", "--header=c", "-Hd", "s"])
        #expect(invocation.options.strings(T.header) == ["a", "b", "c", "d"])
        #expect(try parse(["-vv", "copy", "s", "-v"]).options.count(GlobalOptions.verbose) == 3)
    }

    @Test func nonRepeatableOptionKeepsTheLastValue() throws {
        let invocation = try parse(["copy", "--count", "1", "s", "--count", "2"])
        #expect(invocation.options.int(T.count) == 2)
    }

    @Test func negatableFlags() throws {
        #expect(try parse(["copy", "s"]).options.flagIfPresent(T.verify) == nil)
        #expect(try parse(["copy", "--verify", "s"]).options.flag(T.verify) == true)
        #expect(try parse(["copy", "--verify", "--no-verify", "s"]).options.flag(T.verify) == false)
        #expect(try parse(["copy", "--no-verify", "--verify", "s"]).options.flag(T.verify) == true)
    }

    @Test func noPrefixOnlyForNegatableFlags() {
        #expect(usageError(["copy", "--no-all", "s"])?.message == "option '--all' cannot be negated")
        #expect(usageError(["--no-json", "copy", "s"])?.message == "option '--json' cannot be negated")
        #expect(usageError(["copy", "--no-verify=yes", "s"])?.message == "option '--no-verify' does not take a value")
    }

    @Test func noColorIsAnOptionOfItsOwn() throws {
        #expect(try parse(["--no-color", "copy", "s"]).options.flag(GlobalOptions.noColor))
    }

    @Test func doubleDashEndsOptions() throws {
        let invocation = try parse(["copy", "--all", "--", "-o", "--json", "-"])
        #expect(invocation.options.flag(T.all))
        #expect(invocation.options.isPresent(T.output) == false)
        #expect(invocation.options.flag(GlobalOptions.json) == false)
        #expect(invocation.positionals == ["-o", "--json", "-"])
    }

    @Test func loneDashIsAPositional() throws {
        #expect(try parse(["copy", "-", "out"]).positionals == ["-", "out"])
    }

    @Test func globalOptionsBeforeAndAfterTheCommandWord() throws {
        let before = try parse(["--json", "--backend", "https://a.example", "copy", "s"])
        let after = try parse(["copy", "s", "--json", "--backend=https://a.example"])
        for invocation in [before, after] {
            #expect(invocation.path == ["copy"])
            #expect(invocation.options.flag(GlobalOptions.json))
            #expect(invocation.options.string(GlobalOptions.backend) == "https://a.example")
            #expect(invocation.positionals == ["s"])
        }
    }

    @Test func commandOptionsOnlyAfterTheCommandWord() {
        #expect(usageError(["--all", "copy", "s"])?.message == "unknown option '--all'")
    }

    @Test func twoLevelCommands() throws {
        let invocation = try parse(["config", "--json", "get", "-r", "network.apn"])
        #expect(invocation.path == ["config", "get"])
        #expect(invocation.spec?.name == "config get")
        #expect(invocation.options.flag(TestCommands.recursive))
        #expect(invocation.positionals == ["network.apn"])
        let group = try parse(["config"])
        #expect(group.path == ["config"])
        #expect(group.spec == nil)
        #expect(parser.subcommandWords(after: ["config"]) == ["get", "set"])
    }

    @Test func unknownSubcommandSuggestsTheClosest() {
        #expect(usageError(["config", "gte", "k"])?.message == "unknown command 'config gte'; did you mean 'config get'?")
        #expect(usageError(["config", "gte"])?.commandPath == ["config"])
    }

    @Test func unknownCommandSuggestsTheClosest() {
        #expect(usageError(["cpy"])?.message == "unknown command 'cpy'; did you mean 'copy'?")
        #expect(usageError(["frobnicate"])?.message == "unknown command 'frobnicate'")
    }

    @Test func unknownOptionSuggestsTheClosest() {
        #expect(usageError(["--jsn", "copy"])?.message == "unknown option '--jsn'; did you mean '--json'?")
        #expect(usageError(["copy", "--ouptut", "x"])?.message == "unknown option '--ouptut'; did you mean '--output'?")
        #expect(usageError(["copy", "--verfy"])?.message == "unknown option '--verfy'; did you mean '--verify'?")
        #expect(usageError(["--token", "x"])?.message == "unknown option '--token'; did you mean '--token-file'?")
        #expect(usageError(["--token", "x"])?.unknownOption == "--token")
        #expect(usageError(["--xyzzy"])?.message == "unknown option '--xyzzy'")
    }

    @Test func unknownOptionNeverEchoesItsValue() throws {
        let error = try #require(usageError(["--token=s3cr3t-value", "copy", "s"]))
        #expect(error.message == "unknown option '--token'; did you mean '--token-file'?")
        #expect(!error.message.contains("s3cr3t"))
    }

    @Test func unknownShortOption() {
        #expect(usageError(["copy", "-x", "s"])?.message == "unknown option '-x'")
        #expect(usageError(["copy", "-axb", "s"])?.message == "unknown option '-x' in '-axb'")
        #expect(usageError(["copy", "-A", "s"])?.message == "unknown option '-A'; did you mean '-a'?")
    }

    @Test func missingValueNamesTheOption() {
        #expect(usageError(["copy", "s", "--output"])?.message == "option '--output' needs a value (FILE)")
        #expect(usageError(["copy", "s", "-o"])?.message == "option '--output' needs a value (FILE)")
        #expect(usageError(["copy", "s", "--format"])?.message == "option '--format' needs a value (text|json|csv)")
        #expect(usageError(["copy", "s", "--output="])?.message == "option '--output' needs a non-empty path")
    }

    @Test func badNumbersNameTheOption() {
        #expect(usageError(["copy", "s", "--count", "many"])?.message == "option '--count' expects a whole number N, got 'many'")
        #expect(usageError(["copy", "s", "-n1.5"])?.message == "option '--count' expects a whole number N, got '1.5'")
        #expect(usageError(["copy", "s", "--ratio", "x"])?.message == "option '--ratio' expects a number X, got 'x'")
        #expect(usageError(["copy", "s", "--ratio=nan"])?.message == "option '--ratio' expects a number X, got 'nan'")
        #expect(usageError(["--timeout", "inf", "copy"])?.message == "option '--timeout' expects a number SECONDS, got 'inf'")
    }

    @Test func numbersAreConverted() throws {
        let invocation = try parse(["copy", "s", "--ratio", "0.25", "--timeout=1e1"])
        #expect(invocation.options.double(T.ratio) == 0.25)
        #expect(invocation.options.double(GlobalOptions.timeout) == 10)
    }

    @Test func badEnumValueListsTheAllowedValues() {
        #expect(usageError(["copy", "s", "--format", "yaml"])?.message
                == "option '--format' must be one of text, json, csv, got 'yaml'")
        #expect(usageError(["--progress", "plian", "copy"])?.message
                == "option '--progress' must be one of auto, plain, none, got 'plian'; did you mean 'plain'?")
    }

    @Test func flagsTakeNoValue() {
        #expect(usageError(["--json=yes", "copy"])?.message == "option '--json' does not take a value")
    }

    @Test func positionalsAreMatchedToTheirDeclarations() throws {
        let invocation = try parse(["copy", "a", "b", "c"])
        let spec = try #require(invocation.spec)
        let arguments = try parser.matchPositionals(invocation.positionals, to: spec)
        #expect(arguments.value(TestCommands.source) == "a")
        #expect(arguments.values(TestCommands.destinations) == ["b", "c"])
        let single = try parser.matchPositionals(["a"], to: spec)
        #expect(single.values(TestCommands.destinations) == [])
        let set = try parser.matchPositionals(["k"], to: TestCommands.configSet)
        #expect(set.value(TestCommands.key) == "k")
        #expect(set.value(TestCommands.value) == nil)
    }

    @Test func positionalMistakes() {
        func message(_ positionals: [String], _ spec: CommandSpec) -> String? {
            do {
                _ = try parser.matchPositionals(positionals, to: spec)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message([], TestCommands.copy) == "missing argument SOURCE for 'copy'")
        #expect(message(["k", "v", "extra-secret"], TestCommands.configSet)
                == "too many arguments for 'config set' (1 more than it takes)")
        #expect(message(["stray-secret"], TestCommands.whoami) == "'whoami' takes no arguments (got 1)")
    }

    @Test func everyDeclaredCommandIsWellFormed() {
        for command in CLI.commands + TestCommands.tool.commands {
            #expect(command.spec.declarationProblems(globalOptions: GlobalOptions.all) == [], "\(command.spec.name)")
        }
        let globalLongs = GlobalOptions.all.map(\.long)
        #expect(Set(globalLongs).count == globalLongs.count)
        let globalShorts = GlobalOptions.all.compactMap(\.short)
        #expect(Set(globalShorts).count == globalShorts.count)
    }

    @Test func declarationProblemsAreFound() {
        let bad = CommandSpec(path: ["bad"], summary: "Bad",
                              options: [OptionSpec("json", help: "x"), OptionSpec("z", short: "v", help: "x"),
                                        OptionSpec("w", .value("W"), help: "x", negatable: true)],
                              positionals: [PositionalSpec("A", .variadic(min: 0), help: "x"), PositionalSpec("B", help: "x")])
        let problems = bad.declarationProblems(globalOptions: GlobalOptions.all)
        #expect(problems.contains("bad: duplicate option --json"))
        #expect(problems.contains("bad: duplicate short option -v"))
        #expect(problems.contains("bad: --w takes a value and cannot be negatable"))
        #expect(problems.contains("bad: variadic A is not last"))
        #expect(problems.contains("bad: required B after an optional argument"))
    }
}

@Suite struct SuggestionTests {
    @Test func editDistance() {
        #expect(Suggestion.distance("", "abc") == 3)
        #expect(Suggestion.distance("kitten", "sitting") == 3)
        #expect(Suggestion.distance("login", "lgoin") == 1, "a transposition costs one")
        #expect(Suggestion.distance("json", "json") == 0)
    }

    @Test func closestMatch() {
        let options = GlobalOptions.all.map(\.spelling)
        #expect(Suggestion.closest(to: "--jsn", in: options, preferring: .containing) == "--json")
        #expect(Suggestion.closest(to: "--token", in: options, preferring: .containing) == "--token-file")
        #expect(Suggestion.closest(to: "--color", in: options, preferring: .containing) == "--no-color")
        #expect(Suggestion.closest(to: "--verbos", in: options, preferring: .containing) == "--verbose")
        #expect(Suggestion.closest(to: "--tiemout", in: options, preferring: .containing) == "--timeout")
        #expect(Suggestion.closest(to: "--xyzzy", in: options, preferring: .containing) == nil)
        #expect(Suggestion.closest(to: "lgin", in: ["login", "logout", "help", "version"], preferring: .containing) == "login")
        #expect(Suggestion.closest(to: "logot", in: ["login", "logout", "help", "version"], preferring: .containing) == "logout")
        #expect(Suggestion.closest(to: "zz", in: ["login", "logout"], preferring: .containing) == nil)
    }
}
