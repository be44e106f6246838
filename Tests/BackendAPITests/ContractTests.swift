import BackendAPI
import Foundation
import JSON
import Testing
import TestSupport

// The contract (docs/backend-api.yaml) and the Swift types must not drift apart: these tests
// validate the document, check every example in it against its schema, decode every example
// (and a synthesized instance of every object schema with all members filled in) with the
// Swift type of that schema, require the re-encoding to be identical, and validate the Swift
// encodings against the schemas again.

@Test func contractIsAValidOpenAPIDocument() async throws {
    guard try await pythonHasModule("openapi_spec_validator") else {
        Issue.record("Python module openapi_spec_validator is missing: pip install openapi-spec-validator")
        return
    }
    let result = try await runPython(["-m", "openapi_spec_validator", contractPath])
    #expect(result.succeeded, "openapi_spec_validator failed:\n\(result.stdout)\(result.stderr)")
    #expect(!result.stdout.lowercased().contains("error"), "\(result.stdout)")
}

/// What docs/tools/check-examples.py --emit writes.
private struct Emitted: Decodable, Sendable {
    var examples: [String: [JSONValue]]
    var maximal: [String: JSONValue]
    var kinds: [String: String]
    var enums: [String: [String]]
    var operations: [[String]]
}

private typealias RoundTrip = (Data) throws -> Data

private func roundTrip<T: Codable>(_ type: T.Type) -> RoundTrip {
    { data in try JSONCoding.encode(try JSONCoding.decode(T.self, from: data)) }
}

/// The Swift type of every schema in components/schemas (objects and plain strings).
private func swiftTypes() -> [String: RoundTrip] { [
    // values
    "ChargerId": roundTrip(String.self),
    "Sha256": roundTrip(String.self),
    "NextCursor": roundTrip(String?.self),
    "IdempotencyKeyValue": roundTrip(String.self),
    "AttachmentName": roundTrip(String.self),
    // identity
    "Identity": roundTrip(Identity.self),
    "Address": roundTrip(Address.self),
    "Site": roundTrip(Site.self),
    "SitePage": roundTrip(SitePage.self),
    // chargers
    "ChargerSummary": roundTrip(ChargerSummary.self),
    "ChargerPage": roundTrip(ChargerPage.self),
    "Charger": roundTrip(Charger.self),
    "BootInfo": roundTrip(BootInfo.self),
    "Connector": roundTrip(Connector.self),
    "SiteRef": roundTrip(SiteRef.self),
    "Location": roundTrip(Location.self),
    "TechnicalData": roundTrip(TechnicalData.self),
    "MeterReading": roundTrip(MeterReading.self),
    "PhaseValues": roundTrip(PhaseValues.self),
    "ChargerPatch": roundTrip(ChargerPatch.self),
    // configuration
    "Configuration": roundTrip(Configuration.self),
    "ConfigurationItem": roundTrip(ConfigurationItem.self),
    "ConfigurationChange": roundTrip(ConfigurationChange.self),
    "ConfigurationChangeRequest": roundTrip(ConfigurationChangeRequest.self),
    "ConfigurationChangeResult": roundTrip(ConfigurationChangeResult.self),
    "StatusInfo": roundTrip(StatusInfo.self),
    "ConfigurationChangeResponse": roundTrip(ConfigurationChangeResponse.self),
    // commands and events
    "CommandRequest": roundTrip(CommandRequest.self),
    "CommandResponse": roundTrip(CommandResponse.self),
    "Event": roundTrip(Event.self),
    "EventBatch": roundTrip(EventBatch.self),
    // firmware
    "FirmwareUploadRequest": roundTrip(FirmwareUploadRequest.self),
    "FirmwareUpload": roundTrip(FirmwareUpload.self),
    "UploadProgress": roundTrip(UploadProgress.self),
    "Firmware": roundTrip(Firmware.self),
    "FirmwarePatch": roundTrip(FirmwarePatch.self),
    "FirmwarePage": roundTrip(FirmwarePage.self),
    "FirmwareUpdateRequest": roundTrip(FirmwareUpdateRequest.self),
    "FirmwareUpdateStep": roundTrip(FirmwareUpdateStep.self),
    "FirmwareUpdate": roundTrip(FirmwareUpdate.self),
    "FirmwareUpdatePage": roundTrip(FirmwareUpdatePage.self),
    // inspections
    "ChecklistRef": roundTrip(ChecklistRef.self),
    "Inspector": roundTrip(Inspector.self),
    "Instrument": roundTrip(Instrument.self),
    "MeasurementLimit": roundTrip(MeasurementLimit.self),
    "InspectionMeasurement": roundTrip(InspectionMeasurement.self),
    "InspectionAnswer": roundTrip(InspectionAnswer.self),
    "AttachmentDescriptor": roundTrip(AttachmentDescriptor.self),
    "InspectionReport": roundTrip(InspectionReport.self),
    "AttachmentReceipt": roundTrip(AttachmentReceipt.self),
    "InspectionReceipt": roundTrip(InspectionReceipt.self),
    "InspectionRecord": roundTrip(InspectionRecord.self),
    "InspectionAttachment": roundTrip(InspectionAttachment.self),
    "InspectionSummary": roundTrip(InspectionSummary.self),
    "InspectionPage": roundTrip(InspectionPage.self),
    // QA runs
    "ToolInfo": roundTrip(ToolInfo.self),
    "QACheck": roundTrip(QACheck.self),
    "QARun": roundTrip(QARun.self),
    "QARunReceipt": roundTrip(QARunReceipt.self),
    "QARunRecord": roundTrip(QARunRecord.self),
    "QACheckCounts": roundTrip(QACheckCounts.self),
    "QARunSummary": roundTrip(QARunSummary.self),
    "QARunPage": roundTrip(QARunPage.self),
    // errors
    "FieldError": roundTrip(FieldError.self),
    "Problem": roundTrip(Problem.self),
] }

