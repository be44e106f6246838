import Foundation

/// How a virtual charger downloads a firmware image from the `location` it is given. The HTTP
/// layer implements it with CurlHTTP against the simulated backend; tests inject their own.
public protocol FirmwareFetcher: Sendable {
    func fetch(url: String) async throws -> Data
}

/// A fetcher that always fails: for a simulation that should never update firmware.
public struct NoFirmwareFetcher: FirmwareFetcher {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "no firmware fetcher is configured" }
    }
    public init() {}
    public func fetch(url: String) async throws -> Data { throw Unavailable() }
}

/// The simulator's convention for firmware download URLs.
///
/// A real charger learns its new firmware version from the image it installs. A virtual
/// charger does not parse images, so the URL carries what it needs as query parameters:
///
///     https://backend.example/firmware/abc123/image.bin?version=6.5.2-4301&sha256=<64 hex>
///
/// - `version`: the firmware version the charger reports in its BootNotification after the
///   update. Without it the charger reports `unknown-<first 8 hex of the image's sha256>`.
/// - `sha256`: the image's SHA-256 (hex, any case). The charger checks the downloaded bytes
///   against it; a mismatch fails the update (1.6: DownloadFailed after the retries;
///   2.0.1 and 1.6 signed updates: InstallVerificationFailed). Without it there is no check.
///
/// The backend's firmware store builds these URLs with `make`.
public struct FirmwareLocation: Sendable, Hashable {
    public var version: String?
    public var sha256: String?

    public init(version: String? = nil, sha256: String? = nil) {
        self.version = version
        self.sha256 = sha256
    }

    /// Reads `version` and `sha256` from a location URL; absent or unparsable → nil fields.
    public init(parsing location: String) {
        guard let components = URLComponents(string: location) else { return }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "version": version = item.value.flatMap { $0.isEmpty ? nil : $0 }
            case "sha256": sha256 = item.value.flatMap { $0.isEmpty ? nil : $0.lowercased() }
            default: break
            }
        }
    }

    /// `base` with `version` and `sha256` added to its query.
    public static func make(base: String, version: String, sha256: String) -> String {
        guard var components = URLComponents(string: base) else {
            return base
        }
        var items = components.queryItems ?? []
        items.removeAll { $0.name == "version" || $0.name == "sha256" }
        items.append(URLQueryItem(name: "version", value: version))
        items.append(URLQueryItem(name: "sha256", value: sha256.lowercased()))
        components.queryItems = items
        return components.string ?? base
    }
}
