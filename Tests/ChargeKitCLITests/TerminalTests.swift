import ChargeKitCLI
import Synchronization
import Testing

/// Colour only on a terminal, never with NO_COLOR, TERM=dumb or --no-color.
@Suite struct TerminalTests {
    static let escape = "\u{1B}"

    /// Runs that exercise stdout styling (help), stderr styling (errors, warnings, verbose).
    static let scenarios: [[String]] = [["--help"], ["--jsn"], ["logout", "-v"], ["login", "--help"], ["-vv", "version"]]

    @Test(arguments: scenarios)
    func noEscapeSequencesWhenNotATerminal(arguments: [String]) async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(arguments, tty: .none)
        #expect(!run.stdout.contains(Self.escape))
        #expect(!run.stderr.contains(Self.escape))
    }

    @Test(arguments: scenarios)
    func noEscapeSequencesWithNoColorOrDumbTerminalOrFlag(arguments: [String]) async throws {
        let sandbox = try Sandbox()
        let variants: [([String], [String: String?])] = [
            (arguments, ["NO_COLOR": "1"]),
            (arguments, ["TERM": "dumb"]),
            (arguments + ["--no-color"], [:]),
            (["--no-color"] + arguments, [:]),
        ]
        for (arguments, environment) in variants {
            let run = await sandbox.run(arguments, environment: environment, tty: .all)
            #expect(!run.stdout.contains(Self.escape), "\(arguments) \(environment)")
            #expect(!run.stderr.contains(Self.escape), "\(arguments) \(environment)")
        }
    }

    @Test func colourOnATerminal() async throws {
        let sandbox = try Sandbox()
        let help = await sandbox.run(["--help"], tty: .all)
        #expect(help.stdout.contains("\(Self.escape)[1mUsage:\(Self.escape)[0m"))
        let error = await sandbox.run(["--jsn"], tty: .all)
        #expect(error.stderr.contains("chargekit: \(Self.escape)[31merror:\(Self.escape)[0m unknown option"))
        // An empty NO_COLOR does not count.
        let empty = await sandbox.run(["--help"], environment: ["NO_COLOR": ""], tty: .all)
        #expect(empty.stdout.contains(Self.escape))
    }

    @Test func eachStreamDecidesForItself() async throws {
        let sandbox = try Sandbox()
        let run = await sandbox.run(["--help"], tty: Sandbox.Terminals(stdin: false, stdout: false, stderr: true))
        #expect(!run.stdout.contains(Self.escape))
        let error = await sandbox.run(["--jsn"], tty: Sandbox.Terminals(stdin: false, stdout: true, stderr: false))
        #expect(!error.stderr.contains(Self.escape))
    }

    @Test func colourPolicy() {
        #expect(Palette.colorEnabled(isTTY: true, environment: [:], noColorFlag: false))
        #expect(Palette.colorEnabled(isTTY: true, environment: ["TERM": "xterm"], noColorFlag: false))
        #expect(!Palette.colorEnabled(isTTY: false, environment: [:], noColorFlag: false))
        #expect(!Palette.colorEnabled(isTTY: true, environment: ["NO_COLOR": "yes"], noColorFlag: false))
        #expect(Palette.colorEnabled(isTTY: true, environment: ["NO_COLOR": ""], noColorFlag: false))
        #expect(!Palette.colorEnabled(isTTY: true, environment: ["TERM": "dumb"], noColorFlag: false))
        #expect(!Palette.colorEnabled(isTTY: true, environment: [:], noColorFlag: true))
        #expect(Palette(enabled: false).red("x") == "x")
        #expect(Palette(enabled: true).red("x") == "\u{1B}[31mx\u{1B}[0m")
        #expect(Palette(enabled: true).bold("") == "")
    }

    @Test func quietSuppressesInformationButNotErrors() async throws {
        let sandbox = try Sandbox()
        let info = await sandbox.run(["logout", "--quiet"])
        #expect(info.status == 0)
        #expect(info.stderr == "")
        let error = await sandbox.run(["login", "-q"])
        #expect(error.status == 64)
        #expect(error.stderr.contains("error:"))
    }
}