private func known<E: OpenEnum>(_ type: E.Type) -> [String] { E.allKnown.map(\.rawValue) }

/// The Swift enum of every enumerated schema, as its known wire values.
private let swiftEnums: [String: [String]] = [
    "OCPPVersion": known(OCPPVersion.self),
    "Role": known(Role.self),
    "RegistrationStatus": known(RegistrationStatus.self),
    "ConnectorStatus": known(ConnectorStatus.self),
    "Mutability": known(Mutability.self),
    "ConfigurationChangeStatus": known(ConfigurationChangeStatus.self),
    "FirmwareUploadState": known(FirmwareUploadState.self),
    "FirmwareUpdateStatus": known(FirmwareUpdateStatus.self),
    "FirmwareUpdateStepSource": known(FirmwareUpdateStepSource.self),
    "InspectionKind": known(InspectionKind.self),
    "Verdict": known(Verdict.self),
    "ItemResult": known(ItemResult.self),
    "AttachmentKind": known(AttachmentKind.self),
    "QACheckStatus": known(QACheckStatus.self),
    "ProblemType": known(ProblemType.self),
]

/// The example checker's output, computed once for all the tests below.
/// The checker runs once per test process, however many tests ask for its output.
private actor EmittedOnce {
    private var task: Task<Emitted, any Error>?

    func get() async throws -> Emitted {
        if let task { return try await task.value }
        let task = Task { try await runExampleChecker() }
        self.task = task
        return try await task.value
    }
}

private let emittedOnce = EmittedOnce()

private func emittedContract() async throws -> Emitted { try await emittedOnce.get() }

private func runExampleChecker() async throws -> Emitted {
    for module in ["yaml", "jsonschema", "referencing"] where !(try await pythonHasModule(module)) {
        throw ToolError(description: "Python module \(module) is missing: pip install pyyaml jsonschema")
    }
    let scratch = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let emitPath = scratch.appendingPathComponent("emitted.json").path
    let result = try await runPython([exampleCheckerPath, contractPath, "--emit", emitPath])
    guard result.succeeded else {
        throw ToolError(description: "check-examples.py found problems in the contract:\n\(result.stderr)\(result.stdout)")
    }
    let data = try Data(contentsOf: URL(fileURLWithPath: emitPath))
    return try JSONCoding.decode(Emitted.self, from: data)
}

