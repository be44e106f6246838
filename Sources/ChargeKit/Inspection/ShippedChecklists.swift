/// The checklist templates chargekit ships (Fixtures/checklists, compiled in).
extension ChecklistTemplate {
    /// Ids of the shipped templates, in the order `chargekit inspect --help` lists them.
    public static let shippedIDs = ["commissioning", "periodic"]

    static func shippedBytes(_ id: String) -> [UInt8]? {
        switch id {
        case "commissioning": PackageResources.commissioning_json
        case "periodic": PackageResources.periodic_json
        default: nil
        }
    }

    /// The shipped template `id`; nil when there is none of that name.
    public static func shipped(_ id: String) throws(ChecklistError) -> ChecklistTemplate? {
        guard let bytes = shippedBytes(id) else { return nil }
        return try parse(bytes, file: "checklists/\(id).json")
    }
}
