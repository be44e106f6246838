import Foundation
import Testing
@testable import ChargeKit

/// docs/profiles.md is what CPO engineers read: its catalogue table and measurand list must
/// say what the code does.
@Suite struct ProfileDocsTests {
    static func document() throws -> String {
        try String(contentsOfFile: profileRepositoryRoot + "/docs/profiles.md", encoding: .utf8)
    }

    static func typeWord(_ type: SettingType) -> String {
        switch type {
        case .boolean: "boolean"
        case .integer: "integer"
        case .text: "string"
        case .measurands: "list of measurands"
        case .secret: "secret"
        }
    }

    @Test func theCatalogueTableListsEverySettingAsTheCodeDefinesIt() throws {
        let rows = try Self.document().split(separator: "\n").filter { $0.hasPrefix("| `") }
        for definition in SettingsCatalogue.all {
            guard let row = rows.first(where: { $0.hasPrefix("| `\(definition.name)` |") }) else {
                Issue.record("docs/profiles.md has no row for \(definition.name)")
                continue
            }
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells[1] == Self.typeWord(definition.type), "\(definition.name)")
            switch definition.type {
            case .integer(let range), .text(let range), .secret(let range):
                #expect(cells[2].hasPrefix("\(range.lowerBound)...\(range.upperBound)"), "\(definition.name): \(cells[2])")
            default:
                #expect(cells[2].isEmpty, "\(definition.name)")
            }
            #expect(cells[3].hasPrefix("`\(definition.ocpp16?.key ?? "-")`"), "\(definition.name)")
            #expect(cells[4].hasPrefix("`\(definition.ocpp201?.key ?? "-")`"), "\(definition.name)")
        }
        let documented = rows.filter { row in SettingsCatalogue.names.contains { row.hasPrefix("| `\($0)` |") } }
        #expect(documented.count == SettingsCatalogue.all.count)
    }

    @Test func everyMeasurandIsDocumented() throws {
        let document = try Self.document()
        for measurand in SettingsCatalogue.allMeasurands {
            #expect(document.contains("`\(measurand)`"), "\(measurand)")
        }
    }

    @Test func everyFieldIsDocumented() throws {
        let document = try Self.document()
        for field in ProfileLayerParser.topLevelFields + ProfileLayerParser.modelFields + ProfileLayerParser.networkProfileFields {
            #expect(document.contains("`\(field)`"), "\(field)")
        }
    }
}
