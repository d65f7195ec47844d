import Foundation
@testable import Latent

/// Where MovieLens 100k is, if this machine has it: `../shared/data/ml-100k` beside the package.
enum TestData {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let movieLens100k = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data/ml-100k")
    static var hasMovieLens: Bool { FileManager.default.fileExists(atPath: movieLens100k.appendingPathComponent("u1.base").path) }

    /// A fresh empty folder for files a test writes.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latent-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
