import Foundation
import JSON

/// A message a charger sent to the backend, as the event feed gives it.
public struct Event: Codable, Sendable, Equatable {
    /// Position in the feed, strictly increasing.
    public var seq: Int64
    public var chargerId: String
    public var ocppVersion: OCPPVersion
    /// The OCPP action the charger sent (`BootNotification`, `StatusNotification`, ...).
    public var type: String
    /// When the backend received it.
    public var receivedAt: Date
    /// The payload's own timestamp, when it has one.
    public var chargerTime: Date?
    /// The OCPP request payload as the charger sent it.
    public var payload: JSONObject

    public init(seq: Int64, chargerId: String, ocppVersion: OCPPVersion, type: String, receivedAt: Date,
                chargerTime: Date? = nil, payload: JSONObject) {
        self.seq = seq
        self.chargerId = chargerId
        self.ocppVersion = ocppVersion
        self.type = type
        self.receivedAt = receivedAt
        self.chargerTime = chargerTime
        self.payload = payload
    }
}

/// An answer of the event feed: the events after `after` (oldest first, possibly none) and
/// the cursor to pass as `after` next.
public struct EventBatch: Codable, Sendable, Equatable {
    public var events: [Event]
    public var cursor: String

    public init(events: [Event], cursor: String) {
        self.events = events
        self.cursor = cursor
    }
}

/// Values and limits of the event feed's parameters.
public enum EventFeed {
    /// `after=latest`: start at the current end of the feed.
    public static let latest = "latest"
    /// The longest `wait` in seconds.
    public static let maxWaitSeconds = 60
    /// The most `charger` values in one request.
    public static let maxChargers = 500
}
