/// Aligned columns for listings (chargers, jobs, checks):
///
///     var table = TextTable(columns: [.init("ID"), .init("STATUS"), .init("POWER", alignment: .right)])
///     table.append(["CP-001", "Available", "22 kW"])
///     context.console.write(table.render(palette: context.console.stdoutPalette))
///
/// Columns are separated by two spaces, there is no trailing whitespace, widths are
/// measured in terminal columns (wide characters count two, colour codes count zero).
public struct TextTable: Sendable {
    public enum Alignment: Sendable {
        case left
        case right
    }

    public struct Column: Sendable {
        public let title: String
        public let alignment: Alignment

        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public let columns: [Column]
    public private(set) var rows: [[String]] = []
    /// Print the title row (bold when the palette has colour).
    public var showsHeader = true

    public init(columns: [Column]) {
        self.columns = columns
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    public mutating func append(_ row: [String]) {
        rows.append((0..<columns.count).map { $0 < row.count ? row[$0] : "" })
    }

    public func render(palette: Palette = .plain) -> String {
        var widths = columns.map { showsHeader ? DisplayWidth.of($0.title) : 0 }
        for row in rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], DisplayWidth.of(DisplayWidth.stripStyles(cell)))
            }
        }
        var lines: [String] = []
        if showsHeader {
            lines.append(line(columns.map(\.title), widths: widths, style: palette.bold))
        }
        for row in rows {
            lines.append(line(row, widths: widths, style: { $0 }))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    private func line(_ cells: [String], widths: [Int], style: (String) -> String) -> String {
        var parts: [String] = []
        for (column, cell) in cells.enumerated() {
            let padding = String(repeating: " ", count: max(0, widths[column] - DisplayWidth.of(DisplayWidth.stripStyles(cell))))
            let isLast = column == cells.count - 1
            switch columns[column].alignment {
            case .left: parts.append(style(cell) + (isLast ? "" : padding))
            case .right: parts.append(padding + style(cell))
            }
        }
        var text = parts.joined(separator: "  ")
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}
