import JSON

/// Where a value of a document the user wrote (a profile, a checklist, an answers file) is:
/// the file (as the loader names it), the line and column, and the field's JSON path.
public struct DocumentOrigin: Sendable, Hashable, CustomStringConvertible, Encodable {
    public var file: String
    public var location: TextLocation?
    /// `settings.heartbeatInterval`, `models[0].ocpp16.MaxChargingCurrent`; empty for the document.
    public var field: String

    public init(file: String, location: TextLocation?, field: String) {
        self.file = file
        self.location = location
        self.field = field
    }

    /// `profiles/site.json:7:5`.
    public var description: String {
        file + (location.map { ":\($0.line):\($0.column)" } ?? "")
    }

    private enum CodingKeys: String, CodingKey { case file, line, column, field }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encodeIfPresent(location?.line, forKey: .line)
        try container.encodeIfPresent(location?.column, forKey: .column)
        try container.encode(field, forKey: .field)
    }
}
