import ChargeKit
import ChargeKitCLI
import Foundation
import Testing

/// Settings: flag > environment > config.json, each with its source; bad config is exit 78.
@Suite struct ConfigTests {
    func settings(_ sandbox: Sandbox, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Settings {
        let options = try CLI.tool.parser.parse(["logout"] + arguments).options
        return try Settings.resolve(options: options, environment: sandbox.environment.merging(extra) { $1 },
                                    workingDirectory: sandbox.work)
    }

    @Test func flagBeatsEnvironmentBeatsFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"backend": "https://file.example", "token-file": "file-token", "timeout": 12}"#,
                          to: sandbox.configPath)
        let environment = ["CHARGEKIT_BACKEND": "https://env.example", "CHARGEKIT_TOKEN_FILE": "env-token"]

        let fromFlags = try settings(sandbox, ["--backend", "https://flag.example", "--token-file", "flag-token",
                                               "--timeout", "3"], environment: environment)
        #expect(fromFlags.backend?.value.absoluteString == "https://flag.example")
        #expect(fromFlags.backend?.source == .flag("--backend"))
        #expect(fromFlags.tokenFile == Resolved(sandbox.work + "/flag-token", from: .flag("--token-file")))
        #expect(fromFlags.timeout == Resolved(3, from: .flag("--timeout")))

        let fromEnvironment = try settings(sandbox, [], environment: environment)
        #expect(fromEnvironment.backend?.value.absoluteString == "https://env.example")
        #expect(fromEnvironment.backend?.source == .environment("CHARGEKIT_BACKEND"))
        #expect(fromEnvironment.tokenFile == Resolved(sandbox.work + "/env-token", from: .environment("CHARGEKIT_TOKEN_FILE")))
        #expect(fromEnvironment.timeout == Resolved(12, from: .configFile(path: sandbox.configPath, key: "timeout")))

        let fromFile = try settings(sandbox, [])
        #expect(fromFile.backend?.value.absoluteString == "https://file.example")
        #expect(fromFile.backend?.source == .configFile(path: sandbox.configPath, key: "backend"))
        // Relative paths in config.json are relative to its directory.
        #expect(fromFile.tokenFile?.value == sandbox.configDirectory + "/file-token")
        #expect(fromFile.tokenFile?.source.description == "from \"token-file\" in \(sandbox.configPath)")
    }

    @Test func emptyEnvironmentVariablesCountAsUnset() throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"backend": "https://file.example"}"#, to: sandbox.configPath)
        let resolved = try settings(sandbox, [], environment: ["CHARGEKIT_BACKEND": ""])
        #expect(resolved.backend?.source == .configFile(path: sandbox.configPath, key: "backend"))
    }

    @Test func defaultsAndDirectories() throws {
        let sandbox = try Sandbox()
        let resolved = try settings(sandbox, [])
        #expect(resolved.backend == nil)
        #expect(resolved.configDirectory == sandbox.configDirectory)
        #expect(resolved.dataDirectory == sandbox.root + "/data/chargekit")
        #expect(resolved.tokenFile == Resolved(sandbox.tokenPath, from: .builtIn("token file")))
        #expect(resolved.configFile?.exists == false)
        #expect(resolved.insecure == false)
        #expect(try settings(sandbox, ["-k"]).insecure)
    }

    @Test func xdgDefaultsAndRelativeValuesAreIgnored() throws {
        let sandbox = try Sandbox()
        let unset = try settings(sandbox, [], environment: ["XDG_CONFIG_HOME": "", "XDG_DATA_HOME": "relative/data"])
        #expect(unset.configDirectory == sandbox.home + "/.config/chargekit")
        #expect(unset.dataDirectory == sandbox.home + "/.local/share/chargekit")
    }

    @Test func verboseShowsWhereEachSettingCameFrom() async throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"backend": "https://file.example", "timeout": 5}"#, to: sandbox.configPath)
        let run = await sandbox.run(["logout", "-v", "--token-file", "t"],
                                    environment: ["CHARGEKIT_BACKEND": "https://env.example"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("backend: https://env.example (from $CHARGEKIT_BACKEND)"))
        #expect(run.stderr.contains("token-file: \(sandbox.work)/t (from --token-file)"))
        #expect(run.stderr.contains("timeout: 5.0 (from \"timeout\" in \(sandbox.configPath))"))
    }

    @Test func malformedConfigExits78NamingFileLineAndColumn() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("{\n  \"backend\": \"https://a.example\",\n  \"timeout\": x\n}\n", to: sandbox.configPath)
        let run = await sandbox.run(["logout"])
        #expect(run.status == 78)
        #expect(run.stdout == "")
        #expect(run.stderr.contains("\(sandbox.configPath):3:14: invalid JSON: unexpected character 'x', expected a value"))
    }

    @Test func trailingCommaIsLocated() async throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"backend": "x",}"#, to: sandbox.configPath)
        let run = await sandbox.run(["login", "--backend", "https://a.example"], stdin: "tok\n")
        #expect(run.status == 78)
        #expect(run.stderr.contains("config.json:1:17: invalid JSON: unexpected character '}', expected a string key"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.tokenPath), "nothing is written when the config is broken")
        #expect(sandbox.read(sandbox.configPath) == #"{"backend": "x",}"#, "a broken config is never overwritten")
    }

    @Test func wrongTypeAndNonObjectAreConfigurationErrors() async throws {
        let sandbox = try Sandbox()
        try sandbox.write("{\n  \"backend\": 5\n}", to: sandbox.configPath)
        let wrongType = await sandbox.run(["logout"])
        #expect(wrongType.status == 78)
        #expect(wrongType.stderr.contains("config.json:2:14: \"backend\" must be a string, not a number"))
        try sandbox.write("[1, 2]", to: sandbox.configPath)
        let array = await sandbox.run(["logout"])
        #expect(array.status == 78)
        #expect(array.stderr.contains("config.json:1:1: expected a JSON object at the top level"))
    }

    @Test func invalidBackendInTheFileIsAConfigurationError() async throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"backend": "mqtt://broker"}"#, to: sandbox.configPath)
        let run = await sandbox.run(["logout"])
        #expect(run.status == 78)
        #expect(run.stderr.contains("\"backend\" (from \"backend\" in \(sandbox.configPath)): 'mqtt://broker' is not an http(s) URL"))
    }

    @Test func unreadableConfigIsAConfigurationError() async throws {
        let sandbox = try Sandbox()
        try FileManager.default.createDirectory(atPath: sandbox.configPath, withIntermediateDirectories: true)
        let run = await sandbox.run(["logout"])
        #expect(run.status == 78)
        #expect(run.stderr.contains("cannot read \(sandbox.configPath)"))
    }
}
