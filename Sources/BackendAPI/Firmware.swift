import Foundation
import JSON

// MARK: - Uploads

/// `POST /v1/firmware/uploads`: declares an image to upload.
public struct FirmwareUploadRequest: Codable, Sendable, Equatable {
    public var filename: String
    public var size: Int64
    public var sha256: String
    /// The firmwareVersion chargers report once they run this image.
    public var version: String
    /// Charger models the image is for.
    public var models: [String]
    public var notes: String?
    /// The firmware signature, base64, for signed updates.
    public var signature: String?
    /// The PEM certificate that signed the firmware.
    public var signingCertificate: String?

    public init(filename: String, size: Int64, sha256: String, version: String, models: [String],
                notes: String? = nil, signature: String? = nil, signingCertificate: String? = nil) {
        self.filename = filename
        self.size = size
        self.sha256 = sha256
        self.version = version
        self.models = models
        self.notes = notes
        self.signature = signature
        self.signingCertificate = signingCertificate
    }
}

/// A resumable firmware upload: where it stands and where to resume.
public struct FirmwareUpload: Codable, Sendable, Equatable {
    public var uploadId: String
    public var filename: String
    public var version: String
    public var size: Int64
    public var sha256: String
    /// Bytes received so far; the next chunk starts here.
    public var offset: Int64
    /// Recommended bytes per chunk; always accepted.
    public var chunkSize: Int64
    public var state: FirmwareUploadState
    /// An upload not completed by then is discarded.
    public var expiresAt: Date
    /// The catalogue entry, once `completed`.
    public var firmwareId: String?

    public init(uploadId: String, filename: String, version: String, size: Int64, sha256: String,
                offset: Int64, chunkSize: Int64, state: FirmwareUploadState, expiresAt: Date,
                firmwareId: String? = nil) {
        self.uploadId = uploadId
        self.filename = filename
        self.version = version
        self.size = size
        self.sha256 = sha256
        self.offset = offset
        self.chunkSize = chunkSize
        self.state = state
        self.expiresAt = expiresAt
        self.firmwareId = firmwareId
    }
}

public enum FirmwareUploadState: OpenEnum {
    /// Bytes still missing.
    case receiving
    /// All bytes in; `complete` not yet called.
    case received
    /// In the catalogue as `firmwareId`.
    case completed
    case unknown(String)

    public static let allKnown: [FirmwareUploadState] = [.receiving, .received, .completed]

    public var rawValue: String {
        switch self {
        case .receiving: "receiving"
        case .received: "received"
        case .completed: "completed"
        case .unknown(let value): value
        }
    }
}

/// The answer to a chunk (firmware upload or inspection attachment): bytes received so far.
public struct UploadProgress: Codable, Sendable, Equatable {
    public var offset: Int64

    public init(offset: Int64) {
        self.offset = offset
    }
}

// MARK: - Catalogue

/// A firmware image in the catalogue.
public struct Firmware: Codable, Sendable, Equatable {
    public var id: String
    public var version: String
    public var models: [String]
    public var filename: String?
    public var size: Int64
    public var sha256: String
    /// Approved for installation by installers.
    public var approved: Bool
    public var uploadedAt: Date
    public var uploadedBy: String?
    public var approvedAt: Date?
    public var approvedBy: String?
    public var notes: String?
    /// A signature and signing certificate came with the image.
    public var signed: Bool

    public init(id: String, version: String, models: [String], filename: String? = nil, size: Int64,
                sha256: String, approved: Bool, uploadedAt: Date, uploadedBy: String? = nil,
                approvedAt: Date? = nil, approvedBy: String? = nil, notes: String? = nil, signed: Bool) {
        self.id = id
        self.version = version
        self.models = models
        self.filename = filename
        self.size = size
        self.sha256 = sha256
        self.approved = approved
        self.uploadedAt = uploadedAt
        self.uploadedBy = uploadedBy
        self.approvedAt = approvedAt
        self.approvedBy = approvedBy
        self.notes = notes
        self.signed = signed
    }
}

/// `PATCH /v1/firmware/{firmwareId}` (JSON Merge Patch).
public struct FirmwarePatch: Codable, Sendable, Equatable {
    public var approved: Bool

    public init(approved: Bool) {
        self.approved = approved
    }
}

// MARK: - Update jobs

/// `POST /v1/chargers/{chargerId}/firmware-updates`.
public struct FirmwareUpdateRequest: Codable, Sendable, Equatable {
    public var firmwareId: String
    /// When the charger should download (default now).
    public var retrieveAt: Date?
    /// When the charger should install (2.0.1 and signed updates only).
    public var installAt: Date?
    public var retries: Int?
    public var retryIntervalSeconds: Int?

    public init(firmwareId: String, retrieveAt: Date? = nil, installAt: Date? = nil, retries: Int? = nil,
                retryIntervalSeconds: Int? = nil) {
        self.firmwareId = firmwareId
        self.retrieveAt = retrieveAt
        self.installAt = installAt
        self.retries = retries
        self.retryIntervalSeconds = retryIntervalSeconds
    }
}

