/// A failed HTTP exchange: what went wrong (``Kind``), plus everything curl and the OS said.
///
/// An HTTP status (404, 500, ...) is not an error: it comes back as an ``HTTPResponse``.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which of the three timeouts fired.
    public enum TimeoutKind: String, Sendable, Equatable {
        /// Name resolution, TCP connect and TLS handshake took too long.
        case connect
        /// The whole attempt (request and response) took too long.
        case total
        /// No byte was sent or received for too long on an established connection.
        case stall
    }

    /// Why a TLS connection could not be used.
    public enum TLSFailure: String, Sendable, Equatable {
        /// The server's certificate chain or name did not verify against the trusted CAs.
        case verificationFailed
        /// The server's public key did not match the pinned key.
        case pinnedKeyMismatch
        /// The server asked for a client certificate and we had none, or it rejected ours.
        case clientCertificateRejected
        /// A local certificate, key or CA file could not be read or used.
        case badLocalFile
        /// Any other handshake or TLS record failure.
        case handshakeFailed
    }

    /// The category of failure; drives ``isRetryable`` and the CLI's exit code.
    public enum Kind: Sendable, Equatable {
        /// The host name could not be resolved.
        case dnsFailure
        /// The host actively refused the TCP connection (ECONNREFUSED).
        case connectionRefused
        /// The TCP connection could not be made for another reason (unreachable, ...).
        case connectFailed
        /// TLS failed; see ``TLSFailure``.
        case tls(TLSFailure)
        /// One of the timeouts fired.
        case timeout(TimeoutKind)
        /// The task was cancelled.
        case cancelled
        /// The response body exceeded the in-memory limit.
        case bodyTooLarge(limit: Int64)
        /// The server broke HTTP (truncated body, malformed reply, HTTP/2 framing error).
        case protocolError
        /// An established connection died (reset, closed before any reply).
        case connectionLost
        /// Reading the upload file or writing the download file failed.
        case fileIO
        /// libcurl rejected an option; `option` names it.
        case setoptFailed(option: String)
        /// More than ``Redirects/maxRedirects`` redirects.
        case tooManyRedirects
        /// A redirect would downgrade https to http or leave http(s).
        case insecureRedirect
        /// The request itself is malformed (bad URL, header with a line break, ...).
        case invalidRequest
        /// ``HTTPClient/shutdown()`` was called while the request was queued or running.
        case clientShutdown
        /// Anything else libcurl reported.
        case other
    }

    public var kind: Kind
    /// curl's own message (CURLOPT_ERRORBUFFER) or our explanation; may be empty.
    public var message: String
    /// The CURLcode, when the error came from libcurl.
    public var curlCode: Int?
    /// The OS errno reported by CURLINFO_OS_ERRNO (0 when none).
    public var osErrno: Int32
    /// The URL of the failing attempt, already redacted for display.
    public var url: String?

    public init(_ kind: Kind, message: String = "", curlCode: Int? = nil, osErrno: Int32 = 0, url: String? = nil) {
        self.kind = kind
        self.message = message
        self.curlCode = curlCode
        self.osErrno = osErrno
        self.url = url.map(Redaction.url)
    }

    /// Whether retrying the same request may succeed: connection-level failures and timeouts.
    /// DNS failures are not retried (a wrong host name does not heal); TLS, protocol,
    /// file and request errors never are.
    public var isRetryable: Bool {
        switch kind {
        case .connectionRefused, .connectFailed, .timeout, .connectionLost:
            return true
        case .dnsFailure, .tls, .cancelled, .bodyTooLarge, .protocolError, .fileIO, .setoptFailed,
             .tooManyRedirects, .insecureRedirect, .invalidRequest, .clientShutdown, .other:
            return false
        }
    }

    /// A one-line summary of the kind, without curl's detail.
    public var summary: String {
        switch kind {
        case .dnsFailure: return "could not resolve host"
        case .connectionRefused: return "connection refused"
        case .connectFailed: return "could not connect"
        case .tls(let failure):
            switch failure {
            case .verificationFailed: return "TLS: server certificate not trusted"
            case .pinnedKeyMismatch: return "TLS: server public key does not match the pinned key"
            case .clientCertificateRejected: return "TLS: client certificate missing or rejected"
            case .badLocalFile: return "TLS: cannot use local certificate, key or CA file"
            case .handshakeFailed: return "TLS handshake failed"
            }
        case .timeout(let which):
            switch which {
            case .connect: return "timed out connecting"
            case .total: return "timed out (whole request)"
            case .stall: return "timed out (transfer stalled)"
            }
        case .cancelled: return "cancelled"
        case .bodyTooLarge(let limit): return "response body larger than \(limit) bytes"
        case .protocolError: return "protocol error"
        case .connectionLost: return "connection lost"
        case .fileIO: return "file I/O error"
        case .setoptFailed(let option): return "libcurl rejected option \(option)"
        case .tooManyRedirects: return "too many redirects (more than \(Redirects.maxRedirects))"
        case .insecureRedirect: return "refused insecure redirect"
        case .invalidRequest: return "invalid request"
        case .clientShutdown: return "HTTP client was shut down"
        case .other: return "transfer failed"
        }
    }

    /// `could not connect: Failed to connect to host port 1: ... (curl 7, errno 113) [https://host/x]`
    public var description: String {
        var text = summary
        if !message.isEmpty { text += ": \(message)" }
        var codes: [String] = []
        if let curlCode { codes.append("curl \(curlCode)") }
        if osErrno != 0 { codes.append("errno \(osErrno)") }
        if !codes.isEmpty { text += " (\(codes.joined(separator: ", ")))" }
        if let url { text += " [\(url)]" }
        return text
    }
}
