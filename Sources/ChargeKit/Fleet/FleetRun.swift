/// Runs one job per charger with at most `concurrency` at a time, and answers the results in
/// the order of `chargers` whatever order they finish in. `onFinish` is told of each result
/// as it arrives (for a progress bar), with how many have finished so far. Cancelling the
/// calling task cancels the jobs in flight and starts no more: the answer then holds only
/// the chargers whose jobs ran, still in order.
///
///     let results = await FleetRun.run(ids, concurrency: 64) { id in
///         await applyProfile(to: id)
///     } onFinish: { id, result, finished in
///         progress.update(completed: Int64(finished))
///     }
public enum FleetRun {
    public static func run<Result: Sendable>(
        _ chargers: [String], concurrency: Int,
        job: @escaping @Sendable (String) async -> Result,
        onFinish: @escaping @Sendable (String, Result, Int) -> Void = { _, _, _ in }
    ) async -> [(charger: String, result: Result)] {
        let width = max(1, concurrency)
        var results = [Result?](repeating: nil, count: chargers.count)
        await withTaskGroup(of: (Int, Result).self) { group in
            var next = 0
            var finished = 0
            func startNext() {
                guard next < chargers.count, !Task.isCancelled else { return }
                let index = next
                let id = chargers[index]
                next += 1
                group.addTask { (index, await job(id)) }
            }
            for _ in 0..<min(width, chargers.count) { startNext() }
            while let (index, result) = await group.next() {
                results[index] = result
                finished += 1
                onFinish(chargers[index], result, finished)
                startNext()
            }
        }
        return zip(chargers, results).compactMap { id, result in result.map { (id, $0) } }
    }
}
