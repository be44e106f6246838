import BackendAPI
import Foundation
import JSON

/// The acceptance checks, in the order they run. The raw values are stable: they are what
/// `--check`, `--skip`, JSON, JUnit and the backend's QA runs call them.
public enum QACheckID: String, Sendable, CaseIterable, Codable {
    case identity, connection, clock, connectors, configuration, firmware, meter, transaction, reset

    public var title: String {
        switch self {
        case .identity: "BootNotification accepted, identity as expected"
        case .connection: "Connected, heartbeat at the configured interval"
        case .clock: "Charger clock within the drift limit"
        case .connectors: "Every connector reports its status, without error"
        case .configuration: "Configuration conforms to the profile"
        case .firmware: "Firmware on the approved version"
        case .meter: "Meter values plausible"
        case .transaction: "Remote start, charging, remote stop"
        case .reset: "Soft reset brings the charger back"
        }
    }

    /// The OCTT test cases (1.6 and 2.0.1) each check follows.
    public var references: [String] {
        switch self {
        case .identity: ["TC_001_CS", "TC_B_01_CS"]
        case .connection: ["TC_001_CS", "TC_B_01_CS"]
        case .clock: ["TC_001_CS"]
        case .connectors: ["TC_003_CS"]
        case .configuration: []
        case .firmware: []
        case .meter: ["TC_070_CS"]
        case .transaction: ["TC_010_CS", "TC_011_1_CS", "TC_F_01_CS", "TC_070_CS", "TC_012_CS"]
        case .reset: ["TC_013_CS"]
        }
    }

    /// Needs a vehicle or test adapter (transaction) or takes the charger off the network
    /// (reset): run only when asked for.
    public var isOptIn: Bool { self == .transaction || self == .reset }

    /// How long the check may take before it is an ERROR; `QAOptions.checkTimeout` overrides.
    public var defaultTimeout: Duration {
        switch self {
        case .transaction: .seconds(600)
        case .reset: .seconds(300)
        case .meter: .seconds(60)
        default: .seconds(60)
        }
    }

    /// The checks that run by default.
    public static let defaults: [QACheckID] = allCases.filter { !$0.isOptIn }
}

/// What the installer expects and the limits the checks apply.
public struct QAOptions: Sendable {
    /// Which checks run, in `QACheckID` order whatever the order here.
    public var checks: [QACheckID]
    public var expectedSerial: String?
    public var expectedModel: String?
    public var expectedFirmware: String?
    /// The status every connector should report (Available on an idle charger).
    public var expectedConnectorStatus: ConnectorStatus
    public var maximumClockDriftSeconds: Double
    /// Line-to-neutral voltage band (230 V ±10 % by default, DOMAIN.md D3).
    public var voltageRange: ClosedRange<Double>
    /// The CPO profile the configuration must conform to; nil skips that check.
    public var profile: Profile?
    /// The id tag (1.6) or Central id token (2.0.1) a remote start uses.
    public var idTag: String
    /// Replaces every check's default timeout.
    public var checkTimeout: Duration?

    public init(checks: [QACheckID] = QACheckID.defaults, expectedSerial: String? = nil, expectedModel: String? = nil,
                expectedFirmware: String? = nil, expectedConnectorStatus: ConnectorStatus = .available,
                maximumClockDriftSeconds: Double = 5, voltageRange: ClosedRange<Double> = 207...253, profile: Profile? = nil,
                idTag: String = "CHARGEKIT-QA", checkTimeout: Duration? = nil) {
        self.checks = QACheckID.allCases.filter(checks.contains)
        self.expectedSerial = expectedSerial
        self.expectedModel = expectedModel
        self.expectedFirmware = expectedFirmware
        self.expectedConnectorStatus = expectedConnectorStatus
        self.maximumClockDriftSeconds = maximumClockDriftSeconds
        self.voltageRange = voltageRange
        self.profile = profile
        self.idTag = idTag
        self.checkTimeout = checkTimeout
    }

    func timeout(for check: QACheckID) -> Duration { checkTimeout ?? check.defaultTimeout }
}

/// How one check ended. `--json` writes `id`, `title`, `status`, `measured`, `expected`,
/// `message`, `remedy`, `durationMs`, `references`.
public struct QACheckResult: Sendable, Equatable, Encodable {
    public var id: QACheckID
    public var status: QACheckStatus
    public var measured: JSONValue?
    public var expected: JSONValue?
    /// What was found, in one line.
    public var message: String
    /// For FAIL and ERROR: what to do about it, in one line.
    public var remedy: String?
    public var durationMs: Int

    public init(id: QACheckID, status: QACheckStatus, measured: JSONValue? = nil, expected: JSONValue? = nil,
                message: String, remedy: String? = nil, durationMs: Int = 0) {
        self.id = id
        self.status = status
        self.measured = measured
        self.expected = expected
        self.message = message
        self.remedy = remedy
        self.durationMs = durationMs
    }

    private enum CodingKeys: String, CodingKey { case id, title, status, measured, expected, message, remedy, durationMs, references }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.rawValue, forKey: .id)
        try container.encode(id.title, forKey: .title)
        try container.encode(status.rawValue, forKey: .status)
        try container.encode(measured ?? .null, forKey: .measured)
        try container.encode(expected ?? .null, forKey: .expected)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(remedy, forKey: .remedy)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(id.references, forKey: .references)
    }

    /// As the backend's QA runs record it (the remedy joins the message).
    public var wire: QACheck {
        QACheck(id: id.rawValue, title: id.title, status: status, measured: measured, expected: expected,
                message: remedy.map { "\(message) — \($0)" } ?? message, durationMs: durationMs,
                references: id.references.isEmpty ? nil : id.references)
    }
}

/// The outcome of the checks on one charger.
public struct QAReport: Sendable, Equatable, Encodable {
    /// The run's id at the backend, chosen here.
    public var id: String
    public var charger: String
    public var ocppVersion: String?
    public var firmwareVersion: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var checks: [QACheckResult]

    public init(id: String = UUID().uuidString.lowercased(), charger: String, ocppVersion: String? = nil, firmwareVersion: String? = nil,
                startedAt: Date, finishedAt: Date, checks: [QACheckResult]) {
        self.id = id
        self.charger = charger
        self.ocppVersion = ocppVersion
        self.firmwareVersion = firmwareVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.checks = checks
    }

    /// Pass when nothing failed and nothing could not be judged; WARN and SKIP do not fail.
    public var verdict: Verdict {
        checks.contains { $0.status == .fail || $0.status == .error } ? .fail : .pass
    }

    public func count(_ status: QACheckStatus) -> Int { checks.filter { $0.status == status }.count }

    /// The run as `POST /v1/qa-runs` takes it.
    public var run: QARun {
        QARun(id: id, chargerId: charger, startedAt: startedAt, finishedAt: finishedAt, verdict: verdict,
              tool: ToolInfo(name: "chargekit", version: ChargeKit.version), firmwareVersion: firmwareVersion,
              checks: checks.map(\.wire))
    }

    private enum CodingKeys: String, CodingKey { case id, charger, ocppVersion, firmwareVersion, verdict, startedAt, finishedAt, checks }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(charger, forKey: .charger)
        try container.encodeIfPresent(ocppVersion, forKey: .ocppVersion)
        try container.encodeIfPresent(firmwareVersion, forKey: .firmwareVersion)
        try container.encode(verdict.rawValue, forKey: .verdict)
        try container.encode(Timestamp.format(startedAt), forKey: .startedAt)
        try container.encode(Timestamp.format(finishedAt), forKey: .finishedAt)
        try container.encode(checks, forKey: .checks)
    }
}
