import DurableFiles

/// An API token. Its descriptions never show the value, so it cannot leak through string
/// interpolation, `print`, `dump` or a debugger; use `value` only to build the
/// `Authorization` header.
public struct BearerToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    public let value: String

    /// Validates a token as typed or piped: surrounding whitespace (the newline of `echo`)
    /// is dropped; what remains must be non-empty visible ASCII, as an HTTP header value
    /// without any chance of header injection requires.
    public init(validating raw: String) throws(CredentialError) {
        let trimmed = raw.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { throw .emptyToken }
        guard trimmed.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else { throw .invalidToken }
        guard trimmed.utf8.count <= CredentialStore.maximumTokenLength else { throw .tokenTooLong }
        value = trimmed
    }

    public var description: String { "BearerToken(<redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

public enum CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyToken
    /// Whitespace inside, control or non-ASCII characters. The token is never part of the message.
    case invalidToken
    case tokenTooLong
    /// No token file at this path.
    case notFound(path: String)
    /// The token file exists but cannot be read (errno).
    case unreadable(path: String, code: Int32)
    /// The token file holds no usable token.
    case malformedFile(path: String, reason: CredentialError.Reason)
    case write(AtomicFileError)

    public enum Reason: String, Sendable, Equatable {
        case empty = "it is empty"
        case invalid = "it contains whitespace, control or non-ASCII characters"
        case tooLong = "it is too long"
    }

    public var description: String {
        switch self {
        case .emptyToken: "the token is empty"
        case .invalidToken: "the token contains whitespace, control or non-ASCII characters"
        case .tokenTooLong: "the token is longer than \(CredentialStore.maximumTokenLength) bytes"
        case .notFound(let path): "no token file at \(path)"
        case .unreadable(let path, let code): "cannot read the token file \(path): \(POSIX.message(for: code))"
        case .malformedFile(let path, let reason): "the token file \(path) is unusable: \(reason.rawValue)"
        case .write(let error): error.description
        }
    }
}

/// A token read back from its file, with the file's permission bits.
public struct StoredToken: Sendable, Equatable {
    public let token: BearerToken
    public let path: String
    public let mode: UInt32

    /// True when group or others have any access (the file should be 0600 or stricter).
    public var isAccessibleByOthers: Bool { mode & 0o077 != 0 }
}

/// Token storage on explicit paths. The CLI decides the paths (flags, environment, XDG
/// defaults); this type only reads, writes and removes files.
public enum CredentialStore {
    public static let tokenFileName = "token"
    public static let maximumTokenLength = 16 * 1024

    /// Stores the token at `path` with mode 0600, atomically, creating the directory (0700)
    /// if needed. The file is 0600 from its creation on, never wider for an instant.
    public static func save(_ token: BearerToken, to path: String) throws(CredentialError) {
        do {
            try AtomicFile.createDirectories(POSIX.directory(of: path))
            try AtomicFile.write(token.value + "\n", to: path, mode: 0o600)
        } catch {
            throw .write(error)
        }
    }

    /// Reads the token at `path`. The caller decides what to say about `isAccessibleByOthers`.
    public static func read(from path: String) throws(CredentialError) -> StoredToken {
        let contents: (bytes: [UInt8], mode: UInt32)?
        do {
            contents = try POSIX.readFile(path)
        } catch {
            throw .unreadable(path: path, code: error.code)
        }
        guard let contents else { throw .notFound(path: path) }
        let token: BearerToken
        do {
            token = try BearerToken(validating: String(decoding: contents.bytes, as: UTF8.self))
        } catch {
            switch error {
            case .emptyToken: throw .malformedFile(path: path, reason: .empty)
            case .tokenTooLong: throw .malformedFile(path: path, reason: .tooLong)
            default: throw .malformedFile(path: path, reason: .invalid)
            }
        }
        return StoredToken(token: token, path: path, mode: contents.mode)
    }

    /// Removes the token at `path`. Returns false when there was none.
    @discardableResult
    public static func remove(at path: String) throws(CredentialError) -> Bool {
        do {
            return try AtomicFile.remove(path)
        } catch {
            throw .write(error)
        }
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
