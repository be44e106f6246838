import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Readings

/// CPU time and peak resident memory of one process.
struct ProcessUsage: Codable, Sendable {
    var userSeconds: Double = 0
    var systemSeconds: Double = 0
    /// Peak resident set in KiB (VmHWM, or wait4's ru_maxrss for a child).
    var peakRSSKiB: Int = 0

    var cpuSeconds: Double { userSeconds + systemSeconds }

    init() {}

    init(_ usage: rusage) {
        userSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        systemSeconds = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        peakRSSKiB = Int(usage.ru_maxrss) // KiB on Linux
    }

    /// This process now: getrusage for CPU, /proc/self/status VmHWM for the peak RSS.
    static func current() -> ProcessUsage {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        var reading = ProcessUsage(usage)
        if let hwm = statusField("VmHWM") { reading.peakRSSKiB = hwm }
        return reading
    }

    /// A `Name:   1234 kB` line of /proc/self/status, in KiB.
    static func statusField(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.dropFirst(name.count + 1).filter { $0.isNumber }
            return Int(digits)
        }
        return nil
    }
}

/// What a client child (`get-client`, `upload-client`) prints as one JSON line.
struct ClientReport: Codable, Sendable {
    var client: String
    /// Requests in the measured phase and how many got the expected answer.
    var requests: Int
    var succeeded: Int
    var firstFailure: String?
    /// Wall time of the measured phase (warm-up and start-up excluded).
    var seconds: Double
    /// Request body bytes sent in the measured phase.
    var bytesSent: Int64
    /// CPU this process spent in the measured phase.
    var cpuSeconds: Double
    /// The process's peak RSS at the end (everything it did, warm-up included).
    var peakRSSKiB: Int
}

/// What the `serve` child answers at /stats/process.
struct ServerStats: Codable, Sendable {
    var cpuSeconds: Double
    var peakRSSKiB: Int
    var requests: Int
}

/// What the `serve` child recorded for one upload path.
struct UploadRecord: Codable, Sendable {
    var bodyLength: Int64
    var bodySHA256: String
}

// MARK: Numbers

enum Stats {
    /// The middle value; for an even count the mean of the two middle ones.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

enum Format {
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    /// 12345.6 -> "12,346"
    static func grouped(_ value: Double) -> String {
        let whole = Int(value.rounded())
        let digits = String(abs(whole))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return whole < 0 ? "-" + out : out
    }

    static func mib(kib: Int) -> String { fixed(Double(kib) / 1024, 1) + " MiB" }

    /// Decimal megabytes per second.
    static func mbps(_ bytesPerSecond: Double) -> String { fixed(bytesPerSecond / 1e6, 1) }

    static func bytes(_ count: Int64) -> String {
        if count >= 1 << 30 && count % (1 << 30) == 0 { return "\(count >> 30) GiB" }
        if count >= 1 << 20 && count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        return "\(count) bytes"
    }
}

// MARK: Tables

/// Left-aligned first column, right-aligned others, two spaces apart.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(indent: String = "  ") -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ row: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in row.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(i == 0 ? cell + pad : pad + cell)
            }
            return indent + parts.joined(separator: "  ")
        }
        var out = [line(header), indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

/// Standard output, flushed per line so progress shows when piped.
func say(_ text: String = "") {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

func warn(_ text: String) {
    FileHandle.standardError.write(Data(("chargekit-bench: " + text + "\n").utf8))
}
