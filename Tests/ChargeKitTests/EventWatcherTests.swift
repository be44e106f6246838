import BackendAPI
import CurlHTTP
import Foundation
import JSON
import Testing
import TestSupport
@testable import ChargeKit

/// A fake events feed on the recording server: cursors are positions in `events`; a poll
/// with nothing new waits (on the server's connection thread) up to its `wait`.
final class FakeFeed: Sendable {
    let events = Locked<[Event]>([])
    let expireNextPoll = Locked(false)
    let refuse = Locked(false)
    let server: TestHTTPServer

    init() throws {
        server = try TestHTTPServer()
        server.route("/v1/events") { [events, expireNextPoll, refuse] request in
            if refuse.value {
                return .response(status: 401, headers: [("Content-Type", MediaType.problemJSON)],
                                 body: Data(#"{"type":"https://chargekit.dev/problems/unauthorized","status":401,"title":"Unauthorized"}"#.utf8))
            }
            let items = Dictionary(request.query.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }, uniquingKeysWith: { a, _ in a })
            let wait = Double(items["wait"] ?? "0") ?? 0
            if expireNextPoll.withLock({ let v = $0; $0 = false; return v }) {
                return .response(status: 410, headers: [("Content-Type", MediaType.problemJSON)],
                                 body: Data(#"{"type":"https://chargekit.dev/problems/events-expired","status":410,"oldestCursor":"0"}"#.utf8))
            }
            let after = items["after"] == "latest" ? events.value.count : Int(items["after"] ?? "0") ?? 0
            let deadline = Date().addingTimeInterval(min(wait, 2))
            while events.value.count <= after && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            let all = events.value
            let batch = EventBatch(events: Array(all.dropFirst(after)), cursor: String(all.count))
            return .response(status: 200, headers: [("Content-Type", MediaType.json)], body: (try? JSONCoding.encode(batch)) ?? Data())
        }
    }

    func append(_ charger: String, _ type: String, _ payload: JSONObject = [:]) {
        events.withLock { list in
            list.append(Event(seq: Int64(list.count + 1), chargerId: charger, ocppVersion: .v16, type: type,
                              receivedAt: Date(), payload: payload))
        }
    }

    func client() throws -> BackendClient {
        try BackendClient(configuration: BackendConfiguration(
            baseURL: server.baseURL, token: "t",
            retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10), maxDelay: .milliseconds(20))))
    }
}

@Suite struct EventWatcherTests {
    @Test func seesWhatArrivesAfterStartButNotBefore() async throws {
        let feed = try FakeFeed()
        feed.append("CP-1", "BootNotification", ["reason": "PowerUp"])
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 2))
        try await watcher.start()
        Task {
            try? await Task.sleep(for: .milliseconds(100))
            feed.append("CP-1", "BootNotification", ["reason": "RemoteReset"])
        }
        let boot = try await watcher.next(from: "CP-1", timeout: .seconds(20)) { $0.type == "BootNotification" }
        #expect(boot.payload["reason"]?.stringValue == "RemoteReset")
        await watcher.stop()
    }

    @Test func matchesByChargerPredicateAndMarker() async throws {
        let feed = try FakeFeed()
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 2))
        try await watcher.start()
        feed.append("CP-2", "StatusNotification", ["status": "Preparing"])
        feed.append("CP-1", "StatusNotification", ["status": "Preparing"])
        feed.append("CP-1", "StatusNotification", ["status": "Charging"])
        let charging = try await watcher.next(from: "CP-1", timeout: .seconds(20)) { $0.payload["status"]?.stringValue == "Charging" }
        #expect(charging.seq == 3)
        // Seen before: answered from what was kept, without waiting.
        let preparing = try await watcher.next(from: "CP-1", timeout: .seconds(1)) { $0.payload["status"]?.stringValue == "Preparing" }
        #expect(preparing.seq == 2)
        // Nothing newer than the marker matches yet.
        await #expect(throws: EventWatcher.WaitError.self) {
            _ = try await watcher.next(from: "CP-1", after: charging.seq, timeout: .milliseconds(300)) { _ in true }
        }
        await watcher.stop()
    }

    @Test func manyWaitersShareOneLongPoll() async throws {
        let feed = try FakeFeed()
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 2))
        try await watcher.start()
        let chargers = (1...50).map { "CP-\($0)" }
        let found = try await withThrowingTaskGroup(of: String.self) { group in
            for id in chargers {
                group.addTask { try await watcher.next(from: id, timeout: .seconds(30)) { $0.type == "Heartbeat" }.chargerId }
            }
            try await Task.sleep(for: .milliseconds(200))
            for id in chargers { feed.append(id, "Heartbeat") }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(found) == Set(chargers))
        await watcher.stop()
        // One request to pin the start, then a handful of long polls: not one per charger.
        #expect(feed.server.requests(path: "/v1/events").count < 10)
    }

    @Test func resumesAtTheOldestCursorWhenRetentionWasOutrun() async throws {
        let feed = try FakeFeed()
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 1))
        try await watcher.start()
        feed.expireNextPoll.withLock { $0 = true }
        feed.append("CP-1", "Heartbeat")
        let event = try await watcher.next(from: "CP-1", timeout: .seconds(20)) { $0.type == "Heartbeat" }
        #expect(event.seq == 1)
        #expect(await watcher.gaps == 1)
        await watcher.stop()
    }

    @Test func aRefusedTokenFailsTheWaitersAtOnce() async throws {
        let feed = try FakeFeed()
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 1))
        try await watcher.start()
        feed.refuse.withLock { $0 = true }
        await #expect { _ = try await watcher.next(from: "CP-1", timeout: .seconds(30)) { _ in true } } throws: { error in
            guard case EventWatcher.WaitError.feedFailed(.unauthorized) = error else { return false }
            return true
        }
    }

    @Test func cancellingAWaitEndsItPromptly() async throws {
        let feed = try FakeFeed()
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 2))
        try await watcher.start()
        let task = Task { try await watcher.next(from: "CP-1", timeout: .seconds(60)) { _ in true } }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        await watcher.stop()
    }

    @Test func streamsEveryEvent() async throws {
        let feed = try FakeFeed()
        let watcher = EventWatcher(client: try feed.client(), options: .init(pollWait: 2))
        try await watcher.start()
        let stream = await watcher.stream()
        feed.append("CP-1", "FirmwareStatusNotification", ["status": "Downloading"])
        feed.append("CP-2", "FirmwareStatusNotification", ["status": "Installed"])
        var seen: [String] = []
        for await event in stream {
            seen.append(event.payload["status"]?.stringValue ?? "")
            if seen.count == 2 { break }
        }
        #expect(seen == ["Downloading", "Installed"])
        await watcher.stop()
    }
}
