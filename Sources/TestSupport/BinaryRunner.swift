import Foundation
import Synchronization

/// What a run of a built executable produced.
public struct BinaryResult: Sendable, Equatable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    /// True when the process was killed for exceeding the timeout.
    public let timedOut: Bool
}

public enum BinaryRunnerError: Error, Sendable, CustomStringConvertible {
    case executableNotFound(name: String, searched: [String])
    case launchFailed(String)

    public var description: String {
        switch self {
        case .executableNotFound(let name, let searched):
            "no executable '\(name)' in \(searched.joined(separator: ", ")); build with 'swift build --build-tests'"
        case .launchFailed(let reason):
            "cannot launch: \(reason)"
        }
    }
}

/// Runs a product of this package (the `chargekit` binary, found next to the test bundle in
/// the build directory) as a separate process, for end-to-end tests:
///
///     let result = try await BinaryRunner(product: "chargekit").run(["--version"])
///     #expect(result.status == 0)
///
/// The environment is exactly what is passed (nothing inherited), so a test never sees the
/// developer's own config or token.
public struct BinaryRunner: Sendable {
    public let executable: URL

    /// Finds `product` in the build directory: next to the `.xctest` bundle (or the test
    /// runner executable), or where `CHARGEKIT_BUILD_DIR` points.
    public init(product: String) throws {
        var directories: [URL] = []
        if let override = ProcessInfo.processInfo.environment["CHARGEKIT_BUILD_DIR"], !override.isEmpty {
            directories.append(URL(fileURLWithPath: override))
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
            // macOS: Foo.xctest/Contents/MacOS/Foo sits three levels below the build directory.
            directories.append(executable.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent())
        }
        let arguments0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        directories.append(arguments0.deletingLastPathComponent())
        for directory in directories {
            let candidate = directory.appendingPathComponent(product)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                executable = candidate
                return
            }
        }
        throw BinaryRunnerError.executableNotFound(name: product, searched: directories.map(\.path))
    }

    public init(executable: URL) {
        self.executable = executable
    }

    /// Runs the executable with `arguments`, `stdin` as its standard input (closed after),
    /// exactly `environment`, in `workingDirectory`; kills it after `timeout` seconds (a bound
    /// for a hang, not a speed test: a loaded CI machine can hold a 30 ms command for 30 s).
    public func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:],
                    workingDirectory: URL? = nil, timeout: TimeInterval = 120) async throws -> BinaryResult {
        let executable = self.executable
        return try await withCheckedThrowingContinuation { continuation in
            // Process and pipe reads block; keep them off the cooperative pool.
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: try Self.runBlocking(
                        executable: executable, arguments: arguments, stdin: stdin, environment: environment,
                        workingDirectory: workingDirectory, timeout: timeout))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    private static func runBlocking(executable: URL, arguments: [String], stdin: Data, environment: [String: String],
                                    workingDirectory: URL?, timeout: TimeInterval) throws -> BinaryResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw BinaryRunnerError.launchFailed("\(error)")
        }
        let collected = Collected()
        let readers = DispatchGroup()
        for (pipe, isStdout) in [(output, true), (error, false)] {
            readers.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.store(data, stdout: isStdout)
                readers.leave()
            }
        }
        DispatchQueue.global().async {
            // A child that exits without reading its input must not fail the test with EPIPE.
            try? input.fileHandleForWriting.write(contentsOf: stdin)
            try? input.fileHandleForWriting.close()
        }
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if exited.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        readers.wait()
        let (stdoutData, stderrData) = collected.values
        return BinaryResult(status: process.terminationStatus,
                            stdout: String(decoding: stdoutData, as: UTF8.self),
                            stderr: String(decoding: stderrData, as: UTF8.self),
                            timedOut: timedOut)
    }

    private final class Collected: Sendable {
        private let streams = Mutex((stdout: Data(), stderr: Data()))

        func store(_ data: Data, stdout isStdout: Bool) {
            streams.withLock {
                if isStdout { $0.stdout = data } else { $0.stderr = data }
            }
        }

        var values: (Data, Data) {
            streams.withLock { ($0.stdout, $0.stderr) }
        }
    }
}
