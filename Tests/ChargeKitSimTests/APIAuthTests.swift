import BackendAPI
import ChargeKit
import CurlHTTP
import Foundation
import Testing
@testable import ChargeKitSim

/// Tokens, roles and sites: who reaches what, and the contract's 401/403/404/405 answers.
@Suite(.busySimulation) struct APIAuthTests {
    @Test func whoamiAnswersTheTokensIdentity() async throws {
        try await SimAPI.run { api in
            let installer = try await api.client("site1-installer").whoami()
            #expect(installer == Identity(user: "ann", name: "Ann", role: .installer, sites: ["SITE-01"], allSites: false))
            let operatorIdentity = try await api.client(SimUser.demoOperatorToken).whoami()
            #expect(operatorIdentity.role == .operator && operatorIdentity.allSites && operatorIdentity.sites.isEmpty)
            let sites = try await api.client("site2-installer").sites()
            #expect(sites.items.map(\.id) == ["SITE-02"] && sites.isLast)
            #expect(try await api.client().sites().items.map(\.id) == ["SITE-01", "SITE-02"])
        }
    }

    @Test func noTokenOrAnUnknownOneIs401WithABearerChallenge() async throws {
        try await SimAPI.run { api in
            for token in [nil, "not-a-token"] as [String?] {
                let answer = try await api.raw("GET", "/v1/chargers", token: token)
                #expect(answer.status == 401)
                #expect(answer.headers["Content-Type"] == MediaType.problemJSON)
                #expect(answer.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true)
                #expect(answer.problem?.type == .unauthorized)
            }
            let error = await problem { _ = try await api.client("wrong").whoami() }
            guard case .unauthorized? = error else { Issue.record("expected unauthorized, got \(String(describing: error))"); return }
        }
    }

    @Test func anotherSitesChargerIs404LikeAMissingOneAndNeverData() async throws {
        try await SimAPI.run { api in
            #expect(await api.awaitFleet())
            let ann = try api.client("site1-installer")
            #expect(try await ann.charger("CP-0001").siteId == "SITE-01")
            for path in ["/v1/chargers/CP-0004", "/v1/chargers/CP-0004/configuration", "/v1/chargers/CP-0004/events",
                         "/v1/chargers/CP-0004/firmware-updates", "/v1/chargers/CP-0004/inspections", "/v1/chargers/CP-0004/qa-runs",
                         "/v1/chargers/CP-9999"] {
                let answer = try await api.raw("GET", path, token: "site1-installer")
                #expect(answer.status == 404, "\(path)")
                #expect(answer.problem?.type == .notFound, "\(path)")
                #expect(!answer.bodyString.contains("serialNumber"), "\(path)")
            }
            let hidden = try await api.raw("GET", "/v1/chargers/CP-0004", token: "site1-installer")
            let missing = try await api.raw("GET", "/v1/chargers/CP-9999", token: "site1-installer")
            #expect(hidden.problem?.detail?.replacingOccurrences(of: "CP-0004", with: "X")
                    == missing.problem?.detail?.replacingOccurrences(of: "CP-9999", with: "X"), "indistinguishable")
            // Lists silently hold only what the token reaches.
            let listed = try await ann.allChargers()
            #expect(listed.map(\.id) == ["CP-0001", "CP-0002", "CP-0003"])
            // Naming a site the token lacks is 403.
            let error = await problem { _ = try await ann.chargers(ChargerFilter(site: "SITE-02")) }
            #expect(error?.status == 403 && error?.problem?.type == .forbidden)
            let events = try await api.raw("GET", "/v1/events?site=SITE-02", token: "site1-installer")
            #expect(events.status == 403)
            let foreignCharger = try await api.raw("GET", "/v1/events?charger=CP-0005", token: "site1-installer")
            #expect(foreignCharger.status == 404 && foreignCharger.problem?.chargerId == "CP-0005")
        }
    }

    @Test func rolesLimitWhatATokenMayDo() async throws {
        try await SimAPI.run { api in
            let catalogue = try await api.client().firmwareCatalogue()
            let firmware = try #require(catalogue.items.first)
            let error = await problem { _ = try await api.client("site1-installer").updateFirmwareEntry(firmware.id, FirmwarePatch(approved: false)) }
            #expect(error?.status == 403 && error?.problem?.type == .forbidden)
            let withdrawn = try await api.client("admin-token").updateFirmwareEntry(firmware.id, FirmwarePatch(approved: false))
            #expect(!withdrawn.approved && withdrawn.approvedBy == nil)
            let approved = try await api.client(SimUser.demoOperatorToken).updateFirmwareEntry(firmware.id, FirmwarePatch(approved: true))
            #expect(approved.approved && approved.approvedBy == "demo.operator")
        }
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() async throws {
        try await SimAPI.run { api in
            let unknown = try await api.raw("GET", "/v1/nothing-here")
            #expect(unknown.status == 404 && unknown.headers["Content-Type"] == MediaType.problemJSON)
            let wrong = try await api.raw("DELETE", "/v1/chargers/CP-0001")
            #expect(wrong.status == 405)
            #expect(wrong.headers["Allow"] == "GET, PATCH")
            #expect(wrong.headers["Content-Type"] == MediaType.problemJSON)
            let post = try await api.raw("POST", "/v1/whoami")
            #expect(post.status == 405 && post.headers["Allow"] == "GET")
            // The uploads collection, not a firmware called "uploads".
            let uploads = try await api.raw("GET", "/v1/firmware/uploads")
            #expect(uploads.status == 405 && uploads.headers["Allow"] == "POST")
        }
    }

    @Test func theErrorRateFailsRequestsBeforeAnyWorkAndRetriesGetThrough() async throws {
        try await SimAPI.run(errorRate: 0.5) { api in
            var statuses: [Int] = []
            for _ in 0..<24 {
                let answer = try await api.raw("GET", "/v1/whoami")
                statuses.append(answer.status)
                if answer.status == 503 {
                    #expect(answer.headers["Retry-After"] == "1")
                    #expect(answer.problem?.type == .unavailable && answer.problem?.retryAfter == 1)
                }
            }
            #expect(statuses.contains(503) && statuses.contains(200))
            #expect(Set(statuses) == [200, 503])
            // A retrying client gets through (Retry-After: 1 s per retry; bounded attempts).
            let patient = try api.client(retry: RetryPolicy(maxAttempts: 12, initialDelay: .milliseconds(10), maxTotalTime: .seconds(60)))
            #expect(try await patient.whoami().user == "demo.operator")
        }
    }
}
