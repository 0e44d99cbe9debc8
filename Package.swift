// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Release builds of UpwardCore use AVX2 and FMA when the machine that builds them has them (as
/// `-march=native` would): the matching solver's inner loops run eight doubles at a time, and
/// with AVX2 they take about a third less time. The binary then needs such a CPU (any x86-64 since
/// 2013-2015); `UPWARD_PORTABLE=1 swift build -c release` builds for every x86-64.
let coreSettings: [SwiftSetting] = {
    #if arch(x86_64)
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set(cpu.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
        if ProcessInfo.processInfo.environment["UPWARD_PORTABLE"] == nil, flags.isSuperset(of: ["avx2", "fma", "bmi2"]) {
            return [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]
        }
    #endif
    return []
}()

let package = Package(
    name: "Upward",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "UpwardCore", targets: ["UpwardCore"]),
        .library(name: "UpwardServer", targets: ["UpwardServer"]),
        .executable(name: "upward", targets: ["upward"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf", from: "4.5.2"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "UpwardCore",
            dependencies: [
                .product(name: "CSV", package: "CSV.swift"), .product(name: "Ink", package: "Ink"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: coreSettings
        ),
        .target(
            name: "UpwardServer",
            dependencies: [
                "UpwardCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "upward",
            dependencies: ["UpwardServer"]
        ),
        .target(
            name: "UpwardTestSupport",
            dependencies: ["UpwardCore"],
            path: "Tests/UpwardTestSupport"
        ),
        .testTarget(
            name: "UpwardCoreTests",
            dependencies: ["UpwardCore", "UpwardTestSupport"],
            // Read from the source tree by its path (`#filePath`), not bundled.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "UpwardServerTests",
            dependencies: [
                "UpwardServer", "UpwardTestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
