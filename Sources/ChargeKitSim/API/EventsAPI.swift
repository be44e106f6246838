import BackendAPI
import Foundation
import HTTPServerKit

/// `listEvents` and `listChargerEvents`: the CSMS event log as a long-poll feed. The cursor
/// is the seq of the last event examined (`c_` and 16 hex digits); a request with nothing
/// newer suspends on the log until a matching event arrives or `wait` runs out, without
/// polling.
struct EventsAPI {
    let services: SimServices

    func fleet(_ request: APIRequest) async throws -> ServerResponse {
        let chargers = request.strings(QueryName.charger)
        guard chargers.count <= EventFeed.maxChargers else {
            throw APIError.badRequest(field: QueryName.charger, "at most \(EventFeed.maxChargers) chargers; filter by site instead")
        }
        for id in chargers where !Check.isChargerId(id) {
            throw APIError.badRequest(field: QueryName.charger, "a charger id is 1 to 48 characters long")
        }
        let sites = request.strings(QueryName.site)
        try services.fleet.checkSiteFilter(sites, user: request.user)
        for id in chargers { _ = try services.fleet.reachable(id, by: request.user) }
        var scope = services.fleet.reachableIds(by: request.user, sites: sites)
        if !chargers.isEmpty { scope = (scope ?? Set(chargers)).intersection(chargers) }
        return try await feed(request, chargers: scope)
    }

    func charger(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("chargerId")
        _ = try services.fleet.reachable(id, by: request.user)
        return try await feed(request, chargers: [id])
    }

    private func feed(_ request: APIRequest, chargers: Set<String>?) async throws -> ServerResponse {
        let types = request.strings(QueryName.type)
        for type in types where type.isEmpty || !type.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw APIError.badRequest(field: QueryName.type, "an OCPP action name (letters only)")
        }
        let wait = try request.integer(QueryName.wait, in: 0...EventFeed.maxWaitSeconds) ?? 0
        let limit = try request.limit()
        let log = services.csms.eventLog
        var after: UInt64?
        if let text = request.string(QueryName.after) {
            if text == EventFeed.latest {
                after = log.latestSeq
            } else {
                guard let seq = Self.seq(text) else { throw APIError.badRequest(field: QueryName.after, "not a cursor of this feed") }
                // A cursor past the end (from a previous run) waits for what comes next.
                after = min(seq, log.latestSeq)
            }
        }
        if let after, after < log.oldestSeq - 1 { throw expired(log) }
        let page = await services.csms.events(after: after, chargers: chargers, types: types.isEmpty ? nil : Set(types),
                                              limit: limit, wait: .seconds(wait))
        if page.truncated { throw expired(log) }
        let events = page.events.map { e in
            Event(seq: Int64(e.seq), chargerId: e.chargerId, ocppVersion: services.fleet.version(of: e.chargerId) ?? .v16,
                  type: e.type, receivedAt: e.receivedAt, chargerTime: e.chargerTime, payload: e.payload.objectValue ?? [:])
        }
        return Reply.json(EventBatch(events: events, cursor: Self.cursor(page.cursor)))
    }

    private func expired(_ log: EventLog) -> APIError {
        let oldest = log.oldestSeq
        var error = APIError(.eventsExpired, detail: "Events before seq \(oldest) are no longer retained.")
        error.problem.oldestCursor = Self.cursor(oldest > 0 ? oldest - 1 : 0)
        return error
    }

    static func cursor(_ seq: UInt64) -> String {
        let hex = String(seq, radix: 16)
        return "c_" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    static func seq(_ cursor: String) -> UInt64? {
        guard cursor.hasPrefix("c_") else { return nil }
        let hex = cursor.dropFirst(2)
        guard !hex.isEmpty, hex.count <= 16 else { return nil }
        return UInt64(hex, radix: 16)
    }
}
