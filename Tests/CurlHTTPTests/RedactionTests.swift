import Testing
import Foundation
@testable import CurlHTTP

@Suite("Redaction")
struct RedactionTests {
    @Test(arguments: ["Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-Auth-Token",
                      "X-API-Key", "api_key", "Client-Secret", "X-Password", "refresh_token"])
    func sensitiveHeaders(_ name: String) {
        #expect(Redaction.isSensitive(name: name))
        #expect(Redaction.header(name: name, value: "s3cr3t") == "[redacted]")
        #expect(Redaction.text("\(name): s3cr3t") == "\(name): [redacted]")
    }

    @Test(arguments: ["Content-Type", "Accept", "Idempotency-Key", "Location", "Host", "User-Agent"])
    func ordinaryHeaders(_ name: String) {
        #expect(!Redaction.isSensitive(name: name))
        #expect(Redaction.header(name: name, value: "text/plain") == "text/plain")
    }

    @Test func queryParameters() {
        #expect(Redaction.url("https://h/x?access_token=abc.def&page=2")
                == "https://h/x?access_token=[redacted]&page=2")
        #expect(Redaction.url("https://h/x?page=2&token=abc#frag") == "https://h/x?page=2&token=[redacted]#frag")
        #expect(Redaction.url("https://h/x?api_key=1&password=2")
                == "https://h/x?api_key=[redacted]&password=[redacted]")
        #expect(Redaction.url("https://h/tokens?page=2&tokenize=no") == "https://h/tokens?page=2&tokenize=[redacted]")
        #expect(Redaction.url("https://h/x?page=2") == "https://h/x?page=2")
        #expect(Redaction.text("GET /v1/me?access_token=abc HTTP/1.1") == "GET /v1/me?access_token=[redacted] HTTP/1.1")
    }

    @Test func bearerTokensAnywhere() {
        #expect(Redaction.text("got Bearer eyJhbGciOi.x-y_z= from config") == "got Bearer [redacted] from config")
        #expect(Redaction.text("WWW-Authenticate: bearer  abc, realm=x") == "WWW-Authenticate: bearer  [redacted], realm=x")
        #expect(Redaction.text("Bearer") == "Bearer")
        #expect(Redaction.text("Bearers are fine") == "Bearers are fine")
    }

    @Test func urlPasswords() {
        #expect(Redaction.url("https://user:pw@h.example/x") == "https://user:[redacted]@h.example/x")
        #expect(Redaction.url("https://user@h.example/x") == "https://user@h.example/x")
        #expect(Redaction.url("http://[::1]:8080/x") == "http://[::1]:8080/x")
    }

    @Test func errorsShowRedactedURLs() {
        let error = HTTPError(.connectionRefused, message: "nope", url: "https://h/x?access_token=abc")
        #expect(error.description.contains("access_token=[redacted]"))
        #expect(!error.description.contains("abc"))
    }
}

@Suite("Headers and errors")
struct HeadersAndErrorsTests {
    @Test func headersKeepOrderAndLookUpCaseInsensitively() {
        var headers: HTTPHeaders = ["Accept": "a", "X-Multi": "1"]
        headers.add("x-multi", "2")
        #expect(headers["ACCEPT"] == "a")
        #expect(headers.values(for: "X-MULTI") == ["1", "2"])
        headers.set("X-Multi", "3")
        #expect(headers.values(for: "x-multi") == ["3"])
        #expect(headers.fields.map(\.name) == ["Accept", "X-Multi"])
        headers.remove("accept")
        #expect(headers["Accept"] == nil)
        #expect(headers.count == 1)
    }

    @Test func errorDescriptions() {
        let refused = HTTPError(.connectionRefused, message: "Failed to connect to 127.0.0.1 port 9: Connection refused",
                                curlCode: 7, osErrno: 111, url: "http://127.0.0.1:9/")
        #expect(refused.description
                == "connection refused: Failed to connect to 127.0.0.1 port 9: Connection refused (curl 7, errno 111) [http://127.0.0.1:9/]")
        #expect(HTTPError(.timeout(.stall)).description == "timed out (transfer stalled)")
        #expect(HTTPError(.bodyTooLarge(limit: 10)).description == "response body larger than 10 bytes")
    }

    @Test func curlCodesMapToKinds() {
        #expect(CurlErrorMapping.kind(curlCode: 6 /* CURLE_COULDNT_RESOLVE_HOST */, osErrno: 0, message: "") == .dnsFailure)
        #expect(CurlErrorMapping.kind(curlCode: 7 /* CURLE_COULDNT_CONNECT */, osErrno: ECONNREFUSED, message: "") == .connectionRefused)
        #expect(CurlErrorMapping.kind(curlCode: 7 /* CURLE_COULDNT_CONNECT */, osErrno: EHOSTUNREACH, message: "") == .connectFailed)
        #expect(CurlErrorMapping.kind(curlCode: 28 /* CURLE_OPERATION_TIMEDOUT */, osErrno: 0, message: "") == .timeout(.connect))
        #expect(CurlErrorMapping.kind(curlCode: 60 /* CURLE_PEER_FAILED_VERIFICATION */, osErrno: 0, message: "") == .tls(.verificationFailed))
        #expect(CurlErrorMapping.kind(curlCode: 90 /* CURLE_SSL_PINNEDPUBKEYNOTMATCH */, osErrno: 0, message: "") == .tls(.pinnedKeyMismatch))
        #expect(CurlErrorMapping.kind(curlCode: 56 /* CURLE_RECV_ERROR */, osErrno: ECONNRESET,
                                      message: "Recv failure: Connection reset by peer") == .connectionLost)
        #expect(CurlErrorMapping.kind(curlCode: 56 /* CURLE_RECV_ERROR */, osErrno: 0,
                                      message: "OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0")
                == .tls(.clientCertificateRejected))
        #expect(CurlErrorMapping.kind(curlCode: 56 /* CURLE_RECV_ERROR */, osErrno: ECONNRESET,
                                      message: "OpenSSL SSL_read: Connection reset by peer, errno 104") == .connectionLost)
        #expect(CurlErrorMapping.kind(curlCode: 55 /* CURLE_SEND_ERROR */, osErrno: 0,
                                      message: "SSL_write() error: error:0A00007F:SSL routines::bad write retry")
                == .tls(.handshakeFailed))
        #expect(CurlErrorMapping.kind(curlCode: 35 /* CURLE_SSL_CONNECT_ERROR */, osErrno: 0,
                                      message: "OpenSSL/3.0: error:0A000410:SSL routines::sslv3 alert handshake failure")
                == .tls(.clientCertificateRejected))
        #expect(CurlErrorMapping.kind(curlCode: 35 /* CURLE_SSL_CONNECT_ERROR */, osErrno: 0,
                                      message: "OpenSSL/3.0: error:0A000410:SSL routines::sslv3 alert handshake failure",
                                      hasClientCertificate: true) == .tls(.handshakeFailed))
        #expect(CurlErrorMapping.kind(curlCode: 18 /* CURLE_PARTIAL_FILE */, osErrno: 0, message: "") == .protocolError)
        #expect(CurlErrorMapping.kind(curlCode: 52 /* CURLE_GOT_NOTHING */, osErrno: 0, message: "") == .connectionLost)
    }
}
