import ChargeKit
import ChargeKitCLI
import Foundation
import Testing

/// Help renders from the same tables the parser uses, in every spelling.
@Suite struct HelpTests {
    @Test func topLevelHelpInEverySpellingIsTheSame() async throws {
        let sandbox = try Sandbox()
        let long = await sandbox.run(["--help"])
        #expect(long.status == 0)
        #expect(long.stderr == "")
        for arguments in [["-h"], ["help"], ["--no-color", "--help"], ["--help", "--json"]] {
            let run = await sandbox.run(arguments)
            #expect(run.status == 0)
            #expect(run.stdout == long.stdout, "\(arguments)")
        }
    }

    @Test func topLevelHelpListsEveryCommandAndGlobalOption() async throws {
        let sandbox = try Sandbox()
        let help = await sandbox.run(["--help"]).stdout
        #expect(help.hasPrefix("Usage: chargekit [OPTIONS] COMMAND [ARGUMENTS]\n"))
        for command in CLI.commands {
            #expect(help.contains("  \(command.spec.name)  "), "\(command.spec.name)")
            #expect(help.contains(command.spec.summary), "\(command.spec.name)")
        }
        for option in GlobalOptions.all {
            #expect(help.contains(option.synopsis), "\(option.long)")
        }
        #expect(help.contains("-v, --verbose"))
        #expect(help.contains("--progress auto|plain|none"))
    }

    @Test(arguments: CLI.commands.map(\.spec.name))
    func commandHelpInEverySpellingIsTheSame(name: String) async throws {
        let sandbox = try Sandbox()
        let words = name.split(separator: " ").map(String.init)
        let viaHelp = await sandbox.run(["help"] + words)
        #expect(viaHelp.status == 0)
        #expect(viaHelp.stderr == "")
        for arguments in [words + ["--help"], words + ["-h"], ["--help"] + words, ["-q"] + words + ["-h"]] {
            let run = await sandbox.run(arguments)
            #expect(run.status == 0, "\(arguments)")
            #expect(run.stdout == viaHelp.stdout, "\(arguments)")
        }
    }

    @Test(arguments: CLI.commands.map(\.spec.name))
    func commandHelpShowsItsTable(name: String) async throws {
        let sandbox = try Sandbox()
        let command = try #require(CLI.commands.first { $0.spec.name == name })
        let help = await sandbox.run(["help"] + command.spec.path).stdout
        #expect(help.hasPrefix("Usage: chargekit \(name)"))
        #expect(help.contains(command.spec.summary))
        for option in command.spec.options + command.spec.relevantGlobalOptions {
            #expect(help.contains(option.synopsis), "\(option.long)")
            #expect(help.contains(String(option.help.prefix(30))), "\(option.long)")
        }
        for positional in command.spec.positionals {
            #expect(help.contains(positional.synopsis))
        }
        #expect(help.contains("See \(command.spec.manPage)(1)."))
    }

    @Test func commandHelpIsRenderedFromTheTable() async throws {
        let sandbox = try Sandbox()
        let help = await sandbox.run(["copy", "--help"], tool: TestCommands.tool).stdout
        #expect(help.hasPrefix("Usage: chargekit copy [OPTIONS] SOURCE [DEST...]\n"))
        #expect(help.contains("  -o, --output FILE"))
        #expect(help.contains("  -n, --count N"))
        #expect(help.contains("      --format text|json|csv"))
        #expect(help.contains("  -H, --header LINE"))
        #expect(help.contains("Extra header. Repeatable."))
        #expect(help.contains("      --[no-]verify"))
        #expect(help.contains("Arguments:\n  SOURCE"))
    }

    @Test func groupAndTwoLevelHelp() async throws {
        let sandbox = try Sandbox()
        let group = await sandbox.run(["config", "--help"], tool: TestCommands.tool)
        #expect(group.status == 0)
        #expect(group.stdout.contains("config get"))
        #expect(group.stdout.contains("Read a key"))
        #expect(group.stdout.contains("config set"))
        let viaHelp = await sandbox.run(["help", "config"], tool: TestCommands.tool)
        #expect(viaHelp.stdout == group.stdout)
        let get = await sandbox.run(["help", "config", "get"], tool: TestCommands.tool)
        #expect(get.status == 0)
        #expect(get.stdout.hasPrefix("Usage: chargekit config get [OPTIONS] KEY\n"))
        #expect(get.stdout.contains("-r, --recursive"))
        #expect(await sandbox.run(["config", "get", "-h"], tool: TestCommands.tool).stdout == get.stdout)
        let typo = await sandbox.run(["help", "config", "gt"], tool: TestCommands.tool)
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("did you mean 'config get'?"))
    }

    @Test func helpWorksWithABrokenConfigFile() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("{ broken", to: sandbox.configPath)
        #expect(await sandbox.run(["--help"]).status == 0)
        #expect(await sandbox.run(["login", "--help"]).status == 0)
        #expect(await sandbox.run(["help", "logout"]).status == 0)
        #expect(await sandbox.run(["--version"]).status == 0)
    }

    @Test func helpLinesFitEightyColumns() async throws {
        let sandbox = try Sandbox()
        for arguments in [["--help"]] + CLI.commands.map({ ["help"] + $0.spec.path }) {
            for line in await sandbox.run(arguments).stdout.split(separator: "\n") {
                #expect(line.count <= 80, "\(arguments): \(line)")
                #expect(!line.hasSuffix(" "), "\(arguments): trailing space in '\(line)'")
            }
        }
    }
}

@Suite struct VersionTests {
    @Test func versionFlagAndCommandPrintBothVersions() async throws {
        let sandbox = try Sandbox()
        let flag = await sandbox.run(["--version"])
        let command = await sandbox.run(["version"])
        #expect(flag.status == 0)
        #expect(flag.stdout == command.stdout)
        let lines = flag.stdout.split(separator: "\n")
        #expect(lines.first == "chargekit \(ChargeKit.version)")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("libcurl/") == true)
        #expect(flag.stderr == "")
    }

    @Test func versionAsJSON() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["version", "--json"])
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: String])
        #expect(object["version"] == ChargeKit.version)
        #expect(object["libcurl"]?.hasPrefix("libcurl/") == true)
    }
}
