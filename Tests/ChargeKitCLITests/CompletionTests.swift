import ChargeKitCLI
import Foundation
import Testing
import TestSupport

/// The completion scripts, exercised in the real shells: bash through its completion
/// variables, fish through `complete -C`, zsh with the completion builtins replaced by
/// functions that print what they were given.
@Suite struct CompletionTests {
    /// The script for `shell`, from the command itself, saved in `directory`.
    static func script(_ shell: String, in directory: URL) async throws -> URL {
        let run = await (try Sandbox()).run(["completions", shell])
        #expect(run.status == 0 && run.stderr == "")
        let url = directory.appendingPathComponent("completion.\(shell)")
        try Data(run.stdout.utf8).write(to: url)
        return url
    }

    /// A directory with a profile and a sub-directory, for file and directory completion.
    static func workspace() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("state"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: url.appendingPathComponent("site.json"))
        return url
    }

    static var topLevel: [String] { CLI.commands.map { $0.spec.path[0] }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

    @Test func everyCommandAndOptionIsInEveryScript() async throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work) }
        for shell in ["bash", "zsh", "fish"] {
            let text = try String(contentsOf: try await Self.script(shell, in: work), encoding: .utf8)
            for command in CLI.commands {
                for word in command.spec.path { #expect(text.contains(word), "\(shell): \(word)") }
                for option in command.spec.options { #expect(text.contains(option.long), "\(shell): \(command.spec.name) --\(option.long)") }
            }
        }
    }

    @Test func anUnknownShellIsAUsageError() async throws {
        let run = await (try Sandbox()).run(["completions", "tcsh"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("unknown shell 'tcsh' (shells: bash, zsh, fish)"))
        #expect(run.stdout == "")
    }

    @Test(.enabled(if: executablePath(named: "bash") != nil, "bash is not installed"))
    func bashCompletesCommandsOptionsChoicesAndFiles() async throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work) }
        let script = try await Self.script("bash", in: work)
        let driver = """
            source \(script.path)
            cd \(work.path)
            t() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _chargekit; echo "${COMPREPLY[*]}"; }
            t chargekit ''
            t chargekit ch
            t chargekit chargers ''
            t chargekit chargers list --con
            t chargekit --progress ''
            t chargekit --progress=pl
            t chargekit --token-file si
            t chargekit sim --state-dir ''
            t chargekit --backend http://x status ''
            t chargekit completions ''
            t chargekit -v sim --tokens site.json --ch
            """
        let result = try await runTool("bash", ["-c", driver])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expected = [
            Self.topLevel.joined(separator: " "),
            "chargers",
            "list",
            "--connected",
            "auto plain none",
            "plain",
            "site.json",
            "state",
            "",
            "bash zsh fish",
            "--chargers",
        ]
        #expect(Array(lines.prefix(expected.count)) == expected, "\(result.stdout)")
    }

    @Test(.enabled(if: executablePath(named: "fish") != nil, "fish is not installed"))
    func fishCompletesCommandsOptionsChoicesAndFiles() async throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work) }
        let script = try await Self.script("fish", in: work)
        let driver = """
            source \(script.path); cd \(work.path)
            for line in 'chargekit ' 'chargekit chargers ' 'chargekit chargers list --con' 'chargekit --progress ' \
                        'chargekit --token-file si' 'chargekit completions ' 'chargekit -v sim --tokens site.json --ch'
                echo (complete -C $line | string split -f1 \\t | string join ' ')
            end
            """
        let result = try await runTool("fish", ["-c", driver])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expected = [
            Self.topLevel.sorted().joined(separator: " "),
            "list",
            "--connected",
            "auto none plain",
            "site.json",
            "bash fish zsh",
            "--chargers",
        ]
        #expect(Array(lines.prefix(expected.count)) == expected, "\(result.stdout)")
    }

    @Test(.enabled(if: executablePath(named: "zsh") != nil, "zsh is not installed"))
    func zshOffersWhatTheWordsBeforeTheCursorAllow() async throws {
        let work = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: work) }
        let script = try await Self.script("zsh", in: work)
        let driver = """
            compdef() { :; }
            _describe() { local name=$4; local -a got; got=("${(@P)name}"); print -r -- "describe ${(j: :)${(@)got%%:*}}"; }
            compadd() { if [[ $1 == -a ]]; then print -r -- "compadd ${(P)2}"; else shift; print -r -- "compadd $*"; fi; }
            _files() { print -r -- "files $*"; }
            compset() { :; }
            source \(script.path)
            t() { words=("$@"); CURRENT=${#words}; _chargekit; }
            t chargekit ''
            t chargekit chargers ''
            t chargekit --progress ''
            t chargekit sim --state-dir ''
            t chargekit --token-file=x
            t chargekit completions ''
            """
        let result = try await runTool("zsh", ["-f", "-c", driver])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "describe " + Self.topLevel.joined(separator: " "),
            "describe list",
            "compadd auto plain none",
            "files -/",
            "files ",
            "compadd bash zsh fish",
        ], "\(result.stdout)")
    }
}
