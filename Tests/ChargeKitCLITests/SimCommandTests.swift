import ChargeKitCLI
import Foundation
import Testing

/// `chargekit sim` refuses bad arguments before it starts anything (in-process).
@Suite struct SimCommandTests {
    @Test(arguments: [
        (["--fault", "CP-0001:melted"], "--fault CP-0001:melted: unknown fault kind 'melted'"),
        (["--chargers", "5", "--fault", "CP-0009:offline"], "no charger 'CP-0009' in a fleet of 5"),
        (["--fault", "offline"], "expected CHARGER:KIND"),
        (["--speed", "0"], "--speed must be greater than 0"),
        (["--speed", "-2"], "--speed must be greater than 0"),
        (["--error-rate", "1"], "--error-rate must be at least 0 and below 1"),
        (["--error-rate", "-0.1"], "--error-rate must be at least 0 and below 1"),
        (["--latency", "-1"], "--latency must be 0 to 60000 milliseconds"),
        (["--latency", "60001"], "--latency must be 0 to 60000 milliseconds"),
        (["--port", "70000"], "--port must be 0 to 65535"),
        (["--chargers", "0"], "--chargers must be 1 to 100000"),
    ])
    func badArgumentsAreUsageErrorsNamingTheOption(arguments: [String], message: String) async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["sim"] + arguments)
        #expect(run.status == 64)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stdout == "")
    }

    @Test func anUnreadableTokensFileIs66AndAMalformedOne78WithItsPosition() async throws {
        let sandbox = try Sandbox()
        let missing = await sandbox.run(["sim", "--tokens", "no-such-file.json"])
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("cannot read tokens file \(sandbox.work)/no-such-file.json"), "\(missing.stderr)")
        let path = sandbox.work + "/tokens.json"
        try sandbox.write("[\n  {\"token\": \"a\", \"user\": \"u\", \"role\": \"installer\", \"sites\": [\"SITE-01\"]},\n  {\"token\": }\n]\n",
                          to: path)
        let broken = await sandbox.run(["sim", "--tokens", path])
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("tokens file \(path):3:"), "\(broken.stderr)")
        try sandbox.write("[{\"token\": \"a\", \"user\": \"u\", \"role\": \"superuser\", \"sites\": []}]", to: path)
        let role = await sandbox.run(["sim", "--tokens", path])
        #expect(role.status == 78)
        #expect(role.stderr.contains("tokens file \(path):1:") && role.stderr.contains("unknown role \"superuser\""), "\(role.stderr)")
    }
}
