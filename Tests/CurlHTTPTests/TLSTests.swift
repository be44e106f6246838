import Checksum
import CurlHTTP
import Foundation
import Testing
import TestSupport

/// HTTPS through stunnel (Fixtures/certs, made by make-certs.sh) in front of the loopback server.
extension CurlIntegration {
    @Suite("TLS", .enabled(if: Stunnel.isAvailable, "stunnel is not installed (apt-get install stunnel4)"))
    struct TLSTests {
        struct Setup {
            let server: TestHTTPServer
            let tunnel: Stunnel
            var url: String { "https://localhost:\(tunnel.port)" }

            init(requireClientCertificate: Bool = false, maximumTLSVersion: String? = nil) throws {
                server = try TestHTTPServer()
                server.route("/secure", [.ok("over tls")])
                do {
                    tunnel = try Stunnel(connectPort: server.port,
                                         certificate: try Fixtures.path("certs/server.pem"),
                                         key: try Fixtures.path("certs/server.key"),
                                         clientCA: requireClientCertificate ? try Fixtures.path("certs/ca.pem") : nil,
                                         maximumTLSVersion: maximumTLSVersion)
                } catch {
                    server.stop()
                    throw error
                }
            }

            func stop() {
                tunnel.stop()
                server.stop()
            }
        }

        func tls(ca: Bool = true, client: Bool = false, insecure: Bool = false, pin: String? = nil) throws -> TLSOptions {
            TLSOptions(insecure: insecure,
                       caBundlePath: ca ? try Fixtures.path("certs/ca.pem") : nil,
                       clientCertificatePath: client ? try Fixtures.path("certs/client.pem") : nil,
                       clientKeyPath: client ? try Fixtures.path("certs/client.key") : nil,
                       pinnedPublicKey: pin)
        }

        @Test func customCAVerifiesTheServer() async throws {
            let setup = try Setup()
            defer { setup.stop() }
            let client = try makeClient { $0.tls = (try? tls()) ?? TLSOptions() }
            defer { client.shutdown() }

            for host in ["localhost", "127.0.0.1"] { // the certificate names both
                let response = try await client.send(HTTPRequest(url: "https://\(host):\(setup.tunnel.port)/secure"))
                #expect(response.bodyString == "over tls")
                #expect(response.url.hasPrefix("https://\(host)"))
            }
            #expect(setup.server.requests.count == 2)
        }

