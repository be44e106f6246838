import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit sim` running as a child process, and `chargekit` commands run against it with
/// an isolated HOME and XDG tree.
struct SimUnderTest {
    static let listening = "chargekit sim listening on "

    let process: BackgroundProcess
    /// `http://127.0.0.1:PORT`, from the listening line.
    let url: String
    let sandbox: Sandbox

    /// Starts `chargekit sim --port 0` with `arguments`, waiting for its listening line.
    static func start(_ arguments: [String], sandbox: Sandbox) async throws -> SimUnderTest {
        let executable = try BinaryRunner(product: "chargekit").executable
        let process = try await BackgroundProcess.start(executable, ["sim", "--port", "0"] + arguments,
                                                        environment: environment(sandbox), readyPrefix: listening, timeout: 120)
        return SimUnderTest(process: process, url: String(process.readyLine.dropFirst(listening.count)), sandbox: sandbox)
    }

    static func environment(_ sandbox: Sandbox) -> [String: String] {
        ["PATH": "/usr/bin:/bin", "HOME": sandbox.home, "XDG_CONFIG_HOME": sandbox.configHome, "XDG_DATA_HOME": sandbox.root + "/data"]
    }

    /// Runs `body` with a started simulator, then stops it with SIGTERM and requires a clean
    /// exit 0 with no process left behind.
    static func with(_ arguments: [String], _ body: (SimUnderTest) async throws -> Void) async throws {
        let sandbox = try Sandbox()
        let sim = try await start(arguments, sandbox: sandbox)
        do {
            try await body(sim)
        } catch {
            _ = await sim.stop()
            throw error
        }
        let ending = await sim.stop()
        #expect(ending.status == 0 && !ending.bySignal && !ending.killed, "sim stderr:\n\(ending.stderr)")
        #expect(!sim.process.isRunning)
    }

    func stop(signal: Int32 = SIGTERM) async -> BackgroundProcess.Ending {
        await process.stop(signal: signal, timeout: 30)
    }

    /// `chargekit ARGUMENTS` against the simulator (after `login`).
    func run(_ arguments: [String], stdin: String = "", timeout: TimeInterval = 120) async throws -> BinaryResult {
        try await BinaryRunner(product: "chargekit").run(arguments, stdin: Data(stdin.utf8), environment: Self.environment(sandbox),
                                                         timeout: timeout)
    }

    /// The booted chargers of the simulator, waiting (bounded) until all `count` are up.
    func fleet(count: Int) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(90)
        while true {
            let list = try await run(["chargers", "list", "--json"])
            let chargers = try JSONValue(parsing: list.stdout).arrayValue ?? []
            if chargers.count == count, chargers.allSatisfy({ $0["connected"] == true && $0["ocppVersion"] != nil }) {
                return chargers
            }
            guard ContinuousClock.now < deadline else {
                Issue.record("the fleet did not boot: \(list.stdout)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// `chargekit login --backend URL` with `token` on stdin.
    func login(_ token: String) async throws {
        let result = try await run(["login", "--backend", url], stdin: token + "\n")
        #expect(result.status == 0, "login: \(result.stderr)")
    }
}
