import CCurl
import Foundation
import Synchronization

/// Everything one attempt needs, fixed before it is handed to the loop thread.
struct AttemptSpec: Sendable {
    var requestID: Int
    var attempt: Int
    var method: String
    var url: String
    var headers: HTTPHeaders
    var body: HTTPRequest.Body
    var destination: HTTPRequest.ResponseDestination
    var timeouts: Timeouts
    var tls: TLSOptions
    var userAgent: String
    var allowHTTP2: Bool
    var progress: (@Sendable (TransferProgress) -> Void)?
    var trace: (@Sendable (TraceEvent) -> Void)?

    /// The event is only built (and its URL redacted) when tracing is on.
    func emit(_ kind: @autoclosure () -> TraceEvent.Kind) {
        guard let trace else { return }
        trace(TraceEvent(requestID: requestID, kind: kind()))
    }
}

/// One attempt on the loop thread: the easy handle, its callbacks' state and the
/// continuation to resume. Created by the caller, then owned by the loop thread;
/// only ``isCancelled`` is touched from other threads.
final class Transfer: @unchecked Sendable {
    enum State { case created, waiting, active, done }

    let spec: AttemptSpec
    /// Set by the cancellation handler, read by the loop when the transfer arrives.
    let isCancelled = Atomic<Bool>(false)
    private let continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>

    // Loop-thread state below.
    var state = State.created
    var easy: EasyHandle?
    /// An error decided by a callback (body too large, file I/O) that outranks curl's code.
    var recordedError: HTTPError?
    var startedAt = ContinuousClock.now
    var lastActivity = ContinuousClock.now
    var connected = false

    var responseHeaders = HTTPHeaders()
    var statusLine = ""
    var body = Data()
    var bodyLength: Int64 = 0
    var downloadFD: Int32 = -1
    var uploadFD: Int32 = -1
    /// Position within the request body (0 = its first byte).
    var uploadPosition: Int64 = 0
    var lastProgress: TransferProgress?

    init(spec: AttemptSpec, continuation: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) {
        self.spec = spec
        self.continuation = continuation
    }

    var uploadLength: Int64 {
        switch spec.body {
        case .none: return 0
        case .data(let data): return Int64(data.count)
        case .file(_, _, let length): return length
        }
    }

    var totalDeadline: ContinuousClock.Instant? {
        spec.timeouts.total.map { startedAt + $0 }
    }

    var stallDeadline: ContinuousClock.Instant? {
        guard connected, let stall = spec.timeouts.stall else { return nil }
        return lastActivity + stall
    }

    func noteActivity() {
        lastActivity = .now
    }

    /// Opens files and configures a new easy handle. On failure everything opened is closed.
    func prepare() throws {
        startedAt = .now
        lastActivity = startedAt
        do {
            try openFiles()
            let handle = try EasyHandle()
            easy = handle
            try TransferSetup.configure(handle, for: self)
        } catch {
            releaseResources()
            throw error
        }
    }

    private func openFiles() throws {
        if case .file(let path, let offset, let length) = spec.body {
            guard offset >= 0, length >= 0 else {
                throw HTTPError(.invalidRequest, message: "negative file region offset \(offset) length \(length)")
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw fileError("cannot open \(path) for upload") }
            uploadFD = fd
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw fileError("cannot stat \(path)") }
            guard Int64(info.st_size) >= offset + length else {
                throw HTTPError(.fileIO, message: "\(path) has \(info.st_size) bytes, region ends at \(offset + length)")
            }
        }
        if case .file(let path) = spec.destination {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw fileError("cannot open \(path) for the response body") }
            downloadFD = fd
        }
    }

    func fileError(_ what: String, errno code: Int32 = errno) -> HTTPError {
        HTTPError(.fileIO, message: "\(what): \(String(cString: strerror(code)))", osErrno: code, url: spec.url)
    }

    /// Builds the result from curl's code; called after the handle left the multi handle.
    func outcome(code: CURLcode) -> Result<HTTPResponse, HTTPError> {
        guard let easy else { return .failure(HTTPError(.other, message: "transfer never started", url: spec.url)) }
        if let recordedError { return .failure(recordedError) }
        if code != CURLE_OK {
            var error = CurlErrorMapping.error(code: code, osErrno: Int32(easy.long(CURLINFO_OS_ERRNO)),
                                               message: easy.errorMessage, url: spec.url,
                                               hasClientCertificate: spec.tls.clientCertificatePath != nil)
            if case .bodyTooLarge = error.kind, case .memory(let limit) = spec.destination {
                error.kind = .bodyTooLarge(limit: limit)
            }
            if error.kind == .tls(.handshakeFailed), spec.tls.clientCertificatePath == nil {
                // With TLS 1.3 a server that wants a client certificate rejects us after the
                // handshake; depending on timing we only see a failed write or read.
                error.message += " (if the server requires a client certificate, configure one)"
            }
            return .failure(error)
        }
        var bodyFile: String?
        if case .file(let path) = spec.destination { bodyFile = path }
        return .success(HTTPResponse(
            status: easy.long(CURLINFO_RESPONSE_CODE),
            headers: responseHeaders,
            body: body,
            bodyFile: bodyFile,
            bodyLength: bodyLength,
            url: easy.string(CURLINFO_EFFECTIVE_URL) ?? spec.url,
            httpVersion: Self.versionName(easy.long(CURLINFO_HTTP_VERSION)),
            timing: timing(easy),
            attempts: spec.attempt
        ))
    }

    func timing(_ easy: EasyHandle) -> Timing {
        Timing(nameLookup: easy.duration(CURLINFO_NAMELOOKUP_TIME_T),
               connect: easy.duration(CURLINFO_CONNECT_TIME_T),
               tlsHandshake: easy.duration(CURLINFO_APPCONNECT_TIME_T),
               firstByte: easy.duration(CURLINFO_STARTTRANSFER_TIME_T),
               total: easy.duration(CURLINFO_TOTAL_TIME_T),
               reusedConnection: easy.long(CURLINFO_NUM_CONNECTS) == 0)
    }

    static func versionName(_ version: Int) -> String {
        switch version {
        case Int(CURL_HTTP_VERSION_1_0): return "HTTP/1.0"
        case Int(CURL_HTTP_VERSION_2_0): return "HTTP/2"
        case Int(CURL_HTTP_VERSION_3): return "HTTP/3"
        default: return "HTTP/1.1"
        }
    }

    /// Resumes the waiting task exactly once and frees the handle and files.
    /// The handle must already have left the multi handle.
    func complete(_ result: Result<HTTPResponse, HTTPError>) {
        guard state != .done else { return }
        state = .done
        switch result {
        case .success(let response):
            spec.emit(.finished(method: spec.method, url: Redaction.url(spec.url),
                                status: response.status, timing: response.timing))
        case .failure(let error):
            spec.emit(.failed(method: spec.method, url: Redaction.url(spec.url), error: error))
        }
        releaseResources()
        continuation.resume(returning: result)
    }

    private func releaseResources() {
        easy?.cleanup()
        easy = nil
        if uploadFD >= 0 { close(uploadFD) }
        uploadFD = -1
        if downloadFD >= 0 { close(downloadFD) }
        downloadFD = -1
    }
}
