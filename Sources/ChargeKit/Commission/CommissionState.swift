import BackendAPI
import DurableFiles
import Foundation
import JSON

/// The steps of `chargekit commission`, in the order they run.
public enum CommissionStep: String, Sendable, CaseIterable, Codable {
    case status, configure, firmware, qa, inspection, site, report

    /// The steps that stop the run when one fails; the inspection, the site data and the
    /// report are done whatever happened before them, so the visit is always documented.
    public var isChain: Bool { [.status, .configure, .firmware, .qa].contains(self) }

    public var title: String {
        switch self {
        case .status: "status"
        case .configure: "configure"
        case .firmware: "firmware"
        case .qa: "QA"
        case .inspection: "inspection"
        case .site: "site data"
        case .report: "report"
        }
    }
}

/// How one step ended.
public struct CommissionStepRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case done
        /// Nothing to do (firmware `skip`, no approved image).
        case skipped
        case failed
        /// Not tried: an earlier step failed.
        case notRun = "not-run"
        /// Stopped by the person (the inspection walk was quit): run again to continue.
        case paused
    }

    public var step: CommissionStep
    public var status: Status
    /// One line: "6.5.1-4230 → 6.5.2", "3 keys set, verified".
    public var summary: String
    /// The exit status the failure stands for (sysexits), for the run's own.
    public var exitCode: Int32?
    public var at: Date
    /// Step-specific facts for `--json` (QA checks, the firmware timeline, ...).
    public var detail: JSONValue?

    public init(step: CommissionStep, status: Status, summary: String, exitCode: Int32? = nil, at: Date = Date(), detail: JSONValue? = nil) {
        self.step = step
        self.status = status
        self.summary = summary
        self.exitCode = exitCode
        self.at = at
        self.detail = detail
    }

    /// Whether a later run can leave it as it is.
    public var isFinal: Bool { status == .done || status == .skipped }
}

/// One commissioning of one charger, kept in the local store after every step so that a run
/// cut short continues where it stopped: `$XDG_DATA_HOME/chargekit/commissions/CHARGER.json`.
public struct CommissionState: Codable, Sendable, Equatable {
    public var charger: String
    /// A UUID for this run; derived idempotency keys (the firmware update) come from it.
    public var runId: String
    /// What the run was asked to do; another request starts a new run.
    public var fingerprint: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var steps: [CommissionStepRecord]
    public var inspectionId: String?
    public var qaRunId: String?
    public var reportPath: String?
    /// The catalogue id of the firmware update asked for, set before the request: a run
    /// resumed after a crash follows that update instead of asking again.
    public var firmwareRequested: String?

    public init(charger: String, fingerprint: String, startedAt: Date = Date()) {
        self.charger = charger
        runId = UUID().uuidString.lowercased()
        self.fingerprint = fingerprint
        self.startedAt = startedAt
        steps = []
    }

    public func record(of step: CommissionStep) -> CommissionStepRecord? { steps.first { $0.step == step } }

    public mutating func set(_ record: CommissionStepRecord) {
        steps.removeAll { $0.step == record.step }
        steps.append(record)
        steps.sort { CommissionStep.allCases.firstIndex(of: $0.step) ?? 0 < CommissionStep.allCases.firstIndex(of: $1.step) ?? 0 }
    }

    /// The first step a new invocation has to run.
    public var firstUnfinished: CommissionStep? {
        CommissionStep.allCases.first { record(of: $0)?.isFinal != true }
    }
}

/// The commissions in the local store, one file per charger, written atomically.
public struct CommissionStore: Sendable {
    public let directory: String

    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public init(dataDirectory: String) {
        directory = dataDirectory + "/commissions"
    }

    func file(_ charger: String) -> String {
        // Charger ids are OCPP identities (printable, no slash in practice); keep the file name safe anyway.
        let safe = String(charger.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        return directory + "/" + safe + ".json"
    }

    /// The last commissioning of `charger`; nil when there is none.
    public func load(_ charger: String) throws(Error) -> CommissionState? {
        let path = file(charger)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONCoding.decode(CommissionState.self, from: data)
        } catch {
            throw Error(path: path, reason: "is damaged (\(error)); remove it to start over")
        }
    }

    public func save(_ state: CommissionState) throws(Error) {
        let path = file(state.charger)
        do {
            try AtomicFile.createDirectories(directory)
            let encoder = JSONCoding.makeEncoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            try AtomicFile.write(Array(try encoder.encode(state)), to: path)
        } catch {
            throw Error(path: path, reason: "cannot be written: \(error)")
        }
    }
}
