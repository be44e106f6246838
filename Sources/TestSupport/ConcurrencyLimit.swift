/// At most `width` bodies at a time; the others wait their turn in order. Tests that each run
/// a busy simulation use one, so that on a 2-core machine they do not all start together and
/// starve the concurrency pool that every other test of the process waits on.
public actor ConcurrencyLimit {
    public let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(width: Int) {
        self.width = max(1, width)
    }

    /// Runs `body` once a place is free, and frees it after, whatever the body does.
    public nonisolated func run<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        do {
            let value = try await body()
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        if running < width {
            running += 1
            return
        }
        // The place is handed over by release(), so the count stays as it is.
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
