import CurlHTTP
import Foundation

/// How the virtual chargers download firmware: a plain HTTP GET of the `location` they were
/// given (the simulator's own signed download URL), like a real charger would.
final class CurlFirmwareFetcher: FirmwareFetcher {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    private let client: HTTPClient

    init() throws {
        var configuration = HTTPClient.Configuration(maxConcurrentTransfers: 32, maxConnectionsPerHost: 8, userAgent: "chargekit-sim-charger")
        configuration.timeouts = Timeouts(connect: .seconds(10), total: .seconds(300), stall: .seconds(60))
        configuration.retry = .never  // a charger's retries are its own (UpdateFirmware.retries)
        client = try HTTPClient(configuration: configuration)
    }

    func fetch(url: String) async throws -> Data {
        let response = try await client.send(HTTPRequest(url: url, response: .memory(limit: 512 << 20)))
        guard response.status == 200 else {
            throw Failed(description: "GET \(url) answered \(response.status)")
        }
        return response.body
    }

    func shutdown() { client.shutdown() }
}
