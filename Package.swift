// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: LabCLI → (Lab →) {NeuralNet, Raster, Datasets, Report}.
// The numeric library builds and tests without swift-syntax.
let package = Package(
    name: "lab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lab", targets: ["LabCLI"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Raster", targets: ["Raster"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Lab", targets: ["Lab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // System libraries: module maps only.
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "CFreeType", pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"]), .brew(["freetype"])]),
        .systemLibrary(name: "CMalloc"),
        // Vector kernels compiled for AVX-512, AVX2 and the baseline, chosen at run time.
        .target(name: "CKernels"),

        .target(
            name: "NeuralNet",
            dependencies: [
                .target(name: "CBLAS", condition: .when(platforms: [.linux])),
                "CKernels",
                "FileOutput",
                .product(name: "RealModule", package: "swift-numerics"),
            ]),
        .target(name: "FileOutput"),
        .target(name: "Raster", dependencies: ["CPNG", "CFreeType", "FileOutput"]),
        .target(name: "Quality", dependencies: ["NeuralNet", "FileOutput", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Datasets",
            dependencies: ["NeuralNet", "Raster", "CZlib", "FileOutput"]),
        .target(name: "Report"),
        .target(
            name: "Lab",
            dependencies: [
                "NeuralNet", "CKernels", "Raster", "Datasets", "Report", "Quality", "FileOutput",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                .product(name: "SwiftOperators", package: "swift-syntax"),
                .product(name: "SwiftParserDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
            ]),
        .target(name: "LabWatch", dependencies: ["Lab", "FileOutput", .product(name: "FlyingFox", package: "FlyingFox")]),
        .executableTarget(
            name: "LabCLI",
            dependencies: [
                "Lab", "LabWatch", "NeuralNet", "Datasets", "Quality",
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "_TestSupport", dependencies: ["NeuralNet"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "_TestSupport"]),
        .testTarget(name: "RasterTests", dependencies: ["Raster", "_TestSupport"]),
        .testTarget(name: "LabTests", dependencies: [
            "Lab", "Report", "Raster", "Datasets", "NeuralNet", "Quality",
            .product(name: "SwiftSyntax", package: "swift-syntax"),
            .product(name: "SwiftParser", package: "swift-syntax"),
            .product(name: "SwiftParserDiagnostics", package: "swift-syntax"),
        ]),
        .testTarget(name: "LabWatchTests", dependencies: ["LabWatch", "Lab"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"]),
        .testTarget(name: "FileOutputTests", dependencies: ["FileOutput"]),
        .testTarget(name: "QualityTests", dependencies: ["Quality", "NeuralNet", "Datasets"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Raster", "_TestSupport", "CZlib"]),
    ],
    swiftLanguageModes: [.v6]
)
