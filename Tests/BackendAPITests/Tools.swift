import Foundation
import Testing

/// The repository root, found from this file's path (Tests/BackendAPITests/Tools.swift).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let contractPath = repositoryRoot.appendingPathComponent("docs/backend-api.yaml").path
let exampleCheckerPath = repositoryRoot.appendingPathComponent("docs/tools/check-examples.py").path

struct ToolResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var succeeded: Bool { status == 0 }
}

enum ToolError: Error, CustomStringConvertible {
    case cannotRun(String)
    var description: String {
        switch self {
        case .cannotRun(let message): message
        }
    }
}

/// Runs `python3 ARGS...` (through env, so the PATH decides which python3) in the repository
/// root, output captured through files so a chatty tool cannot fill a pipe and hang.
func runPython(_ arguments: [String]) throws -> ToolResult {
    let scratch = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout")
    let errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    process.currentDirectoryURL = repositoryRoot
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    do {
        try process.run()
    } catch {
        throw ToolError.cannotRun("cannot run python3 (\(error)); install Python 3")
    }
    process.waitUntilExit()
    try out.close()
    try err.close()
    return ToolResult(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// Whether `python3 -c "import MODULE"` works.
func pythonHasModule(_ module: String) throws -> Bool {
    try runPython(["-c", "import \(module)"]).succeeded
}

func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("BackendAPITests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
