import BackendAPI
import ChargeKit
import Foundation
import JSON

/// One invocation of `chargekit commission`: picks up the stored progress, runs the steps
/// that are not finished, saves after each, and ends with the summary.
struct CommissionRun {
    let context: CommandContext
    let input: CommissionInput
    let store: CommissionStore
    let client: BackendClient
    var state: CommissionState
    /// Any step ran in this invocation: the report is written again.
    var ranSomething = false

    var id: String { state.charger }
    var console: Console { context.console }

    static func start(_ context: CommandContext, charger: String, input: CommissionInput) async throws -> ExitCode {
        guard let data = context.settings.dataDirectory else { throw SettingsError.noConfigDirectory }
        let store = CommissionStore(dataDirectory: data)
        let fingerprint = input.fingerprint(charger: charger)
        var state = CommissionState(charger: charger, fingerprint: fingerprint)
        if let previous = try store.load(charger), previous.finishedAt == nil {
            if previous.fingerprint == fingerprint {
                state = previous
                let next = previous.firstUnfinished?.title ?? "the report"
                context.console.info("resuming the commissioning of \(charger) started \(Timestamp.format(previous.startedAt)), from \(next)")
            } else {
                context.console.info("the interrupted commissioning of \(charger) was asked for with other options; starting over")
            }
        }
        try store.save(state)
        let client = try context.backendClient()
        defer { client.shutdown() }
        var run = CommissionRun(context: context, input: input, store: store, client: client, state: state)
        return try await run.execute()
    }

    /// Step lines go to stdout, or to stderr when stdout carries JSON.
    func say(_ line: String) {
        if console.json { console.info(line) } else { console.print(line) }
    }

    mutating func execute() async throws -> ExitCode {
        let steps = CommissionStep.allCases
        var chainFailure: CommissionStepRecord?
        for (index, step) in steps.enumerated() {
            let label = "[\(index + 1)/\(steps.count)] \(step.title)"
            if let record = state.record(of: step), record.isFinal, !(step == .report && ranSomething) {
                say("\(label.padding(toLength: 18, withPad: " ", startingAt: 0)) \(mark(record)) \(record.summary) (earlier)")
                continue
            }
            if step.isChain, let failure = chainFailure {
                try save(CommissionStepRecord(step: step, status: .notRun, summary: "not run: \(failure.step.title) failed"))
                say("\(label.padding(toLength: 18, withPad: " ", startingAt: 0)) - not run")
                continue
            }
            say("\(label) …")
            ranSomething = true
            let record = await perform(step)
            try save(record)
            say("\(label.padding(toLength: 18, withPad: " ", startingAt: 0)) \(mark(record)) \(record.summary)")
            if step.isChain, record.status == .failed { chainFailure = record }
            if record.status == .paused { break }
        }
        if steps.allSatisfy({ state.record(of: $0)?.isFinal == true }) {
            state.finishedAt = Date()
            try store.save(state)
        }
        return try summarize()
    }

    mutating func save(_ record: CommissionStepRecord) throws {
        state.set(record)
        try store.save(state)
    }

    func mark(_ record: CommissionStepRecord) -> String {
        let palette = console.json ? console.stderrPalette : console.stdoutPalette
        switch record.status {
        case .done: return record.exitCode == nil ? palette.green("✓") : palette.red("✗")
        case .skipped: return palette.dim("–")
        case .failed: return palette.red("✗")
        case .notRun: return "-"
        case .paused: return palette.yellow("‖")
        }
    }

    /// Runs one step; whatever goes wrong becomes its record, never an escape.
    mutating func perform(_ step: CommissionStep) async -> CommissionStepRecord {
        do {
            switch step {
            case .status: return try await CommissionSteps.status(self)
            case .configure: return try await CommissionSteps.configure(self)
            case .firmware: return try await CommissionSteps.firmware(&self)
            case .qa: return try await CommissionSteps.qa(&self)
            case .inspection: return try await CommissionSteps.inspection(&self)
            case .site: return try await CommissionSteps.site(self)
            case .report: return try await CommissionSteps.report(&self)
            }
        } catch {
            let report = ErrorMapping.report(for: error)
            return CommissionStepRecord(step: step, status: .failed, summary: report.message, exitCode: report.code.rawValue)
        }
    }

    struct Summary: Encodable {
        var charger: String
        var verdict: String
        var runId: String
        var startedAt: String
        var finishedAt: String?
        var steps: [CommissionStepRecord]
        var qa: JSONValue?
        var inspection: JSONValue?
        var report: String?
    }

    func summarize() throws -> ExitCode {
        let code = exitCode()
        let verdict = code == .ok ? "pass" : (state.record(of: .inspection)?.status == .paused ? "incomplete" : "fail")
        if console.json {
            try console.json(Summary(charger: id, verdict: verdict, runId: state.runId, startedAt: Timestamp.format(state.startedAt),
                                     finishedAt: state.finishedAt.map(Timestamp.format), steps: state.steps,
                                     qa: state.record(of: .qa)?.detail, inspection: state.record(of: .inspection)?.detail,
                                     report: state.reportPath))
            return code
        }
        let palette = console.stdoutPalette
        console.print("")
        switch verdict {
        case "pass": console.print("\(id): commissioned, \(palette.green("PASS"))")
        case "incomplete": console.print("\(id): inspection not finished; run the same command again to continue")
        default:
            let failed = state.steps.first { $0.status == .failed || ($0.status == .done && $0.exitCode != nil) }
            console.print("\(id): \(palette.red("FAIL"))" + (failed.map { " at \($0.step.title): \($0.summary)" } ?? ""))
            if state.finishedAt == nil { console.print("run the same command again to continue from the step that failed") }
        }
        if let path = state.reportPath { console.print("report: \(path)") }
        return code
    }

    /// The first failure's exit status; a paused inspection is 75 (come back); a failing
    /// inspection verdict is 1.
    func exitCode() -> ExitCode {
        for record in state.steps where record.step.isChain && record.status == .failed {
            return ExitCode(rawValue: record.exitCode ?? 1) ?? .checksFailed
        }
        for record in state.steps where !record.step.isChain {
            switch record.status {
            case .paused: return .tempFail
            case .failed: return ExitCode(rawValue: record.exitCode ?? 1) ?? .checksFailed
            case .done where record.exitCode != nil: return ExitCode(rawValue: record.exitCode ?? 1) ?? .checksFailed
            default: continue
            }
        }
        return .ok
    }
}
