import BackendAPI
import Foundation
import JSON

/// The backend's own record of each charger: where it is mounted and the installation's
/// technical data, changed only by `PATCH /v1/chargers/{id}` (a JSON Merge Patch). Kept in
/// memory: chargers start fresh with every simulator run.
actor ChargerRecords {
    private var locations: [String: Location] = [:]
    private var technical: [String: TechnicalData] = [:]
    private let defaults: [String: TechnicalData]

    init(specs: [ChargerSpec]) {
        var defaults: [String: TechnicalData] = [:]
        for spec in specs {
            let phases = spec.model.phases
            let current = spec.model.maxPowerW / (230 * Double(phases)) / Double(max(1, spec.connectorCount))
            defaults[spec.id] = [TechnicalKey.phases: String(phases), TechnicalKey.maxCurrentA: String(Int(current.rounded()))]
        }
        self.defaults = defaults
    }

    func data(_ id: String) -> (location: Location?, technical: TechnicalData) {
        (locations[id], technical[id] ?? defaults[id] ?? [:])
    }

    /// Applies a merge patch (already checked to hold only `location` and `technical`):
    /// members replace, objects merge, `null` removes. Nothing changes unless the result is
    /// valid.
    func apply(_ patch: JSONObject, to id: String) throws(APIError) {
        var location = locations[id]
        var technical = self.technical[id] ?? defaults[id] ?? [:]
        if let change = patch["location"] {
            let current: JSONValue = (try? JSONValue(encoding: location)) ?? .null
            let merged = Self.merge(current, change)
            location = try Self.location(from: merged)
        }
        if let change = patch["technical"] {
            guard let members = change.objectValue else {
                if change.isNull {
                    technical = [:]
                    self.technical[id] = technical
                    locations[id] = location
                    return
                }
                throw .validation(field: "/technical", "must be an object of strings")
            }
            for (key, value) in members {
                if value.isNull {
                    technical[key] = nil
                } else if let text = value.stringValue {
                    technical[key] = text
                } else {
                    throw .validation(field: "/technical/" + key, "must be a string or null")
                }
            }
        }
        locations[id] = location
        self.technical[id] = technical
    }

    /// RFC 7396.
    static func merge(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard let changes = patch.objectValue else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in changes {
            if value.isNull {
                _ = result.removeValue(forKey: key)
            } else {
                _ = result.updateValue(merge(result[key] ?? .null, value), forKey: key)
            }
        }
        return .object(result)
    }

    private static func location(from value: JSONValue) throws(APIError) -> Location? {
        guard let object = value.objectValue else {
            if value.isNull { return nil }
            throw .validation(field: "/location", "must be an object")
        }
        // Members the contract does not know are ignored, as clients ignore the backend's.
        var location = Location()
        if let latitude = object["latitude"] {
            guard let degrees = latitude.doubleValue, (-90...90).contains(degrees) else {
                throw .validation(field: "/location/latitude", "must be a number from -90 to 90")
            }
            location.latitude = degrees
        }
        if let longitude = object["longitude"] {
            guard let degrees = longitude.doubleValue, (-180...180).contains(degrees) else {
                throw .validation(field: "/location/longitude", "must be a number from -180 to 180")
            }
            location.longitude = degrees
        }
        if let address = object["address"] {
            guard let members = address.objectValue else { throw .validation(field: "/location/address", "must be an object") }
            var result = Address()
            for (key, value) in members where ["street", "postalCode", "city", "country"].contains(key) {
                guard let text = value.stringValue else { throw .validation(field: "/location/address/" + key, "must be a string") }
                switch key {
                case "street": result.street = text
                case "postalCode": result.postalCode = text
                case "city": result.city = text
                case "country":
                    guard text.utf8.count == 2, text.utf8.allSatisfy({ (0x41...0x5A).contains($0) }) else {
                        throw .validation(field: "/location/address/country", "must be an ISO 3166-1 alpha-2 code")
                    }
                    result.country = text
                default: continue
                }
            }
            location.address = result
        }
        return location
    }
}
