import ChargeKitSim
import Dispatch
import Foundation
import Synchronization

/// `chargekit sim`: the simulated CPO backend with virtual chargers, until SIGINT or SIGTERM.
enum Sim {
    static let host = OptionSpec("host", .value("HOST"), help: "Listen on HOST (default 127.0.0.1).")
    static let port = OptionSpec("port", .int("PORT"), help: "Listen on PORT (default 8080; 0 lets the system choose).")
    static let chargers = OptionSpec("chargers", .int("N"), help: "Simulate N chargers, CP-0001 onwards (default 20).")
    static let seed = OptionSpec("seed", .int("SEED"), help: "Seed of the fleet and of --error-rate (default 1).")
    static let speed = OptionSpec("speed", .double("X"), help: "Run sim time X times faster than real time (default 1).")
    static let tokens = OptionSpec("tokens", .path("FILE"),
                                   help: "Accept the tokens in FILE (JSON list of {token, user, name, role, sites}) instead of the demo tokens.")
    static let fault = OptionSpec("fault", .value("CHARGER:KIND"),
                                  help: "Give CHARGER a fault: \(ChargerFault.allCases.map(\.rawValue).joined(separator: ", ")).",
                                  repeatable: true)
    static let errorRate = OptionSpec("error-rate", .double("R"),
                                      help: "Answer that share (0 <= R < 1) of API requests 503 with Retry-After: 1 (not the charger firmware download).")
    static let latency = OptionSpec("latency", .double("MS"),
                                    help: "Give every charger a network round trip of MS milliseconds, in real time whatever --speed (default 0).")
    static let ocppLog = OptionSpec("ocpp-log", .path("FILE"), help: "Write every OCPP frame to FILE as a JSON line.")
    static let stateDir = OptionSpec("state-dir", .path("DIR"),
                                     help: "Keep uploads, the firmware catalogue, reports, QA runs and idempotency records in DIR across restarts.")

    /// The first line on stdout; tests and the README read the URL from it.
    static let listeningPrefix = "chargekit sim listening on "
    /// The second and third lines with the demo tokens (not printed with --tokens).
    static let demoTokenPrefix = "demo token: "
    static let operatorTokenPrefix = "operator token: "

