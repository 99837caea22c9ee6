// swift-tools-version:6.1
// Times one bcrypt verification (and one hash) at a given cost with the library Gatehouse uses (HummingbirdBcrypt),
// one call at a time; run by Benchmarks/run.sh. Its own package so that it stays out of Gatehouse's build and tests.
import PackageDescription

let package = Package(
    name: "BcryptLimit",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "BcryptLimit",
            dependencies: [.product(name: "HummingbirdBcrypt", package: "hummingbird-auth")]
        ),
    ]
)
