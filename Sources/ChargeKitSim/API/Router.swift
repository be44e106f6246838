import BackendAPI
import Foundation
import HTTPServerKit
import Synchronization

/// Everything the API handlers share.
final class SimServices: Sendable {
    let simulation: Simulation
    let fleet: FleetIndex
    let users: UserDirectory
    let chargerRecords: ChargerRecords
    let firmware: FirmwareStore
    let records: RecordStore
    let idempotency: IdempotencyStore
    let jobs: UpdateJobs
    let signer = DownloadSigner()
    let state: StateDirectory
    let errors: ErrorInjector
    let requestLog: (@Sendable (String) -> Void)?
    private let chargerURL = Mutex("")

    var csms: CSMS { simulation.csms }

    init(simulation: Simulation, users: [SimUser], state: StateDirectory, errorRate: Double, jobGraceSeconds: Double,
         requestLog: (@Sendable (String) -> Void)?) throws {
        self.simulation = simulation
        fleet = FleetIndex(simulation.chargers)
        self.users = UserDirectory(users)
        chargerRecords = ChargerRecords(specs: simulation.chargers)
        firmware = try FirmwareStore(state: state, seeds: FirmwareSeed.images(for: simulation.chargers), now: Date())
        records = RecordStore(state: state)
        idempotency = IdempotencyStore(state: state)
        jobs = UpdateJobs(graceSeconds: jobGraceSeconds)
        self.state = state
        errors = ErrorInjector(rate: errorRate, seed: simulation.configuration.seed)
        self.requestLog = requestLog
    }

    /// The base URL chargers download from (`http://HOST:PORT`).
    var chargerFacingURL: String {
        get { chargerURL.withLock { $0 } }
        set { chargerURL.withLock { $0 = newValue } }
    }
}

/// The backend API on `HTTPServer`: routes each request to its operation (404 for an unknown
/// path, 405 with `Allow` for a known path with another method), injects `--error-rate`
/// failures, authenticates, and turns every error into a problem document.
final class Router: HTTPServerHandler {
    let services: SimServices
    /// Request bodies up to this size are buffered (JSON); chunks are streamed.
    static let maxJSONBody = 8 << 20

    init(services: SimServices) {
        self.services = services
    }

