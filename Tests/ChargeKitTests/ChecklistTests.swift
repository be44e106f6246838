import Foundation
import Testing
import TestSupport
@testable import ChargeKit

@Suite struct ChecklistTemplateTests {
    static func shipped(_ id: String) throws -> ChecklistTemplate {
        try ChecklistTemplate.load(path: try Fixtures.path("checklists/\(id).json"), file: "checklists/\(id).json")
    }

    @Test func theShippedTemplatesValidate() throws {
        let commissioning = try Self.shipped("commissioning")
        #expect(commissioning.id == "commissioning")
        #expect(commissioning.standards.map(\.name) == ["IEC 60364-6", "IEC 60364-7-722", "IEC 61851-1"])
        // The order IEC 60364-6 prescribes: visual, continuity and insulation, disconnection, functional.
        #expect(commissioning.sections.map(\.id) == ["A", "B", "C", "D", "E", "S"])
        for id in ["B1", "B2", "C1", "C2", "D1", "D2", "D3", "D4", "D6", "D7", "D8", "D9", "D10", "D13", "D16", "E5", "E7", "E9"] {
            #expect(commissioning.item(id) != nil, "commissioning has \(id)")
        }
        #expect(commissioning.item("C2")?.unit?.symbol == "MΩ")
        let periodic = try Self.shipped("periodic")
        #expect(periodic.items.contains { $0.text.contains("RCD") })
        #expect(periodic.items.contains { $0.text.contains("Firmware") })
    }

    /// The commissioning answers of a TN-S, three-phase installation with a general RCD, all good.
    static let good: [String: String] = [
        "earthing": "TN-S", "phases": "3", "rcdClass": "general", "protectiveDevice": "B32",
        "B1": "pass", "B2": "pass", "B3": "pass", "B4": "pass", "B5": "pass", "B7": "pass",
        "C1": "0.32", "C2": "250 MΩ", "D1": "correct", "D2": "clockwise", "D3": "231.5", "D4": "0.8",
        "D7": "12", "D8": "no trip", "D9": "24", "D10": "12", "D13": "4.8", "D16": "1.2",
        "E1": "12", "E2": "9", "E3": "6", "E5": "1000", "E6": "0.2", "E7": "pass", "E8": "pass", "signature": "A. Installer",
    ]

    static func evaluate(_ template: ChecklistTemplate, _ typed: [String: String]) throws -> ChecklistEvaluation {
        var answers: [String: ChecklistAnswer] = [:]
        for (id, text) in typed {
            let item = try #require(template.item(id), "no item \(id)")
            answers[id] = try ChecklistAnswer.parse(text, for: item)
        }
        return ChecklistEvaluation(template: template, answers: answers)
    }

    @Test func aGoodInstallationPassesAndConditionsSkipWhatDoesNotApply() throws {
        let template = try Self.shipped("commissioning")
        let evaluation = try Self.evaluate(template, Self.good)
        #expect(evaluation.verdict == .pass, "\(evaluation.failures) \(evaluation.missing)")
        let d6 = try #require(evaluation.items.first { $0.id == "D6" })
        #expect(d6.status == .skipped && d6.message == "applies only when earthing is TT")
        #expect(evaluation.items.first { $0.id == "C2" }?.measured == "250 MΩ")
        #expect(evaluation.items.first { $0.id == "B8" }?.status == .unanswered)
    }

    @Test func everyRuleKindJudgesItsBoundaries() throws {
        let template = try Self.shipped("commissioning")
        func status(_ id: String, _ value: String, context: [String: String] = [:]) throws -> ChecklistEvaluation.Item.Status? {
            var typed = Self.good.merging(context) { $1 }
            typed[id] = value
            return try Self.evaluate(template, typed).items.first { $0.id == id }?.status
        }
        // max
        #expect(try status("C1", "1.0") == .pass)
        #expect(try status("C1", "1.01") == .fail)
        // min
        #expect(try status("C2", "1 MΩ") == .pass)
        #expect(try status("C2", "999 kΩ") == .fail)
        // range
        #expect(try status("D3", "207") == .pass)
        #expect(try status("D3", "253.1") == .fail)
        #expect(try status("D3", "206.9 V") == .fail)
        // oneOf
        #expect(try status("D1", "Reversed") == .fail)
        #expect(try status("D8", "NO TRIP") == .pass)
        // pass/fail/na
        #expect(try status("B1", "fail") == .fail)
        #expect(try status("B1", "na") == .notApplicable)
    }

    @Test func conditionsPickTheItemsAndTheLimits() throws {
        let template = try Self.shipped("commissioning")
        // TT earthing: the earth electrode must be measured.
        let tt = try Self.evaluate(template, Self.good.merging(["earthing": "TT"]) { $1 })
        #expect(tt.verdict == .incomplete)
        #expect(tt.missing.map(\.id) == ["D6"])
        // Single phase: no phase sequence.
        var single = Self.good.merging(["phases": "1"]) { $1 }
        single["D2"] = nil
        #expect(try Self.evaluate(template, single).items.first { $0.id == "D2" }?.status == .skipped)
        // 200 ms fails a general RCD and passes a selective one, whose limit starts at 130 ms.
        let general = try Self.evaluate(template, Self.good.merging(["D9": "200"]) { $1 })
        #expect(general.items.first { $0.id == "D9" }?.status == .pass)
        let fast = try Self.evaluate(template, Self.good.merging(["D9": "100", "D10": "80", "rcdClass": "selective"]) { $1 })
        let d9 = try #require(fast.items.first { $0.id == "D9" })
        #expect(d9.status == .fail && d9.limit == "130 – 500 ms")
        #expect(d9.message == "100 ms is outside 130 – 500 ms")
        #expect(fast.verdict == .fail && fast.failures.map(\.id) == ["D9"])
        // The loop impedance limit follows the protective device.
        let b16 = try Self.evaluate(template, Self.good.merging(["protectiveDevice": "b16", "D4": "2.5"]) { $1 })
        #expect(b16.items.first { $0.id == "D4" }?.status == .pass)
        #expect(try Self.evaluate(template, Self.good.merging(["D4": "2.5"]) { $1 }).verdict == .fail)
    }

