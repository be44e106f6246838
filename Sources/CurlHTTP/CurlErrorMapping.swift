import CCurl
import Foundation

/// Maps libcurl's (CURLcode, OS errno, error buffer) triple to an ``HTTPError``.
enum CurlErrorMapping {
    static func error(code: CURLcode, osErrno: Int32, message: String, url: String,
                      hasClientCertificate: Bool) -> HTTPError {
        let text = message.isEmpty ? String(cString: curl_easy_strerror(code)) : message
        return HTTPError(kind(code: code, osErrno: osErrno, message: text, hasClientCertificate: hasClientCertificate),
                         message: Redaction.text(text), curlCode: Int(code.rawValue),
                         osErrno: osErrno, url: url)
    }

    /// The same, for a raw CURLcode number (tests do not import CCurl).
    static func kind(curlCode: UInt32, osErrno: Int32, message: String, hasClientCertificate: Bool = false) -> HTTPError.Kind {
        kind(code: CURLcode(rawValue: curlCode), osErrno: osErrno, message: message, hasClientCertificate: hasClientCertificate)
    }

    static func kind(code: CURLcode, osErrno: Int32, message: String, hasClientCertificate: Bool) -> HTTPError.Kind {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dnsFailure
        case CURLE_COULDNT_CONNECT:
            return osErrno == ECONNREFUSED ? .connectionRefused : .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            // Only the connect timeout is delegated to libcurl; total and stall are ours.
            return .timeout(.connect)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ISSUER_ERROR:
            return .tls(.verificationFailed)
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tls(.pinnedKeyMismatch)
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE:
            return .tls(.badLocalFile)
        case CURLE_SSL_CLIENTCERT:
            return .tls(.clientCertificateRejected)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
             CURLE_USE_SSL_FAILED:
            return tlsAlert(message, hasClientCertificate: hasClientCertificate) ?? .tls(.handshakeFailed)
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            return sendOrReceiveFailure(osErrno: osErrno, message: message, hasClientCertificate: hasClientCertificate)
        case CURLE_GOT_NOTHING:
            return .connectionLost
        case CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM,
             CURLE_BAD_CONTENT_ENCODING, CURLE_HTTP3, CURLE_QUIC_CONNECT_ERROR, CURLE_RANGE_ERROR:
            return .protocolError
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest
        case CURLE_READ_ERROR, CURLE_WRITE_ERROR:
            return .fileIO
        case CURLE_FILESIZE_EXCEEDED:
            return .bodyTooLarge(limit: -1)
        default:
            return .other
        }
    }

    /// A read or write failed on an established connection. With TLS 1.3 the server's
    /// verdict on our client certificate arrives as an alert after the handshake, so an
    /// alert here is a TLS failure; a reset or an EOF is a lost connection (retryable);
    /// any other TLS library complaint is a TLS failure.
    private static func sendOrReceiveFailure(osErrno: Int32, message: String, hasClientCertificate: Bool) -> HTTPError.Kind {
        if let alert = tlsAlert(message, hasClientCertificate: hasClientCertificate) { return alert }
        let lower = message.lowercased()
        let lostErrnos: Set<Int32> = [ECONNRESET, EPIPE, ECONNABORTED, ETIMEDOUT, ENETDOWN, ENETUNREACH, EHOSTUNREACH]
        if lostErrnos.contains(osErrno) || lower.contains("reset") || lower.contains("broken pipe")
            || lower.contains("unexpected eof") || lower.contains("ssl_error_syscall") || lower.contains("returned syscall") {
            return .connectionLost
        }
        if lower.contains("ssl") || lower.contains("tls") {
            return .tls(.handshakeFailed)
        }
        return .connectionLost
    }

    /// OpenSSL alert texts: those about our client certificate, or any other alert.
    private static func tlsAlert(_ message: String, hasClientCertificate: Bool) -> HTTPError.Kind? {
        let lower = message.lowercased()
        if lower.contains("certificate required") || lower.contains("alert bad certificate")
            || lower.contains("alert unknown ca") || lower.contains("alert certificate unknown")
            || lower.contains("peer did not return a certificate") {
            return .tls(.clientCertificateRejected)
        }
        // TLS 1.2 servers answer a missing client certificate with handshake_failure (which
        // otherwise means no common parameters).
        if lower.contains("alert handshake failure") && !hasClientCertificate { return .tls(.clientCertificateRejected) }
        if lower.contains("alert") { return .tls(.handshakeFailed) }
        return nil
    }
}