    static func rawPath(_ target: String) -> String {
        String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    func bodyDisposition(for head: RequestHead) -> BodyDisposition {
        guard let (operation, _) = APIOperation.route(method: head.method, path: Self.rawPath(head.target)) else {
            return .buffer(limit: Self.maxJSONBody)
        }
        let limit: Int64
        switch operation {
        case .putFirmwareUploadChunk: limit = FirmwareStore.maxChunk
        case .putInspectionAttachmentChunk: limit = InspectionsAPI.maxChunk
        default: return .buffer(limit: Self.maxJSONBody)
        }
        do {
            return .stream(try SpoolSink(directory: services.state.path("spool"), limit: limit))
        } catch {
            return .reject(Reply.problem(.unavailable("The request body cannot be stored: \(error)")))
        }
    }

    func respond(to request: ServerRequest) -> ServerResponder {
        .later { [services] in
            let response = await Self.handle(request, services: services)
            let spool = request.sink as? SpoolSink
            let bodyBytes = spool?.count
            spool?.discard()
            if let log = services.requestLog {
                // Chunk bodies with their size, so a test can add up what an upload cost.
                log("\(request.method) \(Self.redacted(request.head.target)) \(response.status)"
                    + (bodyBytes.map { " \($0) bytes" } ?? ""))
            }
            return .response(response)
        }
    }

    /// `sig` values are credentials: not in logs.
    static func redacted(_ target: String) -> String {
        guard let range = target.range(of: "sig=") else { return target }
        let rest = target[range.upperBound...]
        let end = rest.firstIndex(of: "&") ?? rest.endIndex
        return String(target[..<range.upperBound]) + "REDACTED" + String(rest[end...])
    }

    /// The operations a path names: of the templates it fits, those with the most literal
    /// segments (`/v1/firmware/uploads` is the uploads collection, not firmware "uploads", for
    /// every method).
    static func operations(for path: String) -> [(operation: APIOperation, parameters: [String: String])] {
        let fitting = APIOperation.fitting(path: path)
        let best = fitting.map(\.operation.literalSegmentCount).max()
        return fitting.filter { $0.operation.literalSegmentCount == best }
    }

    static func handle(_ raw: ServerRequest, services: SimServices) async -> ServerResponse {
        let path = rawPath(raw.head.target)
        let candidates = operations(for: path)
        guard let (operation, parameters) = APIOperation.route(method: raw.method, path: path),
              candidates.contains(where: { $0.operation == operation }) else {
            let allowed = candidates.map(\.operation.method)
            if allowed.isEmpty { return Reply.problem(.notFound("No resource \(path).")) }
            var error = APIError(Problem(type: .aboutBlank, title: "Method Not Allowed", status: 405,
                                         detail: "\(raw.method) is not allowed here; use \(allowed.joined(separator: ", ")).")) 
            error.headers = [("Allow", allowed.joined(separator: ", "))]
            return Reply.problem(error)
        }
        let chargerFacing = operation == .downloadFirmware || operation == .headFirmwareDownload
        if !chargerFacing, services.errors.shouldFail() {
            return Reply.problem(.unavailable("Simulated outage (--error-rate); retry after a second."))
        }
        do {
            let user = chargerFacing ? Self.charger : try services.users.authenticate(raw.headers[HeaderName.authorization])
            let request = APIRequest(raw: raw, operation: operation, parameters: parameters, user: user)
            return try await dispatch(request, services: services)
        } catch let error as APIError {
            return Reply.problem(error)
        } catch {
            return Reply.problem(APIError(Problem(type: .aboutBlank, title: "Internal Server Error", status: 500,
                                                  detail: "\(error)")))
        }
    }

    /// Who the charger-facing download runs as: nobody (its `sig` is the authorisation).
    private static let charger = SimUser(token: "", user: "charger", name: "charger", role: .unknown("charger"), sites: [])

    private static func dispatch(_ request: APIRequest, services: SimServices) async throws -> ServerResponse {
        let chargers = ChargersAPI(services: services)
        switch request.operation {
        case .getWhoAmI: return chargers.whoami(request)
        case .listSites: return try chargers.sites(request)
        case .listChargers: return try await chargers.list(request)
        case .getCharger: return try await chargers.get(request)
        case .updateCharger: return try await chargers.update(request)
        case .getConfiguration: return try await ConfigurationAPI(services: services).get(request)
        case .changeConfiguration: return try await ConfigurationAPI(services: services).change(request)
        case .sendCommand: return try await CommandsAPI(services: services).send(request)
        case .listEvents: return try await EventsAPI(services: services).fleet(request)
        case .listChargerEvents: return try await EventsAPI(services: services).charger(request)
        case .createFirmwareUpload: return try await FirmwareUploadsAPI(services: services).create(request)
        case .getFirmwareUpload: return try await FirmwareUploadsAPI(services: services).get(request)
        case .putFirmwareUploadChunk: return try await FirmwareUploadsAPI(services: services).putChunk(request)
        case .completeFirmwareUpload: return try await FirmwareUploadsAPI(services: services).complete(request)
        case .listFirmware: return try await FirmwareCatalogueAPI(services: services).list(request)
        case .getFirmware: return try await FirmwareCatalogueAPI(services: services).get(request)
        case .updateFirmware: return try await FirmwareCatalogueAPI(services: services).update(request)
        case .downloadFirmware, .headFirmwareDownload: return try await FirmwareCatalogueAPI(services: services).download(request)
        case .createFirmwareUpdate: return try await FirmwareUpdatesAPI(services: services).create(request)
        case .listChargerFirmwareUpdates: return try await FirmwareUpdatesAPI(services: services).list(request)
        case .getFirmwareUpdate: return try await FirmwareUpdatesAPI(services: services).get(request)
        case .createInspection: return try await InspectionsAPI(services: services).create(request)
        case .getInspection: return try await InspectionsAPI(services: services).get(request)
        case .getInspectionAttachment: return try await InspectionsAPI(services: services).attachment(request)
        case .putInspectionAttachmentChunk: return try await InspectionsAPI(services: services).putChunk(request)
        case .listChargerInspections: return try await InspectionsAPI(services: services).list(request)
        case .createQaRun: return try await QARunsAPI(services: services).create(request)
        case .getQaRun: return try await QARunsAPI(services: services).get(request)
        case .listChargerQaRuns: return try await QARunsAPI(services: services).list(request)
        default:
            throw APIError.notFound("No handler for \(request.operation.operationId).")
        }
    }
}