@Suite struct ProgressTests {
    final class Clock: Sendable {
        let time = Mutex<Double>(0)
        func set(_ value: Double) { time.withLock { $0 = value } }
        func now() -> Double { time.withLock { $0 } }
    }

    @Test func styleFollowsModeTerminalAndQuiet() {
        typealias P = ProgressReporter
        #expect(P.style(for: .auto, stderrIsTTY: true, environment: [:], quiet: false) == .bar)
        #expect(P.style(for: .auto, stderrIsTTY: false, environment: [:], quiet: false) == .none)
        #expect(P.style(for: .auto, stderrIsTTY: true, environment: ["TERM": "dumb"], quiet: false) == .plain)
        #expect(P.style(for: .plain, stderrIsTTY: false, environment: [:], quiet: false) == .plain)
        #expect(P.style(for: .plain, stderrIsTTY: true, environment: [:], quiet: false) == .plain)
        #expect(P.style(for: .none, stderrIsTTY: true, environment: [:], quiet: false) == .none)
        #expect(P.style(for: .auto, stderrIsTTY: true, environment: [:], quiet: true) == .none)
    }

    @Test func barRedrawsWithPercentRateAndETA() {
        let clock = Clock()
        let output = CapturedOutput()
        let progress = ProgressReporter(label: "fw.bin", total: 4 * 1_048_576, style: .bar, output: output,
                                        now: { clock.now() })
        progress.update(completed: 0)
        clock.set(2)
        progress.update(completed: 1_048_576)
        clock.set(2.05)
        progress.update(completed: 1_100_000)  // rate-limited: not drawn
        clock.set(4)
        progress.update(completed: 2 * 1_048_576)
        clock.set(8)
        progress.update(completed: 4 * 1_048_576)
        progress.finish()
        progress.finish()
        let frames = output.text.split(separator: "\r", omittingEmptySubsequences: true)
        #expect(output.text.hasPrefix("\r"))
        #expect(frames.count == 5)
        #expect(frames[1].hasPrefix("fw.bin  [======>                 ]  25%  512.0 KiB/s  ETA 0:06"))
        #expect(frames[2].contains(" 50%  512.0 KiB/s  ETA 0:04"))
        #expect(frames[3].contains("[========================] 100%"))
        #expect(frames[4].contains("100%  512.0 KiB/s  0:08"))
        #expect(frames[4].hasSuffix("\n"))
        #expect(!output.text.contains("\u{1B}"))
    }

    @Test func fleetProgressCountsChargersPerMinute() {
        let clock = Clock()
        let bar = CapturedOutput()
        let progress = ProgressReporter(label: "config apply", total: 1000, style: .bar, output: bar, unit: .items("chargers"),
                                        now: { clock.now() })
        progress.update(completed: 0)
        clock.set(30)
        progress.update(completed: 250)
        progress.finish()
        #expect(bar.text.contains("25%  250/1000 chargers  500/min  ETA 1:30"), "\(bar.text)")
        #expect(!bar.text.contains("KiB"))

        let plain = CapturedOutput()
        let lines = ProgressReporter(label: "qa", total: 4, style: .plain, output: plain, unit: .items("chargers"),
                                     now: { clock.now() })
        clock.set(0)
        lines.update(completed: 0)
        clock.set(60)
        lines.update(completed: 2)
        lines.finish()
        #expect(plain.text.contains("qa: 50% (2/4 chargers), 2/min, ETA 1:00"), "\(plain.text)")
        #expect(plain.text.hasSuffix("qa: done, 2 chargers in 1:00 (2/min)\n"), "\(plain.text)")
    }

    @Test func barPadsOverALongerPreviousLine() {
        let clock = Clock()
        let output = CapturedOutput()
        let progress = ProgressReporter(label: "x", total: nil, style: .bar, output: output, now: { clock.now() })
        progress.update(completed: 0)
        clock.set(1)
        progress.update(completed: 5_000_000)
        clock.set(2)
        progress.update(completed: 10)  // a restarted transfer: a shorter line
        let frames = output.text.split(separator: "\r").map(String.init)
        #expect(frames.count == 3)
        #expect(frames[1] == "x  4.8 MiB  4.8 MiB/s")
        #expect(frames[2] == "x  10 B  5 B/s" + String(repeating: " ", count: frames[1].count - 14))
    }

