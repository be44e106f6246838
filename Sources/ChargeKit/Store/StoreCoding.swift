import BackendAPI
import JSON

/// The files of the local store that chargekit alone reads back (outbox entries, rollout
/// journals) are coded with the project's own JSON (no detour through Foundation's coders,
/// which take the slow, error-throwing path for free-form values), dates as the backend API
/// writes them.
enum StoreCoding {
    struct NotATimestamp: Error {}

    static let decoder = JSONValueDecoder(dateDecodingStrategy: .custom { value in
        guard let text = value.stringValue, let date = Timestamp.parse(text) else { throw NotATimestamp() }
        return date
    })
    static let encoder = JSONValueEncoder(dateEncodingStrategy: .custom { .string(Timestamp.format($0)) })
}
