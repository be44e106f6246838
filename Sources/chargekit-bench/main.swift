import Foundation

// chargekit-bench: benchmarks that print ratios against a reference measured in the same
// run. Run in release mode: `swift run -c release chargekit-bench transport`.
// `serve`, `get-client` and `upload-client` are the child processes `transport` starts.

let usage = """
    usage: chargekit-bench transport [--requests N] [--concurrency N] [--warmup N]
                                     [--size SIZE] [--repeats N] [--only get|upload]

      transport   CurlHTTP vs URLSession (small GETs) and vs the curl command line
                  (a large PUT from a file), on a loopback server in its own process.
        --requests N      GETs per measured run (default 10000)
        --concurrency N   GETs in flight (default 64)
        --warmup N        warm-up GETs before each measured run (default 1000)
        --size SIZE       upload size, e.g. 64M or 1G (default 1G)
        --repeats N       measured runs per side (default 3); the median is compared
        --only get|upload run one half of the scenario

    exit status: 0 all targets met, 1 a target missed or a check failed, 64 usage,
    70 the benchmark itself failed.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
do {
    switch arguments.first {
    case "transport":
        status = try await Transport.run(Array(arguments.dropFirst()))
    case "serve":
        guard arguments.count == 1 else { throw UsageError(message: "serve takes no arguments") }
        BenchServer.serve()
    case "get-client":
        status = try await Transport.getClient(Array(arguments.dropFirst()))
    case "upload-client":
        status = try await Transport.uploadClient(Array(arguments.dropFirst()))
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
