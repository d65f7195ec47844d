import Foundation
@testable import Latent

/// Where MovieLens 100k is, if this machine has it: `../shared/data/ml-100k` beside the package.
enum TestData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let movieLens100k = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/ml-100k")
    static var hasMovieLens: Bool { FileManager.default.fileExists(atPath: movieLens100k.appendingPathComponent("u1.base").path) }

    /// A fresh empty folder for files a test writes, inside one folder per test process that is removed when the
    /// process exits, so that test runs leave nothing behind.
    static func temporaryDirectory() -> URL {
        let url = processFolder.appendingPathComponent(UUID().uuidString)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private static let processFolder: URL = {
        atexit { try? FileManager.default.removeItem(at: TestData.processFolderPath) }
        return processFolderPath
    }()
    private static var processFolderPath: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("latent-tests-\(getpid())")
    }
}

extension Gram {
    /// The Gram matrix X^T X (full, in Double) of the `rows` x `d` row-major matrix `x`, by the definition: the naive
    /// reference the kernels are checked against.
    static func matrix(_ x: [Float], rows: Int, dimension d: Int) -> [Double] {
        precondition(x.count == rows * d)
        var a = [Double](repeating: 0, count: d * d)
        for n in 0..<rows {
            for r in 0..<d {
                for c in 0..<d { a[r * d + c] += Double(x[n * d + r]) * Double(x[n * d + c]) }
            }
        }
        return a
    }
}
