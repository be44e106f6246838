import BackendAPI

/// Waits for chargers to boot again after a reset, through one `EventWatcher` shared by
/// every charger of a run. The watcher is started on first need, so a run that resets
/// nothing never polls the events feed.
actor BootWaiter {
    private let client: BackendClient
    private let chargers: [String]
    private let given: EventWatcher?
    private var starting: Task<EventWatcher, any Error>?

    /// Beyond this many chargers the feed is read for the whole fleet (BootNotifications
    /// only) rather than naming every charger in the poll's URL.
    static let maxNamedChargers = 50

    /// `chargers`: the feed filter (empty for the whole fleet the token reaches). A `watcher`
    /// given by the caller is used as is (already started) and never stopped here.
    init(client: BackendClient, chargers: [String], watcher: EventWatcher?) {
        self.client = client
        self.chargers = chargers.count <= Self.maxNamedChargers ? chargers : []
        self.given = watcher
    }

    /// A position in the feed before a reset is sent: the boot that answers the reset is newer.
    func marker() async throws -> Int64 {
        try await watcher().lastSeq
    }

    /// The first BootNotification of `charger` after `marker`.
    func boot(of charger: String, after marker: Int64, timeout: Duration) async throws -> Event {
        try await watcher().next(from: charger, after: marker, timeout: timeout) { $0.type == "BootNotification" }
    }

    /// Ends the long poll of a watcher this waiter started.
    func stop() async {
        guard given == nil, let starting else { return }
        self.starting = nil
        if let watcher = try? await starting.value { await watcher.stop() }
    }

    private func watcher() async throws -> EventWatcher {
        if let given { return given }
        if let starting { return try await starting.value }
        let client = self.client
        let chargers = self.chargers
        let task = Task {
            let watcher = EventWatcher(client: client, options: .init(chargers: chargers, types: ["BootNotification"]))
            try await watcher.start()
            return watcher
        }
        starting = task
        do {
            return try await task.value
        } catch {
            // Let a later charger try again (the feed may have been briefly unavailable).
            if starting == task { starting = nil }
            throw error
        }
    }
}
