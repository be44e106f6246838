/// A fixed vocabulary of the backend API that the backend may grow within v1 (statuses,
/// roles, ...). Conforming enums list their known cases and keep any other value in an
/// `unknown(String)` case, so an older client keeps decoding newer answers and can even
/// send the value back unchanged.
///
/// A conforming enum declares `case unknown(String)`, `allKnown` and `rawValue`; decoding,
/// encoding and `init(rawValue:)` come from this protocol.
public protocol OpenEnum: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value.
    var rawValue: String { get }
    /// Every case except `unknown`, in the order the contract lists them.
    static var allKnown: [Self] { get }
    /// The fallback for a value this version does not know.
    static func unknown(_ rawValue: String) -> Self
}

extension OpenEnum {
    /// The known case with this wire value, else `unknown(rawValue)`. Never fails.
    public init(rawValue: String) {
        self = Self.allKnown.first { $0.rawValue == rawValue } ?? Self.unknown(rawValue)
    }

    /// Whether the value is one of `allKnown`.
    public var isKnown: Bool { Self.allKnown.contains(self) }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(rawValue: try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
