import ChargeKit
import ChargeKitCLI
import Foundation
import Testing

@Suite struct LoginTests {
    static let token = "ck_live_7f3a9c1e5b2d4f60a8e1"

    func assertNeverShown(_ run: Sandbox.Run, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!run.stdout.contains(Self.token), sourceLocation: sourceLocation)
        #expect(!run.stderr.contains(Self.token), sourceLocation: sourceLocation)
        #expect(!run.stdout.contains(String(Self.token.prefix(12))), sourceLocation: sourceLocation)
        #expect(!run.stderr.contains(String(Self.token.prefix(12))), sourceLocation: sourceLocation)
    }

    @Test func pipedTokenIsStoredWith0600AndNeverShown() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: Self.token + "\n")
        #expect(run.status == 0)
        #expect(run.stdout == "")
        #expect(run.stderr == "Token for https://csms.example stored in \(sandbox.tokenPath) (mode 0600).\n")
        assertNeverShown(run)
        #expect(sandbox.read(sandbox.tokenPath) == Self.token + "\n")
        #expect(sandbox.mode(of: sandbox.tokenPath) == 0o600)
        #expect(sandbox.mode(of: sandbox.configDirectory) == 0o700)
        #expect(sandbox.read(sandbox.configPath) == "{\n  \"backend\": \"https://csms.example\"\n}\n")
        #expect(sandbox.mode(of: sandbox.configPath) == 0o600)
        #expect(run.input.readsWithEchoDisabled == 0, "no terminal, nothing to hide")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: sandbox.configDirectory)
        #expect(leftovers.sorted() == ["config.json", "token"], "no temporary files left behind")
    }

    @Test func terminalInputIsReadWithEchoOffAfterAPromptOnStderr() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: Self.token + "\nrest",
                                    tty: .all)
        #expect(run.status == 0)
        #expect(run.input.readsWithEchoDisabled == 1)
        #expect(run.input.readsWithEchoEnabled == 0)
        #expect(run.stderr.hasPrefix("API token for https://csms.example (input hidden): "))
        #expect(run.stdout == "")
        assertNeverShown(run)
        #expect(sandbox.read(sandbox.tokenPath) == Self.token + "\n")
    }

    @Test func noPromptWhenStdinIsNotATerminal() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: Self.token,
                                    tty: Sandbox.Terminals(stdin: false, stdout: true, stderr: true))
        #expect(run.status == 0)
        #expect(!run.stderr.contains("API token for"))
    }

    @Test(arguments: ["", "\n", "   \n\n", "\r\n"])
    func emptyTokenExits65AndStoresNothing(input: String) async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: input)
        #expect(run.status == 65)
        #expect(run.stderr.contains("the token is empty"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath))
        #expect(!FileManager.default.fileExists(atPath: sandbox.configPath))
    }

    @Test func emptyTokenAtTheTerminalExits65() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: "", tty: .all)
        #expect(run.status == 65)
    }

    @Test func tokenWithInnerWhitespaceIsRejectedWithoutBeingShown() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example"],
                                    stdin: Self.token + "\n" + Self.token + "\n")
        #expect(run.status == 65)
        #expect(run.stderr.contains("whitespace, control or non-ASCII characters"))
        assertNeverShown(run)
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath))
    }

    @Test func loginNeedsABackend() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login"], stdin: Self.token)
        #expect(run.status == 64)
        #expect(run.stderr.contains("login needs the backend URL"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath))
    }

    @Test func backendFromTheEnvironmentIsRecorded() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login"], stdin: Self.token, environment: ["CHARGEKIT_BACKEND": "http://127.0.0.1:8080/api"])
        #expect(run.status == 0)
        #expect(sandbox.read(sandbox.configPath)?.contains("\"backend\": \"http://127.0.0.1:8080/api\"") == true)
    }

    @Test func loginKeepsTheOtherKeysOfConfigJSON() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("""
            {"site": "Depot 7", "backend": "https://old.example", "timeout": 2.50, "extra": {"a": [1, true, null]}}
            """, to: sandbox.configPath, mode: 0o644)
        let run = await sandbox.run(["login", "--backend", "https://new.example"], stdin: Self.token)
        #expect(run.status == 0)
        #expect(sandbox.read(sandbox.configPath) == """
            {
              "site": "Depot 7",
              "backend": "https://new.example",
              "timeout": 2.50,
              "extra": {
                "a": [
                  1,
                  true,
                  null
                ]
              }
            }

            """)
        #expect(sandbox.mode(of: sandbox.configPath) == 0o600)
    }

    @Test func reloginReplacesTheTokenAndTightensItsMode() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("old-token\n", to: sandbox.tokenPath, mode: 0o644)
        let run = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: Self.token)
        #expect(run.status == 0)
        #expect(sandbox.read(sandbox.tokenPath) == Self.token + "\n")
        #expect(sandbox.mode(of: sandbox.tokenPath) == 0o600)
    }

    @Test func tokenFileFlagStoresThereAndIsRecorded() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--backend", "https://csms.example", "--token-file", "secrets/ck.token"],
                                    stdin: Self.token)
        #expect(run.status == 0)
        let path = sandbox.work + "/secrets/ck.token"
        #expect(sandbox.read(path) == Self.token + "\n")
        #expect(sandbox.mode(of: path) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath))
        #expect(sandbox.read(sandbox.configPath)?.contains("\"token-file\": \"\(path)\"") == true)
        // Later commands find it without the flag.
        let whoami = await sandbox.run(["whoami"], tool: TestCommands.tool)
        #expect(whoami.status == 0)
        #expect(whoami.stdout == "token of \(Self.token.count) characters\n")
    }

    @Test func jsonOutputCarriesOnlyJSONAndNoToken() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "--json", "--backend", "https://csms.example"], stdin: Self.token)
        #expect(run.status == 0)
        assertNeverShown(run)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: String])
        #expect(object == ["backend": "https://csms.example", "tokenFile": sandbox.tokenPath, "configFile": sandbox.configPath])
    }

    @Test func quietLoginPrintsNothing() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["login", "-q", "--backend", "https://csms.example"], stdin: Self.token)
        #expect(run.status == 0)
        #expect(run.stdout == "")
        #expect(run.stderr == "")
    }

    @Test func logoutRemovesTheTokenAndSaysSo() async throws {
        let sandbox = try Sandbox()
        _ = await sandbox.run(["login", "--backend", "https://csms.example"], stdin: Self.token)
        let run = await sandbox.run(["logout"])
        #expect(run.status == 0)
        #expect(run.stderr == "Logged out: removed \(sandbox.tokenPath).\n")
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath))
        #expect(FileManager.default.fileExists(atPath: sandbox.configPath), "config.json stays")
        let again = await sandbox.run(["logout"])
        #expect(again.status == 0)
        #expect(again.stderr == "Not logged in: there is no token at \(sandbox.tokenPath).\n")
        let json = await sandbox.run(["logout", "--json"])
        #expect(json.stdout == "{\n  \"removed\" : false,\n  \"tokenFile\" : \"\(sandbox.tokenPath)\"\n}\n")
    }

    @Test func groupReadableTokenFileWarns() async throws {
        let sandbox = try Sandbox()
        try sandbox.write(Self.token + "\n", to: sandbox.tokenPath, mode: 0o640)
        let run = await sandbox.run(["whoami"], tool: TestCommands.tool)
        #expect(run.status == 0)
        #expect(run.stderr.contains("chargekit: warning: token file \(sandbox.tokenPath) is accessible by group or others (mode 640); run 'chmod 600 \(sandbox.tokenPath)'"))
        assertNeverShown(run)
        // Even --quiet keeps a security warning.
        #expect(await sandbox.run(["whoami", "-q"], tool: TestCommands.tool).stderr.contains("warning:"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sandbox.tokenPath)
        #expect(await sandbox.run(["whoami"], tool: TestCommands.tool).stderr == "")
    }

    @Test func missingTokenIsNotLoggedIn77OrNoInput66() async throws {
        let sandbox = try Sandbox()
        let notLoggedIn = await sandbox.run(["whoami"], tool: TestCommands.tool)
        #expect(notLoggedIn.status == 77)
        #expect(notLoggedIn.stderr.contains("not logged in"))
        #expect(notLoggedIn.stderr.contains("chargekit login --backend URL"))
        let missingFile = await sandbox.run(["whoami", "--token-file", "nope"], tool: TestCommands.tool)
        #expect(missingFile.status == 66)
        #expect(missingFile.stderr.contains("token file \(sandbox.work)/nope (from --token-file) does not exist"))
        try sandbox.write("\n", to: sandbox.tokenPath)
        let empty = await sandbox.run(["whoami"], tool: TestCommands.tool)
        #expect(empty.status == 65)
        #expect(empty.stderr.contains("is unusable: it is empty"))
    }

    @Test func unwritableTokenLocationIsAnIOError() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("a file, not a directory", to: sandbox.work + "/plain")
        let run = await sandbox.run(["login", "--backend", "https://csms.example", "--token-file", "plain/token"],
                                    stdin: Self.token)
        #expect(run.status == 74)
        #expect(run.stderr.contains("cannot create directory \(sandbox.work)/plain: Not a directory"))
        assertNeverShown(run)
    }
}