@Test func everyExampleConformsToItsSchemaAndSurvivesTheSwiftTypes() async throws {
    let emitted = try await emittedContract()
    let swiftTypes = swiftTypes()

    // Every schema of the document has a Swift counterpart, and vice versa.
    for (name, kind) in emitted.kinds.sorted(by: { $0.key < $1.key }) {
        switch kind {
        case "enum": #expect(swiftEnums[name] != nil, "schema \(name) (enum) has no Swift enum in the test's table")
        default: #expect(swiftTypes[name] != nil, "schema \(name) has no Swift type in the test's table")
        }
    }
    for name in Array(swiftTypes.keys) + Array(swiftEnums.keys) {
        #expect(emitted.kinds[name] != nil, "Swift table names \(name), which the document does not define")
    }

    // The examples and the synthesized instances, decoded and re-encoded with the Swift types.
    var samples: [(name: String, label: String, value: JSONValue)] = []
    for (name, values) in emitted.examples.sorted(by: { $0.key < $1.key }) {
        for (index, value) in values.enumerated() { samples.append((name, "example #\(index)", value)) }
    }
    for (name, value) in emitted.maximal.sorted(by: { $0.key < $1.key }) {
        samples.append((name, "synthesized instance", value))
    }
    #expect(samples.count > 100, "suspiciously few examples: \(samples.count)")

    var encodings: [String: [JSONValue]] = [:]
    for sample in samples {
        guard let swiftRoundTrip = swiftTypes[sample.name] else { continue }
        do {
            let reencoded = try JSONCoding.decode(JSONValue.self, from: try swiftRoundTrip(try JSONCoding.encode(sample.value)))
            let differences = jsonDifferences(sample.value, reencoded)
            #expect(differences.isEmpty,
                    "\(sample.name) \(sample.label) changes through the Swift type:\n\(differences.joined(separator: "\n"))")
            encodings[sample.name, default: []].append(reencoded)
        } catch {
            Issue.record("\(sample.name) \(sample.label) does not decode with the Swift type: \(error)")
        }
    }

    // What Swift encodes conforms to the schemas (closed objects, formats, required nulls).
    let scratch = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let encodedURL = scratch.appendingPathComponent("swift-encoded.json")
    try JSONCoding.encode(encodings).write(to: encodedURL)
    let result = try await runPython([exampleCheckerPath, contractPath, "--validate", encodedURL.path])
    #expect(result.succeeded, "Swift encodings do not conform to the contract:\n\(result.stderr)")
}

@Test func swiftEnumsKnowExactlyTheDocumentsValues() async throws {
    let emitted = try await emittedContract()
    for (name, values) in emitted.enums.sorted(by: { $0.key < $1.key }) {
        guard let swift = swiftEnums[name] else {
            Issue.record("enum schema \(name) has no Swift enum")
            continue
        }
        #expect(swift == values, "\(name): document \(values), Swift \(swift)")
    }
}

@Test func apiOperationsMatchTheDocument() async throws {
    let emitted = try await emittedContract()
    let document = Set(emitted.operations.map { $0.joined(separator: " ") })
    let swift = Set(APIOperation.all.map { "\($0.method) \($0.template) \($0.operationId)" })
    #expect(document.subtracting(swift).isEmpty, "in the document, not in APIOperation.all: \(document.subtracting(swift).sorted())")
    #expect(swift.subtracting(document).isEmpty, "in APIOperation.all, not in the document: \(swift.subtracting(document).sorted())")
    #expect(APIOperation.all.count == Set(APIOperation.all).count, "APIOperation.all lists an operation twice")
}

/// Where two JSON values differ, as `path: left ≠ right` lines (empty when equal).
func jsonDifferences(_ left: JSONValue, _ right: JSONValue, at path: String = "") -> [String] {
    switch (left, right) {
    case (.object(let a), .object(let b)):
        var lines: [String] = []
        for key in Set(a.keys).union(b.keys).sorted() {
            switch (a[key], b[key]) {
            case (let x?, let y?): lines += jsonDifferences(x, y, at: "\(path)/\(key)")
            case (let x?, nil): lines.append("\(path)/\(key): \(x) is dropped")
            case (nil, let y?): lines.append("\(path)/\(key): \(y) is added")
            case (nil, nil): break
            }
        }
        return lines
    case (.array(let a), .array(let b)) where a.count == b.count:
        return zip(a, b).enumerated().flatMap { index, pair in jsonDifferences(pair.0, pair.1, at: "\(path)/\(index)") }
    default:
        return left == right ? [] : ["\(path.isEmpty ? "/" : path): \(left) ≠ \(right)"]
    }
}
