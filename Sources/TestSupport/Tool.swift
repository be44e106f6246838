import Foundation

/// What an external tool (python3, groff, curl) printed and how it ended.
public struct ToolResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var succeeded: Bool { status == 0 }
    public var output: String { stdout + stderr }
}

public struct ToolError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// Runs `executable` (a path, or a name looked up through /usr/bin/env) with `arguments`,
/// standard input from /dev/null, output captured through files so a chatty tool cannot
/// fill a pipe and hang. The wait happens off the concurrency pool.
public func runTool(_ executable: String, _ arguments: [String], in directory: URL? = nil) async throws -> ToolResult {
    try await offPool {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw ToolError(description: "cannot run \(executable): \(error)")
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ToolResult(status: process.terminationStatus,
                          stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// Whether `python3 -c "import MODULE"` works.
public func pythonHasModule(_ module: String) async throws -> Bool {
    try await runTool("python3", ["-c", "import \(module)"]).succeeded
}

/// The first executable called one of `names` on PATH (or the usual bin directories), if any:
/// for gating tests on a tool, `.enabled(if: executablePath(named: "zsh") != nil, "...")`.
public func executablePath(named names: String...) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
        for name in names {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
    }
    return nil
}
