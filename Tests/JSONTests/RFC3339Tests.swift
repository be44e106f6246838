import Foundation
import JSON
import Testing

@Suite struct RFC3339Tests {
    @Test func theFractionIsWrittenAsEachWireFormatWantsIt() {
        let whole = Date(timeIntervalSince1970: 1_741_944_413)
        #expect(RFC3339.format(whole, fraction: .milliseconds) == "2025-03-14T09:26:53.000Z")
        #expect(RFC3339.format(whole, fraction: .millisecondsWhenNonZero) == "2025-03-14T09:26:53Z")
        let part = Date(timeIntervalSince1970: 1_741_944_413.25)
        #expect(RFC3339.format(part, fraction: .milliseconds) == "2025-03-14T09:26:53.250Z")
        #expect(RFC3339.format(part, fraction: .millisecondsWhenNonZero) == "2025-03-14T09:26:53.250Z")
    }

    @Test func whatIsWrittenIsReadBack() throws {
        for seconds in [-86_400.5, 0, 951_825_600.123, 1_741_944_413.999, 4_102_444_800] {
            let date = Date(timeIntervalSince1970: seconds)
            for fraction in [RFC3339.Fraction.milliseconds, .millisecondsWhenNonZero] {
                let back = try #require(RFC3339.parse(RFC3339.format(date, fraction: fraction)))
                #expect(abs(back.timeIntervalSince1970 - seconds) < 0.0005)
            }
        }
    }
}
