import Foundation
import Testing
import TestSupport
@testable import ChargeKit

/// The non-interactive ways answers arrive: an answers file and a tester's CSV export.
@Suite struct InspectionInputTests {
    static func template() throws -> ChecklistTemplate { try ChecklistTemplateTests.shipped("commissioning") }

    @Test func theExampleAnswersPassTheCommissioningChecklist() throws {
        let template = try Self.template()
        let entries = try AnswersFile.load(path: try Fixtures.path("answers/commissioning.json"), template: template)
        #expect(entries["C1"]?.answer == .measurement(value: 0.32, unit: "Ω"))
        #expect(entries["E7"]?.answer == .pass)
        #expect(entries["D4"]?.note == "measured at the outlet")
        guard case .photo(let path)? = entries["B8"]?.answer else { Issue.record("B8 is not a photo"); return }
        #expect(FileManager.default.isReadableFile(atPath: path) && path.hasSuffix("photos/installation.png"))
        let evaluation = ChecklistEvaluation(template: template, answers: entries.mapValues(\.answer))
        #expect(evaluation.verdict == .pass, "\(evaluation.failures) \(evaluation.missing)")
        let periodic = try ChecklistTemplateTests.shipped("periodic")
        let answers = try AnswersFile.load(path: try Fixtures.path("answers/periodic.json"), template: periodic)
        #expect(ChecklistEvaluation(template: periodic, answers: answers.mapValues(\.answer)).verdict == .pass)
    }

    @Test(arguments: [
        (#"{"C7": 1}"#, "a.json:1:2: item C7: C7: not an item of checklist 'commissioning'; did you mean 'B7'?"),
        (#"{"C1": "12 V"}"#, "a.json:1:2: item C1: C1: V measures voltage, this item resistance (in Ω)"),
        (#"{"C1": "low"}"#, "a.json:1:2: item C1: C1: 'low' is not a number (in Ω)"),
        (#"{"B8": {"photo": "nowhere.jpg"}}"#, "a.json:1:9: item B8: B8.photo: photo nowhere.jpg cannot be read"),
        (#"{"C1": {"answer": 320, "unit": "mΩ", "comment": "x"}}"#, "a.json:1:38: item C1: C1.comment: unknown field \"comment\" (answer, note, photo, unit)"),
        (#"{"B1": [true]}"#, "a.json:1:2: item B1: B1: must be a string, a number, true or false or an object, not an array"),
    ])
    func badAnswersNameFileLineItemAndField(text: String, message: String) throws {
        let template = try Self.template()
        do {
            _ = try AnswersFile.parse(Array(text.utf8), file: "a.json", template: template, baseDirectory: "/nonexistent")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func aUnitGivenWithTheAnswerIsConverted() throws {
        let entries = try AnswersFile.parse(Array(#"{"C1": {"answer": 320, "unit": "mΩ"}, "C2": 0.5}"#.utf8), file: "a.json",
                                            template: try Self.template(), baseDirectory: ".")
        #expect(entries["C1"]?.answer == .measurement(value: 0.32, unit: "Ω"))
        #expect(entries["C2"]?.answer == .measurement(value: 0.5, unit: "MΩ"))
    }

    @Test func aColumnsExportIsImportedAndUnmappedColumnsReported() throws {
        let result = try MeasurementImport.load(csvPath: try Fixtures.path("measurements/columns.csv"),
                                                mapPath: try Fixtures.path("measurements/columns-map.json"), template: try Self.template())
        #expect(result.answers == ["C1": .measurement(value: 0.32, unit: "Ω"), "D4": .measurement(value: 0.8, unit: "Ω"),
                                   "D9": .measurement(value: 24, unit: "ms")])
        #expect(result.unmapped == ["Object", "Date", "Riso [MOhm]", "Comment"])
    }

    @Test func aRowsExportConvertsUnitsPerRow() throws {
        let result = try MeasurementImport.load(csvPath: try Fixtures.path("measurements/rows.csv"),
                                                mapPath: try Fixtures.path("measurements/rows-map.json"), template: try Self.template())
        #expect(result.answers == ["C1": .measurement(value: 0.32, unit: "Ω"), "C2": .measurement(value: 250, unit: "MΩ"),
                                   "D4": .measurement(value: 0.8, unit: "Ω"), "D9": .measurement(value: 24, unit: "ms")])
        #expect(result.unmapped == ["VOLTAGE"])
    }

    @Test func aUnitOfAnotherQuantityIsRefusedWithTheLine() throws {
        let csv = "Test;Result;Unit\nR LOW;12;V\nRCD t;abc;ms\n"
        let map = #"{"layout": "rows", "name": "Test", "value": "Result", "unit": "Unit", "tests": {"R LOW": "C1", "RCD t": "D9", "X": "B1"}}"#
        let template = try Self.template()
        do {
            _ = try MeasurementImport.run(csv: csv, csvFile: "t.csv", map: Array(map.utf8), mapFile: "m.json", template: template)
            Issue.record("accepted")
        } catch {
            #expect(error.issues.map(\.description) == [
                "m.json:1:111: item B1: tests.X: 'B1' is not a measurement",
                "t.csv:2:1: item C1: Result: V measures voltage, this item resistance (in Ω)",
                "t.csv:3:1: item D9: Result: 'abc' is not a number (in ms)",
            ])
        }
    }

    @Test func csvQuotingAndSeparators() {
        #expect(CSV.parse("a;b;c\n1;\"x;y\";\"say \"\"hi\"\"\"\r\n\n2;;\n") == [["a", "b", "c"], ["1", "x;y", "say \"hi\""], ["2", "", ""]])
        #expect(CSV.parse("\u{FEFF}a,b\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(CSV.parse("a\tb\n1\t2\n") == [["a", "b"], ["1", "2"]])
    }
}
