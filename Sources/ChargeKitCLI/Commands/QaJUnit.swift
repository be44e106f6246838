import BackendAPI
import ChargeKit
import Foundation

/// QA results as JUnit XML, the form CI servers and dashboards read: one `testsuite` per
/// charger, one `testcase` per check. FAIL is a `failure`, ERROR an `error`, SKIP `skipped`;
/// WARN passes with its remark in `system-out`. A charger that could not be read at all is a
/// suite with one errored case.
enum JUnitReport {
    static func xml(_ outcomes: [Qa.FleetOutcome]) -> String {
        var suites: [String] = []
        var totals = (tests: 0, failures: 0, errors: 0, skipped: 0, time: 0.0)
        for outcome in outcomes {
            switch outcome {
            case .report(let report):
                let failures = report.count(.fail), errors = report.count(.error), skipped = report.count(.skip)
                let time = report.finishedAt.timeIntervalSince(report.startedAt)
                totals.tests += report.checks.count
                totals.failures += failures
                totals.errors += errors
                totals.skipped += skipped
                totals.time += time
                var lines = ["  <testsuite name=\"\(escape(report.charger))\" tests=\"\(report.checks.count)\" failures=\"\(failures)\" "
                    + "errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(seconds(time))\" timestamp=\"\(Timestamp.format(report.startedAt))\">"]
                lines.append("    <properties>")
                lines.append("      <property name=\"verdict\" value=\"\(report.verdict.rawValue)\"/>")
                lines.append("      <property name=\"qaRunId\" value=\"\(escape(report.id))\"/>")
                if let v = report.ocppVersion { lines.append("      <property name=\"ocppVersion\" value=\"\(escape(v))\"/>") }
                if let f = report.firmwareVersion { lines.append("      <property name=\"firmwareVersion\" value=\"\(escape(f))\"/>") }
                lines.append("    </properties>")
                for check in report.checks {
                    lines.append(contentsOf: testcase(check, charger: report.charger))
                }
                lines.append("  </testsuite>")
                suites.append(lines.joined(separator: "\n"))
            case .unreadable(let charger, let error):
                totals.tests += 1
                totals.errors += 1
                suites.append("""
                      <testsuite name="\(escape(charger))" tests="1" failures="0" errors="1" skipped="0" time="0">
                        <testcase classname="chargekit.qa.\(escape(charger))" name="qa" time="0">
                          <error type="ERROR" message="\(escape(error.description))"/>
                        </testcase>
                      </testsuite>
                    """)
            }
        }
        let head = "<testsuites name=\"chargekit qa\" tests=\"\(totals.tests)\" failures=\"\(totals.failures)\" "
            + "errors=\"\(totals.errors)\" skipped=\"\(totals.skipped)\" time=\"\(seconds(totals.time))\">"
        return (["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", head] + suites + ["</testsuites>"]).joined(separator: "\n") + "\n"
    }

    private static func testcase(_ check: QACheckResult, charger: String) -> [String] {
        let open = "    <testcase classname=\"chargekit.qa.\(escape(charger))\" name=\"\(check.id.rawValue)\" "
            + "time=\"\(seconds(Double(check.durationMs) / 1000))\">"
        let detail = ["measured: \(check.measured?.description ?? "null")", "expected: \(check.expected?.description ?? "null")"]
            + (check.remedy.map { ["remedy: \($0)"] } ?? [])
        let body = escape(detail.joined(separator: "\n"))
        switch check.status {
        case .fail:
            return [open, "      <failure type=\"FAIL\" message=\"\(escape(check.message))\">\(body)</failure>", "    </testcase>"]
        case .error:
            return [open, "      <error type=\"ERROR\" message=\"\(escape(check.message))\">\(body)</error>", "    </testcase>"]
        case .skip:
            return [open, "      <skipped message=\"\(escape(check.message))\"/>", "    </testcase>"]
        case .warn:
            return [open, "      <system-out>\(escape("WARN: " + check.message))</system-out>", "    </testcase>"]
        default:
            return [open, "    </testcase>"]
        }
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", max(0, value)) }

    static func escape(_ text: String) -> String { Markup.escape(text) }
}
