import ChargeKit
import Foundation

/// Where a setting's value came from, for messages and a future `chargekit config show`.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    /// A command-line option, e.g. "--backend".
    case flag(String)
    /// An environment variable, e.g. "CHARGEKIT_BACKEND".
    case environment(String)
    /// A key of config.json.
    case configFile(path: String, key: String)
    /// chargekit's default.
    case builtIn(String)

    /// The setting's name in its source: "--backend", "CHARGEKIT_BACKEND", "\"backend\"".
    public var name: String {
        switch self {
        case .flag(let spelling): spelling
        case .environment(let variable): variable
        case .configFile(_, let key): "\"\(key)\""
        case .builtIn(let name): name
        }
    }

    public var description: String {
        switch self {
        case .flag(let spelling): "from \(spelling)"
        case .environment(let variable): "from $\(variable)"
        case .configFile(let path, let key): "from \"\(key)\" in \(path)"
        case .builtIn: "default"
        }
    }
}

/// A setting's value and where it came from.
public struct Resolved<Value: Sendable>: Sendable {
    public let value: Value
    public let source: SettingSource

    public init(_ value: Value, from source: SettingSource) {
        self.value = value
        self.source = source
    }
}

extension Resolved: Equatable where Value: Equatable {}

public enum SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case config(ConfigFileError)
    /// A value that cannot be used; `setting` is its name ("backend"), the source says where it was.
    case invalid(setting: String, source: SettingSource, reason: String)
    /// Neither XDG_CONFIG_HOME (absolute) nor HOME is set.
    case noConfigDirectory

    public var description: String {
        switch self {
        case .config(let error): error.description
        case .invalid(_, let source, let reason): "\(source.name) (\(source)): \(reason)"
        case .noConfigDirectory: "cannot find the configuration directory: set XDG_CONFIG_HOME or HOME"
        }
    }
}

/// The connection settings, resolved from flags, then the environment (CHARGEKIT_BACKEND,
/// CHARGEKIT_TOKEN_FILE), then `config.json`, each value remembering its source. Relative
/// paths from flags and the environment are relative to the working directory, those in
/// config.json to the file's directory.
public struct Settings: Sendable {
    public static let backendVariable = "CHARGEKIT_BACKEND"
    public static let tokenFileVariable = "CHARGEKIT_TOKEN_FILE"

    /// `$XDG_CONFIG_HOME/chargekit`, default `~/.config/chargekit`; nil without HOME.
    public let configDirectory: String?
    /// `$XDG_DATA_HOME/chargekit`, default `~/.local/share/chargekit`; nil without HOME.
    public let dataDirectory: String?
    /// config.json as loaded (empty when missing); nil when there is no config directory.
    public let configFile: ConfigFile?
    public let backend: Resolved<URL>?
    /// Where the token is read (and where login stores it); nil when there is no config
    /// directory and none was given.
    public let tokenFile: Resolved<String>?
    public let cacert: Resolved<String>?
    public let cert: Resolved<String>?
    public let key: Resolved<String>?
    public let timeout: Resolved<Double>?
    /// Only ever from `--insecure`: a config file must not silently switch verification off.
    public let insecure: Bool

    public static func resolve(options: ParsedOptions, environment: [String: String],
                               workingDirectory: String) throws(SettingsError) -> Settings {
        let home = nonEmpty(environment["HOME"])
        let configDirectory = baseDirectory(environment["XDG_CONFIG_HOME"], home: home, fallback: ".config")
            .map { $0 + "/chargekit" }
        let dataDirectory = baseDirectory(environment["XDG_DATA_HOME"], home: home, fallback: ".local/share")
            .map { $0 + "/chargekit" }
        let file: ConfigFile?
        do {
            file = try configDirectory.map { directory throws(ConfigFileError) in
                try ConfigFile.load(path: directory + "/" + ConfigFile.fileName)
            }
        } catch {
            throw .config(error)
        }

        let resolver = Resolver(options: options, environment: environment, workingDirectory: workingDirectory, file: file)
        let backendText = try resolver.string(GlobalOptions.backend, variable: backendVariable, key: ConfigFile.Key.backend)
        let backend = try backendText.map { resolved throws(SettingsError) in
            Resolved(try validateBackend(resolved.value, source: resolved.source), from: resolved.source)
        }
        var tokenFile = try resolver.path(GlobalOptions.tokenFile, variable: tokenFileVariable, key: ConfigFile.Key.tokenFile)
        if tokenFile == nil, let configDirectory {
            tokenFile = Resolved(configDirectory + "/" + CredentialStore.tokenFileName, from: .builtIn("token file"))
        }
        let cacert = try resolver.path(GlobalOptions.cacert, variable: nil, key: ConfigFile.Key.cacert)
        let cert = try resolver.path(GlobalOptions.cert, variable: nil, key: ConfigFile.Key.cert)
        let key = try resolver.path(GlobalOptions.key, variable: nil, key: ConfigFile.Key.key)
        if let key, cert == nil {
            throw .invalid(setting: "key", source: key.source, reason: "a private key needs a client certificate (--cert)")
        }
        let timeout = try resolver.number(GlobalOptions.timeout, key: ConfigFile.Key.timeout)
        if let timeout, !(timeout.value > 0) {
            throw .invalid(setting: "timeout", source: timeout.source, reason: "must be a positive number of seconds")
        }
        return Settings(configDirectory: configDirectory, dataDirectory: dataDirectory, configFile: file,
                        backend: backend, tokenFile: tokenFile, cacert: cacert, cert: cert, key: key,
                        timeout: timeout, insecure: options.flag(GlobalOptions.insecure))
    }

