import BackendAPI
import DurableFiles
import Foundation
import JSON

/// The transitions of a running rollout since its state file was last written whole, one
/// JSON line each, in `<state file>.journal`.
///
/// Rewriting the whole state after every transition made each commit cost what the rollout
/// holds (megabytes at ten thousand chargers) rather than what changed. A transition is now
/// a line appended and synced; the state file itself (the snapshot) is replaced atomically
/// when a run starts, after every wave and at the end, each time with a new journal
/// generation and a fresh journal. Loading reads the snapshot and replays the journal of the
/// same generation over it, so a crash at any moment loses nothing that was acknowledged.
///
/// The first line names the rollout and the generation; a journal whose header does not
/// match the snapshot is stale (the process died between writing a snapshot and starting its
/// journal) and is ignored, because the snapshot already holds all it says.
enum RolloutJournal {
    struct Header: Codable, Equatable, Sendable {
        var rolloutId: String
        var journal: Int
    }

    /// One transition: a charger's whole record, or the rollout's own fields.
    struct Entry: Codable, Equatable, Sendable {
        var charger: String?
        var record: RolloutChargerState?
        var wave: Int?
        var halted: RolloutState.Halt?
        var finished: Bool?
        var at: Date
    }

    static func path(for statePath: String) -> String { statePath + ".journal" }

    static func line(_ value: some Encodable) throws -> [UInt8] {
        Array(try JSONCoding.write(value)) + [UInt8(ascii: "\n")]
    }

    /// Applies the journal at `path` to `state` (loaded from `statePath`). A missing journal
    /// or one of another generation changes nothing; a last line without its newline was cut
    /// short by a crash before it was acknowledged, and is ignored.
    static func replay(_ path: String, statePath: String, into state: inout RolloutState) throws(RolloutStateError) {
        let bytes: [UInt8]
        do {
            guard let file = try POSIX.readFile(path) else { return }
            bytes = file.bytes
        } catch {
            throw RolloutStateError(path: path, reason: "cannot be read: \(POSIX.message(for: error.code))")
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // A complete file ends with a newline, leaving one empty piece; anything else there is torn.
        lines.removeLast()
        guard let first = lines.first else { return }
        let header: Header
        do {
            header = try JSONCoding.decode(Header.self, from: JSONParser.parse(first))
        } catch {
            throw RolloutStateError(path: path, reason: "line 1 is not a rollout journal header: \(error)")
        }
        guard header.rolloutId == state.rolloutId, header.journal == state.journal else { return }
        for (index, line) in lines.enumerated().dropFirst() {
            let entry: Entry
            do {
                entry = try JSONCoding.decode(Entry.self, from: JSONParser.parse(line))
            } catch {
                throw RolloutStateError(path: path, reason: "line \(index + 1) is not a rollout journal entry: \(error)")
            }
            if let id = entry.charger, let record = entry.record {
                guard state.chargers[id] != nil else {
                    throw RolloutStateError(path: path, reason: "line \(index + 1) names \(id), which is not in the rollout in \(statePath)")
                }
                state.chargers[id] = record
            }
            if let wave = entry.wave { state.wave = wave }
            if let halted = entry.halted { state.halted = halted }
            if let finished = entry.finished { state.finished = finished }
            state.updatedAt = entry.at
        }
    }
}

/// Writes a running rollout's state: snapshots and journal lines. Used by one write loop at
/// a time (`FirmwareRollout` runs its writes one after another), hence unchecked.
final class RolloutStateWriter: @unchecked Sendable {
    let path: String
    private var journal: AppendFile?
    private var generation: Int?

    init(path: String) {
        self.path = path
    }

    /// Replaces the state file with `state` under the next journal generation and starts
    /// that generation's journal; `last` removes the journal instead (the snapshot is final).
    func snapshot(_ state: RolloutState, last: Bool) throws {
        var state = state
        let next = max(generation ?? 0, state.journal ?? 0) + 1
        generation = next
        state.journal = next
        journal?.close()
        journal = nil
        try RolloutStateFile.write(state, to: path)
        let journalPath = RolloutJournal.path(for: path)
        if last {
            try AtomicFile.remove(journalPath)
            return
        }
        try AtomicFile.write(try RolloutJournal.line(RolloutJournal.Header(rolloutId: state.rolloutId, journal: next)),
                             to: journalPath, mode: 0o644)
        journal = try AppendFile(path: journalPath)
    }

    /// Appends transitions and returns once they are on disk.
    func append(_ entries: [RolloutJournal.Entry]) throws {
        guard let journal else { throw RolloutStateError(path: RolloutJournal.path(for: path), reason: "no journal is open") }
        var bytes: [UInt8] = []
        for entry in entries { bytes += try RolloutJournal.line(entry) }
        try journal.append(bytes)
    }

    func close() {
        journal?.close()
        journal = nil
    }
}
