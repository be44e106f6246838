import Foundation

// chargekit-bench: benchmarks that print ratios against a reference measured in the same
// run. Run in release mode: `swift run -c release chargekit-bench transport` (or `config`, `firmware`, `qa`).
// `serve`, `get-client` and `upload-client` are the child processes `transport` starts.

let usage = """
    usage: chargekit-bench transport [--requests N] [--concurrency N] [--warmup N]
                                     [--size SIZE] [--repeats N] [--only get|upload]
           chargekit-bench config [--chargers N] [--concurrency N] [--speed X]
                                  [--repeats N] [--seed N] [--chargekit PATH]
           chargekit-bench firmware [--size SIZE] [--repeats N] [--chargers N] [--speed X]
                                    [--concurrency N] [--sample N] [--only upload|rollout]
           chargekit-bench qa [--chargers N] [--concurrency N] [--speed X] [--latency MS]

      transport   CurlHTTP vs URLSession (small GETs) and vs the curl command line
                  (a large PUT from a file), on a loopback server in its own process.
        --requests N      GETs per measured run (default 10000)
        --concurrency N   GETs in flight (default 64)
        --warmup N        warm-up GETs before each measured run (default 1000)
        --size SIZE       upload size, e.g. 64M or 1G (default 1G)
        --repeats N       measured runs per side (default 5); medians are compared
        --only get|upload run one half of the scenario

      config      `chargekit config apply --select` over a `chargekit sim` fleet, N chargers
                  in flight vs one at a time, and the HTTP requests each charger cost.
        --chargers N      simulated chargers (default 1000)
        --concurrency N   chargers in flight on the concurrent side (default 64)
        --speed X         simulator speed (default 50: a 5 s soft reboot takes 0.1 s)
        --repeats N       runs per side (default 1), alternating which goes first
        --seed N          the simulated fleet (default 1)
        --chargekit PATH  the chargekit binary (default: next to chargekit-bench)
      firmware    `firmware upload` vs curl -T sending the same chunks to a simulated
                  backend; `firmware rollout` over a simulated fleet vs a Python
                  `requests` client updating one charger at a time (docs/tools).
        --size SIZE       upload size (default 1G, at most 1G)
        --repeats N       upload runs per side (default 3); medians are compared
        --chargers N      simulated fleet for the rollout (default 10000)
        --speed X         simulator speed (default 100)
        --concurrency N   rollout concurrency (default 256)
        --sample N        chargers the reference updates (default 100)
        --only upload|rollout
      qa          chargekit qa (default checks) over a simulated fleet, --concurrency N
                  vs --concurrency 1, against chargekit sim (build chargekit first).
        --chargers N      simulated chargers (default 1000)
        --concurrency N   the concurrent side (default 64)
        --speed X         simulator speed (default 5)
        --latency MS      the chargers' network round trip (default 100; 0: instant)

    exit status: 0 all targets met, 1 a target missed or a check failed, 64 usage,
    70 the benchmark itself failed.
    """

/// Runs `body` on the concurrency pool while the calling thread waits. Call it from the
/// main thread only (never from the pool, which it could starve). A synchronous main,
/// rather than top-level `await` (which hands the main thread to dispatch_main), also keeps
/// the process runnable under `valgrind --tool=callgrind`, which is how these get profiled.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        box.result = await Result(catching: body)
        done.signal()
    }
    done.wait()
    guard let result = box.result else { throw BenchError(description: "the benchmark task ended without a result") }
    return try result.get()
}

/// Written by the task before it signals, read by the main thread after the wait.
final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
do {
    switch arguments.first {
    case "transport":
        status = try Transport.run(Array(arguments.dropFirst()))
    case "config":
        status = try ConfigScenario.run(Array(arguments.dropFirst()))
    case "firmware":
        status = try FirmwareBench.run(Array(arguments.dropFirst()))
    case "fw-sim":
        status = try FirmwareBench.simChild(Array(arguments.dropFirst()))
    case "fw-upload-client":
        status = try blocking { try await FirmwareBench.uploadClient(Array(arguments.dropFirst())) }
    case "fw-rollout-client":
        status = try blocking { try await FirmwareBench.rolloutClient(Array(arguments.dropFirst())) }
    case "qa":
        status = try QABench.run(Array(arguments.dropFirst()))
    case "serve":
        guard arguments.count == 1 else { throw UsageError(message: "serve takes no arguments") }
        BenchServer.serve()
    case "get-client":
        status = try blocking { try await Transport.getClient(Array(arguments.dropFirst())) }
    case "upload-client":
        status = try blocking { try await Transport.uploadClient(Array(arguments.dropFirst())) }
    case "-h", "--help", "help":
        say(usage)
        status = 0
    case let other?:
        throw UsageError(message: "unknown benchmark \"\(other)\"")
    case nil:
        throw UsageError(message: "which benchmark?")
    }
} catch let error as UsageError {
    warn(error.message)
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    status = 64
} catch {
    warn("\(error)")
    status = 70
}
exit(status)
