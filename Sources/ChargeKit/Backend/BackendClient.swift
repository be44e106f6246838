import BackendAPI
import CurlHTTP
import Foundation

/// Typed access to the CPO backend API v1 (docs/backend-api.yaml) over CurlHTTP.
/// Errors arrive as ``BackendError``; problem+json answers keep the server's message.
public final class BackendClient: Sendable {
    public let configuration: BackendConfiguration
    private let http: HTTPClient
    private let base: String

    public init(configuration: BackendConfiguration) throws(BackendError) {
        var base = configuration.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw .unreachable(HTTPError(.invalidRequest, message: "backend URL must be http(s)://HOST[:PORT]: \(configuration.baseURL)"))
        }
        self.base = base
        self.configuration = configuration
        do {
            http = try HTTPClient(configuration: HTTPClient.Configuration(
                maxConcurrentTransfers: configuration.maxConcurrentRequests,
                maxConnectionsPerHost: configuration.maxConnectionsPerHost,
                maxTotalConnections: max(configuration.maxConnectionsPerHost, 32),
                tls: configuration.tls, timeouts: configuration.timeouts, retry: configuration.retry,
                userAgent: configuration.userAgent, onRetry: configuration.onRetry, trace: configuration.trace))
        } catch {
            throw .unreachable(error)
        }
    }

    /// Ends the transport; requests still running fail.
    public func shutdown() { http.shutdown() }

    deinit { http.shutdown() }

    // MARK: - The request core

    /// A request body the client sends.
    enum Payload {
        case none
        case json(Data, contentType: String)
        case file(path: String, offset: Int64, length: Int64)
    }

    /// Sends one request and returns the decoded answer for 2xx, throwing for anything else.
    func call<Answer: Decodable>(_ method: String, _ path: String, query: [(String, String)] = [],
                                  body: (some Encodable)? = Optional<Empty>.none, contentType: String = MediaType.json,
                                  headers: [(String, String)] = [], idempotencyKey: String? = nil,
                                  timeouts: Timeouts? = nil, as: Answer.Type = Answer.self) async throws(BackendError) -> Answer {
        var payload = Payload.none
        if let body {
            do {
                payload = .json(try JSONCoding.encode(body), contentType: contentType)
            } catch {
                throw .protocolViolation("cannot encode the request body: \(error)")
            }
        }
        let response = try await send(method, path, query: query, payload: payload, headers: headers,
                                      idempotencyKey: idempotencyKey, timeouts: timeouts)
        return try decode(Answer.self, response)
    }

    func send(_ method: String, _ path: String, query: [(String, String)] = [], payload: Payload = .none,
              headers extra: [(String, String)] = [], idempotencyKey: String? = nil, timeouts: Timeouts? = nil,
              progress: (@Sendable (TransferProgress) -> Void)? = nil) async throws(BackendError) -> HTTPResponse {
        var headers = HTTPHeaders([("Accept", "\(MediaType.json), \(MediaType.problemJSON)")])
        if let token = configuration.token { headers.add(HeaderName.authorization, "Bearer \(token)") }
        if let idempotencyKey { headers.add(HeaderName.idempotencyKey, idempotencyKey) }
        var body = HTTPRequest.Body.none
        switch payload {
        case .none:
            break
        case .json(let data, let contentType):
            headers.add(HeaderName.contentType, contentType)
            body = .data(data)
        case .file(let path, let offset, let length):
            headers.add(HeaderName.contentType, MediaType.octetStream)
            body = .file(path: path, offset: offset, length: length)
        }
        for (name, value) in extra { headers.add(name, value) }
        let request = HTTPRequest(method: method, url: base + path + APIPaths.query(query), headers: headers,
                                  body: body, timeouts: timeouts, progress: progress)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw Self.classify(error)
        }
        guard (200..<300).contains(response.status) else { throw Self.failure(response) }
        return response
    }

    static func classify(_ error: HTTPError) -> BackendError {
        switch error.kind {
        case .cancelled: return .cancelled
        case .dnsFailure, .connectionRefused, .connectFailed, .tls, .invalidRequest, .insecureRedirect:
            return .unreachable(error)
        default:
            return .transfer(error)
        }
    }

    /// The error for a non-2xx answer: the problem document when there is one.
    static func failure(_ response: HTTPResponse) -> BackendError {
        let problem = (try? JSONCoding.decode(Problem.self, from: response.body))
            ?? Problem(title: "HTTP \(response.status)", status: response.status,
                       detail: response.body.isEmpty ? nil : String(decoding: response.body.prefix(200), as: UTF8.self))
        let retryable: Set<Int> = [408, 429, 500, 502, 503, 504]
        if response.attempts > 1, retryable.contains(response.status) {
            return .retriesExhausted(attempts: response.attempts,
                                     last: "HTTP \(response.status)" + (problem.title.map { " \($0)" } ?? ""))
        }
        switch response.status {
        case 401: return .unauthorized(problem)
        case 403: return .forbidden(problem)
        case 404: return .notFound(problem)
        default: return .problem(status: response.status, problem)
        }
    }

    func decode<Answer: Decodable>(_ type: Answer.Type, _ response: HTTPResponse) throws(BackendError) -> Answer {
        if let empty = Empty() as? Answer { return empty }
        do {
            return try JSONCoding.decodeBody(Answer.self, from: response.body)
        } catch {
            throw .protocolViolation("\(response.status) answer is not a valid \(Answer.self): \(error)")
        }
    }
}

/// No body, or a body that is ignored.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}
