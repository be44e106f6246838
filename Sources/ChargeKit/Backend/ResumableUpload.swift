import BackendAPI
import CurlHTTP
import Foundation

/// Sends a file to a backend resource that takes it in `Content-Range` chunks and knows how
/// much it already has: a firmware upload, an inspection attachment. The transfer is
/// described by two closures, so one loop serves every such resource:
///
///     let upload = ResumableUpload(path: file, size: size, chunkSize: 1 << 20,
///         receivedOffset: { try await client.firmwareUpload(id).offset },
///         putChunk: { range, progress in
///             try await client.putFirmwareChunk(id, path: file, range: range, progress: progress).offset
///         })
///     let sent = try await upload.run { offset in bar.update(completed: offset) }
///
/// It asks the backend where to start, sends the rest chunk by chunk straight from the
/// file, and after a failed chunk (a dropped connection, a backend restart, a 409 offset
/// mismatch) asks again and rewinds to what the backend really has. Bytes the backend
/// already holds are never sent again, so an interrupted upload costs at most the chunk in
/// flight.
public struct ResumableUpload: Sendable {
    /// Where an upload stands, for the progress callback.
    public struct Progress: Sendable, Equatable {
        /// Bytes the backend holds, plus those of the running chunk sent so far.
        public var offset: Int64
        public var size: Int64
        /// Where this run started (what the backend had before).
        public var startOffset: Int64
    }

    /// What `run` did.
    public struct Outcome: Sendable, Equatable {
        /// The offset the backend reported before the first chunk of this run.
        public var startOffset: Int64
        /// Bytes put on the wire in chunk bodies (re-sent ones included).
        public var bytesSent: Int64
        /// Chunks sent (answered or not).
        public var chunks: Int
        /// Times the offset was asked again after a failed chunk.
        public var rewinds: Int
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The backend claims more bytes than the file has, or its offset went backwards
        /// while the file was being sent: it is not receiving this file.
        case inconsistentOffset(Int64, size: Int64)
        /// Chunks kept failing without the backend's offset moving.
        case stalled(at: Int64, attempts: Int, last: BackendError)

        public var description: String {
            switch self {
            case .inconsistentOffset(let offset, let size):
                "the backend reports \(offset) bytes received of a \(size)-byte file"
            case .stalled(let offset, let attempts, let last):
                "no progress past byte \(offset) after \(attempts) attempts: \(last)"
            }
        }
    }

    public let path: String
    public let size: Int64
    public let chunkSize: Int64
    /// Failed chunks in a row, with no progress in between, before giving up.
    public var maxAttemptsWithoutProgress = 5
    /// Pause before asking the offset again after a failure (doubled each time, up to 8 s).
    public var retryDelay: Duration = .milliseconds(250)
    private let receivedOffset: @Sendable () async throws(BackendError) -> Int64
    private let putChunk: @Sendable (ContentRange, @escaping @Sendable (TransferProgress) -> Void) async throws(BackendError) -> Int64

    /// - Parameters:
    ///   - receivedOffset: asks the backend how many bytes it holds.
    ///   - putChunk: sends one range of the file (reading it from `path`) with the given
    ///     progress callback, and answers the backend's new offset.
    public init(path: String, size: Int64, chunkSize: Int64,
                receivedOffset: @escaping @Sendable () async throws(BackendError) -> Int64,
                putChunk: @escaping @Sendable (ContentRange, @escaping @Sendable (TransferProgress) -> Void) async throws(BackendError) -> Int64) {
        self.path = path
        self.size = size
        self.chunkSize = max(1, chunkSize)
        self.receivedOffset = receivedOffset
        self.putChunk = putChunk
    }

    /// Sends whatever the backend does not have yet. Returns when the backend's offset is
    /// the file's size.
    public func run(progress: @escaping @Sendable (Progress) -> Void = { _ in }) async throws -> Outcome {
        var offset = try await checked(receivedOffset())
        var outcome = Outcome(startOffset: offset, bytesSent: 0, chunks: 0, rewinds: 0)
        let start = offset
        progress(Progress(offset: offset, size: size, startOffset: start))
        var failures = 0
        var delay = retryDelay
        while offset < size {
            try Task.checkCancellation()
            let length = min(chunkSize, size - offset)
            guard let range = ContentRange(offset: offset, length: length, total: size) else {
                throw Failure.inconsistentOffset(offset, size: size)
            }
            let base = offset
            let size = self.size
            outcome.chunks += 1
            do {
                let next = try await putChunk(range) { p in
                    progress(Progress(offset: base + min(p.bytesSent, length), size: size, startOffset: start))
                }
                outcome.bytesSent += length
                guard next >= offset, next <= size else { throw Failure.inconsistentOffset(next, size: size) }
                if next > offset {
                    failures = 0
                    delay = retryDelay
                } else {
                    // Accepted without moving: count it like a failure so it cannot loop forever.
                    failures += 1
                    if failures >= maxAttemptsWithoutProgress {
                        throw Failure.stalled(at: offset, attempts: failures,
                                              last: .protocolViolation("the offset stayed at \(offset)"))
                    }
                }
                offset = next
            } catch let error as BackendError {
                if case .cancelled = error { throw error }
                guard Self.isRewindable(error) else { throw error }
                failures += 1
                if failures >= maxAttemptsWithoutProgress {
                    throw Failure.stalled(at: offset, attempts: failures, last: error)
                }
                outcome.rewinds += 1
                if let current = error.problem?.currentOffset, error.problem?.effectiveType == .uploadOffsetMismatch {
                    offset = try checked(current)
                } else {
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(8))
                    offset = try await checked(receivedOffset())
                }
            }
            progress(Progress(offset: offset, size: size, startOffset: start))
        }
        return outcome
    }

    private func checked(_ offset: Int64) throws(Failure) -> Int64 {
        guard offset >= 0, offset <= size else { throw .inconsistentOffset(offset, size: size) }
        return offset
    }

    /// Failures after which asking the offset and continuing can help: the transfer broke,
    /// the backend was briefly away, or the chunk did not start at its offset.
    static func isRewindable(_ error: BackendError) -> Bool {
        switch error {
        case .transfer, .retriesExhausted:
            return true
        case .unreachable(let transport):
            // A restarting backend refuses connections for a moment; a bad URL or TLS setup stays bad.
            return transport.kind == .connectionRefused || transport.kind == .connectFailed
        case .problem(let status, let problem):
            return problem.effectiveType == .uploadOffsetMismatch || [408, 429, 500, 502, 503, 504].contains(status)
        default:
            return false
        }
    }
}
