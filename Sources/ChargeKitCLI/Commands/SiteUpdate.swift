import BackendAPI
import ChargeKit
import Foundation

/// `chargekit site update CHARGER`: the charger's location and technical data at the backend,
/// through the outbox, so it can be entered on site without signal.
enum SiteUpdate {
    static let charger = PositionalSpec("CHARGER", help: "The charger whose site data changes.")
    static let address = OptionSpec("address", .value("TEXT"), help: "Street and number where the charger is mounted.")
    static let postalCode = OptionSpec("postal-code", .value("CODE"), help: "The address's postal code.")
    static let city = OptionSpec("city", .value("CITY"), help: "The address's city.")
    static let country = OptionSpec("country", .value("CC"), help: "The address's country, ISO 3166-1 alpha-2 (NL, DE).")
    static let lat = OptionSpec("lat", .double("DEGREES"), help: "Latitude, WGS 84 (with --lon).")
    static let lon = OptionSpec("lon", .double("DEGREES"), help: "Longitude, WGS 84 (with --lat).")
    static let set = OptionSpec("set", .value("KEY=VALUE"), help: "Set a technical-data value; KEY= removes it.", repeatable: true)

    static let spec = CommandSpec(
        path: ["site", "update"],
        summary: "Update a charger's location and technical data",
        discussion: """
            Changes what the backend records of where and how a charger is installed: its \
            address and coordinates, and technical data such as phases, maxCurrentA, earthing, \
            rcdType, rcdRatingmA, protectiveDevice, cableCrossSectionMm2, cableLengthM, ean and \
            installedAt. The change goes through the local outbox: sent at once when the backend \
            can be reached, otherwise kept and sent by the next command that reaches it, or by \
            'chargekit sync'.
            """,
        options: [address, postalCode, city, country, lat, lon, set],
        positionals: [charger],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json],
        manPage: "chargekit-site")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        guard let id = context.arguments.value(charger) else { throw UsageError("missing CHARGER", commandPath: spec.path) }
        let patch = try self.patch(context.options)
        let outbox = try context.outbox()
        let entry = try outbox.enqueue(patch, charger: id)
        let console = context.console
        guard context.settings.backend != nil else {
            console.info("no backend configured; the change waits in the outbox for 'chargekit sync'")
            return .ok
        }
        let client = try context.backendClient()
        defer { client.shutdown() }
        let report = await context.pushOutbox(client)
        guard report?.sent.contains(where: { $0.id == entry.id }) == true else {
            if let queued = report?.queued.first(where: { $0.id == entry.id }), queued.reason == .rejected || queued.reason == .unsendable {
                // The backend refused this change: nothing will make it go later.
                try? outbox.remove(outboxEntry(entry.id, in: outbox) ?? entry)
                throw CLIError(.dataError, "the backend refused the change: \(queued.message ?? queued.reason.rawValue)")
            }
            console.info("the change waits in the outbox; 'chargekit sync' sends it when the backend can be reached")
            return .ok
        }
        let updated = try await client.charger(id)
        if console.json {
            try console.json(updated)
        } else {
            if let location = updated.location {
                let place = [location.address?.street, location.address?.postalCode, location.address?.city, location.address?.country]
                    .compactMap { $0 }.joined(separator: ", ")
                console.print("location:  \(place.isEmpty ? "-" : place)")
                if let latitude = location.latitude, let longitude = location.longitude {
                    console.print("position:  \(latitude), \(longitude)")
                }
            }
            for (key, value) in updated.technical.sorted(by: { $0.key < $1.key }) {
                console.print("\(key): \(value)")
            }
        }
        return .ok
    }

    static func outboxEntry(_ id: String, in outbox: Outbox) -> OutboxEntry? {
        outbox.entries().entries.first { $0.id == id }
    }

    /// The patch the options describe, checked before anything is queued.
    static func patch(_ options: ParsedOptions) throws -> ChargerPatch {
        var location: Location?
        let street = options.string(address), postal = options.string(postalCode), town = options.string(city)
        let nation = options.string(country)
        if let nation, nation.count != 2 || !nation.allSatisfy({ $0.isASCII && $0.isLetter }) {
            throw UsageError("--country '\(nation)' is not an ISO 3166-1 alpha-2 code (NL, DE, BE)", commandPath: spec.path)
        }
        if street != nil || postal != nil || town != nil || nation != nil {
            location = Location(address: Address(street: street, postalCode: postal, city: town, country: nation?.uppercased()))
        }
        switch (options.double(lat), options.double(lon)) {
        case (nil, nil): break
        case (let latitude?, let longitude?):
            guard (-90...90).contains(latitude) else { throw UsageError("--lat \(latitude) is outside -90…90", commandPath: spec.path) }
            guard (-180...180).contains(longitude) else { throw UsageError("--lon \(longitude) is outside -180…180", commandPath: spec.path) }
            var changed = location ?? Location()
            changed.latitude = latitude
            changed.longitude = longitude
            location = changed
        default: throw UsageError("--lat and --lon go together", commandPath: spec.path)
        }
        var technical: [String: String?] = [:]
        for assignment in options.strings(set) {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw UsageError("--set '\(assignment)' is not KEY=VALUE", commandPath: spec.path)
            }
            let key = String(assignment[..<equals])
            let value = String(assignment[assignment.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            guard key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }) else {
                throw UsageError("--set: '\(key)' is not a technical-data key (letters, digits, _ - .)", commandPath: spec.path)
            }
            if value.isEmpty {
                technical[key] = .some(nil)
            } else {
                if let problem = problem(key: key, value: value) {
                    throw UsageError("--set \(key)=\(value): \(problem)", commandPath: spec.path)
                }
                technical[key] = value
            }
        }
        guard location != nil || !technical.isEmpty else {
            throw UsageError("nothing to change: give --address, --lat/--lon or --set KEY=VALUE", commandPath: spec.path)
        }
        return ChargerPatch(location: location, technical: technical.isEmpty ? nil : technical)
    }

    /// Checks the values of the well-known keys, which QA and inspections read back.
    static func problem(key: String, value: String) -> String? {
        func positiveNumber() -> String? {
            guard let number = Double(value), number > 0, number.isFinite else { return "must be a positive number" }
            return nil
        }
        switch key {
        case TechnicalKey.phases: return ["1", "3"].contains(value) ? nil : "must be 1 or 3"
        case TechnicalKey.earthing: return ["TN-S", "TN-C-S", "TN-C", "TT", "IT"].contains(value) ? nil : "must be TN-S, TN-C-S, TN-C, TT or IT"
        case TechnicalKey.maxCurrentA, TechnicalKey.rcdRatingmA, TechnicalKey.cableCrossSectionMm2, TechnicalKey.cableLengthM:
            return positiveNumber()
        case TechnicalKey.installedAt:
            return InspectionDraft.calendarDate(value) == nil && Timestamp.parse(value) == nil ? "must be a date (YYYY-MM-DD)" : nil
        default:
            // Technical data is open to any key; a known key in the wrong case is a typo.
            let known = [TechnicalKey.phases, TechnicalKey.maxCurrentA, TechnicalKey.earthing, TechnicalKey.rcdType, TechnicalKey.rcdRatingmA,
                         TechnicalKey.protectiveDevice, TechnicalKey.cableCrossSectionMm2, TechnicalKey.cableLengthM, TechnicalKey.ean,
                         TechnicalKey.installedAt]
            if let match = known.first(where: { $0 != key && $0.lowercased() == key.lowercased() }) { return "did you mean '\(match)'?" }
            return nil
        }
    }
}

extension Command {
    static let siteUpdate = Command(SiteUpdate.spec) { try await SiteUpdate.run($0) }
}
