import JSON

/// Where a value of a profile was written.
public typealias ProfileOrigin = DocumentOrigin

/// One thing wrong with a profile, located.
public struct ProfileIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The profile file itself cannot be read.
        case unreadableFile
        /// Not JSON (the location is the parser's).
        case syntax
        /// A required field is missing.
        case missingField
        /// A field a profile (or a model section, or networkProfile) does not have.
        case unknownField
        /// A setting the catalogue does not have (see `suggestion`).
        case unknownSetting
        /// A value of the wrong JSON type.
        case wrongType
        /// A number outside the allowed range, or a string or secret of the wrong length.
        case outOfRange
        /// A value of the right type that is still not allowed (not a measurand, a bad URL,
        /// a duplicate).
        case invalidValue
        /// A secret written into the profile instead of referenced.
        case inlineSecret
        /// A referenced secret file or environment variable cannot be read or is empty.
        case unreadableSecret
        /// `extends` names a file that cannot be read, or nests too deep.
        case badExtends
        /// `extends` leads back to a file already in the chain.
        case extendsCycle
        /// A raw override key that is not a key (a 2.0.1 key outside the grammar).
        case invalidKey
        /// Two entries set the same OCPP key.
        case conflict
        /// Valid for the profile, not for the charger it is resolved for (a measurand 2.0.1
        /// does not have, security profile 0 on 2.0.1, an unsupported OCPP version).
        case notForCharger
    }

    public var kind: Kind
    public var origin: ProfileOrigin
    /// What is wrong, without the file and field (they are in `origin`).
    public var message: String
    /// For unknown names: the closest known one (already part of `message`).
    public var suggestion: String?

    public init(_ kind: Kind, at origin: ProfileOrigin, _ message: String, suggestion: String? = nil) {
        self.kind = kind
        self.origin = origin
        self.message = message
        self.suggestion = suggestion
    }

    public var file: String { origin.file }
    public var location: TextLocation? { origin.location }
    public var field: String { origin.field }

    /// `profiles/site.json:7:5: settings.heartbeatInterval: 5 is below the minimum 10`.
    public var description: String {
        origin.description + ": " + (origin.field.isEmpty ? "" : origin.field + ": ") + message
    }
}

/// Why a profile cannot be used: every issue found, in file order. Nothing was sent.
public struct ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var issues: [ProfileIssue]

    public init(_ issues: [ProfileIssue]) {
        self.issues = issues
    }

    /// One issue per line.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
