import Foundation

/// Help text, rendered from the same tables the parser uses.
public struct HelpFormatter: Sendable {
    public let tool: CommandLineTool
    public let palette: Palette
    public var width = 80

    public init(tool: CommandLineTool, palette: Palette) {
        self.tool = tool
        self.palette = palette
    }

    /// `chargekit --help`.
    public func topLevel() -> String {
        var out = "\(palette.bold("Usage:")) \(tool.name) [OPTIONS] COMMAND [ARGUMENTS]\n\n"
        out += wrap(tool.abstract, indent: 0) + "\n"
        out += section("Commands", commandRows(tool.commands.map(\.spec)))
        out += optionSections(tool.globalOptions, titleSuffix: " options")
        out += "\nRun '\(tool.name) help COMMAND' for a command's options. See \(tool.name)(1).\n"
        return out
    }

    /// `chargekit COMMAND --help`, `chargekit help COMMAND`.
    public func command(_ spec: CommandSpec) -> String {
        var usage = "\(tool.name) \(spec.name)"
        if !spec.options.isEmpty || !spec.relevantGlobalOptions.isEmpty { usage += " [OPTIONS]" }
        for positional in spec.positionals { usage += " " + positional.synopsis }
        var out = "\(palette.bold("Usage:")) \(usage)\n\n"
        out += wrap(spec.summary + ".", indent: 0) + "\n"
        for paragraph in spec.discussion.components(separatedBy: "\n\n") where !paragraph.isEmpty {
            out += "\n" + wrap(paragraph, indent: 0) + "\n"
        }
        if !spec.positionals.isEmpty {
            out += section("Arguments", spec.positionals.map { ($0.synopsis, $0.help) })
        }
        out += optionSections(spec.options, titleSuffix: "")
        if !spec.relevantGlobalOptions.isEmpty {
            out += section("Global options used", spec.relevantGlobalOptions.map { ($0.synopsis, $0.help) })
        }
        out += "\nGlobal options (see '\(tool.name) --help') are accepted too.\nSee \(spec.manPage)(1).\n"
        return out
    }

    /// `chargekit config --help` for a group of two-level commands.
    public func group(_ path: [String]) -> String {
        let name = ([tool.name] + path).joined(separator: " ")
        var out = "\(palette.bold("Usage:")) \(name) COMMAND [OPTIONS] [ARGUMENTS]\n"
        let children = tool.commands.map(\.spec).filter { $0.path.count > path.count && $0.path.starts(with: path) }
        out += section("Commands", commandRows(children))
        out += "\nRun '\(tool.name) help \(path.joined(separator: " ")) COMMAND' for a command's options.\n"
        return out
    }

    private func commandRows(_ specs: [CommandSpec]) -> [(String, String)] {
        specs.map { ($0.name, $0.summary) }
    }

    private func optionSections(_ options: [OptionSpec], titleSuffix: String) -> String {
        var groups: [String] = []
        for option in options where !groups.contains(option.group) { groups.append(option.group) }
        return groups.map { group in
            section(group + titleSuffix, options.filter { $0.group == group }.map { option in
                (option.synopsis, option.help + (option.repeatable && option.kind.takesValue ? " Repeatable." : ""))
            })
        }.joined()
    }

    private func section(_ title: String, _ rows: [(String, String)]) -> String {
        guard !rows.isEmpty else { return "" }
        let column = min(32, (rows.map { DisplayWidth.of($0.0) }.max() ?? 0) + 4)
        var out = "\n\(palette.bold(title + ":"))\n"
        for (left, right) in rows {
            let head = "  " + left
            let pad = column - DisplayWidth.of(head)
            if pad >= 2 {
                out += head + String(repeating: " ", count: pad) + wrap(right, indent: column).dropFirst(column) + "\n"
            } else {
                out += head + "\n" + wrap(right, indent: column) + "\n"
            }
        }
        return out
    }

    /// Wraps `text` to `width`, every line indented by `indent` spaces.
    func wrap(_ text: String, indent: Int) -> String {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        var lines: [String] = []
        var line = ""
        for word in words {
            if !line.isEmpty && indent + DisplayWidth.of(line) + 1 + DisplayWidth.of(String(word)) > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        let prefix = String(repeating: " ", count: indent)
        return lines.map { prefix + $0 }.joined(separator: "\n")
    }
}