/// A firmware update job on one charger.
public struct FirmwareUpdate: Codable, Sendable, Equatable {
    public var id: String
    public var chargerId: String
    public var firmwareId: String
    /// Success is a boot with this version.
    public var targetVersion: String
    /// The OCPP requestId (2.0.1 and SignedUpdateFirmware).
    public var requestId: Int?
    public var createdAt: Date
    public var createdBy: String?
    public var retrieveAt: Date
    public var installAt: Date?
    public var retries: Int?
    public var retryIntervalSeconds: Int?
    /// The last step's status.
    public var state: FirmwareUpdateStatus
    /// The job has not ended; at most one per charger.
    public var active: Bool
    public var finishedAt: Date?
    public var timeline: [FirmwareUpdateStep]
    /// The charger's CALLRESULT payload to the update request (`{}` for 1.6 UpdateFirmware).
    public var response: JSONObject

    public init(id: String, chargerId: String, firmwareId: String, targetVersion: String,
                requestId: Int? = nil, createdAt: Date, createdBy: String? = nil, retrieveAt: Date,
                installAt: Date? = nil, retries: Int? = nil, retryIntervalSeconds: Int? = nil,
                state: FirmwareUpdateStatus, active: Bool, finishedAt: Date? = nil,
                timeline: [FirmwareUpdateStep], response: JSONObject) {
        self.id = id
        self.chargerId = chargerId
        self.firmwareId = firmwareId
        self.targetVersion = targetVersion
        self.requestId = requestId
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.retrieveAt = retrieveAt
        self.installAt = installAt
        self.retries = retries
        self.retryIntervalSeconds = retryIntervalSeconds
        self.state = state
        self.active = active
        self.finishedAt = finishedAt
        self.timeline = timeline
        self.response = response
    }
}

/// One step of a firmware update job's timeline.
public struct FirmwareUpdateStep: Codable, Sendable, Equatable {
    public var status: FirmwareUpdateStatus
    /// When the backend recorded the step.
    public var at: Date
    public var source: FirmwareUpdateStepSource
    /// For `booted`, the version the charger booted with.
    public var firmwareVersion: String?
    /// Free text (the charger's statusInfo, the deadline that ran out, ...).
    public var info: String?

    public init(status: FirmwareUpdateStatus, at: Date, source: FirmwareUpdateStepSource,
                firmwareVersion: String? = nil, info: String? = nil) {
        self.status = status
        self.at = at
        self.source = source
        self.firmwareVersion = firmwareVersion
        self.info = info
    }
}

/// Where a timeline step came from.
public enum FirmwareUpdateStepSource: OpenEnum {
    /// The backend's own record (`Requested`, `TimedOut`).
    case backend
    /// The charger's answer to the update request.
    case response
    /// A FirmwareStatusNotification.
    case notification
    /// A BootNotification.
    case boot
    case unknown(String)

    public static let allKnown: [FirmwareUpdateStepSource] = [.backend, .response, .notification, .boot]

    public var rawValue: String {
        switch self {
        case .backend: "backend"
        case .response: "response"
        case .notification: "notification"
        case .boot: "boot"
        case .unknown(let value): value
        }
    }
}

/// The steps of a firmware update job: the backend's own (`requested`, `booted`,
/// `timedOut`), the charger's answer to the request (`accepted`, `rejected`,
/// `acceptedCanceled`, `invalidCertificate`, `revokedCertificate`) and the
/// FirmwareStatusNotification statuses of 1.6 and 2.0.1.
public enum FirmwareUpdateStatus: OpenEnum {
    case requested
    case accepted, rejected, acceptedCanceled, invalidCertificate, revokedCertificate
    case downloaded, downloadFailed, downloading, downloadScheduled, downloadPaused, idle
    case installationFailed, installing, installed, installRebooting, installScheduled
    case installVerificationFailed, invalidSignature, signatureVerified
    case booted, timedOut
    case unknown(String)

    public static let allKnown: [FirmwareUpdateStatus] = [
        .requested, .accepted, .rejected, .acceptedCanceled, .invalidCertificate, .revokedCertificate,
        .downloaded, .downloadFailed, .downloading, .downloadScheduled, .downloadPaused, .idle,
        .installationFailed, .installing, .installed, .installRebooting, .installScheduled,
        .installVerificationFailed, .invalidSignature, .signatureVerified, .booted, .timedOut,
    ]

    public var rawValue: String {
        switch self {
        case .requested: "Requested"
        case .accepted: "Accepted"
        case .rejected: "Rejected"
        case .acceptedCanceled: "AcceptedCanceled"
        case .invalidCertificate: "InvalidCertificate"
        case .revokedCertificate: "RevokedCertificate"
        case .downloaded: "Downloaded"
        case .downloadFailed: "DownloadFailed"
        case .downloading: "Downloading"
        case .downloadScheduled: "DownloadScheduled"
        case .downloadPaused: "DownloadPaused"
        case .idle: "Idle"
        case .installationFailed: "InstallationFailed"
        case .installing: "Installing"
        case .installed: "Installed"
        case .installRebooting: "InstallRebooting"
        case .installScheduled: "InstallScheduled"
        case .installVerificationFailed: "InstallVerificationFailed"
        case .invalidSignature: "InvalidSignature"
        case .signatureVerified: "SignatureVerified"
        case .booted: "Booted"
        case .timedOut: "TimedOut"
        case .unknown(let value): value
        }
    }
}