        @Test func unknownCAIsATLSErrorAndNotRetried() async throws {
            let setup = try Setup()
            defer { setup.stop() }
            let client = try makeClient { $0.tls = (try? tls(ca: false)) ?? TLSOptions() }
            defer { client.shutdown() }

            let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: setup.url + "/secure")) }
            #expect(error?.kind == .tls(.verificationFailed))
            #expect(error?.isRetryable == false)
            #expect(error?.description.contains("TLS") == true)
            #expect(setup.server.requests.isEmpty)
        }

        @Test func insecureSkipsVerification() async throws {
            let setup = try Setup()
            defer { setup.stop() }
            let client = try makeClient { $0.tls = (try? tls(ca: false, insecure: true)) ?? TLSOptions() }
            defer { client.shutdown() }
            #expect(try await client.send(HTTPRequest(url: setup.url + "/secure")).bodyString == "over tls")
        }

        /// TLS 1.2: the server refuses a missing certificate inside the handshake, so the
        /// error is always the specific one.
        @Test func mutualTLSNeedsTheClientCertificate() async throws {
            let setup = try Setup(requireClientCertificate: true, maximumTLSVersion: "TLSv1.2")
            defer { setup.stop() }
            let withCertificate = try makeClient { $0.tls = (try? tls(client: true)) ?? TLSOptions() }
            defer { withCertificate.shutdown() }
            let withoutCertificate = try makeClient { $0.tls = (try? tls()) ?? TLSOptions() }
            defer { withoutCertificate.shutdown() }

            #expect(try await withCertificate.send(HTTPRequest(url: setup.url + "/secure")).bodyString == "over tls")

            let error = await failure { () async throws(HTTPError) in
                try await withoutCertificate.send(HTTPRequest(url: setup.url + "/secure"))
            }
            #expect(error?.kind == .tls(.clientCertificateRejected), "\(String(describing: error)) / \(setup.tunnel.log)")
            #expect(error?.summary == "TLS: client certificate missing or rejected")
            #expect(error?.isRetryable == false)
            #expect(setup.server.requests.count == 1)
        }

        /// TLS 1.3: the refusal is an alert after the handshake. Usually curl reads it; if the
        /// server's close wins the race, a TLS write failure (with a hint) or a lost
        /// connection is all the client can see. Either way the request never arrives.
        @Test func mutualTLS13WithoutCertificateFails() async throws {
            let setup = try Setup(requireClientCertificate: true)
            defer { setup.stop() }
            let withCertificate = try makeClient { $0.tls = (try? tls(client: true)) ?? TLSOptions() }
            defer { withCertificate.shutdown() }
            let withoutCertificate = try makeClient {
                $0.tls = (try? tls()) ?? TLSOptions()
                $0.retry = .never
            }
            defer { withoutCertificate.shutdown() }

            #expect(try await withCertificate.send(HTTPRequest(url: setup.url + "/secure")).bodyString == "over tls")
            let failed = await failure { () async throws(HTTPError) in
                try await withoutCertificate.send(HTTPRequest(url: setup.url + "/secure"))
            }
            let error = try #require(failed)
            switch error.kind {
            case .tls(.clientCertificateRejected), .connectionLost:
                break
            case .tls(.handshakeFailed):
                #expect(error.message.contains("client certificate"), "\(error)")
            default:
                Issue.record("expected a TLS error, got \(error) / \(setup.tunnel.log)")
            }
            #expect(setup.server.requests.count == 1)
        }

        @Test func pinnedPublicKey() async throws {
            let setup = try Setup()
            defer { setup.stop() }
            let pem = try String(contentsOfFile: try Fixtures.path("certs/server-pubkey.pem"), encoding: .utf8)
            let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let der = try #require(Data(base64Encoded: base64))
            var hasher = SHA256()
            hasher.update(der)
            let pin = "sha256//" + Data(hasher.finalize()).base64EncodedString()

            let pinned = try makeClient { $0.tls = (try? tls(pin: pin)) ?? TLSOptions() }
            defer { pinned.shutdown() }
            #expect(try await pinned.send(HTTPRequest(url: setup.url + "/secure")).status == 200)

            let wrongPin = "sha256//" + Data(repeating: 7, count: 32).base64EncodedString()
            let mispinned = try makeClient { $0.tls = (try? tls(pin: wrongPin)) ?? TLSOptions() }
            defer { mispinned.shutdown() }
            let error = await failure { () async throws(HTTPError) in try await mispinned.send(HTTPRequest(url: setup.url + "/secure")) }
            #expect(error?.kind == .tls(.pinnedKeyMismatch))
        }

        @Test func httpsToHttpRedirectIsRefused() async throws {
            let setup = try Setup()
            defer { setup.stop() }
            let plain = try TestHTTPServer()
            defer { plain.stop() }
            plain.route("/landing", [.ok("should not be reached")])
            setup.server.route("/moved", [.redirect(location: "http://127.0.0.1:\(plain.port)/landing")])
            let client = try makeClient { $0.tls = (try? tls()) ?? TLSOptions() }
            defer { client.shutdown() }

            let error = await failure { () async throws(HTTPError) in
                try await client.send(HTTPRequest(url: setup.url + "/moved", headers: ["Authorization": "Bearer t"]))
            }
            #expect(error?.kind == .insecureRedirect)
            #expect(plain.requests.isEmpty)
        }

        @Test func badClientCertificatePathIsALocalFileError() async throws {
            let setup = try Setup()
            defer { setup.stop() }
            var options = try tls()
            options.clientCertificatePath = "/nonexistent/client.pem"
            options.clientKeyPath = "/nonexistent/client.key"
            let client = try makeClient { [options] in $0.tls = options }
            defer { client.shutdown() }
            let error = await failure { () async throws(HTTPError) in try await client.send(HTTPRequest(url: setup.url + "/secure")) }
            #expect(error?.kind == .tls(.badLocalFile))
        }
    }
}
