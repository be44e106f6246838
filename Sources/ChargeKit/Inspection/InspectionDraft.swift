import BackendAPI
import Checksum
import Foundation
import JSON

/// An inspection in progress, as kept in the local store after every answer: enough to resume
/// it anywhere, and, once finished, the sealed report that goes to the backend.
public struct InspectionDraft: Codable, Sendable, Equatable {
    /// A UUID chosen when the inspection starts; the report's id at the backend.
    public var id: String
    public var chargerId: String
    public var checklist: ChecklistRef
    /// Where the template came from (`commissioning` for a shipped one, or a file path), to
    /// load it again on resume.
    public var templateSource: String
    public var title: String
    /// Vendor, model, serial and firmware from the backend; nil when it was not reachable
    /// (filled in later).
    public var charger: ChargerIdentity?
    public var inspector: Inspector?
    public var instrument: Instrument?
    public var answers: [String: RecordedAnswer]
    /// Photos copied into the store when they were answered, by item id.
    public var photos: [String: StoredPhoto]
    public var startedAt: Date
    public var updatedAt: Date
    /// Set when finished; the draft can then no longer change.
    public var report: InspectionReport?
    /// When the backend confirmed the report and every photo; nil while it is queued.
    public var sentAt: Date?

    public struct ChargerIdentity: Codable, Sendable, Equatable {
        public var vendor: String?
        public var model: String?
        public var serialNumber: String?
        public var firmwareVersion: String?
        public var siteId: String?

        public init(vendor: String?, model: String?, serialNumber: String?, firmwareVersion: String?, siteId: String?) {
            self.vendor = vendor
            self.model = model
            self.serialNumber = serialNumber
            self.firmwareVersion = firmwareVersion
            self.siteId = siteId
        }
    }

    public struct RecordedAnswer: Codable, Sendable, Equatable {
        public var answer: ChecklistAnswer
        public var note: String?
        public var at: Date
        /// The instrument a measurement was taken with, by serial.
        public var instrument: String?

        public init(answer: ChecklistAnswer, note: String? = nil, at: Date, instrument: String? = nil) {
            self.answer = answer
            self.note = note
            self.at = InspectionDraft.wholeMilliseconds(at)
            self.instrument = instrument
        }
    }

    /// A photo as kept in the store: never the user's original, which may change or vanish.
    public struct StoredPhoto: Codable, Sendable, Equatable {
        /// The attachment name in the report: letters, digits, `.`, `_`, `-`.
        public var name: String
        /// File name inside the store's attachment directory.
        public var file: String
        public var sha256: String
        public var size: Int64
        public var mediaType: String
        public var originalName: String
    }

    public init(id: String = UUID().uuidString.lowercased(), chargerId: String, template: ChecklistTemplate, templateSource: String,
                startedAt: Date = Date()) {
        self.id = id
        self.chargerId = chargerId
        let standard = template.standards.first
        checklist = ChecklistRef(id: template.id, version: template.version, standard: standard?.name, edition: standard?.edition)
        self.templateSource = templateSource
        title = template.title
        answers = [:]
        photos = [:]
        self.startedAt = Self.wholeMilliseconds(startedAt)
        updatedAt = self.startedAt
    }

    public var isFinished: Bool { report != nil }

    /// Finished but not yet confirmed by the backend.
    public var isPending: Bool { report != nil && sentAt == nil }

    /// The answers alone, for evaluation.
    public var plainAnswers: [String: ChecklistAnswer] { answers.mapValues(\.answer) }

    /// Dates travel in milliseconds; cutting them here keeps the content hash stable across
    /// an encode and a decode.
    static func wholeMilliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// Whether the instrument's calibration is older than `validity` at `date` (a year by
    /// default, the usual interval for installation testers).
    public func calibrationExpired(at date: Date, validityDays: Int = 365) -> Bool {
        guard let text = instrument?.calibratedAt, let calibrated = Self.calendarDate(text) else { return false }
        return date.timeIntervalSince(calibrated) > Double(validityDays) * 86_400
    }

    /// `YYYY-MM-DD` as midnight UTC.
    public static func calendarDate(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let date = RFC3339.parse(text + "T00:00:00Z") else { return nil }
        return date
    }
}

/// Why an inspection cannot be finished; `description` lists what to do.
public struct InspectionFinishError: Error, Sendable, Equatable, CustomStringConvertible {
    public var missing: [String]
    public var reason: String?
    public var description: String {
        if let reason { return reason }
        return "required items are unanswered: \(missing.joined(separator: ", "))"
    }
}

