// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for lab's readers and its DSL. Kept out of the main package so that
// `swift test` never builds or runs them; `Fuzz/run.sh` builds them with libFuzzer and
// AddressSanitizer and runs each over its corpus.
let package = Package(
    name: "lab-fuzz",
    dependencies: [
        .package(path: "lab"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzIDX", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "lab")]),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzSupport", .product(name: "Datasets", package: "lab")]),
        .executableTarget(name: "FuzzPNG", dependencies: ["FuzzSupport", .product(name: "Raster", package: "lab"), .product(name: "Datasets", package: "lab")]),
        .executableTarget(name: "FuzzMarkdown", dependencies: [.product(name: "Report", package: "lab")]),
        .executableTarget(name: "FuzzLabStep", dependencies: ["FuzzSupport", .product(name: "Lab", package: "lab")]),
        .executableTarget(name: "FuzzStepCache", dependencies: [
            "FuzzSupport", .product(name: "Lab", package: "lab"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
