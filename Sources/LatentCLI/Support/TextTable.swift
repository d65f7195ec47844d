/// Aligned plain-text columns: the first column left-aligned, the others right-aligned.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as lines, columns separated by two spaces, with a rule under the header; the first `leftAligned`
    /// columns and those in `alsoLeft` are left-aligned, the others right-aligned.
    func render(leftAligned: Int = 1, alsoLeft: Set<Int> = []) -> [String] {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all { for (c, cell) in row.enumerated() { widths[c] = max(widths[c], cell.count) } }
        func format(_ row: [String]) -> String {
            var parts: [String] = []
            for c in 0..<columns {
                let cell = c < row.count ? row[c] : ""
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                parts.append(c < leftAligned || alsoLeft.contains(c) ? cell + pad : pad + cell)
            }
            var line = parts.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return [format(header), rule] + rows.map(format)
    }
}