    @Test func plainLinesArePeriodicAndHaveNoControlCharacters() {
        let clock = Clock()
        let output = CapturedOutput()
        let progress = ProgressReporter(label: "fw.bin", total: 1000, style: .plain, output: output,
                                        now: { clock.now() }, plainInterval: 2)
        progress.update(completed: 0)
        for step in 1...10 {
            clock.set(Double(step) * 0.5)
            progress.update(completed: Int64(step) * 100)
        }
        progress.finish()
        #expect(output.text == """
            fw.bin: 0% (0 B of 1000 B)
            fw.bin: 40% (400 B of 1000 B), 200 B/s, ETA 0:03
            fw.bin: 80% (800 B of 1000 B), 200 B/s, ETA 0:01
            fw.bin: done, 1000 B in 0:05 (200 B/s)

            """)
        #expect(!output.text.contains("\r"))
        #expect(!output.text.contains("\u{1B}"))
    }

    @Test func noneWritesNothing() {
        let output = CapturedOutput()
        let progress = ProgressReporter(label: "x", total: 10, style: .none, output: output, now: { 0 })
        progress.update(completed: 5)
        progress.finish()
        #expect(output.text == "")
    }

    @Test func contextProgressHonoursTheOption() async throws {
        let sandbox = try Sandbox()
        let plain = await sandbox.run(["upload", "--progress", "plain"], tool: TestCommands.tool)
        #expect(plain.stderr.hasPrefix("image.bin: 25% (1.0 KiB of 4.0 KiB)\nimage.bin: done"))
        #expect(plain.stdout == "")
        #expect(await sandbox.run(["upload"], tool: TestCommands.tool).stderr == "", "auto without a terminal")
        #expect(await sandbox.run(["upload"], tty: .all, tool: TestCommands.tool).stderr.hasPrefix("\rimage.bin  ["))
        #expect(await sandbox.run(["upload", "--progress=none"], tty: .all, tool: TestCommands.tool).stderr == "")
        #expect(await sandbox.run(["upload", "-q", "--progress=plain"], tool: TestCommands.tool).stderr == "")
    }

    @Test func formatting() {
        #expect(ProgressReporter.bytes(0) == "0 B")
        #expect(ProgressReporter.bytes(1023) == "1023 B")
        #expect(ProgressReporter.bytes(1536) == "1.5 KiB")
        #expect(ProgressReporter.bytes(5 * 1_048_576) == "5.0 MiB")
        #expect(ProgressReporter.duration(7) == "0:07")
        #expect(ProgressReporter.duration(754) == "12:34")
        #expect(ProgressReporter.duration(3723) == "1:02:03")
    }
}

@Suite struct TextTableTests {
    @Test func alignsColumnsWithoutTrailingSpaces() {
        var table = TextTable(columns: [.init("ID"), .init("STATUS"), .init("POWER", alignment: .right)])
        table.append(["CP-0001", "Available", "22 kW"])
        table.append(["CP-2", "Faulted", "7.4 kW"])
        table.append(["CP-3"])
        #expect(table.render() == """
            ID       STATUS      POWER
            CP-0001  Available   22 kW
            CP-2     Faulted    7.4 kW
            CP-3

            """)
    }

    @Test func measuresWideCharactersAndIgnoresColour() {
        var table = TextTable(columns: [.init("NAME"), .init("STATE")])
        table.append(["充電器", "\u{1B}[32mok\u{1B}[0m"])
        table.append(["ab", "down"])
        let lines = table.render(palette: Palette(enabled: true)).split(separator: "\n")
        #expect(lines[0] == "\u{1B}[1mNAME\u{1B}[0m    \u{1B}[1mSTATE\u{1B}[0m")
        #expect(lines[1] == "充電器  \u{1B}[32mok\u{1B}[0m")
        #expect(lines[2] == "ab      down")
    }

    @Test func headerCanBeHidden() {
        var table = TextTable(columns: [.init("A"), .init("B")])
        table.showsHeader = false
        table.append(["x", "y"])
        #expect(table.render() == "x  y\n")
    }
}
