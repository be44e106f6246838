import Foundation

/// A bad command line; main prints it with the usage and exits 64 (EX_USAGE).
struct UsageError: Error {
    let message: String
}

/// `--name value` and `--name=value` options of one subcommand, checked against the
/// names it knows. No positional arguments: every input is named.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: [String], known: Set<String>) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError(message: "unexpected argument \"\(argument)\"")
            }
            var name = String(argument.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                index += 1
                guard index < arguments.count else { throw UsageError(message: "--\(name) needs a value") }
                value = arguments[index]
            }
            guard known.contains(name) else { throw UsageError(message: "unknown option --\(name)") }
            guard values[name] == nil else { throw UsageError(message: "--\(name) given twice") }
            values[name] = value
            index += 1
        }
    }

    func string(_ name: String) -> String? { values[name] }

    func required(_ name: String) throws(UsageError) -> String {
        guard let value = values[name] else { throw UsageError(message: "--\(name) is required") }
        return value
    }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
            throw UsageError(message: "--\(name) wants a whole number in \(range.lowerBound)...\(range.upperBound), not \"\(text)\"")
        }
        return value
    }

    /// A byte count: `1073741824`, `64K`, `64M`, `1G` (binary multiples; a trailing `iB` or `B` is allowed).
    func size(_ name: String, default fallback: Int64, range: ClosedRange<Int64>) throws(UsageError) -> Int64 {
        guard let text = values[name] else { return fallback }
        guard let value = Self.parseSize(text), range.contains(value) else {
            throw UsageError(message: "--\(name) wants a size like 64M or 1G in \(range.lowerBound)...\(range.upperBound) bytes, not \"\(text)\"")
        }
        return value
    }

    static func parseSize(_ text: String) -> Int64? {
        var digits = text.uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) {
            digits.removeLast(suffix.count)
            break
        }
        var multiplier: Int64 = 1
        switch digits.last {
        case "K": multiplier = 1 << 10
        case "M": multiplier = 1 << 20
        case "G": multiplier = 1 << 30
        default: break
        }
        if multiplier > 1 { digits.removeLast() }
        guard let number = Int64(digits), number >= 0 else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
