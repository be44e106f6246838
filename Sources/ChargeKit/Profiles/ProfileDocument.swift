import JSON

/// One profile file, parsed and located.
typealias ProfileDocument = LocatedDocument

extension LocatedDocument {
    /// Parses a profile's `bytes`; a syntax error becomes the issue that names its line and column.
    static func parse(_ bytes: [UInt8], file: String, issues: inout [ProfileIssue]) -> LocatedDocument? {
        do {
            return try parse(bytes, file: file)
        } catch {
            let origin = DocumentOrigin(file: file, location: error.location, field: "")
            issues.append(ProfileIssue(.syntax, at: origin, "invalid JSON: \(error.reason)"))
            return nil
        }
    }

    func issue(_ kind: ProfileIssue.Kind, _ path: JSONPath, _ message: String, suggestion: String? = nil) -> ProfileIssue {
        ProfileIssue(kind, at: origin(path), message, suggestion: suggestion)
    }
}
