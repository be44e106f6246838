import Foundation

/// `POST /v1/inspections`: a finished technical-inspection report as the client recorded it.
public struct InspectionReport: Codable, Sendable, Equatable {
    /// A UUID chosen by the client when the inspection started.
    public var id: String
    public var chargerId: String
    public var kind: InspectionKind?
    public var checklist: ChecklistRef
    public var inspector: Inspector
    /// Every instrument used; measurements name theirs by serial.
    public var instruments: [Instrument]
    public var startedAt: Date
    public var finishedAt: Date
    public var verdict: Verdict
    public var answers: [InspectionAnswer]
    /// Declared here; their bytes follow with `PUT .../attachments/{name}`.
    public var attachments: [AttachmentDescriptor]
    /// Fields a national regime asks for (`regime`, `ean`, ...).
    public var properties: [String: String]?
    public var notes: String?
    /// SHA-256 of the report's RFC 8785 canonical JSON without `contentHash`.
    public var contentHash: String

    public init(id: String, chargerId: String, kind: InspectionKind? = nil, checklist: ChecklistRef,
                inspector: Inspector, instruments: [Instrument], startedAt: Date, finishedAt: Date,
                verdict: Verdict, answers: [InspectionAnswer], attachments: [AttachmentDescriptor] = [],
                properties: [String: String]? = nil, notes: String? = nil, contentHash: String) {
        self.id = id
        self.chargerId = chargerId
        self.kind = kind
        self.checklist = checklist
        self.inspector = inspector
        self.instruments = instruments
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.answers = answers
        self.attachments = attachments
        self.properties = properties
        self.notes = notes
        self.contentHash = contentHash
    }
}

/// Why an inspection was made.
public enum InspectionKind: OpenEnum {
    case commissioning, periodic, repair
    case unknown(String)

    public static let allKnown: [InspectionKind] = [.commissioning, .periodic, .repair]

    public var rawValue: String {
        switch self {
        case .commissioning: "commissioning"
        case .periodic: "periodic"
        case .repair: "repair"
        case .unknown(let value): value
        }
    }
}

/// The overall result of an inspection or a QA run.
public enum Verdict: OpenEnum {
    case pass, fail
    case unknown(String)

    public static let allKnown: [Verdict] = [.pass, .fail]

    public var rawValue: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .unknown(let value): value
        }
    }
}

/// The result of a checklist item or a measurement; `na` is not applicable.
public enum ItemResult: OpenEnum {
    case pass, fail, na
    case unknown(String)

    public static let allKnown: [ItemResult] = [.pass, .fail, .na]

    public var rawValue: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .na: "na"
        case .unknown(let value): value
        }
    }
}

/// The checklist template an inspection followed.
public struct ChecklistRef: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    /// The standard the template implements, e.g. `IEC 60364-6`.
    public var standard: String?
    public var edition: String?

    public init(id: String, version: String, standard: String? = nil, edition: String? = nil) {
        self.id = id
        self.version = version
        self.standard = standard
        self.edition = edition
    }
}

public struct Inspector: Codable, Sendable, Equatable {
    public var name: String
    /// Registration or accreditation number, where the regime has one.
    public var registration: String?
    public var organization: String?

    public init(name: String, registration: String? = nil, organization: String? = nil) {
        self.name = name
        self.registration = registration
        self.organization = organization
    }
}

/// A test instrument used in an inspection.
public struct Instrument: Codable, Sendable, Equatable {
    public var serial: String
    /// Date of the last calibration, `YYYY-MM-DD` (a calendar date, not an instant).
    public var calibratedAt: String
    public var make: String?
    public var model: String?

    public init(serial: String, calibratedAt: String, make: String? = nil, model: String? = nil) {
        self.serial = serial
        self.calibratedAt = calibratedAt
        self.make = make
        self.model = model
    }
}

/// The limit a measured value was judged against.
public struct MeasurementLimit: Codable, Sendable, Equatable {
    public var min: Double?
    public var max: Double?
    /// The rule in words, e.g. `RA × IΔn ≤ 50 V`.
    public var rule: String?

    public init(min: Double? = nil, max: Double? = nil, rule: String? = nil) {
        self.min = min
        self.max = max
        self.rule = rule
    }
}

public struct InspectionMeasurement: Codable, Sendable, Equatable {
    /// Which of several measurements of the item, e.g. `L1-PE`.
    public var label: String?
    public var value: Double
    public var unit: String
    public var limit: MeasurementLimit?
    public var result: ItemResult?
    /// The serial of the instrument used (one of the report's `instruments`).
    public var instrument: String?
    public var at: Date

    public init(label: String? = nil, value: Double, unit: String, limit: MeasurementLimit? = nil,
                result: ItemResult? = nil, instrument: String? = nil, at: Date) {
        self.label = label
        self.value = value
        self.unit = unit
        self.limit = limit
        self.result = result
        self.instrument = instrument
        self.at = at
    }
}

