import ChargeKit
import CurlHTTP
import Foundation

extension CommandContext {
    /// The global options a command that talks to the backend honours.
    static let backendOptions: [OptionSpec] = [
        GlobalOptions.backend, GlobalOptions.tokenFile, GlobalOptions.cacert, GlobalOptions.cert,
        GlobalOptions.key, GlobalOptions.insecure, GlobalOptions.timeout,
    ]

    /// A client for the resolved backend and token. Retries are announced on stderr and,
    /// with --verbose, every exchange is traced there (secrets redacted by CurlHTTP).
    public func backendClient(maxConcurrentRequests: Int = 16) throws -> BackendClient {
        let url = try backend()
        let token = try self.token()
        var tls = TLSOptions()
        tls.insecure = settings.insecure
        for (resolved, label) in [(settings.cacert, "CA bundle"), (settings.cert, "client certificate"), (settings.key, "client key")] {
            if let resolved, !FileManager.default.isReadableFile(atPath: resolved.value) {
                throw CLIError(.noInput, "\(label) \(resolved.value) (\(resolved.source)) cannot be read")
            }
        }
        tls.caBundlePath = settings.cacert?.value
        tls.clientCertificatePath = settings.cert?.value
        tls.clientKeyPath = settings.key?.value
        var timeouts = Timeouts(connect: .seconds(10), total: .seconds(120), stall: .seconds(60))
        if let seconds = settings.timeout?.value {
            timeouts.total = .milliseconds(Int64(seconds * 1000))
            timeouts.connect = .milliseconds(Int64(min(seconds, 10) * 1000))
        }
        let console = self.console
        let onRetry: @Sendable (RetryEvent) -> Void = { event in console.info("\(event)") }
        var trace: (@Sendable (TraceEvent) -> Void)?
        if console.verbosity > 0 {
            trace = { event in console.verbose("\(event)") }
        }
        let configuration = BackendConfiguration(
            baseURL: url.absoluteString, token: token.value, tls: tls, timeouts: timeouts,
            maxConcurrentRequests: maxConcurrentRequests, maxConnectionsPerHost: maxConcurrentRequests,
            onRetry: onRetry, trace: trace)
        return try BackendClient(configuration: configuration)
    }
}
