import BackendAPI
import Testing

@Test func pathsAreBuiltFromTheTemplatesWithEncodedSegments() {
    #expect(APIPaths.charger("BE-ANT-0042") == "/v1/chargers/BE-ANT-0042")
    #expect(APIPaths.charger("a/b c%ü") == "/v1/chargers/a%2Fb%20c%25%C3%BC")
    #expect(APIPaths.configuration("X") == "/v1/chargers/X/configuration")
    #expect(APIPaths.commands("X") == "/v1/chargers/X/commands")
    #expect(APIPaths.chargerEvents("X") == "/v1/chargers/X/events")
    #expect(APIPaths.firmwareUpload("up_1") == "/v1/firmware/uploads/up_1")
    #expect(APIPaths.firmwareUploadComplete("up_1") == "/v1/firmware/uploads/up_1/complete")
    #expect(APIPaths.firmware("fw_1") == "/v1/firmware/fw_1")
    #expect(APIPaths.firmwareDownload("fw_1", sig: "a+b/c=") == "/v1/firmware/fw_1/download?sig=a%2Bb%2Fc%3D")
    #expect(APIPaths.chargerFirmwareUpdates("X") == "/v1/chargers/X/firmware-updates")
    #expect(APIPaths.firmwareUpdate("fu_1") == "/v1/firmware-updates/fu_1")
    #expect(APIPaths.inspection("i") == "/v1/inspections/i")
    #expect(APIPaths.inspectionAttachment("i", name: "rcd-label.jpg") == "/v1/inspections/i/attachments/rcd-label.jpg")
    #expect(APIPaths.chargerInspections("X") == "/v1/chargers/X/inspections")
    #expect(APIPaths.qaRun("q") == "/v1/qa-runs/q")
    #expect(APIPaths.chargerQARuns("X") == "/v1/chargers/X/qa-runs")
    #expect(APIPaths.whoami == "/v1/whoami")
    #expect(APIPaths.events == "/v1/events")
}

@Test func queryStringsRepeatNamesAndEncodeValues() {
    #expect(APIPaths.query([]) == "")
    #expect(APIPaths.query([(QueryName.charger, "A"), (QueryName.charger, "B&C"), (QueryName.wait, "30")])
            == "?charger=A&charger=B%26C&wait=30")
    #expect(APIPaths.query([(QueryName.key, "DeviceDataCtrlr.ItemsPerMessage[SetVariables]@1")])
            == "?key=DeviceDataCtrlr.ItemsPerMessage%5BSetVariables%5D%401")
}

@Test func routingFindsTheOperationAndDecodesParameters() throws {
    let charger = try #require(APIOperation.route(method: "GET", path: "/v1/chargers/a%2Fb%20c"))
    #expect(charger.operation == .getCharger)
    #expect(charger.parameters == ["chargerId": "a/b c"])

    let attachment = try #require(APIOperation.route(method: "PUT", path: "/v1/inspections/i-1/attachments/x.jpg"))
    #expect(attachment.operation == .putInspectionAttachmentChunk)
    #expect(attachment.parameters == ["inspectionId": "i-1", "name": "x.jpg"])

    // A literal segment wins over a placeholder.
    #expect(APIOperation.route(method: "POST", path: "/v1/firmware/uploads")?.operation == .createFirmwareUpload)
    #expect(APIOperation.route(method: "GET", path: "/v1/firmware/uploads/up_1")?.operation == .getFirmwareUpload)
    #expect(APIOperation.route(method: "GET", path: "/v1/firmware/fw_1")?.operation == .getFirmware)

    #expect(APIOperation.route(method: "DELETE", path: "/v1/chargers/X") == nil)
    #expect(Set(APIOperation.allowedMethods(path: "/v1/chargers/X")) == ["GET", "PATCH"])
    #expect(APIOperation.allowedMethods(path: "/v1/nothing").isEmpty)
    #expect(APIOperation.route(method: "GET", path: "/v1/chargers/") == nil, "empty placeholder")
    #expect(APIOperation.route(method: "GET", path: "/v1/chargers/%zz") == nil, "bad escape")
    #expect(APIOperation.route(method: "GET", path: "/v1/chargers/X/") == nil, "trailing slash")
}

