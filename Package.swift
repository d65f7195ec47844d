// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Latent",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "Latent", targets: ["Latent"]),
        .executable(name: "latent", targets: ["latent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target Latent`: the DocC catalog in Sources/Latent/Latent.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // The service only (LatentServer): the library stays free of these.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The library: no dependency beyond the toolchain.
        .target(name: "Latent", dependencies: ["LatentKernels"]),
        // The SGD epoch kernel in C, compiled for several instruction sets and chosen for the CPU at load time, so
        // that a plain `swift build -c release` runs the AVX2 code on a CPU that has it.
        .target(name: "LatentKernels"),
        // The HTTP service over a trained model (`latent serve`): Hummingbird, ratings in SQLite through GRDB.
        .target(
            name: "LatentServer",
            dependencies: [
                "Latent",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The commands of `latent`, as a library so that tests can run them in process.
        .target(
            name: "LatentCLI",
            dependencies: [
                "Latent", "LatentServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "latent", dependencies: ["LatentCLI"]),
        // Protocol figures (accuracy and speed) for the models: `swift run -c release latent-bench ratings ...`.
        .executableTarget(name: "latent-bench", dependencies: ["Latent"], path: "Benchmarks/LatentBench", exclude: ["README.md"]),
        .testTarget(name: "LatentTests", dependencies: ["Latent"]),
        .testTarget(name: "LatentCLITests", dependencies: ["LatentCLI", "Latent", "LatentServer"]),
        .testTarget(
            name: "LatentServerTests",
            dependencies: ["LatentServer", "Latent", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
