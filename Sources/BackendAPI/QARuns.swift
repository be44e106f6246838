import Foundation
import JSON

/// `POST /v1/qa-runs`: one run of acceptance checks against a charger.
public struct QARun: Codable, Sendable, Equatable {
    /// A UUID chosen by the client.
    public var id: String
    public var chargerId: String
    public var startedAt: Date
    public var finishedAt: Date
    public var verdict: Verdict
    public var tool: ToolInfo
    /// The charger's firmware version during the run.
    public var firmwareVersion: String?
    public var checks: [QACheck]

    public init(id: String, chargerId: String, startedAt: Date, finishedAt: Date, verdict: Verdict,
                tool: ToolInfo, firmwareVersion: String? = nil, checks: [QACheck]) {
        self.id = id
        self.chargerId = chargerId
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.tool = tool
        self.firmwareVersion = firmwareVersion
        self.checks = checks
    }
}

/// The tool that produced a QA run.
public struct ToolInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}

/// One acceptance check and its outcome.
public struct QACheck: Codable, Sendable, Equatable {
    /// The check's stable id, e.g. `boot.identity`.
    public var id: String
    public var title: String?
    public var status: QACheckStatus
    /// What was observed (any JSON value; nil when absent or null).
    public var measured: JSONValue?
    /// What was required (any JSON value; nil when absent or null).
    public var expected: JSONValue?
    public var message: String?
    public var durationMs: Int
    /// Test cases this check follows, e.g. OCTT `TC_003_CS`.
    public var references: [String]?

    public init(id: String, title: String? = nil, status: QACheckStatus, measured: JSONValue? = nil,
                expected: JSONValue? = nil, message: String? = nil, durationMs: Int, references: [String]? = nil) {
        self.id = id
        self.title = title
        self.status = status
        self.measured = measured
        self.expected = expected
        self.message = message
        self.durationMs = durationMs
        self.references = references
    }
}

public enum QACheckStatus: OpenEnum {
    case pass
    case fail
    /// Passed with a remark.
    case warn
    /// Not run.
    case skip
    /// Could not be judged.
    case error
    case unknown(String)

    public static let allKnown: [QACheckStatus] = [.pass, .fail, .warn, .skip, .error]

    public var rawValue: String {
        switch self {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .warn: "WARN"
        case .skip: "SKIP"
        case .error: "ERROR"
        case .unknown(let value): value
        }
    }
}

/// The answer to `POST /v1/qa-runs` (201 first, 200 on a replay).
public struct QARunReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var receivedAt: Date

    public init(id: String, receivedAt: Date) {
        self.id = id
        self.receivedAt = receivedAt
    }
}

/// `GET /v1/qa-runs/{qaRunId}`: a recorded run with its receipt.
public struct QARunRecord: Codable, Sendable, Equatable {
    public var id: String
    public var receivedAt: Date
    public var receivedBy: String?
    public var run: QARun

    public init(id: String, receivedAt: Date, receivedBy: String? = nil, run: QARun) {
        self.id = id
        self.receivedAt = receivedAt
        self.receivedBy = receivedBy
        self.run = run
    }
}

/// How many checks of a run ended in each status.
public struct QACheckCounts: Codable, Sendable, Equatable {
    public var pass: Int
    public var fail: Int
    public var warn: Int
    public var skip: Int
    public var error: Int

    public init(pass: Int = 0, fail: Int = 0, warn: Int = 0, skip: Int = 0, error: Int = 0) {
        self.pass = pass
        self.fail = fail
        self.warn = warn
        self.skip = skip
        self.error = error
    }
}

/// A QA run in a charger's list.
public struct QARunSummary: Codable, Sendable, Equatable {
    public var id: String
    public var chargerId: String
    public var startedAt: Date
    public var finishedAt: Date
    public var verdict: Verdict
    public var tool: ToolInfo
    public var receivedAt: Date
    public var counts: QACheckCounts

    public init(id: String, chargerId: String, startedAt: Date, finishedAt: Date, verdict: Verdict,
                tool: ToolInfo, receivedAt: Date, counts: QACheckCounts) {
        self.id = id
        self.chargerId = chargerId
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.tool = tool
        self.receivedAt = receivedAt
        self.counts = counts
    }
}
