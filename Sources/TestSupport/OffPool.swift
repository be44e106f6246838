import Foundation

/// Runs blocking work (socket reads, process waits) on a thread of its own. Blocking a
/// Swift concurrency thread instead can starve the async handlers the work waits for:
/// the pool has one thread per core.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