    static let spec = CommandSpec(
        path: ["sim"],
        summary: "Run a simulated CPO backend with virtual chargers",
        discussion: """
            Serves the backend API v1 on HOST:PORT over a fleet of virtual OCPP 1.6 and 2.0.1 chargers \
            (CP-0001, CP-0002, ...) that boot, send heartbeats, status and meter values, take configuration \
            and commands, charge, and download and install firmware from the simulator itself.

            Prints "chargekit sim listening on http://HOST:PORT" and the demo tokens on standard output, \
            then runs until interrupted (SIGINT or SIGTERM), when it stops accepting requests, ends long \
            polls, stops the chargers, closes the OCPP log and exits 0. The demo tokens are demo-installer \
            (an installer on every site) and demo-operator (all sites, approves firmware).

            --latency delays every OCPP frame between the chargers and the CSMS by half the round trip \
            each way, as a cellular or Wi-Fi link would; it is real time, not scaled by --speed.

            --error-rate fails that share of API requests with 503 before any work is done, so clients \
            can be tested against retries; the charger-facing firmware download is exempt. With -v each \
            request is logged to standard error.
            """,
        options: [host, port, chargers, seed, speed, latency, tokens, fault, errorRate, ocppLog, stateDir],
        relevantGlobalOptions: [GlobalOptions.verbose],
        manPage: "chargekit-sim",
        resolvesSettings: false)

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let configuration = try makeConfiguration(context)
        let console = context.console
        var logFile: JSONLinesFrameLog?
        if let path = context.path(ocppLog) {
            do {
                logFile = try JSONLinesFrameLog(path: path)
            } catch {
                throw CLIError(.ioError, "cannot write the OCPP log \(path): \((error as NSError).localizedDescription)")
            }
        }
        var backendConfiguration = configuration
        backendConfiguration.frameHook = logFile?.hook
        if console.verbosity > 0 {
            backendConfiguration.requestLog = { line in console.verbose(line) }
        }
        let backend: SimBackend
        do {
            backend = try SimBackend(configuration: backendConfiguration)
        } catch {
            logFile?.close()
            throw error
        }
        let signals = SignalWaiter([SIGINT, SIGTERM])
        await backend.start()
        console.print(listeningPrefix + backend.baseURL)
        if configuration.users == nil {
            console.print(demoTokenPrefix + SimUser.demoInstallerToken)
            console.print(operatorTokenPrefix + SimUser.demoOperatorToken)
        }
        let fleet = backend.simulation.chargers
        let v16 = fleet.filter { $0.version == .v16 }.count
        console.info("\(fleet.count) chargers (\(v16) OCPP 1.6, \(fleet.count - v16) OCPP 2.0.1) on "
                     + "\(Set(fleet.map(\.site)).count) site(s), speed \(configuration.simulation.speed)x; state in "
                     + "\(backend.stateDirectoryPath). Stop with Ctrl-C.")
        let received = await signals.wait()
        console.info("signal \(received): stopping")
        await backend.stop()
        logFile?.close()
        console.info("stopped")
        return .ok
    }

    static func makeConfiguration(_ context: CommandContext) throws -> SimBackendConfiguration {
        let options = context.options
        var configuration = SimBackendConfiguration()
        configuration.host = options.string(host) ?? "127.0.0.1"
        if configuration.host.isEmpty { throw UsageError("--host must not be empty", commandPath: spec.path) }
        let portNumber = options.int(port) ?? 8080
        guard (0...65535).contains(portNumber) else { throw UsageError("--port must be 0 to 65535", commandPath: spec.path) }
        configuration.port = UInt16(portNumber)
        let count = options.int(chargers) ?? 20
        guard (1...100_000).contains(count) else { throw UsageError("--chargers must be 1 to 100000", commandPath: spec.path) }
        configuration.simulation.chargerCount = count
        let seedValue = options.int(seed) ?? 1
        guard seedValue >= 0 else { throw UsageError("--seed must not be negative", commandPath: spec.path) }
        configuration.simulation.seed = UInt64(seedValue)
        let speedValue = options.double(speed) ?? 1
        guard speedValue > 0, speedValue <= 100_000 else {
            throw UsageError("--speed must be greater than 0 (and at most 100000)", commandPath: spec.path)
        }
        configuration.simulation.speed = speedValue
        let milliseconds = options.double(latency) ?? 0
        guard milliseconds >= 0, milliseconds <= 60_000 else {
            throw UsageError("--latency must be 0 to 60000 milliseconds", commandPath: spec.path)
        }
        configuration.simulation.networkLatency = milliseconds / 1000
        let rate = options.double(errorRate) ?? 0
        guard rate >= 0, rate < 1 else { throw UsageError("--error-rate must be at least 0 and below 1", commandPath: spec.path) }
        configuration.errorRate = rate
        configuration.simulation.faults = try faults(options.strings(fault), count: count)
        if let path = context.path(tokens) { configuration.users = try TokenFile.load(path: path) }
        configuration.stateDirectory = context.path(stateDir)
        return configuration
    }

    /// `CHARGER:KIND` values, each naming a charger of the fleet and a known fault.
    static func faults(_ values: [String], count: Int) throws -> [String: Set<ChargerFault>] {
        var result: [String: Set<ChargerFault>] = [:]
        for value in values {
            guard let colon = value.lastIndex(of: ":") else {
                throw UsageError("--fault \(value): expected CHARGER:KIND, e.g. CP-0003:offline", commandPath: spec.path)
            }
            let charger = String(value[..<colon]), kindText = String(value[value.index(after: colon)...])
            guard let kind = ChargerFault(rawValue: kindText) else {
                throw UsageError("--fault \(value): unknown fault kind '\(kindText)' (known: "
                                 + ChargerFault.allCases.map(\.rawValue).joined(separator: ", ") + ")", commandPath: spec.path)
            }
            guard let number = Int(charger.dropFirst(3)), charger.hasPrefix("CP-"), (1...count).contains(number),
                  FleetPlan.chargerId(number, count: count) == charger else {
                throw UsageError("--fault \(value): no charger '\(charger)' in a fleet of \(count) "
                                 + "(\(FleetPlan.chargerId(1, count: count)) to \(FleetPlan.chargerId(count, count: count)))",
                                 commandPath: spec.path)
            }
            result[charger, default: []].insert(kind)
        }
        return result
    }
}

/// Waits for the first of some signals. The signals are ignored from creation on (so they
/// cannot kill the process before the wait), and restored to their default action once one
/// arrives, so a second Ctrl-C during shutdown ends the process at once.
final class SignalWaiter: Sendable {
    private let signals: [Int32]
    private let state = Mutex<(received: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))
    private let sources: Mutex<[any DispatchSourceSignal]>

    init(_ signals: [Int32]) {
        self.signals = signals
        let queue = DispatchQueue(label: "chargekit-sim-signals")
        var made: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            made.append(DispatchSource.makeSignalSource(signal: number, queue: queue))
        }
        sources = Mutex(made)
        sources.withLock { all in
            for (source, number) in zip(all, signals) {
                source.setEventHandler { [weak self] in self?.received(number) }
                source.resume()
            }
        }
    }

    private func received(_ number: Int32) {
        let waiter = state.withLock { s -> CheckedContinuation<Int32, Never>? in
            guard s.received == nil else { return nil }
            s.received = number
            defer { s.waiter = nil }
            return s.waiter
        }
        sources.withLock { all in
            for source in all { source.cancel() }
        }
        for number in signals { signal(number, SIG_DFL) }
        waiter?.resume(returning: number)
    }

    /// The number of the first signal that arrived.
    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s -> Int32? in
                if let received = s.received { return received }
                s.waiter = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}

extension Command {
    static let sim = Command(Sim.spec) { try await Sim.run($0) }
}
