/// One operation of the backend API: its method, path template and operationId, exactly as
/// in docs/backend-api.yaml (a test holds the two together). The client builds paths from
/// these and the simulator routes with them, so no path is spelt twice.
public struct APIOperation: Sendable, Hashable, CustomStringConvertible {
    public let method: String
    /// The path with `{name}` placeholders, e.g. `/v1/chargers/{chargerId}`.
    public let template: String
    public let operationId: String
    /// The template split at `/`, once: the simulator matches every request against every
    /// operation, and splitting the templates each time was most of its routing cost.
    private let segments: [Substring]
    /// How many segments are literal (not placeholders): the more, the better a fit.
    public let literalSegmentCount: Int

    public init(_ method: String, _ template: String, _ operationId: String) {
        self.method = method
        self.template = template
        self.operationId = operationId
        segments = template.split(separator: "/", omittingEmptySubsequences: false)
        literalSegmentCount = segments.filter { !$0.hasPrefix("{") }.count
    }

    public var description: String { "\(method) \(template) (\(operationId))" }

    /// The placeholder names in order of appearance.
    public var parameterNames: [String] {
        segments.compactMap { segment in segment.hasPrefix("{") ? String(segment.dropFirst().dropLast()) : nil }
    }

    /// The path with the placeholders filled in order, each value percent-encoded as one
    /// path segment. Missing values leave their placeholder empty; extra values are ignored.
    public func path(_ values: String...) -> String {
        var remaining = values[...]
        return segments.map { segment -> String in
            guard segment.hasPrefix("{") else { return String(segment) }
            return APIPaths.encodeSegment(remaining.popFirst() ?? "")
        }.joined(separator: "/")
    }

    /// The decoded placeholder values when `path` (without query) fits the template; nil
    /// otherwise. Placeholders match one non-empty segment.
    public func match(path: String) -> [String: String]? {
        match(parts: Self.parts(of: path))
    }

    private static func parts(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false)
    }

    private func match(parts: [Substring]) -> [String: String]? {
        guard parts.count == segments.count else { return nil }
        var values: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            if segment.hasPrefix("{") {
                guard !part.isEmpty, let value = APIPaths.decodeSegment(part) else { return nil }
                values[String(segment.dropFirst().dropLast())] = value
            } else if segment != part {
                return nil
            }
        }
        return values
    }

    /// The operation for a request and its path parameters. A literal segment wins over a
    /// placeholder (`/v1/firmware/uploads` is not firmware "uploads"). Nil when nothing fits;
    /// see `allowedMethods(path:)` to tell 404 from 405.
    public static func route(method: String, path: String) -> (operation: APIOperation, parameters: [String: String])? {
        var best: (operation: APIOperation, parameters: [String: String])?
        let parts = Self.parts(of: path)
        for operation in all where operation.method == method {
            guard let parameters = operation.match(parts: parts) else { continue }
            if best == nil || operation.literalSegmentCount > (best?.operation.literalSegmentCount ?? 0) {
                best = (operation, parameters)
            }
        }
        return best
    }

    /// The methods of the operations whose template fits `path` (empty: no such path).
    public static func allowedMethods(path: String) -> [String] {
        fitting(path: path).map(\.operation.method)
    }

    /// Every operation whose template fits `path`, whatever its method, with its parameters.
    public static func fitting(path: String) -> [(operation: APIOperation, parameters: [String: String])] {
        let parts = Self.parts(of: path)
        return all.compactMap { operation in operation.match(parts: parts).map { (operation, $0) } }
    }
}

