import BackendAPI
import Foundation
import HTTPServerKit

/// Identity, sites and chargers: `getWhoAmI`, `listSites`, `listChargers`, `getCharger`,
/// `updateCharger`.
struct ChargersAPI {
    let services: SimServices

    func whoami(_ request: APIRequest) -> ServerResponse {
        Reply.json(request.user.identity)
    }

    func sites(_ request: APIRequest) throws -> ServerResponse {
        let limit = try request.limit()
        let ids = request.user.allSites ? services.fleet.sites : Array(Set(request.user.sites)).sorted()
        let sites = ids.map(services.fleet.siteRecord)
        return Reply.json(try Pager.page(sites, key: \.id, cursor: request.string(QueryName.cursor), limit: limit))
    }

    func list(_ request: APIRequest) async throws -> ServerResponse {
        let sites = request.strings(QueryName.site)
        try services.fleet.checkSiteFilter(sites, user: request.user)
        let limit = try request.limit()
        let connected = try request.bool(QueryName.connected)
        let models = Set(request.strings(QueryName.model))
        let vendors = Set(request.strings(QueryName.vendor))
        let versions = Set(request.strings(QueryName.firmwareVersion))
        let ocppVersion = request.string(QueryName.ocppVersion)
        let cursor = request.string(QueryName.cursor)
        let siteSet = Set(sites)
        let user = request.user
        let summaries = await services.csms.chargers().compactMap { view -> ChargerSummary? in
            guard let site = view.site, user.reaches(site: site), siteSet.isEmpty || siteSet.contains(site) else { return nil }
            let summary = ChargerMapping.summary(view, site: site)
            if !models.isEmpty, !models.contains(summary.model ?? "") { return nil }
            if !vendors.isEmpty, !vendors.contains(summary.vendor ?? "") { return nil }
            if !versions.isEmpty, !versions.contains(summary.firmwareVersion ?? "") { return nil }
            if let connected, summary.connected != connected { return nil }
            if let ocppVersion, summary.ocppVersion?.rawValue != ocppVersion { return nil }
            return summary
        }
        return Reply.json(try Pager.page(summaries, key: \.id, cursor: cursor, limit: limit))
    }

    func get(_ request: APIRequest) async throws -> ServerResponse {
        Reply.json(try await charger(request.parameter("chargerId"), user: request.user))
    }

    func update(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("chargerId")
        _ = try services.fleet.reachable(id, by: request.user)
        let patch = try request.jsonObject(mediaType: MediaType.mergePatchJSON)
        guard !patch.isEmpty else { throw APIError.validation(field: "", "the patch must change location or technical") }
        for key in patch.keys where key != "location" && key != "technical" {
            throw APIError.validation(field: "/" + key, "only location and technical may be patched")
        }
        try await services.chargerRecords.apply(patch, to: id)
        return Reply.json(try await charger(id, user: request.user))
    }

    func charger(_ id: String, user: SimUser) async throws -> Charger {
        let spec = try services.fleet.reachable(id, by: user)
        guard let view = await services.csms.charger(id) else { throw APIError.chargerNotFound(id) }
        let data = await services.chargerRecords.data(id)
        return ChargerMapping.charger(view, site: services.fleet.siteRecord(spec.site), location: data.location,
                                      technical: data.technical)
    }
}
