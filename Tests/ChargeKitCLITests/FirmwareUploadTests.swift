import Checksum
import Foundation
import JSON
import Testing
import TestSupport

/// `chargekit firmware upload` and `firmware list`, the built binary against `chargekit sim`.
@Suite struct FirmwareUploadTests {
    /// A file of `size` seeded pseudo-random bytes, written 1 MiB at a time.
    static func writeImage(_ path: String, size: Int, seed: UInt64) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var state = seed | 1
        var left = size
        while left > 0 {
            let count = min(left, 1 << 20)
            var bytes = [UInt8](repeating: 0, count: count)
            for i in 0..<count {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                bytes[i] = UInt8(truncatingIfNeeded: state)
            }
            try handle.write(contentsOf: Data(bytes))
            left -= count
        }
    }

    /// `PUT /v1/firmware/uploads/...` lines of the simulator's request log (-v) and their bytes.
    static func chunkPuts(_ log: String) -> [Int64] {
        log.split(separator: "\n").compactMap { line -> Int64? in
            guard line.hasPrefix("PUT /v1/firmware/uploads/"), line.hasSuffix(" bytes") else { return nil }
            let words = line.split(separator: " ")
            return words.count >= 2 ? Int64(words[words.count - 2]) : nil
        }
    }

    @Test func anImageIsUploadedListedAndNotUploadedTwice() async throws {
        try await SimUnderTest.with(["--chargers", "4", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-operator")
            let image = sim.sandbox.root + "/terra-9.9.9.bin"
            try Self.writeImage(image, size: 5 * 1024 * 1024 + 123, seed: 7)
            let sha = try SHA256.hex(fileAt: image)
            let first = try await sim.run(["firmware", "upload", image, "--firmware-version", "9.9.9", "--model", "Terra AC",
                                           "--model", "Other", "--notes", "test build", "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            let entry = try JSONValue(parsing: first.stdout)
            #expect(entry["sha256"]?.stringValue == sha)
            #expect(entry["size"]?.intValue == 5 * 1024 * 1024 + 123)
            #expect(entry["version"]?.stringValue == "9.9.9")
            #expect(entry["models"]?.arrayValue?.compactMap(\.stringValue) == ["Terra AC", "Other"])
            #expect(entry["approved"]?.boolValue == false)
            #expect(entry["uploadedAt"]?.stringValue?.hasSuffix("Z") == true, "RFC 3339, not a number")
            let id = try #require(entry["id"]?.stringValue)
            // Six chunks of at most 1 MiB, adding up to the file, each sent once.
            let puts = Self.chunkPuts(sim.process.stderrSoFar)
            #expect(puts.count == 6 && puts.reduce(0, +) == 5 * 1024 * 1024 + 123, "\(puts)")
            #expect(!FileManager.default.fileExists(atPath: sim.sandbox.root + "/data/chargekit/firmware-uploads/\(sha).json"),
                    "the local state is gone once the upload is complete")

            let again = try await sim.run(["firmware", "upload", image, "--firmware-version", "9.9.9", "--model", "Terra AC"])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stderr.contains("already in the catalogue as \(id)"), "\(again.stderr)")
            #expect(again.stdout.contains(id))
            #expect(Self.chunkPuts(sim.process.stderrSoFar).count == 6, "nothing sent the second time")

            let list = try await sim.run(["firmware", "list", "--json"])
            #expect(list.status == 0, "\(list.stderr)")
            let items = try #require(try JSONValue(parsing: list.stdout).arrayValue)
            #expect(items.first?["id"]?.stringValue == id, "newest first")
            #expect(items.count > 1, "the seeded images are listed too")
            let other = try await sim.run(["firmware", "list", "--model", "Other", "--json"])
            #expect(try JSONValue(parsing: other.stdout).arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
            let table = try await sim.run(["firmware", "list", "--model", "Other"])
            #expect(table.stdout.contains("9.9.9") && table.stdout.contains(sha) && table.stdout.contains("Terra AC,Other"))
            #expect(table.stderr.contains("1 image"))
        }
    }

    /// Killed mid-upload, the same command resumes from the backend's offset: in total the
    /// backend receives at most one chunk more than the file.
    @Test func aKilledUploadResumesWhereTheBackendStopped() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "50", "-v"]) { sim in
            try await sim.login("demo-operator")
            let size = 48 * 1024 * 1024 + 5
            let image = sim.sandbox.root + "/big.bin"
            try Self.writeImage(image, size: size, seed: 11)
            let sha = try SHA256.hex(fileAt: image)
            let arguments = ["firmware", "upload", image, "--firmware-version", "big-1", "--model", "Terra AC", "--progress", "none"]

            let process = Process()
            process.executableURL = try BinaryRunner(product: "chargekit").executable
            process.arguments = arguments
            process.environment = SimUnderTest.environment(sim.sandbox)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(120)
            while Self.chunkPuts(sim.process.stderrSoFar).count < 3, process.isRunning, Date() < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "killed mid-upload, not finished")
            let before = Self.chunkPuts(sim.process.stderrSoFar)
            #expect(before.count >= 3 && before.reduce(0, +) < Int64(size))
            let statePath = sim.sandbox.root + "/data/chargekit/firmware-uploads/\(sha).json"
            let state = try JSONValue(parsing: String(contentsOfFile: statePath, encoding: .utf8))
            let uploadId = try #require(state["uploadId"]?.stringValue)

            let resumed = try await sim.run(arguments + ["--json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stderr.contains("resumed at"), "\(resumed.stderr)")
            #expect(try JSONValue(parsing: resumed.stdout)["sha256"]?.stringValue == sha)
            let log = sim.process.stderrSoFar
            let total = Self.chunkPuts(log).reduce(0, +)
            #expect(total >= Int64(size) && total <= Int64(size) + 1024 * 1024, "received \(total) for \(size)")
            #expect(log.contains("GET /v1/firmware/uploads/\(uploadId) 200"), "the rerun asked for the offset")
            #expect(log.components(separatedBy: "POST /v1/firmware/uploads 201").count == 2, "one upload created")
            #expect(!FileManager.default.fileExists(atPath: statePath))
        }
    }

    /// A third of the requests answered 503: the transport's retries and the upload's rewinds
    /// still deliver the image intact.
    @Test func anUploadGetsThroughABackendFailingAThirdOfItsRequests() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "50", "--error-rate", "0.33", "--seed", "4"]) { sim in
            try await sim.login("demo-operator")
            let image = sim.sandbox.root + "/flaky.bin"
            try Self.writeImage(image, size: 12 * 1024 * 1024 + 1, seed: 21)
            let result = try await sim.run(["firmware", "upload", image, "--firmware-version", "flaky-1", "--model", "Pro", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try JSONValue(parsing: result.stdout)["sha256"]?.stringValue == (try SHA256.hex(fileAt: image)))
            #expect(result.stderr.contains("retry"), "retries were needed: \(result.stderr)")
        }
    }

    @Test func aSignedImageIsDeclaredSigned() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "50"]) { sim in
            try await sim.login("demo-operator")
            let image = sim.sandbox.root + "/signed.bin", signature = sim.sandbox.root + "/signed.sig"
            try Self.writeImage(image, size: 70_000, seed: 3)
            try Data((0..<64).map { UInt8($0) }).write(to: URL(fileURLWithPath: signature))
            let certificate = packageRoot.appendingPathComponent("Fixtures/certs/ca.pem").path
            let result = try await sim.run(["firmware", "upload", image, "--firmware-version", "s-1", "--model", "Terra AC",
                                            "--signature", signature, "--signing-cert", certificate, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try JSONValue(parsing: result.stdout)["signed"]?.boolValue == true)
        }
    }

    @Test func badInputIsRefusedWithItsExitCode() async throws {
        try await SimUnderTest.with(["--chargers", "2", "--speed", "50"]) { sim in
            try await sim.login("demo-operator")
            let image = sim.sandbox.root + "/fw.bin", empty = sim.sandbox.root + "/empty.bin"
            try Self.writeImage(image, size: 1000, seed: 5)
            _ = FileManager.default.createFile(atPath: empty, contents: Data())
            let cases: [([String], Int32, String)] = [
                (["firmware", "upload", sim.sandbox.root + "/missing.bin", "--firmware-version", "1", "--model", "M"], 66, "no such file"),
                (["firmware", "upload", empty, "--firmware-version", "1", "--model", "M"], 65, "the file is empty"),
                (["firmware", "upload", image, "--model", "M"], 64, "--firmware-version is required"),
                (["firmware", "upload", image, "--firmware-version", "1"], 64, "--model is required"),
                (["firmware", "upload", image, "--firmware-version", "1", "--model", "M", "--signature", image], 64, "--signature needs --signing-cert"),
                (["firmware", "upload", image, "--firmware-version", "1", "--model", "M", "--signature", image, "--signing-cert", image], 65,
                 "not a PEM certificate"),
                (["firmware", "upload", "--firmware-version", "1", "--model", "M"], 64, "FILE"),
            ]
            for (arguments, status, message) in cases {
                let result = try await sim.run(arguments)
                #expect(result.status == status, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            }
        }
    }
}
