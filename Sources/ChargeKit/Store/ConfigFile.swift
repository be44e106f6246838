import DurableFiles
import JSON

/// Why `config.json` could not be used.
public enum ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file exists but cannot be read (errno).
    case unreadable(path: String, code: Int32)
    /// The file is not valid JSON.
    case malformed(path: String, location: TextLocation, reason: String)
    /// The file is JSON but not an object.
    case notAnObject(path: String)
    /// A known key holds the wrong kind of value.
    case wrongType(path: String, key: String, expected: String, found: String, location: TextLocation?)
    /// Writing the file failed.
    case write(AtomicFileError)

    public var description: String {
        switch self {
        case .unreadable(let path, let code):
            "cannot read \(path): \(POSIX.message(for: code))"
        case .malformed(let path, let location, let reason):
            "\(path):\(location.line):\(location.column): invalid JSON: \(reason)"
        case .notAnObject(let path):
            "\(path):1:1: expected a JSON object at the top level"
        case .wrongType(let path, let key, let expected, let found, let location):
            "\(path)\(location.map { ":\($0.line):\($0.column)" } ?? ""): \"\(key)\" must be \(expected), not \(found)"
        case .write(let error):
            error.description
        }
    }
}

/// The user's `config.json`: a JSON object whose known keys are the long names of the
/// global options (see `Key`). Keys chargekit does not know are kept untouched, as are
/// member order and number spellings, when the file is rewritten.
public struct ConfigFile: Sendable, Equatable {
    public static let fileName = "config.json"

    /// The keys chargekit reads.
    public enum Key {
        public static let backend = "backend"
        public static let tokenFile = "token-file"
        public static let cacert = "cacert"
        public static let cert = "cert"
        public static let key = "key"
        public static let timeout = "timeout"
    }

    public let path: String
    /// Whether the file existed when loaded.
    public let exists: Bool
    public private(set) var members: JSONObject
    /// Where each value starts in the file as loaded, by JSON path.
    private var locations: [JSONPath: TextLocation]

    /// An empty configuration that will be written to `path`.
    public init(path: String) {
        self.path = path
        self.exists = false
        self.members = JSONObject()
        self.locations = [:]
    }

    /// Loads `path`; a missing file is an empty configuration.
    public static func load(path: String) throws(ConfigFileError) -> ConfigFile {
        let contents: (bytes: [UInt8], mode: UInt32)?
        do {
            contents = try POSIX.readFile(path)
        } catch {
            throw .unreadable(path: path, code: error.code)
        }
        guard let contents else { return ConfigFile(path: path) }
        let parsed: (value: JSONValue, locations: [JSONPath: TextLocation])
        do {
            parsed = try JSONParser.parseWithLocations(contents.bytes, options: Self.parsing)
        } catch {
            throw .malformed(path: path, location: error.location, reason: error.reason)
        }
        guard case .object(let members) = parsed.value else { throw .notAnObject(path: path) }
        return ConfigFile(path: path, members: members, locations: parsed.locations)
    }

    /// Editors may save a byte order mark; config files have always been allowed to nest
    /// 256 deep.
    private static let parsing = JSONParser.Options(maximumDepth: 256, allowsByteOrderMark: true)

    private init(path: String, members: JSONObject, locations: [JSONPath: TextLocation]) {
        self.path = path
        self.exists = true
        self.members = members
        self.locations = locations
    }

    public subscript(key: String) -> JSONValue? {
        members[key]
    }

    /// Where a key's value starts in the file as loaded.
    public func location(of key: String) -> TextLocation? {
        locations[[.key(key)]]
    }

    /// The string under `key`, nil when absent (or null).
    public func string(_ key: String) throws(ConfigFileError) -> String? {
        guard let value = self[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw wrongType(key, expected: "a string", found: value) }
        return string
    }

    /// The number under `key`, nil when absent (or null).
    public func number(_ key: String) throws(ConfigFileError) -> Double? {
        guard let value = self[key], value != .null else { return nil }
        guard let number = value.doubleValue else { throw wrongType(key, expected: "a number", found: value) }
        return number
    }

    private func wrongType(_ key: String, expected: String, found: JSONValue) -> ConfigFileError {
        .wrongType(path: path, key: key, expected: expected, found: found.kindDescription, location: location(of: key))
    }

    /// Sets (or, with nil, removes) a key, keeping the position of an existing member.
    public mutating func set(_ key: String, _ value: JSONValue?) {
        members[key] = value
        locations = locations.filter { path, _ in path.components.first != .key(key) }
    }

    /// The file's text as it would be saved.
    public var text: String {
        JSONValue.object(members).formatted()
    }

    /// Writes the file atomically with mode 0600, creating its directory (0700) if needed.
    public func save() throws(ConfigFileError) {
        do {
            try AtomicFile.createDirectories(POSIX.directory(of: path))
            try AtomicFile.write(text, to: path, mode: 0o600)
        } catch {
            throw .write(error)
        }
    }
}
