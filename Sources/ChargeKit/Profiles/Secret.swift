/// A secret value from a profile (an authorization key, a basic-auth password).
///
/// Nothing but `reveal()` shows the value: `description`, `debugDescription`, the mirror
/// (`dump`, debuggers) and the `Encodable` form are all `(secret)`, so a secret cannot leak
/// through string interpolation, `print`, `dump`, a trace or a JSON report. Call `reveal()`
/// only to build the change request that carries it to the backend.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, Encodable {
    /// What every rendering of a secret shows.
    public static let placeholder = "(secret)"

    /// Where a secret was read from: shown in messages instead of the value.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// A file, by the path as the profile resolved it.
        case file(String)
        /// An environment variable, by name (the environment is the caller's, injected).
        case environment(String)

        /// `secrets/ak.txt` or `environment variable CPO_AUTH_KEY`.
        public var description: String {
            switch self {
            case .file(let path): path
            case .environment(let name): "environment variable \(name)"
            }
        }
    }

    private let value: String
    /// Where the value came from; safe to show.
    public let source: Source

    public init(_ value: String, source: Source) {
        self.value = value
        self.source = source
    }

    /// The value itself. Only for the request that sends it to the charger.
    public func reveal() -> String { value }

    /// The number of characters, for length checks whose message must not show the value.
    public var count: Int { value.count }

    public var description: String { Self.placeholder }
    public var debugDescription: String { Self.placeholder }
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.placeholder)
    }
}

/// A value as OCPP carries it (a string), or a secret that only the change request reveals.
public enum ConfigurationValue: Sendable, Equatable, CustomStringConvertible, Encodable {
    case text(String)
    case secret(Secret)

    public var isSecret: Bool {
        if case .secret = self { return true }
        return false
    }

    /// The text for people: the value, or `(secret)`.
    public var description: String {
        switch self {
        case .text(let text): text
        case .secret(let secret): secret.description
        }
    }

    /// The text to send. Only for the change request.
    public func reveal() -> String {
        switch self {
        case .text(let text): text
        case .secret(let secret): secret.reveal()
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
