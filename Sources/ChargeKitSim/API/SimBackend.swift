import BackendAPI
import Foundation
import HTTPServerKit
import Synchronization

/// Everything that shapes a simulated backend: where it listens, its fleet, who may use it,
/// its faults, and where it keeps state.
public struct SimBackendConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 lets the OS choose; read the chosen one from `SimBackend.port`.
    public var port: UInt16 = 0
    public var simulation = SimulationConfiguration()
    /// The tokens; nil for the demo users (`SimUser.demoUsers`).
    public var users: [SimUser]?
    /// Share of API requests answered 503 before any work (the charger-facing download is
    /// exempt), in 0..<1.
    public var errorRate = 0.0
    /// Where uploads, the catalogue, reports, QA runs and idempotency records outlive a
    /// restart; nil keeps them in a temporary directory removed at stop.
    public var stateDirectory: String?
    /// Receives every OCPP frame (`--ocpp-log`).
    public var frameHook: FrameHook?
    /// Receives one line per answered request, `METHOD TARGET STATUS` (`--verbose`).
    public var requestLog: (@Sendable (String) -> Void)?
    /// How long past its retrieve time and retries a firmware update job may stay silent
    /// before it ends `TimedOut`, in sim seconds (the contract asks for at least an hour).
    public var firmwareJobGraceSeconds: Double = 3600

    public init() {}
}

/// Why a simulated backend could not start.
public enum SimBackendError: Error, Sendable, CustomStringConvertible {
    case listen(host: String, port: UInt16, reason: String)
    case state(StateDirectoryError)
    case setup(String)

    public var description: String {
        switch self {
        case .listen(let host, let port, let reason): return "cannot listen on \(host):\(port): \(reason)"
        case .state(let error): return error.description
        case .setup(let reason): return reason
        }
    }
}

/// The simulated CPO backend: the backend API v1 (docs/backend-api.yaml) over HTTP on
/// loopback, on top of a `Simulation` of virtual chargers.
///
///     var configuration = SimBackendConfiguration()
///     configuration.simulation.chargerCount = 20
///     configuration.simulation.speed = 100
///     let backend = try SimBackend(configuration: configuration)
///     await backend.start()
///     let client = try BackendClient(configuration: .init(baseURL: backend.baseURL, token: SimUser.demoOperatorToken))
///     ...
///     await backend.stop()
///
/// The virtual chargers download firmware from the backend's own signed URLs over HTTP.
public final class SimBackend: Sendable {
    public let configuration: SimBackendConfiguration
    public let simulation: Simulation
    /// The users the backend accepts.
    public let users: [SimUser]
    private let server: HTTPServer
    let services: SimServices
    private let state: StateDirectory
    private let fetcher: CurlFirmwareFetcher
    private let tracker = Mutex<Task<Void, Never>?>(nil)
    private let phase = Mutex(0)  // 0 new, 1 started, 2 stopped

    public init(configuration: SimBackendConfiguration) throws(SimBackendError) {
        self.configuration = configuration
        do {
            state = try StateDirectory.open(configuration.stateDirectory)
        } catch {
            throw .state(error)
        }
        do {
            fetcher = try CurlFirmwareFetcher()
        } catch {
            state.close()
            throw .setup("cannot set up the firmware fetcher: \(error)")
        }
        let simulation = Simulation(configuration: configuration.simulation, fetcher: fetcher, frameHook: configuration.frameHook)
        self.simulation = simulation
        let users = configuration.users ?? SimUser.demoUsers(sites: FleetIndex(simulation.chargers).sites)
        self.users = users
        do {
            services = try SimServices(simulation: simulation, users: users, state: state, errorRate: configuration.errorRate,
                                       jobGraceSeconds: configuration.firmwareJobGraceSeconds, requestLog: configuration.requestLog)
        } catch {
            fetcher.shutdown()
            state.close()
            throw .setup("cannot load the state in \(state.root): \(error)")
        }
        var serverConfiguration = HTTPServer.Configuration()
        serverConfiguration.host = configuration.host
        serverConfiguration.port = configuration.port
        // Long polls may hold a connection quiet for 60 s.
        serverConfiguration.idleTimeout = 120
        // 500 `key` or `charger` values of up to 256 characters, percent-encoded, fit.
        serverConfiguration.maxHeadBytes = 512 * 1024
        do {
            server = try HTTPServer(configuration: serverConfiguration, handler: Router(services: services))
        } catch {
            fetcher.shutdown()
            state.close()
            throw .listen(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        services.chargerFacingURL = Self.chargerFacing(server.baseURL, host: configuration.host, port: server.port)
    }

    /// `http://HOST:PORT` (what clients use; the API is under `/v1`).
    public var baseURL: String { server.baseURL }

    /// The bound port.
    public var port: UInt16 { server.port }

    /// Where the state lives (the given directory, or the temporary one).
    public var stateDirectoryPath: String { state.root }

    /// A wildcard listen address is not one a charger can connect to: loopback instead.
    private static func chargerFacing(_ baseURL: String, host: String, port: UInt16) -> String {
        switch host {
        case "0.0.0.0", "": return "http://127.0.0.1:\(port)"
        case "::", "[::]": return "http://[::1]:\(port)"
        default: return baseURL
        }
    }

    /// Starts serving and the simulation (chargers connect over the next few sim seconds).
    public func start() async {
        let first = phase.withLock { p -> Bool in
            guard p == 0 else { return false }
            p = 1
            return true
        }
        guard first else { return }
        server.start()
        await simulation.start()
        let csms = simulation.csms, jobs = services.jobs, clock = simulation.clock
        let task = Task.detached {
            var cursor = csms.eventLog.latestSeq
            while !Task.isCancelled {
                let page = await csms.events(after: cursor, types: UpdateJobs.eventTypes, limit: 1000, wait: .seconds(1))
                if Task.isCancelled { break }
                cursor = page.cursor
                await jobs.observe(page.events)
                await jobs.expire(now: clock.now)
            }
        }
        tracker.withLock { $0 = task }
    }

    /// Stops accepting, ends every request (long polls included), stops the simulation and
    /// the firmware downloads, and removes a temporary state directory. The frame hook gets
    /// no more frames once this returns.
    public func stop() async {
        let running = phase.withLock { p -> Bool in
            defer { p = 2 }
            return p != 2
        }
        guard running else { return }
        let server = self.server
        // HTTPServer.stop blocks until the connection threads end: not on the pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                server.stop()
                done.resume()
            }
        }
        let task = tracker.withLock { t -> Task<Void, Never>? in
            defer { t = nil }
            return t
        }
        task?.cancel()
        await simulation.stop()
        await task?.value
        fetcher.shutdown()
        state.close()
    }
}
