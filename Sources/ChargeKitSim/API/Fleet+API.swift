import BackendAPI
import Foundation
import OCPP

/// What the backend knows of its fleet without asking the CSMS: which chargers exist, their
/// sites, and the sites' names. (A CPO provisions chargers and sites; the charger's identity
/// still comes only from its BootNotification.)
struct FleetIndex: Sendable {
    let specs: [String: ChargerSpec]
    /// Site ids in order.
    let sites: [String]
    let chargersBySite: [String: [String]]

    init(_ specs: [ChargerSpec]) {
        var byId: [String: ChargerSpec] = [:]
        var sites: [String] = []
        var bySite: [String: [String]] = [:]
        for spec in specs {
            byId[spec.id] = spec
            if bySite[spec.site] == nil { sites.append(spec.site) }
            bySite[spec.site, default: []].append(spec.id)
        }
        self.specs = byId
        self.sites = sites.sorted()
        chargersBySite = bySite
    }

    func site(of chargerId: String) -> String? { specs[chargerId]?.site }

    func version(of chargerId: String) -> BackendAPI.OCPPVersion? {
        specs[chargerId].map { $0.version == .v16 ? .v16 : .v201 }
    }

    static func siteName(_ id: String) -> String {
        if id.hasPrefix("SITE-") { return "Simulated site " + id.dropFirst("SITE-".count) }
        return id
    }

    func siteRecord(_ id: String) -> Site {
        Site(id: id, name: Self.siteName(id), address: Address(city: "Simville", country: "BE"))
    }

    /// The charger if it exists and `user` reaches it; otherwise the 404 the contract gives
    /// both cases alike.
    func reachable(_ chargerId: String, by user: SimUser) throws(APIError) -> ChargerSpec {
        guard let spec = specs[chargerId], user.reaches(site: spec.site) else { throw .chargerNotFound(chargerId) }
        return spec
    }

    /// The chargers a user reaches, restricted to `sites` when given (nil: every one, for
    /// tokens with all sites).
    func reachableIds(by user: SimUser, sites filter: [String]) -> Set<String>? {
        if filter.isEmpty {
            if user.allSites { return nil }
            return Set(user.sites.flatMap { chargersBySite[$0] ?? [] })
        }
        return Set(filter.flatMap { chargersBySite[$0] ?? [] })
    }

    /// A `site` filter: every site named must be the token's (403 otherwise).
    func checkSiteFilter(_ sites: [String], user: SimUser) throws(APIError) {
        for site in sites where !user.reaches(site: site) {
            throw .forbidden("The token is not assigned to site \(site).")
        }
    }
}

extension BackendAPI.OCPPVersion {
    init(_ version: OCPP.OCPPVersion) { self = version == .v16 ? .v16 : .v201 }
}