/// The answer to one checklist item.
public struct InspectionAnswer: Codable, Sendable, Equatable {
    public var itemId: String
    public var result: ItemResult?
    /// The answer of a text item.
    public var text: String?
    public var measurements: [InspectionMeasurement]?
    /// Names of the report's attachments that belong to this item.
    public var attachments: [String]?
    public var note: String?
    public var answeredAt: Date?

    public init(itemId: String, result: ItemResult? = nil, text: String? = nil,
                measurements: [InspectionMeasurement]? = nil, attachments: [String]? = nil, note: String? = nil,
                answeredAt: Date? = nil) {
        self.itemId = itemId
        self.result = result
        self.text = text
        self.measurements = measurements
        self.attachments = attachments
        self.note = note
        self.answeredAt = answeredAt
    }
}

public enum AttachmentKind: OpenEnum {
    case photo, signature, document
    case unknown(String)

    public static let allKnown: [AttachmentKind] = [.photo, .signature, .document]

    public var rawValue: String {
        switch self {
        case .photo: "photo"
        case .signature: "signature"
        case .document: "document"
        case .unknown(let value): value
        }
    }
}

/// An attachment a report refers to; its bytes are sent separately.
public struct AttachmentDescriptor: Codable, Sendable, Equatable {
    /// Letters, digits, `.`, `_` and `-` only; unique within the report.
    public var name: String
    public var sha256: String
    public var size: Int64
    public var mediaType: String
    public var kind: AttachmentKind?
    /// The checklist item it documents, if one.
    public var itemId: String?
    public var caption: String?

    public init(name: String, sha256: String, size: Int64, mediaType: String, kind: AttachmentKind? = nil,
                itemId: String? = nil, caption: String? = nil) {
        self.name = name
        self.sha256 = sha256
        self.size = size
        self.mediaType = mediaType
        self.kind = kind
        self.itemId = itemId
        self.caption = caption
    }

    /// Whether `name` may be used as an attachment name (and so as a URL path segment as is).
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 128, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
            || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// Whether the backend holds all of an attachment's bytes, verified.
public struct AttachmentReceipt: Codable, Sendable, Equatable {
    public var name: String
    public var received: Bool

    public init(name: String, received: Bool) {
        self.name = name
        self.received = received
    }
}

/// The answer to `POST /v1/inspections` (201 first, 200 on a replay, with the attachments'
/// state as it is now).
public struct InspectionReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var receivedAt: Date
    /// One per declared attachment, in the report's order.
    public var attachments: [AttachmentReceipt]

    public init(id: String, receivedAt: Date, attachments: [AttachmentReceipt]) {
        self.id = id
        self.receivedAt = receivedAt
        self.attachments = attachments
    }
}

/// `GET /v1/inspections/{inspectionId}`: a recorded report with its receipt.
public struct InspectionRecord: Codable, Sendable, Equatable {
    public var id: String
    public var receivedAt: Date
    public var receivedBy: String?
    public var attachments: [AttachmentReceipt]
    public var report: InspectionReport

    public init(id: String, receivedAt: Date, receivedBy: String? = nil, attachments: [AttachmentReceipt],
                report: InspectionReport) {
        self.id = id
        self.receivedAt = receivedAt
        self.receivedBy = receivedBy
        self.attachments = attachments
        self.report = report
    }
}

/// `GET /v1/inspections/{inspectionId}/attachments/{name}`: how much of an attachment the
/// backend holds.
public struct InspectionAttachment: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int64
    public var sha256: String
    public var mediaType: String
    /// Bytes received so far; the next chunk starts here.
    public var offset: Int64
    /// All bytes in and verified.
    public var received: Bool

    public init(name: String, size: Int64, sha256: String, mediaType: String, offset: Int64, received: Bool) {
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.mediaType = mediaType
        self.offset = offset
        self.received = received
    }
}

/// An inspection in a charger's list.
public struct InspectionSummary: Codable, Sendable, Equatable {
    public var id: String
    public var chargerId: String
    public var kind: InspectionKind?
    public var checklist: ChecklistRef
    public var inspector: Inspector
    public var finishedAt: Date
    public var verdict: Verdict
    public var receivedAt: Date
    /// Every declared attachment is received.
    public var attachmentsComplete: Bool

    public init(id: String, chargerId: String, kind: InspectionKind? = nil, checklist: ChecklistRef,
                inspector: Inspector, finishedAt: Date, verdict: Verdict, receivedAt: Date,
                attachmentsComplete: Bool) {
        self.id = id
        self.chargerId = chargerId
        self.kind = kind
        self.checklist = checklist
        self.inspector = inspector
        self.finishedAt = finishedAt
        self.verdict = verdict
        self.receivedAt = receivedAt
        self.attachmentsComplete = attachmentsComplete
    }
}
