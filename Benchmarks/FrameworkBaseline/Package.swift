// swift-tools-version:6.1
// The framework baseline for GET /api/v1/users/me: a bare Hummingbird route answering fixed bytes (the body
// Gatehouse answered for the same user), with no authentication and no database. Run by Benchmarks/run.sh.
import PackageDescription

let package = Package(
    name: "FrameworkBaseline",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "FrameworkBaseline",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
    ]
)
