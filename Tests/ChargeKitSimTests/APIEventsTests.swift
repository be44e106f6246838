import BackendAPI
import ChargeKit
import Foundation
import JSON
import Testing
@testable import ChargeKitSim

/// The event feed: lossless cursors, filters, long polls that wake on the event, 410.
@Suite(.busySimulation) struct APIEventsTests {
    @Test func cursorsNeitherSkipNorRepeatWhateverTheFilter() async throws {
        try await SimAPI.run(count: 4) { api in
            #expect(await api.awaitFleet())
            let client = try api.client()
            var seen: [Int64] = []
            var after: String?
            for _ in 0..<20 {
                let batch = try await client.events(EventQuery(after: after, limit: 7))
                seen += batch.events.map(\.seq)
                #expect(batch.cursor != after || batch.events.isEmpty)
                after = batch.cursor
                if batch.events.isEmpty { break }
            }
            #expect(!seen.isEmpty)
            #expect(seen == seen.sorted() && Set(seen).count == seen.count, "strictly increasing, no repeats")
            // A filtered read from the start sees exactly the matching subset.
            let boots = try await client.events(EventQuery(types: ["BootNotification"], limit: 1000))
            #expect(boots.events.allSatisfy { $0.type == "BootNotification" })
            #expect(Set(boots.events.map(\.chargerId)) == Set(api.backend.simulation.chargers.map(\.id)))
            let first = try #require(boots.events.first)
            #expect(first.ocppVersion == FleetIndex(api.backend.simulation.chargers).version(of: first.chargerId))
            // The charger feed and the fleet feed share cursors.
            let one = try await client.chargerEvents("CP-0002", EventQuery(types: ["StatusNotification"], limit: 1000))
            #expect(one.events.allSatisfy { $0.chargerId == "CP-0002" && $0.type == "StatusNotification" && $0.chargerTime != nil })
            let tail = try await client.events(EventQuery(chargers: ["CP-0002"], after: one.cursor, limit: 1000))
            #expect(tail.events.allSatisfy { $0.seq > one.events.last?.seq ?? 0 })
            let malformed = try await api.raw("GET", "/v1/events?after=yesterday")
            #expect(malformed.status == 400 && malformed.problem?.errors?.first?.field == "after")
            let badWait = try await api.raw("GET", "/v1/events?wait=61")
            #expect(badWait.status == 400)
        }
    }

    @Test func aLongPollWakesOnTheEventItWaitsFor() async throws {
        try await SimAPI.run([spec("CP-1", abb), spec("CP-2", zaptec)]) { api in
            #expect(await api.awaitOnline("CP-1"))
            #expect(await api.awaitOnline("CP-2"))
            let client = try api.client()
            let start = try await client.events(EventQuery(after: EventFeed.latest))
            #expect(start.events.isEmpty)
            // Wait on two chargers in one request, for a type neither sends on its own.
            async let waited = client.events(EventQuery(chargers: ["CP-1", "CP-2"], types: ["FirmwareStatusNotification"],
                                                        after: start.cursor, wait: 60))
            try await Task.sleep(for: .milliseconds(200))
            _ = try await client.command("CP-2", action: "TriggerMessage", payload: ["requestedMessage": "FirmwareStatusNotification"])
            let began = ContinuousClock.now
            let batch = try await waited
            #expect(batch.events.map(\.chargerId) == ["CP-2"])
            #expect(batch.events.first?.payload["status"] == "Idle")
            #expect(ContinuousClock.now - began < .seconds(50), "answered on the event, not when wait ran out")
            // Nothing comes: the wait runs out with an empty batch and a cursor not behind the old one.
            let quiet = try await client.events(EventQuery(chargers: ["CP-1"], types: ["SecurityEventNotification"],
                                                           after: batch.cursor, wait: 1))
            #expect(quiet.events.isEmpty)
            #expect(try #require(EventsAPI.seq(quiet.cursor)) >= (EventsAPI.seq(batch.cursor) ?? .max))
        }
    }

    @Test func aCursorOutOfTheRetentionWindowIs410WithTheOldestCursor() async throws {
        // Daily heartbeats keep the fleet quiet, so only the triggered ones below move the small
        // log: with minute heartbeats at speed 200, a test delayed a second or two by a loaded
        // machine found the oldest cursor of the 410 itself expired.
        try await SimAPI.run(count: 3, eventCapacity: 30, configure: { $0.simulation.csms.heartbeatInterval = 86_400 }) { api in
            #expect(await api.awaitOnline("CP-0001"))
            let client = try api.client()
            let early = try await client.events(EventQuery(limit: 1))
            let log = api.backend.simulation.csms.eventLog
            let deadline = ContinuousClock.now + .seconds(30)
            while log.latestSeq < 80, ContinuousClock.now < deadline {
                _ = try await client.command("CP-0001", action: "TriggerMessage", payload: ["requestedMessage": "Heartbeat"])
            }
            let error = await problem { _ = try await client.events(EventQuery(after: early.cursor, wait: 5)) }
            #expect(error?.status == 410 && error?.problem?.type == .eventsExpired)
            let oldest = try #require(error?.problem?.oldestCursor)
            let resumed = try await client.events(EventQuery(after: oldest, limit: 1000))
            #expect(!resumed.events.isEmpty)
            #expect(resumed.events.first?.seq == Int64(EventsAPI.seq(oldest) ?? 0) + 1)
        }
    }
}
