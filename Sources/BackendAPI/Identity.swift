import Foundation

/// `GET /v1/whoami`: the user a token belongs to and what it reaches.
public struct Identity: Codable, Sendable, Equatable {
    /// The user's stable id (login).
    public var user: String
    public var name: String
    public var role: Role
    /// The sites assigned to the token (empty when `allSites`).
    public var sites: [String]
    /// The token reaches every site of the CPO.
    public var allSites: Bool
    public var tokenExpiresAt: Date?

    public init(user: String, name: String, role: Role, sites: [String], allSites: Bool,
                tokenExpiresAt: Date? = nil) {
        self.user = user
        self.name = name
        self.role = role
        self.sites = sites
        self.allSites = allSites
        self.tokenExpiresAt = tokenExpiresAt
    }
}

/// What a token may do. Treat an unknown role like `installer`.
public enum Role: OpenEnum {
    /// Reaches the sites assigned to it; installs approved firmware only.
    case installer
    /// Reaches all sites; approves firmware.
    case `operator`
    case admin
    case unknown(String)

    public static let allKnown: [Role] = [.installer, .operator, .admin]

    public var rawValue: String {
        switch self {
        case .installer: "installer"
        case .operator: "operator"
        case .admin: "admin"
        case .unknown(let value): value
        }
    }
}

/// A place with chargers: the unit of an installer's permissions.
public struct Site: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var address: Address?

    public init(id: String, name: String, address: Address? = nil) {
        self.id = id
        self.name = name
        self.address = address
    }
}

/// A postal address.
public struct Address: Codable, Sendable, Equatable {
    /// Street and number.
    public var street: String?
    public var postalCode: String?
    public var city: String?
    /// ISO 3166-1 alpha-2 country code.
    public var country: String?

    public init(street: String? = nil, postalCode: String? = nil, city: String? = nil, country: String? = nil) {
        self.street = street
        self.postalCode = postalCode
        self.city = city
        self.country = country
    }
}
