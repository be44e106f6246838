/// "Did you mean" for names in a profile: settings, fields, measurands.
///
/// The same rule as the CLI's option suggestions (which live above the library): the
/// candidate at the smallest edit distance, ignoring case, within a threshold that grows
/// with the length of what was written.
enum NameSuggestion {
    /// The candidate closest to `input`, or nil when nothing is close enough. A candidate
    /// equal to `input` but for case always wins; then the shortest candidate that begins
    /// with what was written (`Energy.Active.Import` suggests `Energy.Active.Import.Register`).
    static func closest(to input: String, in candidates: [String]) -> String? {
        guard !input.isEmpty else { return nil }
        let lowered = input.lowercased()
        if let sameButCase = candidates.first(where: { $0.lowercased() == lowered }) { return sameButCase }
        if lowered.count >= 3 {
            let longer = candidates.filter { $0.lowercased().hasPrefix(lowered) }
            if let shortest = longer.min(by: { $0.count < $1.count }) { return shortest }
        }
        let threshold = min(4, max(2, lowered.count / 3))
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let d = distance(lowered, candidate.lowercased())
            if d <= threshold, d < max(lowered.count, candidate.count), best.map({ d < $0.distance }) ?? true {
                best = (candidate, d)
            }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of adjacent characters each cost 1.
    static func distance(_ a: String, _ b: String) -> Int {
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
