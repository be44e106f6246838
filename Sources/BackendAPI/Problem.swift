/// An RFC 9457 problem document (`application/problem+json`): how the backend reports
/// every error.
public struct Problem: Codable, Sendable, Equatable {
    public var type: String?
    public var title: String?
    public var status: Int?
    public var detail: String?
    public var instance: String?

    public init(type: String? = nil, title: String? = nil, status: Int? = nil,
                detail: String? = nil, instance: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
    }

    public static let mediaType = "application/problem+json"
}
