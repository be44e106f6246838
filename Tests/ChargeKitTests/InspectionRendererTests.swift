import BackendAPI
import Foundation
import Testing
import TestSupport
@testable import ChargeKit

@Suite struct InspectionRendererTests {
    /// The example answers, finished, with one failing measurement and a note that needs escaping.
    static func finished() throws -> (InspectionRenderer, InspectionReport) {
        let template = try ChecklistTemplateTests.shipped("commissioning")
        var draft = InspectionDraft(chargerId: "CP-0001", template: template, templateSource: "commissioning",
                                    startedAt: Date(timeIntervalSince1970: 1_790_000_000))
        var photos: [String: Data] = [:]
        for (id, entry) in try AnswersFile.load(path: try Fixtures.path("answers/commissioning.json"), template: template) {
            draft.answers[id] = .init(answer: entry.answer, note: entry.note, at: draft.startedAt)
            if case .photo(let path) = entry.answer {
                let bytes = try #require(FileManager.default.contents(atPath: path))
                photos[id] = bytes
                let name = InspectionStore.attachmentName(item: id, sha256: "0123456789abcdef", extension: "png")
                draft.photos[id] = .init(name: name, file: name, sha256: "0123456789abcdef", size: Int64(photos[id]?.count ?? 0),
                                         mediaType: "image/png", originalName: "installation.png")
            }
        }
        draft.answers["C2"] = .init(answer: .measurement(value: 0.4, unit: "MΩ"), note: "moisture in the <junction> box", at: draft.startedAt)
        draft.charger = .init(vendor: "ABB", model: "Terra AC", serialNumber: "TACW-0001", firmwareVersion: "1.8.2", siteId: "site-north")
        draft.inspector = Inspector(name: "A. Installer", registration: "NL-1234")
        draft.instrument = Instrument(serial: "MI3152-0042", calibratedAt: "2024-01-15")
        let report = try draft.finish(template: template, at: Date(timeIntervalSince1970: 1_790_000_900))
        return (InspectionRenderer(draft: draft, template: template, photos: photos), report)
    }

    @Test func htmlIsOneFileWithEverythingACustomerNeeds() throws {
        let (renderer, report) = try Self.finished()
        let html = renderer.html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("@page { size: A4;"))
        #expect(html.contains("<div class=\"verdict fail\">FAIL</div>"))
        for field in ["CP-0001", "ABB Terra AC", "TACW-0001", "A. Installer, registration NL-1234", "MI3152-0042, calibrated 2024-01-15 (calibration expired)"] {
            #expect(html.contains(field), "header has \(field)")
        }
        for section in renderer.template.sections { #expect(html.contains("<h2>\(section.id) · \(section.title)</h2>")) }
        #expect(html.contains("<tr class=\"fail\"><td class=\"id\">C2</td>"))
        #expect(html.contains("<li><b>C2</b> Insulation resistance L/N–PE at 500 V DC: 0.4 MΩ is outside ≥ 1 MΩ</li>"))
        #expect(html.contains("Note: moisture in the &lt;junction&gt; box"))
        #expect(!html.contains("<junction>"))
        let png = try #require(renderer.photos["B8"]).base64EncodedString()
        #expect(html.contains("<img src=\"data:image/png;base64,\(png)\""))
        #expect(html.contains("content sha256 \(report.contentHash)"))
        #expect(!html.contains("http://") && !html.contains("https://"), "self-contained: nothing loaded from elsewhere")
        // Every element opened is closed (the few void elements aside).
        for tag in ["html", "head", "body", "table", "tr", "td", "th", "h1", "h2", "div", "figure", "figcaption", "ul", "li", "style", "title", "span"] {
            #expect(html.components(separatedBy: "<\(tag)>").count + html.components(separatedBy: "<\(tag) ").count - 2
                    == html.components(separatedBy: "</\(tag)>").count - 1, "<\(tag)> balanced")
        }
    }

    @Test func markdownCarriesTheSameResults() throws {
        let (renderer, report) = try Self.finished()
        let markdown = renderer.markdown()
        #expect(markdown.hasPrefix("# Initial verification of an EV charging installation\n\n**FAIL**\n"))
        #expect(markdown.contains("| C2 | Insulation resistance L/N–PE at 500 V DC (note: moisture in the <junction> box) | FAIL | 0.4 MΩ | ≥ 1 MΩ |"))
        #expect(markdown.contains("| D6 | Earth electrode resistance RA | – | – |  |"))
        #expect(markdown.contains(report.contentHash))
    }

    @Test func aDraftSaysSo() throws {
        let template = try ChecklistTemplateTests.shipped("periodic")
        let draft = InspectionDraft(chargerId: "CP-0002", template: template, templateSource: "periodic")
        let html = InspectionRenderer(draft: draft, template: template).html()
        #expect(html.contains("<div class=\"verdict draft\">DRAFT – not finished</div>"))
        #expect(html.contains("not read from the backend yet"))
        #expect(!html.contains("content sha256"))
    }
}

/// The report in a real browser: it renders on screen and prints to A4.
@Suite(.enabled(if: executablePath(named: "chromium", "chromium-browser") != nil, "chromium is not installed (apt-get install chromium)"))
struct InspectionBrowserTests {
    @Test func chromiumRendersAndPrintsTheReport() async throws {
        let (renderer, _) = try InspectionRendererTests.finished()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        try Data(renderer.html().utf8).write(to: page)
        let browser = try #require(executablePath(named: "chromium", "chromium-browser"))
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--user-data-dir=\(directory.path)/profile"]
        let shot = directory.appendingPathComponent("report.png")
        let pdf = directory.appendingPathComponent("report.pdf")
        let screenshot = try await runTool(browser, common + ["--window-size=1240,1754", "--screenshot=\(shot.path)", page.absoluteString])
        #expect(screenshot.succeeded, "\(screenshot.stderr)")
        let printed = try await runTool(browser, common + ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", page.absoluteString])
        #expect(printed.succeeded, "\(printed.stderr)")
        let png = try #require(FileManager.default.contents(atPath: shot.path))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "a real screenshot, not a blank page")
        let document = try #require(FileManager.default.contents(atPath: pdf.path))
        #expect(document.starts(with: Array("%PDF".utf8)))
        // A4 portrait is 595 × 842 points (Chromium writes 594.96 × 841.92).
        let text = String(decoding: document, as: UTF8.self)
        #expect(text.contains("/MediaBox [0 0 594.9") || text.contains("/MediaBox [0 0 595"), "printed on A4")
        if let keep = ProcessInfo.processInfo.environment["CHARGEKIT_KEEP_REPORT_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: shot.path, toPath: keep)
        }
    }
}
