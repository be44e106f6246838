import Foundation
import Testing
import TestSupport

/// The repository root, found from this file's path (Tests/BackendAPITests/Tools.swift).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let contractPath = repositoryRoot.appendingPathComponent("docs/backend-api.yaml").path
let exampleCheckerPath = repositoryRoot.appendingPathComponent("docs/tools/check-examples.py").path

/// Runs `python3 ARGS...` in the repository root.
func runPython(_ arguments: [String]) async throws -> ToolResult {
    try await runTool("python3", arguments, in: repositoryRoot)
}

func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("BackendAPITests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
