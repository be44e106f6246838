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

    /// The JSON of `encode` (keys sorted, slashes as they are, dates as timestamps), made by
    /// the project's own encoder and writer, which do not take `JSONEncoder`'s slow path for
    /// every free-form `JSONValue` member. A number may be spelt otherwise than `encode`
    /// spells it (`230` for 230.0), so use it where no one compares its bytes with
    /// `encode`'s: the simulator's answers and records.
    public static func write(_ value: some Encodable) throws -> Data {
        Data(JSONWriter.utf8(try valueEncoder.encode(value), options: .sortedKeys))
    }

    /// `value` as a `JSONValue`, coded as `write` codes it.
    public static func value(_ value: some Encodable) throws -> JSONValue {
        try valueEncoder.encode(value)
    }

    static let valueEncoder = JSONValueEncoder(dateEncodingStrategy: .custom { .string(Timestamp.format($0)) })

    /// Decodes a `type` from `data` as the backend API does.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try makeDecoder().decode(type, from: data)
    }

    /// Reads a `type` out of an already parsed value, dates as `makeDecoder()` reads them.
    /// `JSONDecoder` takes its slow, error-throwing path for every free-form `JSONValue` in
    /// a body (event payloads, command answers, QA measurements): this does not.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try valueDecoder.decode(type, from: value)
    }

    /// Parses an answer or request body (UTF-8, an optional byte order mark as
    /// `JSONDecoder` allows it) and reads a `type` out of it. Stricter than `JSONDecoder`
    /// in one way: a duplicate key is an error, not the last one silently winning.
    public static func decodeBody<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: try JSONParser.parse(data, options: bodyParsing))
    }

    /// `JSONDecoder` nests up to 512 deep.
    public static let bodyParsing = JSONParser.Options(maximumDepth: 512, allowsByteOrderMark: true)

    struct NotATimestamp: Error, CustomStringConvertible {
        var description: String
    }

    static let valueDecoder = JSONValueDecoder(dateDecodingStrategy: .custom { value in
        guard case .string(let text) = value else {
            throw NotATimestamp(description: "expected an RFC 3339 timestamp string, found \(value.kindDescription)")
        }
        guard let date = Timestamp.parse(text) else { throw NotATimestamp(description: "not an RFC 3339 timestamp: \(text)") }
        return date
    })
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