@Test func everyOperationRoutesToItselfFromItsOwnPath() {
    for operation in APIOperation.all {
        let values = operation.parameterNames.map { "v-\($0)" }
        let path: String
        switch values.count {
        case 0: path = operation.path()
        case 1: path = operation.path(values[0])
        default: path = operation.path(values[0], values[1])
        }
        let routed = APIOperation.route(method: operation.method, path: path)
        #expect(routed?.operation == operation, "\(operation) from \(path)")
        #expect(routed?.parameters == Dictionary(uniqueKeysWithValues: zip(operation.parameterNames, values)))
    }
}

@Test func contentRangeParsesAndFormats() throws {
    let range = try #require(ContentRange(headerValue: "bytes 0-4194303/12582912"))
    #expect(range.start == 0 && range.end == 4_194_303 && range.total == 12_582_912)
    #expect(range.length == 4_194_304)
    #expect(range.headerValue == "bytes 0-4194303/12582912")
    #expect(ContentRange(offset: 8_388_608, length: 4_194_304, total: 12_582_912)?.headerValue
            == "bytes 8388608-12582911/12582912")
    #expect(ContentRange(offset: 0, length: 0, total: 10) == nil)
    #expect(ContentRange.unsatisfied(total: 42) == "bytes */42")
    for bad in ["bytes 5-4/10", "bytes 0-10/10", "bytes -1-3/10", "bytes 0-3", "bytes=0-3/10", "bytes 0-3/*",
                "bytes 0 -3/10", "bytes +0-3/10", "bytes 0-3/10 ", "items 0-3/10", "bytes 0-99999999999999999999/1"] {
        #expect(ContentRange(headerValue: bad) == nil, "\(bad)")
    }
}

@Test func attachmentNamesNeedNoEscaping() {
    for good in ["rcd-label.jpg", "a", "Signature_2.PNG", String(repeating: "x", count: 128)] {
        #expect(AttachmentDescriptor.isValidName(good), "\(good)")
        #expect(APIPaths.encodeSegment(good) == good)
    }
    for bad in ["", ".hidden", "-x", "a b", "a/b", "ü.jpg", String(repeating: "x", count: 129)] {
        #expect(!AttachmentDescriptor.isValidName(bad), "\(bad)")
    }
}

@Test func headerNamesAreSpeltOnce() {
    #expect(HeaderName.idempotencyKey == "Idempotency-Key")
    #expect(HeaderName.contentRange == "Content-Range")
    #expect(HeaderName.contentSHA256 == "Content-SHA256")
    #expect(HeaderName.retryAfter == "Retry-After")
    #expect(MediaType.problemJSON == Problem.mediaType)
    #expect(CommandAction.supported(by: .v16).contains("RemoteStartTransaction"))
    #expect(CommandAction.supported(by: .v201).contains("RequestStartTransaction"))
    #expect(CommandAction.supported(by: .unknown("2.1")).isEmpty)
}

@Test func everyOperationFittingAPathIsFoundWhateverItsMethod() {
    #expect(APIOperation.fitting(path: "/v1/chargers/X").map(\.operation) == [.getCharger, .updateCharger])
    #expect(APIOperation.fitting(path: "/v1/chargers/X").allSatisfy { $0.parameters == ["chargerId": "X"] })
    // Both the collection and a firmware called "uploads" fit; route prefers the literal.
    #expect(Set(APIOperation.fitting(path: "/v1/firmware/uploads").map(\.operation.operationId))
            == ["createFirmwareUpload", "getFirmware", "updateFirmware"])
    #expect(APIOperation.fitting(path: "/v1/nothing").isEmpty)
    #expect(APIOperation.createFirmwareUpload.literalSegmentCount == 4 && APIOperation.getFirmware.literalSegmentCount == 3)
}
