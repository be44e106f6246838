/// A value as one profile file writes it: settled, a secret still to be read, or `null`.
enum Pending<Value: Equatable>: Equatable {
    case value(Value)
    case secret(SecretReference)
    case unset
}

/// A secret a profile names but that has not been read yet. Secrets are read after the
/// merge, so a base's secret that a variant replaces is never needed.
struct SecretReference: Equatable {
    enum Source: Equatable {
        /// The path as messages name it, and the path to open.
        case file(display: String, read: String)
        case environment(String)
    }

    var source: Source
    /// Where the reference's `file` or `env` member is written.
    var origin: ProfileOrigin
}

struct LayerSetting: Equatable {
    var name: String
    var value: Pending<SettingValue>
    var origin: ProfileOrigin
}

struct LayerOverride: Equatable {
    var key: String
    var value: Pending<String>
    var origin: ProfileOrigin
}

struct LayerModelSection: Equatable {
    var vendor: String?
    var model: String?
    var ocppVersion: String?
    var description: String?
    var settings: [LayerSetting]
    var ocpp16: [LayerOverride]
    var ocpp201: [LayerOverride]
    var origin: ProfileOrigin
}

/// One profile file, validated on its own: what it sets, before `extends` merges it with
/// its base.
struct ProfileLayer {
    var file: String
    var name: String?
    var version: String?
    var description: String?
    /// The path as written, and where.
    var extends: (path: String, origin: ProfileOrigin)?
    var settings: [LayerSetting] = []
    var ocpp16: [LayerOverride] = []
    var ocpp201: [LayerOverride] = []
    var models: [LayerModelSection] = []
    var networkProfile: NetworkProfileSettings?

    init(file: String) {
        self.file = file
    }
}

/// How profile paths are shown and opened: `extends` and secret files are relative to the
/// file that names them; messages show paths as the user wrote them (joined, with `.` and
/// `..` folded); relative paths are opened from the caller's working directory.
struct ProfilePaths: Sendable {
    var workingDirectory: String?

    /// The path of `relative`, written in the file `file`, as messages show it.
    func display(_ relative: String, from file: String) -> String {
        if relative.hasPrefix("/") { return Self.normalized(relative) }
        return Self.normalized(Self.directory(of: file) + "/" + relative)
    }

    /// The path to open for a displayed path.
    func readPath(_ display: String) -> String {
        guard !display.hasPrefix("/"), let workingDirectory else { return display }
        return Self.normalized(workingDirectory + "/" + display)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// Folds `.`, `..` and repeated slashes without touching the file system.
    static func normalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
