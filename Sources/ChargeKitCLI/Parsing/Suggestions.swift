/// "Did you mean" by edit distance, as git, cargo and SwiftFormat do.
public enum Suggestions {
    /// The candidate closest to `input`, or nil when nothing is close enough. A candidate
    /// that contains what was typed (leading dashes aside) wins ("--token" suggests "--token-file",
    /// "--color" suggests "--no-color"); otherwise the smallest edit distance (with
    /// transpositions) within a threshold that grows with the length of the input.
    public static func closest(to input: String, in candidates: [String]) -> String? {
        guard !input.isEmpty else { return nil }
        let lowered = input.lowercased()
        let core = String(lowered.drop { $0 == "-" })
        let scored = candidates.map { candidate -> (String, Int, Bool) in
            let containment = core.count >= 3 && candidate.lowercased().contains(core)
            return (candidate, distance(lowered, candidate.lowercased()), containment)
        }
        if let contained = scored.filter({ $0.2 }).min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) {
            return contained.0
        }
        let threshold = min(4, max(2, lowered.count / 3))
        guard let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }), best.1 <= threshold,
              best.1 < max(lowered.count, best.0.count) else { return nil }
        return best.0
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of adjacent characters each cost 1.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
