import ChargeKitCLI
import Foundation

/// A private temporary HOME / XDG tree per test, and an in-process runner with captured
/// streams. Nothing is shared between tests, so they run in parallel.
final class Sandbox {
    let root: String

    init() throws {
        var template = Array((URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("chargekit-test-XXXXXX").path).utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let path = created else {
            throw CocoaError(.fileWriteUnknown)
        }
        root = String(cString: path)
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/work", withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    var home: String { root + "/home" }
    var work: String { root + "/work" }
    var configHome: String { root + "/config" }
    var configDirectory: String { configHome + "/chargekit" }
    var configPath: String { configDirectory + "/config.json" }
    var tokenPath: String { configDirectory + "/token" }

    var environment: [String: String] {
        ["HOME": home, "XDG_CONFIG_HOME": configHome, "XDG_DATA_HOME": root + "/data", "TERM": "xterm-256color"]
    }

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
        let input: StringInput
    }

    struct Terminals {
        var stdin = false
        var stdout = false
        var stderr = false
        static let none = Terminals()
        static let all = Terminals(stdin: true, stdout: true, stderr: true)
    }

    func io(stdin: StringInput, stdout: CapturedOutput, stderr: CapturedOutput, environment extra: [String: String?],
            tty: Terminals) -> IO {
        var environment = self.environment
        for (key, value) in extra { environment[key] = value }
        return IO(stdin: stdin, stdout: stdout, stderr: stderr, stdinIsTTY: tty.stdin, stdoutIsTTY: tty.stdout,
                  stderrIsTTY: tty.stderr, environment: environment, workingDirectory: work, now: { 0 })
    }

    func run(_ arguments: [String], stdin: String = "", environment extra: [String: String?] = [:],
             tty: Terminals = .none, tool: CommandLineTool = CLI.tool) async -> Run {
        let input = StringInput(stdin)
        let stdout = CapturedOutput()
        let stderr = CapturedOutput()
        let status = await tool.run(arguments, io: io(stdin: input, stdout: stdout, stderr: stderr,
                                                      environment: extra, tty: tty))
        return Run(status: status, stdout: stdout.text, stderr: stderr.text, input: input)
    }

    func write(_ text: String, to path: String, mode: Int = 0o600) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    func mode(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }
}

/// The package root, for man pages.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
