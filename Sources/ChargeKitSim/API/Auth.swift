import BackendAPI
import Foundation
import JSON

/// A user of the simulated backend: the bearer token, who it belongs to, its role and the
/// sites it reaches.
public struct SimUser: Sendable, Hashable {
    public var token: String
    /// The user's stable id (login).
    public var user: String
    public var name: String
    public var role: Role
    /// The sites the token is assigned (empty with `allSites`).
    public var sites: [String]
    /// The token reaches every site.
    public var allSites: Bool

    public init(token: String, user: String, name: String, role: Role, sites: [String], allSites: Bool = false) {
        self.token = token
        self.user = user
        self.name = name
        self.role = role
        self.sites = allSites ? [] : sites
        self.allSites = allSites
    }

    /// Whether the token reaches chargers of `site`.
    public func reaches(site: String?) -> Bool {
        if allSites { return true }
        guard let site else { return false }
        return sites.contains(site)
    }

    /// Operators and admins approve firmware and install unapproved firmware.
    public var mayApproveFirmware: Bool { role == .operator || role == .admin }

    public var identity: Identity {
        Identity(user: user, name: name, role: role, sites: allSites ? [] : sites, allSites: allSites)
    }

    /// The token `chargekit sim` prints: an installer on every demo site.
    public static let demoInstallerToken = "demo-installer"
    /// An operator reaching every site (approves firmware).
    public static let demoOperatorToken = "demo-operator"

    /// The default users: `demo-installer` (installer, assigned every site of the fleet) and
    /// `demo-operator` (operator, all sites).
    public static func demoUsers(sites: [String]) -> [SimUser] {
        [
            SimUser(token: demoInstallerToken, user: "demo.installer", name: "Demo Installer", role: .installer, sites: sites),
            SimUser(token: demoOperatorToken, user: "demo.operator", name: "Demo Operator", role: .operator, sites: [],
                    allSites: true),
        ]
    }
}

/// Why a `--tokens` file could not be used.
public enum TokenFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The file is not a valid token list; `position` is `LINE:COLUMN` where known.
    case malformed(path: String, position: String?, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read tokens file \(path): \(reason)"
        case .malformed(let path, let position, let reason):
            return "tokens file \(path)\(position.map { ":" + $0 } ?? ""): \(reason)"
        }
    }
}

/// `--tokens FILE`: `[{"token", "user", "name", "role", "sites": [...]}]`, where `"sites":
/// ["*"]` or `"allSites": true` reaches every site.
public enum TokenFile {
    public static func load(path: String) throws(TokenFileError) -> [SimUser] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw .unreadable(path: path, reason: reason)
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws(TokenFileError) -> [SimUser] {
        let parsed: (value: JSONValue, locations: [JSONPath: TextLocation])
        do {
            parsed = try JSONParser.parseWithLocations(data)
        } catch {
            throw .malformed(path: path, position: error.location.description, reason: error.reason)
        }
        func fail(_ at: JSONPath, _ reason: String) -> TokenFileError {
            .malformed(path: path, position: parsed.locations[at]?.description, reason: reason)
        }
        guard let entries = parsed.value.arrayValue else {
            throw fail(.root, "expected an array of {token, user, name, role, sites}")
        }
        guard !entries.isEmpty else { throw fail(.root, "no tokens") }
        var users: [SimUser] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let at = JSONPath.root.appending(index: index)
            guard entry.objectValue != nil else { throw fail(at, "entry \(index + 1) is not an object") }
            func text(_ key: String, required: Bool = true) throws(TokenFileError) -> String? {
                guard let value = entry[key] else {
                    if required { throw fail(at, "entry \(index + 1) has no \"\(key)\"") }
                    return nil
                }
                guard let string = value.stringValue, !string.isEmpty else {
                    throw fail(at.appending(key: key), "\"\(key)\" must be a non-empty string")
                }
                return string
            }
            let token = try text("token") ?? ""
            guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw fail(at.appending(key: "token"), "a token is printable ASCII without spaces")
            }
            guard seen.insert(token).inserted else { throw fail(at.appending(key: "token"), "duplicate token") }
            let user = try text("user") ?? ""
            let name = try text("name", required: false) ?? user
            let roleText = try text("role") ?? ""
            let role = Role(rawValue: roleText)
            guard role.isKnown else {
                throw fail(at.appending(key: "role"), "unknown role \"\(roleText)\" (installer, operator or admin)")
            }
            var sites: [String] = []
            if let list = entry["sites"] {
                guard let items = list.arrayValue else { throw fail(at.appending(key: "sites"), "\"sites\" must be an array") }
                for (n, item) in items.enumerated() {
                    guard let site = item.stringValue, !site.isEmpty else {
                        throw fail(at.appending(key: "sites").appending(index: n), "a site is a non-empty string")
                    }
                    sites.append(site)
                }
            }
            var allSites = sites.contains("*")
            if let flag = entry["allSites"] {
                guard let value = flag.boolValue else { throw fail(at.appending(key: "allSites"), "\"allSites\" must be true or false") }
                allSites = allSites || value
            }
            if entry["sites"] == nil, !allSites {
                throw fail(at, "entry \(index + 1) has neither \"sites\" nor \"allSites\"")
            }
            users.append(SimUser(token: token, user: user, name: name, role: role, sites: sites, allSites: allSites))
        }
        return users
    }
}

/// Tokens to users.
struct UserDirectory: Sendable {
    private let byToken: [String: SimUser]

    init(_ users: [SimUser]) {
        var byToken: [String: SimUser] = [:]
        for user in users { byToken[user.token] = user }
        self.byToken = byToken
    }

    /// The user of `Authorization: Bearer TOKEN`; the error says why not (401).
    func authenticate(_ authorization: String?) throws(APIError) -> SimUser {
        guard let authorization, !authorization.isEmpty else {
            throw .unauthorized("No bearer token: send Authorization: Bearer <token>.", invalidToken: false)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("The Authorization header is not a bearer token.", invalidToken: false)
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let user = byToken[token] else {
            throw .unauthorized("The token is not valid.", invalidToken: true)
        }
        return user
    }
}
