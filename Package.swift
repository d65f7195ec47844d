// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Latent",
    platforms: [.macOS(.v13), .iOS(.v16)],
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        .executable(name: "latent", targets: ["latent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target Latent`: the DocC catalog in Sources/Latent/Latent.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The library: no dependency beyond the toolchain.
        .target(name: "Latent", dependencies: ["LatentKernels"]),
        // The SGD epoch kernel in C, compiled for several instruction sets and chosen for the CPU at load time, so
        // that a plain `swift build -c release` runs the AVX2 code on a CPU that has it.
        .target(name: "LatentKernels"),
        // The commands of `latent`, as a library so that tests can run them in process.
        .target(
            name: "LatentCLI",
            dependencies: ["Latent", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "latent", dependencies: ["LatentCLI"]),
        // Protocol figures (accuracy and speed) for the models: `swift run -c release latent-bench ratings ...`.
        .executableTarget(name: "latent-bench", dependencies: ["Latent"], path: "Benchmarks/LatentBench", exclude: ["README.md"]),
        .testTarget(name: "LatentTests", dependencies: ["Latent"]),
        .testTarget(name: "LatentCLITests", dependencies: ["LatentCLI", "Latent"]),
    ],
    swiftLanguageModes: [.v6]
)
