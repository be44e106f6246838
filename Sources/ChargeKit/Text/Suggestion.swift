/// "Did you mean" by edit distance, as git, cargo and SwiftFormat do: for command-line
/// options and commands, and for the names in a profile.
public enum Suggestion {
    /// What makes a candidate win before edit distance is considered.
    public enum Preference: Sendable {
        /// A candidate containing what was typed (leading dashes aside, at least three
        /// characters): "--token" suggests "--token-file", "--color" suggests "--no-color".
        case containing
        /// A candidate equal but for case, then the shortest one beginning with what was
        /// written: "Energy.Active.Import" suggests "Energy.Active.Import.Register".
        case prefixed
    }

    /// The candidate closest to `input`, or nil when nothing is close enough: after the
    /// preference, the smallest edit distance (ignoring case, with transpositions) within a
    /// threshold that grows with the length of the input.
    public static func closest(to input: String, in candidates: [String], preferring preference: Preference) -> String? {
        guard !input.isEmpty else { return nil }
        let lowered = input.lowercased()
        switch preference {
        case .containing:
            let core = String(lowered.drop { $0 == "-" })
            if core.count >= 3 {
                let containing = candidates.filter { $0.lowercased().contains(core) }
                if let best = containing.min(by: { (distance(lowered, $0.lowercased()), $0) < (distance(lowered, $1.lowercased()), $1) }) {
                    return best
                }
            }
        case .prefixed:
            if let sameButCase = candidates.first(where: { $0.lowercased() == lowered }) { return sameButCase }
            if lowered.count >= 3,
               let shortest = candidates.filter({ $0.lowercased().hasPrefix(lowered) }).min(by: { $0.count < $1.count }) {
                return shortest
            }
        }
        let threshold = min(4, max(2, lowered.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(lowered, candidate.lowercased())
            guard d <= threshold, d < max(lowered.count, candidate.count) else { continue }
            if let current = best, (current.distance, current.candidate) <= (d, candidate) { continue }
            best = (candidate, d)
        }
        return best?.candidate
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
