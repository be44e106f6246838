import Foundation
import JSON

/// How the backend API is written and read as JSON, shared by the client and the simulator
/// so that both spell bodies the same way.
///
/// - Keys are sorted and slashes are not escaped: the same value always gives the same
///   bytes, which is what an Idempotency-Key replay is compared on.
/// - Dates are RFC 3339 timestamps in UTC with `Z`, with milliseconds only when the date has
///   a fraction of a second (`2025-03-14T09:26:53Z`, `2025-03-14T09:26:53.512Z`).
/// - Reading is tolerant: with or without fractional seconds (any number of digits), `Z`
///   or a numeric offset (`+01:00`), `T` or `t`.
public enum JSONCoding {
    /// A new encoder configured for the backend API.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A new decoder configured for the backend API.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an RFC 3339 timestamp: \(text)")
            }
            return date
        }
        return decoder
    }

    /// Encodes `value` as the backend API does.
    public static func encode(_ value: some Encodable) throws -> Data {
        try makeEncoder().encode(value)
    }

    /// Decodes a `type` from `data` as the backend API does.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try makeDecoder().decode(type, from: data)
    }
}

/// RFC 3339 timestamps as the backend API writes and reads them.
public enum Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` in UTC; the fraction, rounded to milliseconds, only when
    /// it is not zero.
    public static func format(_ date: Date) -> String { RFC3339.format(date, fraction: .millisecondsWhenNonZero) }

    /// The date of an RFC 3339 date-time (`2025-03-14T09:26:53Z`,
    /// `2025-03-14T10:26:53.512345+01:00`); nil when the text is not one.
    public static func parse(_ text: String) -> Date? { RFC3339.parse(text) }
}
