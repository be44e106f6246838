import ChargeKit
import Dispatch
import Synchronization

/// chargekit's command line: `CLI.run(arguments, io:)` returns the exit status.
public enum CLI {
    /// Every command, in the order `chargekit --help` lists them.
    public static let commands: [Command] = [
        .commission,
        .login, .logout, .whoami,
        .chargersList, .status,
        .configGet, .configDiff, .configApply,
        .siteUpdate,
        .inspect, .inspectList, .inspectShow, .inspectRender, .inspectDiscard, .inspectVerify,
        .firmwareUpload, .firmwareList, .firmwareUpdate, .firmwareRollout,
        .qa,
        .sync,
        .sim, .completions, .help, .version,
    ]

    public static let tool = CommandLineTool(
        name: "chargekit",
        abstract: "Commission EV charge points against a CPO backend: configure, check, update firmware, inspect.",
        commands: commands,
        globalOptions: GlobalOptions.all)

    /// Runs one command line in-process (tests use this with a captured IO).
    public static func run(_ arguments: [String], io: IO) async -> Int32 {
        await tool.run(arguments, io: io)
    }

    /// Runs one command line, blocking until it is done: for main.swift, which is not async.
    public static func run(_ arguments: [String], io: IO) -> Int32 {
        let status = StatusBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result = await tool.run(arguments, io: io)
            status.value.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return status.value.withLock { $0 }
    }

    private final class StatusBox: Sendable {
        let value = Mutex<Int32>(ExitCode.software.rawValue)
    }
}
