import Foundation
import JSON

// Conversions between wire types and free-form JSON, spelled as the backend API spells them.
extension JSONValue {
    /// The JSON value of any encodable value, as `JSONCoding` encodes it (dates as timestamps).
    public init(encoding value: some Encodable) throws {
        let data = try JSONCoding.encode(value)
        self = try JSONCoding.decode(JSONValue.self, from: data)
    }

    /// Decodes this value as `type`, as `JSONCoding` decodes it.
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONCoding.decode(type, from: try JSONCoding.encode(self))
    }
}