extension APIOperation {
    public static let getWhoAmI = APIOperation("GET", "/v1/whoami", "getWhoAmI")
    public static let listSites = APIOperation("GET", "/v1/sites", "listSites")
    public static let listChargers = APIOperation("GET", "/v1/chargers", "listChargers")
    public static let getCharger = APIOperation("GET", "/v1/chargers/{chargerId}", "getCharger")
    public static let updateCharger = APIOperation("PATCH", "/v1/chargers/{chargerId}", "updateCharger")
    public static let getConfiguration = APIOperation("GET", "/v1/chargers/{chargerId}/configuration", "getConfiguration")
    public static let changeConfiguration = APIOperation("POST", "/v1/chargers/{chargerId}/configuration", "changeConfiguration")
    public static let sendCommand = APIOperation("POST", "/v1/chargers/{chargerId}/commands", "sendCommand")
    public static let listEvents = APIOperation("GET", "/v1/events", "listEvents")
    public static let listChargerEvents = APIOperation("GET", "/v1/chargers/{chargerId}/events", "listChargerEvents")
    public static let createFirmwareUpload = APIOperation("POST", "/v1/firmware/uploads", "createFirmwareUpload")
    public static let getFirmwareUpload = APIOperation("GET", "/v1/firmware/uploads/{uploadId}", "getFirmwareUpload")
    public static let putFirmwareUploadChunk = APIOperation("PUT", "/v1/firmware/uploads/{uploadId}", "putFirmwareUploadChunk")
    public static let completeFirmwareUpload = APIOperation("POST", "/v1/firmware/uploads/{uploadId}/complete", "completeFirmwareUpload")
    public static let listFirmware = APIOperation("GET", "/v1/firmware", "listFirmware")
    public static let getFirmware = APIOperation("GET", "/v1/firmware/{firmwareId}", "getFirmware")
    public static let updateFirmware = APIOperation("PATCH", "/v1/firmware/{firmwareId}", "updateFirmware")
    public static let downloadFirmware = APIOperation("GET", "/v1/firmware/{firmwareId}/download", "downloadFirmware")
    public static let headFirmwareDownload = APIOperation("HEAD", "/v1/firmware/{firmwareId}/download", "headFirmwareDownload")
    public static let createFirmwareUpdate = APIOperation("POST", "/v1/chargers/{chargerId}/firmware-updates", "createFirmwareUpdate")
    public static let listChargerFirmwareUpdates = APIOperation("GET", "/v1/chargers/{chargerId}/firmware-updates", "listChargerFirmwareUpdates")
    public static let getFirmwareUpdate = APIOperation("GET", "/v1/firmware-updates/{updateId}", "getFirmwareUpdate")
    public static let createInspection = APIOperation("POST", "/v1/inspections", "createInspection")
    public static let getInspection = APIOperation("GET", "/v1/inspections/{inspectionId}", "getInspection")
    public static let getInspectionAttachment = APIOperation("GET", "/v1/inspections/{inspectionId}/attachments/{name}", "getInspectionAttachment")
    public static let putInspectionAttachmentChunk = APIOperation("PUT", "/v1/inspections/{inspectionId}/attachments/{name}", "putInspectionAttachmentChunk")
    public static let listChargerInspections = APIOperation("GET", "/v1/chargers/{chargerId}/inspections", "listChargerInspections")
    public static let createQaRun = APIOperation("POST", "/v1/qa-runs", "createQaRun")
    public static let getQaRun = APIOperation("GET", "/v1/qa-runs/{qaRunId}", "getQaRun")
    public static let listChargerQaRuns = APIOperation("GET", "/v1/chargers/{chargerId}/qa-runs", "listChargerQaRuns")

    /// Every operation of the contract.
    public static let all: [APIOperation] = [
        getWhoAmI, listSites, listChargers, getCharger, updateCharger, getConfiguration,
        changeConfiguration, sendCommand, listEvents, listChargerEvents, createFirmwareUpload,
        getFirmwareUpload, putFirmwareUploadChunk, completeFirmwareUpload, listFirmware, getFirmware,
        updateFirmware, downloadFirmware, headFirmwareDownload, createFirmwareUpdate,
        listChargerFirmwareUpdates, getFirmwareUpdate, createInspection, getInspection,
        getInspectionAttachment, putInspectionAttachmentChunk, listChargerInspections, createQaRun,
        getQaRun, listChargerQaRuns,
    ]
}

/// Paths of the backend API, built from the operations' templates with the values
/// percent-encoded.
public enum APIPaths {
    public static let basePath = "/v1"
    public static let whoami = APIOperation.getWhoAmI.template
    public static let sites = APIOperation.listSites.template
    public static let chargers = APIOperation.listChargers.template
    public static let events = APIOperation.listEvents.template
    public static let firmwareUploads = APIOperation.createFirmwareUpload.template
    public static let firmwareCatalogue = APIOperation.listFirmware.template
    public static let inspections = APIOperation.createInspection.template
    public static let qaRuns = APIOperation.createQaRun.template

    public static func charger(_ chargerId: String) -> String { APIOperation.getCharger.path(chargerId) }
    public static func configuration(_ chargerId: String) -> String { APIOperation.getConfiguration.path(chargerId) }
    public static func commands(_ chargerId: String) -> String { APIOperation.sendCommand.path(chargerId) }
    public static func chargerEvents(_ chargerId: String) -> String { APIOperation.listChargerEvents.path(chargerId) }
    public static func firmwareUpload(_ uploadId: String) -> String { APIOperation.getFirmwareUpload.path(uploadId) }
    public static func firmwareUploadComplete(_ uploadId: String) -> String {
        APIOperation.completeFirmwareUpload.path(uploadId)
    }
    public static func firmware(_ firmwareId: String) -> String { APIOperation.getFirmware.path(firmwareId) }
    /// The charger-facing download URL path with its signature.
    public static func firmwareDownload(_ firmwareId: String, sig: String) -> String {
        APIOperation.downloadFirmware.path(firmwareId) + query([(QueryName.sig, sig)])
    }
    public static func chargerFirmwareUpdates(_ chargerId: String) -> String {
        APIOperation.createFirmwareUpdate.path(chargerId)
    }
    public static func firmwareUpdate(_ updateId: String) -> String { APIOperation.getFirmwareUpdate.path(updateId) }
    public static func inspection(_ inspectionId: String) -> String { APIOperation.getInspection.path(inspectionId) }
    public static func inspectionAttachment(_ inspectionId: String, name: String) -> String {
        APIOperation.getInspectionAttachment.path(inspectionId, name)
    }
    public static func chargerInspections(_ chargerId: String) -> String {
        APIOperation.listChargerInspections.path(chargerId)
    }
    public static func qaRun(_ qaRunId: String) -> String { APIOperation.getQaRun.path(qaRunId) }
    public static func chargerQARuns(_ chargerId: String) -> String { APIOperation.listChargerQaRuns.path(chargerId) }