    /// The same settings pointed at another backend, token file and local store, for a
    /// command that brings its own backend (`commission --sim`).
    func replacing(backend url: URL, tokenFile path: String, dataDirectory data: String) -> Settings {
        let source = SettingSource.builtIn("--sim")
        return Settings(configDirectory: configDirectory, dataDirectory: data, configFile: configFile,
                        backend: Resolved(url, from: source), tokenFile: Resolved(path, from: source), cacert: nil, cert: nil,
                        key: nil, timeout: timeout, insecure: false)
    }

    /// Settings for commands that resolve none (help, version).
    static let unresolved = Settings(configDirectory: nil, dataDirectory: nil, configFile: nil, backend: nil,
                                     tokenFile: nil, cacert: nil, cert: nil, key: nil, timeout: nil, insecure: false)

    /// Every resolved setting as (name, value, source), for verbose output and `config show`.
    public var summary: [(name: String, value: String, source: SettingSource)] {
        var rows: [(String, String, SettingSource)] = []
        if let backend { rows.append(("backend", backend.value.absoluteString, backend.source)) }
        if let tokenFile { rows.append(("token-file", tokenFile.value, tokenFile.source)) }
        if let cacert { rows.append(("cacert", cacert.value, cacert.source)) }
        if let cert { rows.append(("cert", cert.value, cert.source)) }
        if let key { rows.append(("key", key.value, key.source)) }
        if let timeout { rows.append(("timeout", String(timeout.value), timeout.source)) }
        if insecure { rows.append(("insecure", "true", .flag("--insecure"))) }
        return rows
    }

    /// An http(s) URL with a host and without credentials (secrets never come from argv).
    public static func validateBackend(_ text: String, source: SettingSource) throws(SettingsError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw .invalid(setting: "backend", source: source, reason: "'\(text)' is not an http(s) URL")
        }
        guard url.user == nil, url.password == nil else {
            throw .invalid(setting: "backend", source: source,
                           reason: "credentials in the URL are not accepted; use 'chargekit login' to store a token")
        }
        return url
    }

    private static func baseDirectory(_ variable: String?, home: String?, fallback: String) -> String? {
        // The XDG spec says relative values are to be ignored.
        if let variable = nonEmpty(variable), variable.hasPrefix("/") { return variable }
        return home.map { $0 + "/" + fallback }
    }

    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private struct Resolver {
        let options: ParsedOptions
        let environment: [String: String]
        let workingDirectory: String
        let file: ConfigFile?

        func string(_ option: OptionSpec, variable: String?, key: String) throws(SettingsError) -> Resolved<String>? {
            if let value = options.string(option) { return Resolved(value, from: .flag(option.spelling)) }
            if let variable, let value = Settings.nonEmpty(environment[variable]) {
                return Resolved(value, from: .environment(variable))
            }
            guard let file else { return nil }
            do {
                guard let value = try file.string(key) else { return nil }
                return Resolved(value, from: .configFile(path: file.path, key: key))
            } catch {
                throw .config(error)
            }
        }

        func path(_ option: OptionSpec, variable: String?, key: String) throws(SettingsError) -> Resolved<String>? {
            guard let resolved = try string(option, variable: variable, key: key) else { return nil }
            guard !resolved.value.isEmpty else {
                throw .invalid(setting: key, source: resolved.source, reason: "the path is empty")
            }
            let base: String
            if case .configFile(let path, _) = resolved.source {
                base = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            } else {
                base = workingDirectory
            }
            return Resolved(Paths.absolute(resolved.value, relativeTo: base), from: resolved.source)
        }

        func number(_ option: OptionSpec, key: String) throws(SettingsError) -> Resolved<Double>? {
            if let value = options.double(option) { return Resolved(value, from: .flag(option.spelling)) }
            guard let file else { return nil }
            do {
                guard let value = try file.number(key) else { return nil }
                return Resolved(value, from: .configFile(path: file.path, key: key))
            } catch {
                throw .config(error)
            }
        }
    }
}
