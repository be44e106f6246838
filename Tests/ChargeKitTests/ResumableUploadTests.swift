import BackendAPI
import CurlHTTP
import Foundation
import Synchronization
import Testing
@testable import ChargeKit

/// The resumable upload loop against a backend made of closures that misbehaves on purpose:
/// it keeps part of a chunk and drops the connection, answers 409 with its real offset,
/// refuses outright, or never moves.
@Suite struct ResumableUploadTests {
    /// What the fake backend holds, and the faults it has left to play.
    final class FakeBackend: Sendable {
        struct State {
            var received = Data()
            var bytesOnWire: Int64 = 0
            var offsetQueries = 0
            /// Per chunk call (in order): nil = behave; otherwise the fault.
            var faults: [Fault?] = []
            var calls = 0
        }

        enum Fault {
            /// Keep `keep` bytes of the chunk, then the connection drops.
            case dropAfter(keep: Int)
            /// Pretend the chunk was not the next one: 409 with the real offset.
            case offsetMismatch
            case forbidden
            /// Answer as if nothing arrived.
            case noProgress
        }

        let state: Mutex<State>
        let path: String

        init(path: String, faults: [Fault?]) {
            self.path = path
            state = Mutex(State(faults: faults))
        }

        func offset() -> Int64 {
            state.withLock { s in
                s.offsetQueries += 1
                return Int64(s.received.count)
            }
        }

        func put(_ range: ContentRange) throws(BackendError) -> Int64 {
            let bytes = (try? Self.read(path, range)) ?? Data()
            return try state.withLock { (s: inout State) throws(BackendError) -> Int64 in
                let fault = s.calls < s.faults.count ? s.faults[s.calls] : nil
                s.calls += 1
                s.bytesOnWire += range.length
                let offset = Int64(s.received.count)
                switch fault {
                case .dropAfter(let keep)?:
                    if range.start <= offset { s.received.append(bytes.dropFirst(Int(offset - range.start)).prefix(keep)) }
                    throw .transfer(HTTPError(.connectionLost, message: "reset by peer"))
                case .offsetMismatch?:
                    throw .problem(status: 409, Problem(type: .uploadOffsetMismatch, title: "Offset mismatch", status: 409,
                                                        currentOffset: offset))
                case .forbidden?:
                    throw .forbidden(Problem(title: "Forbidden", status: 403))
                case .noProgress?:
                    return offset
                case nil:
                    guard range.start <= offset else {
                        throw .problem(status: 409, Problem(type: .uploadOffsetMismatch, status: 409, currentOffset: offset))
                    }
                    if range.end >= offset { s.received.append(bytes.dropFirst(Int(offset - range.start))) }
                    return Int64(s.received.count)
                }
            }
        }

        static func read(_ path: String, _ range: ContentRange) throws -> Data {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(range.start))
            return try handle.read(upToCount: Int(range.length)) ?? Data()
        }
    }

    static func file(size: Int) throws -> (String, Data) {
        let path = NSTemporaryDirectory() + "/resumable-\(UUID().uuidString).bin"
        let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try data.write(to: URL(fileURLWithPath: path))
        return (path, data)
    }

    static func upload(_ backend: FakeBackend, size: Int, chunk: Int64) -> ResumableUpload {
        var upload = ResumableUpload(
            path: backend.path, size: Int64(size), chunkSize: chunk,
            receivedOffset: { () async throws(BackendError) -> Int64 in backend.offset() },
            putChunk: { range, _ async throws(BackendError) -> Int64 in try backend.put(range) })
        upload.retryDelay = .milliseconds(1)
        return upload
    }

    @Test func aCleanUploadSendsEveryByteOnce() async throws {
        let (path, data) = try Self.file(size: 10_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let backend = FakeBackend(path: path, faults: [])
        let seen = Mutex<[Int64]>([])
        let outcome = try await Self.upload(backend, size: data.count, chunk: 4096).run { p in seen.withLock { $0.append(p.offset) } }
        #expect(backend.state.withLock { $0.received } == data)
        #expect(outcome == .init(startOffset: 0, bytesSent: 10_000, chunks: 3, rewinds: 0))
        #expect(seen.withLock { $0 }.last == 10_000)
    }

    @Test func aDroppedChunkRewindsToWhatTheBackendKept() async throws {
        let (path, data) = try Self.file(size: 10_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let backend = FakeBackend(path: path, faults: [nil, .dropAfter(keep: 1000), .offsetMismatch])
        let outcome = try await Self.upload(backend, size: data.count, chunk: 4096).run()
        #expect(backend.state.withLock { $0.received } == data)
        #expect(outcome.rewinds == 2)
        // 4096, the dropped 4096, the refused 4096, then 8192 + 1000 onwards: never more than a chunk per fault.
        #expect(backend.state.withLock { $0.bytesOnWire } <= 10_000 + 2 * 4096)
        #expect(backend.state.withLock { $0.offsetQueries } == 2, "once at the start, once after the drop (the 409 carried it)")
    }

    @Test func aResumedUploadStartsAtTheBackendsOffset() async throws {
        let (path, data) = try Self.file(size: 9000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let backend = FakeBackend(path: path, faults: [])
        backend.state.withLock { $0.received = data.prefix(5000) }
        let outcome = try await Self.upload(backend, size: data.count, chunk: 4096).run()
        #expect(outcome.startOffset == 5000 && outcome.bytesSent == 4000)
        #expect(backend.state.withLock { $0.received } == data)
    }

    @Test func refusalsAreNotRetriedAndStallsEnd() async throws {
        let (path, data) = try Self.file(size: 5000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let refusing = FakeBackend(path: path, faults: [.forbidden])
        await #expect(throws: BackendError.self) { try await Self.upload(refusing, size: data.count, chunk: 4096).run() }
        #expect(refusing.state.withLock { $0.calls } == 1)

        let stuck = FakeBackend(path: path, faults: Array(repeating: .noProgress, count: 10))
        do {
            _ = try await Self.upload(stuck, size: data.count, chunk: 4096).run()
            Issue.record("a backend that never moves must end the upload")
        } catch let failure as ResumableUpload.Failure {
            guard case .stalled(let at, let attempts, _) = failure else { Issue.record("\(failure)"); return }
            #expect(at == 0 && attempts == 5)
        }
        #expect(stuck.state.withLock { $0.calls } == 5)
    }

    @Test func anOffsetBeyondTheFileIsRefused() async throws {
        let (path, data) = try Self.file(size: 100)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let backend = FakeBackend(path: path, faults: [])
        backend.state.withLock { $0.received = Data(count: 200) }
        await #expect(throws: ResumableUpload.Failure.self) { try await Self.upload(backend, size: data.count, chunk: 64).run() }
    }
}