    @Test func typedAnswersAreConvertedOrRefusedWithTheReason() throws {
        let template = try Self.shipped("commissioning")
        let c1 = try #require(template.item("C1"))
        #expect(try ChecklistAnswer.parse("420 mΩ", for: c1) == .measurement(value: 0.42, unit: "Ω"))
        #expect(try ChecklistAnswer.parse("0,42", for: c1) == .measurement(value: 0.42, unit: "Ω"))
        #expect(try ChecklistAnswer.parse("0.42 Ohm", for: c1) == .measurement(value: 0.42, unit: "Ω"))
        #expect(try ChecklistAnswer.parse("2 MOhm", for: try #require(template.item("C2"))) == .measurement(value: 2, unit: "MΩ"))
        func reason(_ text: String, _ id: String) throws -> String? {
            let item = try #require(template.item(id))
            do {
                _ = try ChecklistAnswer.parse(text, for: item)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(try reason("12 V", "C1") == "C1: V measures voltage, this item resistance (in Ω)")
        #expect(try reason("low", "C1") == "C1: 'low' is not a number (in Ω)")
        #expect(try reason("3 furlongs", "C1") == "C1: 'furlongs' is not a unit chargekit knows; this item is measured in Ω")
        #expect(try reason("na", "C1") == "C1: this item must be answered; 'na' is only for pass/fail items and optional ones")
        #expect(try reason("TN-X", "earthing") == "earthing: 'TN-X' is not one of TN-S, TN-C-S, TT, IT; did you mean 'TN-S'?")
        #expect(try reason("maybe", "B1") == "B1: 'maybe' is not pass, fail or na")
    }

    /// A template with one mistake, and the message that names file, line, item and field.
    @Test(arguments: [
        (#"{"id": "k", "kind": "measurment", "text": "x", "unit": "Ω", "rule": {"max": 1}}"#,
         "t.json:7:21: item k: sections[0].items[0].kind: 'measurment' is not an item kind (passFail, measurement, text, choice, photo, signature); did you mean 'measurement'?"),
        (#"{"id": "k", "kind": "measurement", "text": "x", "rule": {"max": 1}}"#,
         "t.json:7:9: item k: sections[0].items[0]: a measurement needs a \"unit\""),
        (#"{"id": "k", "kind": "measurement", "text": "x", "unit": "Ω", "rule": {"min": 5, "max": 1}}"#,
         "t.json:7:70: item k: sections[0].items[0].rule: min 5 is above max 1"),
        (#"{"id": "k", "kind": "measurement", "text": "x", "unit": "Ω", "rule": {"max": "1"}}"#,
         "t.json:7:79: item k: sections[0].items[0].rule.max: must be a number, not a string"),
        (#"{"id": "k", "kind": "passFail", "text": "x", "when": {"later": "pass"}}"#,
         "t.json:7:63: item k: sections[0].items[0].when.later: 'later' is not an item before this one (conditions look only at earlier items)"),
        (#"{"id": "k", "kind": "passFail", "text": "x", "tolerance": 1}"#,
         "t.json:7:54: item k: sections[0].items[0].tolerance: unknown field"),
        (#"{"id": "k", "kind": "choice", "text": "x", "choices": ["a", "b"], "rule": {"oneOf": ["c"]}}"#,
         "t.json:7:84: item k: sections[0].items[0].rule.oneOf: 'c' is not one of the item's choices"),
        (#"{"id": "k", "kind": "passFail", "text": "x"}, {"id": "k", "kind": "passFail", "text": "y"}"#,
         "t.json:7:56: item k: sections[0].items[1].id: 'k' is already the id of an earlier item"),
    ])
    func aBadTemplateNamesFileLineItemAndField(item: String, message: String) throws {
        let text = """
            {
              "id": "t", "version": "1", "title": "T",
              "standards": [{"name": "IEC 60364-6", "edition": "2016"}],
              "sections": [
                {"id": "S", "title": "S",
                 "items": [
                    \(item)
                 ]}
              ]
            }
            """
        do {
            _ = try ChecklistTemplate.parse(Array(text.utf8), file: "t.json")
            Issue.record("accepted: \(item)")
        } catch {
            #expect(error.issues.map(\.description) == [message])
        }
    }

    @Test func aSyntaxErrorSaysWhere() {
        do {
            _ = try ChecklistTemplate.parse(Array("{\n  \"id\": \"t\",\n  \"version\": 1.0.0\n}".utf8), file: "t.json")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("t.json:3:"))
            #expect(error.description.contains("invalid JSON"))
        }
    }
}

@Suite struct ShippedChecklistTests {
    @Test func everyTemplateInFixturesIsCompiledInUnchanged() throws {
        let directory = try Fixtures.path("checklists")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == ChecklistTemplate.shippedIDs.sorted())
        for id in ChecklistTemplate.shippedIDs {
            let onDisk = try ChecklistTemplate.load(path: directory + "/\(id).json", file: "checklists/\(id).json")
            #expect(try ChecklistTemplate.shipped(id) == onDisk)
        }
        #expect(try ChecklistTemplate.shipped("annual") == nil)
    }
}