    /// `?name=value&...` with names and values percent-encoded, in the order given (repeat a
    /// name for a list); empty for no items.
    public static func query(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        return "?" + items.map { encodeSegment($0.0) + "=" + encodeSegment($0.1) }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func encodeSegment(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            if isUnreserved(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return result
    }

    /// Percent-decodes a path segment or query component (`+` stays `+`); nil when an escape
    /// is malformed or the result is not UTF-8.
    public static func decodeSegment(_ text: some StringProtocol) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Header names the backend API uses.
public enum HeaderName {
    public static let authorization = "Authorization"
    public static let wwwAuthenticate = "WWW-Authenticate"
    public static let contentType = "Content-Type"
    public static let contentLength = "Content-Length"
    public static let idempotencyKey = "Idempotency-Key"
    public static let idempotentReplayed = "Idempotent-Replayed"
    public static let contentRange = "Content-Range"
    public static let contentSHA256 = "Content-SHA256"
    public static let retryAfter = "Retry-After"
    public static let location = "Location"
    public static let range = "Range"
    public static let acceptRanges = "Accept-Ranges"
    public static let eTag = "ETag"
    public static let contentDigest = "Content-Digest"
}

/// Media types the backend API uses.
public enum MediaType {
    public static let json = "application/json"
    public static let problemJSON = "application/problem+json"
    public static let mergePatchJSON = "application/merge-patch+json"
    public static let octetStream = "application/octet-stream"
}

/// Query parameter names.
public enum QueryName {
    public static let limit = "limit"
    public static let cursor = "cursor"
    public static let model = "model"
    public static let vendor = "vendor"
    public static let firmwareVersion = "firmwareVersion"
    public static let site = "site"
    public static let connected = "connected"
    public static let ocppVersion = "ocppVersion"
    public static let key = "key"
    public static let charger = "charger"
    public static let type = "type"
    public static let after = "after"
    public static let wait = "wait"
    public static let version = "version"
    public static let sha256 = "sha256"
    public static let approved = "approved"
    public static let active = "active"
    public static let sig = "sig"
}

/// Fixed numbers of the contract.
public enum APILimits {
    /// How long the backend waits for a charger's answer before `504 charger-timeout`.
    public static let chargerAnswerSeconds = 30
    /// The longest Idempotency-Key.
    public static let idempotencyKeyMaxLength = 255
    /// How long the backend at least remembers an Idempotency-Key, in seconds.
    public static let idempotencyRetentionSeconds = 24 * 3600
    /// The value of `Idempotent-Replayed` on a replayed answer.
    public static let idempotentReplayedValue = "true"
}

/// `Content-Range: bytes START-END/TOTAL` of a chunk (END inclusive).
public struct ContentRange: Sendable, Hashable, CustomStringConvertible {
    public let start: Int64
    public let end: Int64
    public let total: Int64

    /// Nil unless 0 ≤ start ≤ end < total.
    public init?(start: Int64, end: Int64, total: Int64) {
        guard start >= 0, start <= end, end < total else { return nil }
        self.start = start
        self.end = end
        self.total = total
    }

    /// The range of `length` bytes from `offset` of a `total`-byte file; nil when empty or
    /// outside the file.
    public init?(offset: Int64, length: Int64, total: Int64) {
        guard length > 0 else { return nil }
        self.init(start: offset, end: offset + length - 1, total: total)
    }

    /// Parses `bytes START-END/TOTAL` (no spaces, decimal digits only); nil otherwise.
    public init?(headerValue: String) {
        guard headerValue.hasPrefix("bytes ") else { return nil }
        let spec = headerValue.dropFirst("bytes ".count)
        guard let dash = spec.firstIndex(of: "-"), let slash = spec.firstIndex(of: "/"), dash < slash,
              let start = Self.number(spec[spec.startIndex..<dash]),
              let end = Self.number(spec[spec.index(after: dash)..<slash]),
              let total = Self.number(spec[spec.index(after: slash)...]) else { return nil }
        self.init(start: start, end: end, total: total)
    }

    public var headerValue: String { "bytes \(start)-\(end)/\(total)" }
    public var description: String { headerValue }
    /// Bytes in the range.
    public var length: Int64 { end - start + 1 }

    /// The value of Content-Range on a 416 answer: `bytes */TOTAL`.
    public static func unsatisfied(total: Int64) -> String { "bytes */\(total)" }

    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return Int64(text)
    }
}
