import Foundation
import Latent

// TODO(data): everything in this file stands in for library API that the data work adds to Sources/Latent/Data
// (`ItemCatalog.read(_:)`, `DatasetSummary`, `SyntheticData`). When it lands, replace each body by the one-line call
// named in its comment and delete the rest; the commands call only `readItemCatalog`, `summarizeDataset` and
// `generateSyntheticData`.

/// Titles and genres from a MovieLens `u.item` (ISO-8859-1, `|`-separated) or `movies.csv` file.
/// TODO(data): `try ItemCatalog.read(URL(fileURLWithPath: path))`.
func readItemCatalog(_ path: String) throws -> ItemCatalog {
    let url = URL(fileURLWithPath: path)
    guard let data = try? Data(contentsOf: url) else {
        throw DataError.unreadable(file: path, reason: "cannot read the item file")
    }
    let text = String(data: data, encoding: .utf8) ?? String(decoding: data.map { $0 }, as: Unicode.ASCII.self)
    let latin1 = String(data: data, encoding: .isoLatin1) ?? text
    var catalog = ItemCatalog()
    if path.hasSuffix(".csv") {
        for (n, line) in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).enumerated() where n > 0 {
            var fields: [String] = [], field = "", quoted = false
            for c in line {
                if c == "\"" { quoted.toggle() } else if c == "," && !quoted { fields.append(field); field = "" } else { field.append(c) }
            }
            fields.append(field)
            guard fields.count >= 2 else { continue }
            catalog.titles[fields[0]] = fields[1]
            if fields.count >= 3 { catalog.genres[fields[0]] = fields[2].split(separator: "|").map(String.init) }
        }
    } else {
        for line in latin1.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { continue }
            catalog.titles[String(fields[0])] = String(fields[1])
        }
    }
    return catalog
}

/// Counts, density and a rating histogram of a data set.
/// TODO(data): `DatasetSummary(matrix)` (whatever its initializer is), printed the same way.
struct DatasetFigures: Encodable {
    struct Bin: Encodable {
        var rating: String
        var count: Int
    }
    var users: Int
    var items: Int
    var ratings: Int
    var density: Double
    var mean: Double
    var min: Double
    var max: Double
    var duplicates: Int
    var histogram: [Bin]
}

func summarizeDataset(_ matrix: RatingMatrix) -> DatasetFigures {
    let values = matrix.byUser.values
    var counts: [Float: Int] = [:]
    for v in values { counts[v, default: 0] += 1 }
    var bins: [DatasetFigures.Bin]
    let range = matrix.valueRange ?? 0...0
    if counts.count <= 20 {
        bins = counts.keys.sorted().map { DatasetFigures.Bin(rating: "\($0)".replacingOccurrences(of: ".0", with: ""), count: counts[$0]!) }
    } else {
        let width = (range.upperBound - range.lowerBound) / 10
        var c = [Int](repeating: 0, count: 10)
        for v in values { c[min(9, Int((v - range.lowerBound) / width))] += 1 }
        bins = (0..<10).map { b in
            let lo = range.lowerBound + Float(b) * width
            return DatasetFigures.Bin(rating: "\(fixed(lo, 2))-\(fixed(lo + width, 2))", count: c[b])
        }
    }
    let cells = Double(matrix.userCount) * Double(matrix.itemCount)
    return DatasetFigures(
        users: matrix.userCount, items: matrix.itemCount, ratings: matrix.count,
        density: cells > 0 ? Double(matrix.count) / cells : 0, mean: Double(matrix.globalMean),
        min: Double(range.lowerBound), max: Double(range.upperBound), duplicates: matrix.duplicateCount, histogram: bins)
}

/// Writes a synthetic rating set like the reference set of PROTOCOL.md: skewed user activity and item popularity
/// (log-normal weights), ratings from a rank-10 truth plus biases plus noise, rounded and clipped to 1...5, one
/// `user item rating` line each, written atomically. Returns the number of lines.
/// TODO(data): `SyntheticData(users:items:ratings:seed:).write(to:)` (whatever its final shape is).
func generateSyntheticData(users: Int, items: Int, ratings: Int, seed: UInt64, to url: URL) throws -> Int {
    var rng = SeededGenerator(seed: seed)
    func cdf(_ n: Int, sigma: Float) -> [Double] {
        var c = [Double](repeating: 0, count: n), s = 0.0
        for i in 0..<n { s += Double(exp(rng.nextGaussian() * sigma)); c[i] = s }
        return c.map { $0 / s }
    }
    let userCDF = cdf(users, sigma: 1.0), itemCDF = cdf(items, sigma: 1.3)
    let rank = 10
    let p = Matrix(rows: users, columns: rank, normalStandardDeviation: 0.3, using: &rng)
    let q = Matrix(rows: items, columns: rank, normalStandardDeviation: 0.3, using: &rng)
    let bu = (0..<users).map { _ in rng.nextGaussian() * 0.4 }
    let bi = (0..<items).map { _ in rng.nextGaussian() * 0.5 }
    func draw(_ c: [Double]) -> Int {
        let x = Double(rng.next() >> 11) / Double(1 << 53)
        var lo = 0, hi = c.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if c[mid] < x { lo = mid + 1 } else { hi = mid } }
        return lo
    }
    let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    guard FileManager.default.createFile(atPath: temp.path, contents: nil), let handle = try? FileHandle(forWritingTo: temp) else {
        throw DataError.unreadable(file: url.path, reason: "cannot create the file")
    }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    func digits(_ v: Int) { buffer.append(contentsOf: String(v).utf8) }
    do {
        for _ in 0..<ratings {
            let u = draw(userCDF), i = draw(itemCDF)
            var r: Float = 3.6 + bu[u] + bi[i] + rng.nextGaussian() * 0.7
            for f in 0..<rank { r += p[u, f] * q[i, f] * 3 }
            digits(u + 1); buffer.append(0x20); digits(i + 1); buffer.append(0x20)
            buffer.append(0x30 + UInt8(min(5, max(1, Int(r.rounded())))))
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 { try handle.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
        }
        try handle.write(contentsOf: buffer)
        try handle.close()
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: temp, to: url)
    } catch {
        try? FileManager.default.removeItem(at: temp)
        throw DataError.unreadable(file: url.path, reason: "cannot write the file (\(error.localizedDescription))")
    }
    return ratings
}