extension InspectionDraft {
    /// Seals the draft: the report with its evaluation, attachments and content hash. The
    /// inspector must be named and every required item that applies answered.
    public mutating func finish(template: ChecklistTemplate, at date: Date = Date()) throws(InspectionFinishError) -> InspectionReport {
        if let report { return report }
        guard let inspector, !inspector.name.isEmpty else {
            throw InspectionFinishError(missing: [], reason: "the inspector is not named (--inspector NAME)")
        }
        let evaluation = ChecklistEvaluation(template: template, answers: plainAnswers)
        guard evaluation.missing.isEmpty else { throw InspectionFinishError(missing: evaluation.missing.map(\.id)) }
        let finishedAt = Self.wholeMilliseconds(date)
        var answers: [InspectionAnswer] = []
        for judged in evaluation.items {
            guard let recorded = self.answers[judged.id], let item = template.item(judged.id), judged.status != .skipped else { continue }
            var answer = InspectionAnswer(itemId: item.id, note: recorded.note, answeredAt: Self.wholeMilliseconds(recorded.at))
            switch judged.status {
            case .pass: answer.result = .pass
            case .fail: answer.result = .fail
            case .notApplicable: answer.result = .na
            default: break
            }
            switch recorded.answer {
            case .measurement(let value, let unit):
                let rule = item.rule(given: plainAnswers)
                var limit = MeasurementLimit(rule: rule.map { "\($0) \(unit)" })
                switch rule {
                case .min(let low)?: limit.min = low
                case .max(let high)?: limit.max = high
                case .range(let low, let high)?: limit.min = low; limit.max = high
                default: break
                }
                answer.measurements = [InspectionMeasurement(value: value, unit: unit, limit: limit, result: answer.result,
                                                             instrument: recorded.instrument ?? instrument?.serial,
                                                             at: Self.wholeMilliseconds(recorded.at))]
            case .text(let text), .choice(let text): answer.text = text
            case .signature(let name): answer.text = name
            case .photo: answer.attachments = photos[item.id].map { [$0.name] }
            case .pass, .fail, .notApplicable: break
            }
            answers.append(answer)
        }
        let attachments = template.items.compactMap { item in
            photos[item.id].map {
                AttachmentDescriptor(name: $0.name, sha256: $0.sha256, size: $0.size, mediaType: $0.mediaType, kind: .photo,
                                     itemId: item.id, caption: item.text)
            }
        }
        var properties: [String: String] = [:]
        if let charger {
            properties["vendor"] = charger.vendor
            properties["model"] = charger.model
            properties["serialNumber"] = charger.serialNumber
            properties["firmwareVersion"] = charger.firmwareVersion
            properties["siteId"] = charger.siteId
        }
        if calibrationExpired(at: finishedAt) { properties["calibrationExpired"] = "true" }
        let kind: InspectionKind? = switch checklist.id {
        case "commissioning": .commissioning
        case "periodic": .periodic
        default: nil
        }
        var report = InspectionReport(
            id: id, chargerId: chargerId, kind: kind, checklist: checklist, inspector: inspector,
            instruments: instrument.map { [$0] } ?? [], startedAt: startedAt, finishedAt: finishedAt,
            verdict: evaluation.verdict == .pass ? .pass : .fail, answers: answers, attachments: attachments,
            properties: properties.isEmpty ? nil : properties, contentHash: "")
        do {
            report.contentHash = try InspectionReport.contentHash(of: report)
        } catch {
            throw InspectionFinishError(missing: [], reason: "the report cannot be encoded: \(error)")
        }
        self.report = report
        updatedAt = finishedAt
        return report
    }
}

extension InspectionReport {
    /// SHA-256 over the report's RFC 8785 canonical JSON without `contentHash`, as the
    /// contract defines it: any later change to the report shows.
    public static func contentHash(of report: InspectionReport) throws -> String {
        var value = try JSONParser.parse(Array(JSONCoding.encode(report)))
        if case .object(var object) = value {
            _ = object.removeValue(forKey: "contentHash")
            value = .object(object)
        }
        return SHA256.hex(Data(JSONCanonical.utf8(value)))
    }

    /// Whether `contentHash` matches the content.
    public var contentHashIsValid: Bool {
        (try? Self.contentHash(of: self)) == contentHash
    }
}
