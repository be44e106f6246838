import Foundation
import Testing

/// The README's Quick start is what CI runs, and it is what a newcomer types first.
@Suite struct ReadmeTests {
    static let root = packageRoot

    static func read(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theQuickStartIsTheSimCommissioningAndTheTestSuite() throws {
        let readme = try Self.read("README.md")
        let section = try #require(readme.components(separatedBy: "## Quick start").dropFirst().first)
        let block = try #require(section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let commands = block.split(separator: "\n").map(String.init)
        #expect(commands == ["swift run chargekit commission CP-0001 --sim", "swift test"])
    }

    @Test func ciRunsTheQuickStartAsWritten() throws {
        let ci = try Self.read(".ci/run")
        #expect(ci.contains("/^## Quick start/"), "CI reads the commands from the README rather than repeating them")
        #expect(ci.contains("bash -c \"$command\""))
    }

    /// Every command the tool has is in the README or points to its man page there.
    @Test func everyCommandGroupIsMentioned() throws {
        let readme = try Self.read("README.md")
        for group in ["commission", "config", "firmware", "qa", "inspect", "site update", "sync", "sim", "completions", "login", "status"] {
            #expect(readme.contains("chargekit \(group)"), "\(group)")
        }
    }
}
