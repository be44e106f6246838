import BackendAPI
import ChargeKit
import Foundation
import JSON
import Testing
@testable import ChargeKitSim

/// Listing, paging, one charger in full, and its location and technical data.
@Suite(.busySimulation) struct APIChargersTests {
    @Test func pagesAreStableOrderedByIdAndCursorsOpaque() async throws {
        try await SimAPI.run(count: 10) { api in
            let client = try api.client()
            var ids: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await client.chargers(limit: 3, cursor: cursor)
                #expect(page.items.count <= 3)
                ids += page.items.map(\.id)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 4)
            #expect(ids == (1...10).map { FleetPlan.chargerId($0, count: 10) })
            let all = try await client.allChargers(pageSize: 4)
            #expect(all.map(\.id) == ids)
            let bad = try await api.raw("GET", "/v1/chargers?cursor=CP-0003")
            #expect(bad.status == 400 && bad.problem?.errors?.first?.field == "cursor")
            let tooMany = try await api.raw("GET", "/v1/chargers?limit=1001")
            #expect(tooMany.status == 400 && tooMany.problem?.errors?.first?.field == "limit")
        }
    }

    @Test func filtersCombine() async throws {
        try await SimAPI.run(count: 10) { api in
            #expect(await api.awaitFleet())
            let client = try api.client()
            let all = try await client.allChargers()
            let v16 = try await client.allChargers(ChargerFilter(ocppVersion: .v16))
            #expect(v16.allSatisfy { $0.ocppVersion == .v16 })
            #expect(v16.count == all.filter { $0.ocppVersion == .v16 }.count)
            let model = try #require(all.first?.model)
            let same = try await client.allChargers(ChargerFilter(model: model, site: "SITE-01", connected: true))
            #expect(same.allSatisfy { $0.model == model && $0.siteId == "SITE-01" && $0.connected })
            #expect(same.map(\.id) == all.filter { $0.model == model && $0.siteId == "SITE-01" }.map(\.id))
            #expect(try await client.allChargers(ChargerFilter(connected: false)).isEmpty)
            let repeated = try await api.raw("GET", "/v1/chargers?site=SITE-01&site=SITE-02&limit=1000")
            #expect(try repeated.decoded(ChargerPage.self).items.count == 6)
        }
    }

    @Test func oneChargerInFullFromWhatItSent() async throws {
        let specs = [spec("CP-16", alfen, connectors: 2), spec("CP-21", kempower, connectors: 2)]
        try await SimAPI.run(specs) { api in
            #expect(await api.awaitOnline("CP-16"))
            #expect(await api.awaitOnline("CP-21"))
            let client = try api.client()
            let c16 = try await client.charger("CP-16")
            #expect(c16.ocppVersion == .v16 && c16.connected)
            #expect(c16.vendor == alfen.vendor && c16.model == alfen.model && c16.serialNumber == "SN-CP-16")
            #expect(c16.firmwareVersion == alfen.firmwareVersions[0])
            #expect(c16.connectors.map(\.connectorId) == [0, 1, 2], "1.6 includes connector 0")
            #expect(c16.connectors.allSatisfy { $0.evseId == nil && $0.errorCode == "NoError" && $0.status == .available })
            #expect(c16.lastBoot?.status == .accepted && c16.lastBoot?.reason == nil)
            #expect(c16.site == SiteRef(id: "SITE-01", name: "Simulated site 01"))
            #expect(c16.technical[TechnicalKey.phases] == "3")
            let c21 = try await client.charger("CP-21")
            #expect(c21.ocppVersion == .v201)
            #expect(c21.connectors.map { [$0.evseId, $0.connectorId] } == [[1, 1], [2, 1]])
            #expect(c21.connectors.allSatisfy { $0.errorCode == nil })
            #expect(c21.lastBoot?.reason == "PowerUp")
            // A remote start gives meter values with per-phase readings.
            _ = try await client.command("CP-16", action: "RemoteStartTransaction", payload: ["connectorId": 1, "idTag": "QA"])
            let deadline = ContinuousClock.now + .seconds(20)
            var meter: BackendAPI.MeterReading?
            while ContinuousClock.now < deadline {
                meter = try await client.charger("CP-16").meter
                if meter?.energyWh != nil, meter?.voltageV?.l1 != nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(meter?.energyWh ?? 0 > 0)
            #expect(meter?.connectorId != nil && meter?.evseId == nil)
        }
    }

    @Test func patchMergesLocationAndTechnicalData() async throws {
        try await SimAPI.run(count: 3) { api in
            let client = try api.client("site1-installer")
            let first = try await client.updateCharger("CP-0001", ChargerPatch(
                location: Location(address: Address(street: "Kaaiplein 12", city: "Antwerpen", country: "BE"), latitude: 51.23,
                                   longitude: 4.40),
                technical: ["earthing": "TN-S", "temporaryNote": "x"]))
            #expect(first.location?.latitude == 51.23 && first.location?.address?.city == "Antwerpen")
            #expect(first.technical["earthing"] == "TN-S" && first.technical["temporaryNote"] == "x")
            #expect(first.technical[TechnicalKey.phases] != nil, "defaults stay")
            let second = try await client.updateCharger("CP-0001", ChargerPatch(
                location: Location(address: Address(postalCode: "2000")), technical: ["temporaryNote": nil, "rcdType": "A+RDC-DD"]))
            #expect(second.location?.address == Address(street: "Kaaiplein 12", postalCode: "2000", city: "Antwerpen", country: "BE"))
            #expect(second.location?.latitude == 51.23)
            #expect(second.technical["temporaryNote"] == nil && second.technical["rcdType"] == "A+RDC-DD")
            let reread = try await client.charger("CP-0001")
            #expect(reread.location == second.location && reread.technical == second.technical)

            let plain = try await api.raw("PATCH", "/v1/chargers/CP-0001", headers: [("Content-Type", MediaType.json)],
                                          body: Data(#"{"technical":{"a":"b"}}"#.utf8))
            #expect(plain.status == 415 && plain.problem?.type == .validation)
            for (body, field) in [(#"{"siteId":"SITE-02"}"#, "/siteId"), (#"{"location":{"latitude":91}}"#, "/location/latitude"),
                                  (#"{"location":{"address":{"country":"Belgium"}}}"#, "/location/address/country"),
                                  (#"{"technical":{"phases":3}}"#, "/technical/phases"), ("{}", "")] {
                let answer = try await api.raw("PATCH", "/v1/chargers/CP-0001", headers: [("Content-Type", MediaType.mergePatchJSON)],
                                               body: Data(body.utf8))
                #expect(answer.status == 422, "\(body)")
                #expect(answer.problem?.errors?.first?.field == field, "\(body)")
            }
            let after = try await client.charger("CP-0001")
            #expect(after.location == second.location && after.technical == second.technical, "a refused patch changes nothing")
            let broken = try await api.raw("PATCH", "/v1/chargers/CP-0001", headers: [("Content-Type", MediaType.mergePatchJSON)],
                                           body: Data("{".utf8))
            #expect(broken.status == 400)
        }
    }
}
