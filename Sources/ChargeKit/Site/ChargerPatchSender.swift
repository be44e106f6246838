import BackendAPI
import Foundation

/// Outbox kind `charger-patch`: a change of a charger's location or technical data, sent
/// with `PATCH /v1/chargers/{id}`. A merge patch applied twice leaves the same record, so a
/// repeat after a lost answer is harmless.
public struct ChargerPatchSender: OutboxSender {
    public static let kind = "charger-patch"
    public var kind: String { Self.kind }

    public init() {}

    public func send(_ entry: OutboxEntry, client: BackendClient, progress: OutboxProgress) async throws -> OutboxReceipt {
        let patch = try entry.payload(as: ChargerPatch.self)
        guard let id = entry.chargerId else {
            throw ChargerPatchError(description: "outbox entry \(entry.id) names no charger")
        }
        let charger = try await client.updateCharger(id, patch)
        return OutboxReceipt(id: charger.id)
    }
}

public struct ChargerPatchError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension Outbox {
    /// Queues a change of `charger`'s location or technical data.
    @discardableResult
    public func enqueue(_ patch: ChargerPatch, charger: String, createdAt: Date = Date()) throws(Error) -> OutboxEntry {
        var parts: [String] = []
        if patch.location != nil { parts.append("location") }
        if let technical = patch.technical { parts.append(technical.keys.sorted().joined(separator: ", ")) }
        return try enqueue(kind: ChargerPatchSender.kind, payload: patch,
                           summary: "site data of \(charger) (\(parts.joined(separator: "; ")))", chargerId: charger,
                           createdAt: createdAt)
    }
}
