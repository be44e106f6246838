import DurableFiles

/// Reads a profile file, follows its `extends` chain, merges it and validates everything,
/// collecting every issue with its file, line, column and field.
///
/// The loader reads files (the profiles and secret files) through an injected reader, and
/// takes the environment for `{"secret": {"env": ...}}` as a value: the library never reads
/// the process environment. The CLI passes its IO's environment and working directory.
///
///     let loader = ProfileLoader(environment: io.environment, workingDirectory: io.workingDirectory)
///     let profile = try loader.load("profiles/site-amsterdam.json")
///     let resolved = try profile.resolve(for: ChargerIdentity(vendor: "Alfen", model: "Eve Single S-line", ocppVersion: .v16))
public struct ProfileLoader: Sendable {
    /// Why a file could not be read, as people read it ("No such file or directory").
    public struct ReadError: Error, Sendable, Equatable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    /// Reads a whole file by the path to open.
    public typealias FileReader = @Sendable (_ path: String) throws(ReadError) -> [UInt8]

    /// More `extends` levels than this is an error (a chain that long is a mistake).
    public static let defaultMaximumExtendsDepth = 8

    public var environment: [String: String]
    public var maximumExtendsDepth: Int
    let paths: ProfilePaths
    let readFile: FileReader

    /// - Parameters:
    ///   - environment: for secrets referenced by environment variable name.
    ///   - workingDirectory: where relative paths are opened from; nil for the process's.
    ///   - readFile: how files are read; the default reads the file system.
    public init(environment: [String: String] = [:], workingDirectory: String? = nil,
                maximumExtendsDepth: Int = ProfileLoader.defaultMaximumExtendsDepth,
                readFile: @escaping FileReader = ProfileLoader.readFromDisk) {
        self.environment = environment
        self.maximumExtendsDepth = maximumExtendsDepth
        self.paths = ProfilePaths(workingDirectory: workingDirectory)
        self.readFile = readFile
    }

    /// Reads a file from the file system.
    public static let readFromDisk: FileReader = { (path: String) throws(ReadError) -> [UInt8] in
        let contents: (bytes: [UInt8], mode: UInt32)?
        do throws(POSIXFailure) {
            contents = try POSIX.readFile(path)
        } catch {
            throw ReadError(reason: POSIX.message(for: error.code))
        }
        guard let contents else { throw ReadError(reason: "No such file or directory") }
        return contents.bytes
    }

    /// Loads the profile at `path` (shown in messages as given) with everything it extends.
    public func load(_ path: String) throws(ProfileError) -> Profile {
        var issues: [ProfileIssue] = []
        var layers: [ProfileLayer] = []  // the file loaded first, its base after it
        var chain: [(display: String, read: String)] = []
        var next: (display: String, extendedAt: ProfileOrigin?)? = (ProfilePaths.normalized(path), nil)
        loading: while let (display, extendedAt) = next {
            next = nil
            let read = paths.readPath(display)
            if chain.contains(where: { $0.read == read }), let extendedAt {
                let cycle = (chain.map(\.display) + [display]).joined(separator: " -> ")
                issues.append(ProfileIssue(.extendsCycle, at: extendedAt, "leads back to a profile already extended: \(cycle)"))
                break loading
            }
            if chain.count > maximumExtendsDepth, let extendedAt {
                issues.append(ProfileIssue(.badExtends, at: extendedAt, "more than \(maximumExtendsDepth) levels of extends"))
                break loading
            }
            chain.append((display, read))
            let bytes: [UInt8]
            do {
                bytes = try readFile(read)
            } catch {
                if let extendedAt {
                    issues.append(ProfileIssue(.badExtends, at: extendedAt, "cannot read \(display): \(error.reason)"))
                } else {
                    issues.append(ProfileIssue(.unreadableFile, at: ProfileOrigin(file: display, location: nil, field: ""),
                                               "cannot read the profile: \(error.reason)"))
                }
                break loading
            }
            guard let document = ProfileDocument.parse(bytes, file: display, issues: &issues) else { break loading }
            var parser = ProfileLayerParser(document: document, paths: paths)
            let layer = parser.parse()
            issues += parser.issues
            layers.append(layer)
            if let (target, origin) = layer.extends {
                next = (paths.display(target, from: display), origin)
            }
        }
        var merger = ProfileMerger(reader: readFile, environment: environment)
        let profile = merger.merge(layers.reversed())
        issues += merger.issues
        guard issues.isEmpty, let profile else {
            throw ProfileError(Self.ordered(issues, files: chain.map(\.display)))
        }
        return profile
    }

    /// In the order of the chain (the file loaded first), then by line and column.
    static func ordered(_ issues: [ProfileIssue], files: [String]) -> [ProfileIssue] {
        func rank(_ issue: ProfileIssue) -> (Int, Int, Int) {
            (files.firstIndex(of: issue.file) ?? files.count, issue.location?.line ?? 0, issue.location?.column ?? 0)
        }
        return issues.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}
