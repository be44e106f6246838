import ChargeKit
import Foundation
import Testing
import TestSupport

/// The built `chargekit` executable, run as a process.
@Suite struct BinaryTests {
    func environment(_ sandbox: Sandbox) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": sandbox.home, "XDG_CONFIG_HOME": sandbox.configHome]
    }

    @Test func versionFlag() async throws {
        let sandbox = try Sandbox()
        let result = try await BinaryRunner(product: "chargekit").run(["--version"], environment: environment(sandbox))
        #expect(result.status == 0)
        #expect(!result.timedOut)
        #expect(result.stdout.hasPrefix("chargekit \(ChargeKit.version)\nlibcurl/"))
        #expect(result.stderr == "")
    }

    @Test func unknownOptionExits64WithDidYouMeanOnStderrOnly() async throws {
        let sandbox = try Sandbox()
        let result = try await BinaryRunner(product: "chargekit").run(["--jsn", "version"], environment: environment(sandbox))
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr.contains("unknown option '--jsn'; did you mean '--json'?"))
        #expect(!result.stderr.contains("\u{1B}"), "a pipe is not a terminal")
    }

    @Test func loginFromAPipe() async throws {
        let sandbox = try Sandbox()
        let token = "ck_pipe_0a1b2c3d4e5f"
        let result = try await BinaryRunner(product: "chargekit").run(
            ["login", "--backend", "https://csms.example"], stdin: Data((token + "\n").utf8),
            environment: environment(sandbox))
        #expect(result.status == 0)
        #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
        #expect(sandbox.read(sandbox.tokenPath) == token + "\n")
        #expect(sandbox.mode(of: sandbox.tokenPath) == 0o600)
        let empty = try await BinaryRunner(product: "chargekit").run(
            ["login", "--backend", "https://csms.example"], stdin: Data("\n".utf8), environment: environment(sandbox))
        #expect(empty.status == 65)
    }

    @Test func timeoutKillsAHangingProcess() async throws {
        // `login` with an open-ended stdin would wait forever; the runner must not.
        let result = try await BinaryRunner(executable: URL(fileURLWithPath: "/bin/sleep")).run(["30"], timeout: 0.5)
        #expect(result.timedOut)
        #expect(result.status != 0)
    }
}
