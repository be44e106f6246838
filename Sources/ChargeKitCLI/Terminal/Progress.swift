import Synchronization

/// The `--progress` option.
public enum ProgressMode: String, Sendable, CaseIterable {
    /// A redrawn bar when stderr is a terminal, nothing otherwise.
    case auto
    /// Periodic plain lines, no escape sequences or carriage returns (logs, CI).
    case plain
    /// Nothing.
    case none
}

/// Progress of a transfer or a long step, on stderr only. Thread-safe: libcurl progress
/// callbacks may call `update` from the transfer thread.
///
///     let progress = context.progress(label: "firmware.bin", total: size)
///     progress.update(completed: sent)      // as often as you like; drawing is rate-limited
///     progress.finish()
public final class ProgressReporter: Sendable {
    public enum Style: Sendable, Equatable {
        /// `\r`-redrawn bar with percent, rate and ETA.
        case bar
        /// A line every `plainInterval` seconds and one at the end.
        case plain
        case none
    }

    /// What `--progress` means on this stderr: `auto` draws a bar only on a terminal (plain
    /// lines when TERM=dumb); `--quiet` silences progress whatever the mode.
    public static func style(for mode: ProgressMode, stderrIsTTY: Bool, environment: [String: String],
                             quiet: Bool) -> Style {
        if quiet { return .none }
        switch mode {
        case .none: return .none
        case .plain: return .plain
        case .auto:
            guard stderrIsTTY else { return .none }
            return environment["TERM"] == "dumb" ? .plain : .bar
        }
    }

    private struct State {
        var completed: Int64 = 0
        var total: Int64?
        var start: Double?
        var lastDraw: Double?
        var lastWidth = 0
        var finished = false
    }

    /// What is counted: bytes (shown as KiB/MiB, rates per second) or items such as chargers
    /// (shown as `12/1000 chargers`, rates per minute).
    public enum Unit: Sendable, Equatable {
        case bytes
        case items(String)
    }

    public let label: String
    public let style: Style
    public let unit: Unit
    private let output: any TextOutput
    private let now: @Sendable () -> Double
    private let plainInterval: Double
    private let barInterval: Double
    private let state: Mutex<State>

    public init(label: String, total: Int64?, style: Style, output: any TextOutput, unit: Unit = .bytes,
                now: @escaping @Sendable () -> Double, plainInterval: Double = 2, barInterval: Double = 0.1) {
        self.label = label
        self.style = style
        self.unit = unit
        self.output = output
        self.now = now
        self.plainInterval = plainInterval
        self.barInterval = barInterval
        state = Mutex(State(total: total))
    }

    public func update(completed: Int64, total: Int64? = nil) {
        guard style != .none else { return }
        let time = now()
        let text: String? = state.withLock { state in
            guard !state.finished else { return nil }
            state.completed = completed
            if let total { state.total = total }
            if state.start == nil { state.start = time }
            let interval = style == .bar ? barInterval : plainInterval
            if let last = state.lastDraw, time - last < interval { return nil }
            state.lastDraw = time
            return render(&state, at: time, final: false)
        }
        if let text { output.write(text) }
    }

    /// Draws the final state and ends the line. Later calls do nothing.
    public func finish() {
        guard style != .none else { return }
        let time = now()
        let text: String? = state.withLock { state in
            guard !state.finished else { return nil }
            state.finished = true
            if state.start == nil { state.start = time }
            return render(&state, at: time, final: true)
        }
        if let text { output.write(text) }
    }

    private func amount(_ count: Int64) -> String {
        switch unit {
        case .bytes: Self.bytes(count)
        case .items(let noun): "\(count) \(noun)"
        }
    }

    private func amount(_ count: Int64, of total: Int64) -> String {
        switch unit {
        case .bytes: "\(Self.bytes(count)) of \(Self.bytes(total))"
        case .items(let noun): "\(count)/\(total) \(noun)"
        }
    }

    private func rateText(_ rate: Double) -> String {
        switch unit {
        case .bytes: "\(Self.bytes(Int64(rate)))/s"
        case .items: "\(Int((rate * 60).rounded()))/min"
        }
    }

    private func render(_ state: inout State, at time: Double, final: Bool) -> String {
        let elapsed = time - (state.start ?? time)
        let rate = elapsed > 0.001 ? Double(state.completed) / elapsed : nil
        switch style {
        case .none:
            return ""
        case .plain:
            if final {
                var line = "\(label): done, \(amount(state.completed)) in \(Self.duration(elapsed))"
                if let rate { line += " (\(rateText(rate)))" }
                return line + "\n"
            }
            var parts: [String] = []
            if let total = state.total, total > 0 {
                parts.append("\(Self.percent(state.completed, of: total))% (\(amount(state.completed, of: total)))")
            } else {
                parts.append(amount(state.completed))
            }
            if let rate { parts.append(rateText(rate)) }
            if let eta = Self.eta(state, rate: rate) { parts.append("ETA \(Self.duration(eta))") }
            return "\(label): " + parts.joined(separator: ", ") + "\n"
        case .bar:
            var line = label + "  "
            if let total = state.total, total > 0 {
                let fraction = min(1, max(0, Double(state.completed) / Double(total)))
                let width = 24
                let filled = Int(fraction * Double(width))
                let head = filled < width ? ">" : ""
                line += "[" + String(repeating: "=", count: filled) + head
                    + String(repeating: " ", count: max(0, width - filled - head.count)) + "] "
                let percent = String(Self.percent(state.completed, of: total))
                line += String(repeating: " ", count: max(0, 3 - percent.count)) + percent + "%"
                if case .items = unit { line += "  " + amount(state.completed, of: total) }
            } else {
                line += amount(state.completed)
            }
            if let rate { line += "  " + rateText(rate) }
            if final {
                line += "  \(Self.duration(elapsed))"
            } else if let eta = Self.eta(state, rate: rate) {
                line += "  ETA \(Self.duration(eta))"
            }
            let width = DisplayWidth.of(line)
            let padding = String(repeating: " ", count: max(0, state.lastWidth - width))
            state.lastWidth = width
            return "\r" + line + padding + (final ? "\n" : "")
        }
    }

    private static func eta(_ state: State, rate: Double?) -> Double? {
        guard let total = state.total, let rate, rate > 0, total >= state.completed else { return nil }
        return Double(total - state.completed) / rate
    }

    static func percent(_ completed: Int64, of total: Int64) -> Int {
        guard total > 0 else { return 0 }
        return Int(min(100, max(0, (Double(completed) * 100 / Double(total)).rounded(.down))))
    }

    /// "512 B", "1.5 KiB", "12.3 MiB".
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }

    /// "0:07", "12:34", "1:02:03".
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        let twoDigits: (Int) -> String = { $0 < 10 ? "0\($0)" : "\($0)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }
}
