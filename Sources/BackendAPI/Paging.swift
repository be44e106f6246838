/// A page of a list: `{items, nextCursor}`. `nextCursor` is passed as `cursor` for the next
/// page and is `null` (written explicitly) on the last page.
public struct Page<Item: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String? = nil) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Whether this is the last page.
    public var isLast: Bool { nextCursor == nil }

    private enum CodingKeys: String, CodingKey { case items, nextCursor }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        items = try container.decode([Item].self, forKey: .items)
        nextCursor = try container.decodeIfPresent(String.self, forKey: .nextCursor)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page
    }
}

public typealias SitePage = Page<Site>
public typealias ChargerPage = Page<ChargerSummary>
public typealias FirmwarePage = Page<Firmware>
public typealias FirmwareUpdatePage = Page<FirmwareUpdate>
public typealias InspectionPage = Page<InspectionSummary>
public typealias QARunPage = Page<QARunSummary>

/// Limits of list and long-poll parameters.
public enum Paging {
    public static let defaultLimit = 100
    public static let limitRange = 1...1000
}
