import ArgumentParser
import Foundation
import Latent

/// `latent info`: what a rating file holds.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a rating file: users, items, ratings, density, rating histogram.",
        discussion: "Example: latent info --data ml-100k/u.data")

    @Option(help: "The rating file.") var data: String
    @OptionGroup(title: "Reading") var reading: DataOptions
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let console = Console.current
        let (set, _) = try reading.read(data)
        let figures = summarizeDataset(RatingMatrix(set, duplicates: reading.duplicates))
        if json {
            console.line(try jsonLine(figures))
            return
        }
        console.line("\(data)")
        console.line("  users    \(figures.users)")
        console.line("  items    \(figures.items)")
        console.line("  ratings  \(figures.ratings)\(figures.duplicates > 0 ? " (\(figures.duplicates) duplicates folded)" : "")")
        console.line("  density  \(String(format: "%.4f%%", figures.density * 100))")
        console.line("  mean     \(fixed(figures.mean, 3)) (from \(figures.min.formatted()) to \(figures.max.formatted()))")
        console.line("  histogram:")
        let largest = figures.histogram.map(\.count).max() ?? 1
        let labelWidth = figures.histogram.map(\.rating.count).max() ?? 0
        let countWidth = figures.histogram.map { "\($0.count)".count }.max() ?? 0
        for bin in figures.histogram {
            let bar = String(repeating: "#", count: Int((Double(bin.count) / Double(largest) * 40).rounded()))
            let label = String(repeating: " ", count: labelWidth - bin.rating.count) + bin.rating
            let count = String(repeating: " ", count: countWidth - "\(bin.count)".count) + "\(bin.count)"
            console.line("    \(label)  \(count)  \(bar)")
        }
    }
}

/// Counts, density and a rating histogram of a data set.
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
    let summary = DatasetSummary(matrix)
    var bins = summary.histogram.map {
        DatasetFigures.Bin(rating: "\($0.value)".replacingOccurrences(of: ".0", with: ""), count: $0.count)
    }
    // Too many distinct values for a histogram by value: ten bins of equal width instead.
    if bins.isEmpty || bins.count > 20, let range = matrix.valueRange, range.upperBound > range.lowerBound {
        let width = (range.upperBound - range.lowerBound) / 10
        var c = [Int](repeating: 0, count: 10)
        for v in matrix.byUser.values { c[min(9, Int((v - range.lowerBound) / width))] += 1 }
        bins = (0..<10).map { b in
            let lo = range.lowerBound + Float(b) * width
            return DatasetFigures.Bin(rating: "\(fixed(lo, 2))-\(fixed(lo + width, 2))", count: c[b])
        }
    }
    return DatasetFigures(
        users: summary.users, items: summary.items, ratings: summary.ratings, density: summary.density,
        mean: summary.meanRating, min: Double(summary.minRating ?? 0), max: Double(summary.maxRating ?? 0),
        duplicates: summary.duplicates, histogram: bins)
}
