import BackendAPI

extension BackendClient {
    /// Every catalogue entry (newest upload first), following the cursor.
    public func allFirmware(model: String? = nil, version: String? = nil, sha256: String? = nil,
                            approved: Bool? = nil) async throws(BackendError) -> [Firmware] {
        var result: [Firmware] = []
        var cursor: String?
        repeat {
            let page = try await firmwareCatalogue(model: model, version: version, sha256: sha256, approved: approved, cursor: cursor)
            result += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return result
    }
}
