// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ckpt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CheckpointAPI", targets: ["CheckpointAPI"]),
        .library(name: "CheckpointSandbox", targets: ["CheckpointSandbox"]),
        .library(name: "CheckpointScript", targets: ["CheckpointScript"]),
        .executable(name: "ckpt", targets: ["ckpt"]),
        .executable(name: "ckpt-sandbox", targets: ["ckpt-sandbox"]),
    ],
    targets: [
        // System libraries. Each module map carries a header of small static inline
        // functions for the C calls Swift cannot make (variadic functions, stdio streams).
        // CCurl loads libcurl with dlopen on first use, so it declares no pkg-config name:
        // that would add -lcurl, and loading libcurl's thirty dependencies at every start
        // tripled the start-up time of `ckpt -c 'print ok'`. It needs only libcurl's
        // headers (apt libcurl4-openssl-dev, or the macOS SDK).
        .systemLibrary(name: "CCurl"),
        .systemLibrary(
            name: "CLineEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),

        .target(name: "CheckpointAPI", dependencies: ["CCurl"]),
        .target(name: "CheckpointSandbox", dependencies: ["CheckpointAPI"]),
        .target(name: "CheckpointScript", dependencies: ["CheckpointAPI"]),
        .executableTarget(
            name: "ckpt",
            dependencies: ["CheckpointScript", "CheckpointSandbox", "CLineEdit"],
            // The Swift runtime and FoundationEssentials linked statically: resolving the
            // symbols of a dozen Swift libraries at every start cost about 6 ms.
            linkerSettings: [
                .unsafeFlags(["-static-stdlib"], .when(platforms: [.linux])),
                .linkedLibrary("_FoundationCollections", .when(platforms: [.linux])),
                .linkedLibrary("_FoundationCShims", .when(platforms: [.linux])),
            ]
        ),
        .executableTarget(name: "ckpt-sandbox", dependencies: ["CheckpointSandbox"]),
        .executableTarget(
            name: "EmbedDemo",
            dependencies: ["CheckpointScript", "CheckpointSandbox"],
            path: "examples/EmbedDemo"
        ),

        .testTarget(name: "CheckpointAPITests", dependencies: ["CheckpointAPI"]),
        .testTarget(name: "CheckpointSandboxTests", dependencies: ["CheckpointSandbox"]),
        .testTarget(
            name: "CheckpointScriptTests",
            dependencies: ["CheckpointScript", "CheckpointSandbox"],
            resources: [.copy("Golden")]
        ),
        // Starts the real ckpt-sandbox binary for the tests that talk HTTP.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["CheckpointAPI", "CheckpointSandbox", "TestSupport"]
        ),
        .testTarget(name: "ckptTests", dependencies: ["CheckpointAPI", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
