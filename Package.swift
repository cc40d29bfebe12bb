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
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),
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
            dependencies: ["CheckpointScript", "CheckpointSandbox", "CLineEdit"]
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
