// swift-tools-version:6.0
import PackageDescription

// Arrows point down only (see docs/architecture.md). No package dependencies:
// Foundation and the toolchain, plus libcurl through the CCurl system library.
let package = Package(
    name: "chargekit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chargekit", targets: ["chargekit"]),
        .executable(name: "chargekit-bench", targets: ["chargekit-bench"]),
        .library(name: "ChargeKit", targets: ["ChargeKit"]),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        .target(name: "JSON"),
        .target(name: "BackendAPI", dependencies: ["JSON"]),
        .target(name: "Checksum"),
        .target(name: "HTTPServerKit"),
        .target(name: "OCPP", dependencies: ["JSON"]),
        .target(name: "DurableFiles"),
        // The shipped checklist templates live in Fixtures/checklists (Sources/ChargeKit/Checklists
        // links there) and are compiled in, so `--checklist commissioning` works from any binary.
        .target(name: "ChargeKit", dependencies: ["CurlHTTP", "BackendAPI", "Checksum", "JSON", "OCPP", "DurableFiles"],
                resources: [.embedInCode("Checklists/commissioning.json"), .embedInCode("Checklists/periodic.json")]),
        .target(name: "ChargeKitSim", dependencies: ["OCPP", "BackendAPI", "HTTPServerKit", "CurlHTTP", "Checksum", "JSON", "DurableFiles"]),
        // `commission --sim` uses the example profile and answers from Fixtures (linked from
        // Sources/ChargeKitCLI/Examples), compiled in so they work from any binary.
        .target(name: "ChargeKitCLI", dependencies: ["ChargeKit", "ChargeKitSim", "JSON", "DurableFiles"],
                resources: [.embedInCode("Examples/cpo-base.json"), .embedInCode("Examples/commissioning-answers.json"),
                            .embedInCode("Examples/installation.png")]),
        .executableTarget(name: "chargekit", dependencies: ["ChargeKitCLI"]),
        .target(name: "TestSupport", dependencies: ["HTTPServerKit", "Checksum"]),
        .executableTarget(name: "chargekit-bench", dependencies: ["CurlHTTP", "TestSupport", "Checksum", "ChargeKit", "ChargeKitSim", "BackendAPI"]),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestSupport", "Checksum"]),
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"]),
        .testTarget(name: "HTTPServerKitTests", dependencies: ["HTTPServerKit", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "OCPPTests", dependencies: ["OCPP", "JSON"]),
        .testTarget(name: "ChargeKitSimTests", dependencies: ["ChargeKitSim", "ChargeKit", "BackendAPI", "CurlHTTP", "OCPP", "JSON", "Checksum", "TestSupport"],
                    exclude: ["validate_frames.py"]),
        .testTarget(name: "ChargeKitTests", dependencies: ["ChargeKit", "BackendAPI", "CurlHTTP", "JSON", "OCPP", "TestSupport", "DurableFiles"]),
        .testTarget(name: "ChargeKitCLITests", dependencies: ["ChargeKitCLI", "ChargeKit", "BackendAPI", "JSON", "TestSupport", "DurableFiles", "chargekit"]),
        .testTarget(name: "BackendAPITests", dependencies: ["BackendAPI", "JSON", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
