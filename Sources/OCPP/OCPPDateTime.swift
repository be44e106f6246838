import Foundation
import JSON

/// A schema `date-time`: RFC 3339. Written in UTC with milliseconds
/// (`2025-03-01T12:00:00.000Z`, as OCPP 2.0.1 part 4 §2.1.3 recommends); read with any
/// number of fraction digits and any UTC offset.
public struct OCPPDateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: Date

    public init(_ date: Date) { self.date = date }

    /// Milliseconds since 1970, the precision that goes on the wire.
    public var millisecondsSince1970: Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    public static func < (a: OCPPDateTime, b: OCPPDateTime) -> Bool { a.date < b.date }

    public var description: String { Self.format(date) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = Self.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not an RFC 3339 date-time"))
        }
        self.date = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Self.format(date))
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC.
    public static func format(_ date: Date) -> String { RFC3339.format(date, fraction: .milliseconds) }

    /// Parses RFC 3339 `date-time` (`full-date "T" full-time`, `T`/`t`, `Z`/`z` or `±hh:mm`).
    public static func parse(_ text: String) -> Date? { RFC3339.parse(text) }
}
