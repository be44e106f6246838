import BackendAPI
import Foundation

/// How a command talks: data on stdout, messages on stderr.
///
/// - `print` writes data to stdout (with `--json`, use `json` instead: stdout then carries
///   JSON only);
/// - `info` writes an informational line to stderr unless `--quiet`;
/// - `verbose` writes to stderr with `-v` (level 1) or `-vv` (level 2), never with `--quiet`;
/// - `warning` and `error` always write to stderr, prefixed "chargekit: warning:" and
///   "chargekit: error:".
public struct Console: Sendable {
    public let io: IO
    public let json: Bool
    public let quiet: Bool
    public let verbosity: Int
    /// Styling for stdout and stderr, each decided by its own stream.
    public let stdoutPalette: Palette
    public let stderrPalette: Palette

    public init(io: IO, json: Bool = false, quiet: Bool = false, verbosity: Int = 0, noColorFlag: Bool = false) {
        self.io = io
        self.json = json
        self.quiet = quiet
        self.verbosity = verbosity
        stdoutPalette = Palette(enabled: Palette.colorEnabled(isTTY: io.stdoutIsTTY, environment: io.environment,
                                                              noColorFlag: noColorFlag))
        stderrPalette = Palette(enabled: Palette.colorEnabled(isTTY: io.stderrIsTTY, environment: io.environment,
                                                              noColorFlag: noColorFlag))
    }

    /// Data to stdout, with a newline.
    public func print(_ line: String) {
        io.stdout.write(line + "\n")
    }

    /// Data to stdout, as is.
    public func write(_ text: String) {
        io.stdout.write(text)
    }

    /// A value as pretty JSON (sorted keys, dates in RFC 3339 as the backend API has them) on stdout.
    public func json<Value: Encodable>(_ value: Value) throws {
        let encoder = JSONCoding.makeEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        io.stdout.write(String(decoding: data, as: UTF8.self) + "\n")
    }

    public func info(_ line: String) {
        guard !quiet else { return }
        io.stderr.write(line + "\n")
    }

    public func verbose(_ line: String, level: Int = 1) {
        guard !quiet, verbosity >= level else { return }
        io.stderr.write(stderrPalette.dim(line) + "\n")
    }

    public func warning(_ line: String) {
        io.stderr.write("chargekit: \(stderrPalette.yellow("warning:")) \(line)\n")
    }

    public func error(_ line: String) {
        io.stderr.write("chargekit: \(stderrPalette.red("error:")) \(line)\n")
    }

    /// A prompt on stderr, only when stdin is a terminal (piped input gets none).
    public func prompt(_ text: String) {
        guard io.stdinIsTTY else { return }
        io.stderr.write(text)
    }
}
