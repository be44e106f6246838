import ChargeKitCLI
import Foundation
import Testing

/// Exit codes and messages of command-line mistakes, through `CLI.run` in-process.
@Suite struct UsageTests {
    @Test func unknownOptionExits64WithDidYouMean() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["--jsn", "version"])
        #expect(run.status == 64)
        #expect(run.stdout == "")
        #expect(run.stderr.contains("unknown option '--jsn'; did you mean '--json'?"))
        #expect(run.stderr.contains("Run 'chargekit --help' for usage."))
    }

    @Test func unknownCommandExits64WithDidYouMean() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["lgin"])
        #expect(run.status == 64)
        #expect(run.stdout == "")
        #expect(run.stderr.contains("unknown command 'lgin'; did you mean 'login'?"))
        let help = await sandbox.run(["help", "logut"])
        #expect(help.status == 64)
        #expect(help.stderr.contains("unknown command 'logut'; did you mean 'logout'?"))
    }

    @Test func tokenOptionPointsToTokenFileAndLoginWithoutEchoingTheValue() async throws {
        let sandbox = try Sandbox()
        for arguments in [["login", "--token", "tok-4242-secret"], ["--token=tok-4242-secret", "login"]] {
            let run = await sandbox.run(arguments)
            #expect(run.status == 64)
            #expect(run.stderr.contains("did you mean '--token-file'?"))
            #expect(run.stderr.contains("chargekit login"))
            #expect(!run.stderr.contains("tok-4242-secret"))
            #expect(!run.stdout.contains("tok-4242-secret"))
        }
    }

    @Test func argumentsToLoginAreRejectedWithoutEcho() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example", "tok-4242-secret"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("'login' takes no arguments (got 1)"))
        #expect(!run.stderr.contains("tok-4242-secret"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath))
    }

    /// The first word of every command, in registration order.
    static var topLevelWords: [String] {
        var seen: [String] = []
        for command in CLI.commands where !seen.contains(command.spec.path[0]) { seen.append(command.spec.path[0]) }
        return seen
    }

    @Test func badValuesExit64NamingTheOption() async throws {
        let sandbox = try Sandbox()
        let cases: [([String], String)] = [
            (["--progress", "fancy", "logout"], "option '--progress' must be one of auto, plain, none, got 'fancy'"),
            (["logout", "--timeout", "soon"], "option '--timeout' expects a number SECONDS, got 'soon'"),
            (["logout", "--backend"], "option '--backend' needs a value (URL)"),
            (["logout", "--timeout", "0"], "--timeout: must be a positive number of seconds"),
            (["login", "--backend", "ftp://csms.example"], "--backend: 'ftp://csms.example' is not an http(s) URL"),
            (["login", "--backend", "csms.example"], "--backend: 'csms.example' is not an http(s) URL"),
            (["-q", "-v", "logout"], "--quiet and --verbose cannot be used together"),
            (["logout", "--key", "k.pem"], "--key: a private key needs a client certificate (--cert)"),
            ([], "no command given (commands: \(Self.topLevelWords.joined(separator: ", ")))"),
        ]
        for (arguments, message) in cases {
            let run = await sandbox.run(arguments)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(run.stdout == "", "\(arguments)")
        }
    }

    @Test func credentialsInTheBackendURLAreRefusedAndNotEchoed() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://installer:pa55word@csms.example"], stdin: "t\n")
        #expect(run.status == 64)
        #expect(run.stderr.contains("credentials in the URL are not accepted"))
        #expect(!run.stderr.contains("pa55word"))
    }

    @Test func badBackendFromTheEnvironmentIsAConfigurationError() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login"], stdin: "t\n", environment: ["CHARGEKIT_BACKEND": "not a url"])
        #expect(run.status == 78)
        #expect(run.stderr.contains("CHARGEKIT_BACKEND (from $CHARGEKIT_BACKEND): 'not a url' is not an http(s) URL"))
    }

    @Test func groupWithoutSubcommandIsAUsageError() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["config"], tool: TestCommands.tool)
        #expect(run.status == 64)
        #expect(run.stderr.contains("'config' needs a command: get, set"))
        let typo = await sandbox.run(["config", "sett", "k"], tool: TestCommands.tool)
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("did you mean 'config set'?"))
        #expect(typo.stderr.contains("Run 'chargekit config --help' for usage."))
    }

    @Test func missingPositionalIsAUsageErrorNamingIt() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["config", "get"], tool: TestCommands.tool)
        #expect(run.status == 64)
        #expect(run.stderr.contains("missing argument KEY for 'config get'"))
        #expect(run.stderr.contains("Run 'chargekit config get --help' for usage."))
    }

    @Test func commandsRunWithTheirArguments() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["-v", "copy", "-o", "x", "a", "--", "-b"], tool: TestCommands.tool)
        #expect(run.status == 0)
        #expect(run.stdout == "copy [\"a\", \"-b\"]\n")
    }
}
