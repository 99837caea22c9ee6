import Foundation
import Logging
import Testing

@testable import gatehouse

@Suite("Configuration: defaults, flags over environment, one clear error per bad key")
struct ConfigurationTests {
    func load(_ environment: [String: String], flags: GatehouseConfiguration.Flags = .init()) throws -> GatehouseConfiguration {
        try GatehouseConfiguration(flags: flags, environment: environment)
    }

    @Test func defaultsNeedNoConfiguration() throws {
        let configuration = try load([:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.dataDirectory.path.hasSuffix("/gatehouse-data"))
        #expect(configuration.database == .sqliteFile(configuration.dataDirectory.appendingPathComponent("gatehouse.sqlite").path))
        #expect(configuration.jwtSecret == nil)
        #expect(configuration.jwtIssuer == "gatehouse" && configuration.jwtAudience == "gatehouse")
        #expect(configuration.accessTokenTTL == 3600 && configuration.refreshTokenTTL == 604_800)
        #expect(configuration.refreshReuseInterval == 0)
        #expect(configuration.bcryptCost == 12)
        #expect(configuration.publicURL == "http://127.0.0.1:8080")
        #expect(configuration.mailDirectory == configuration.dataDirectory.appendingPathComponent("mail"))
        #expect(configuration.verificationTokenTTL == 86_400 && configuration.resetTokenTTL == 3_600)
        #expect(configuration.requireVerifiedEmail == false)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
    }

    @Test func environmentIsReadAndFlagsWin() throws {
        let configuration = try load(
            [
                "GATEHOUSE_HOST": "0.0.0.0", "GATEHOUSE_PORT": "9000", "GATEHOUSE_DATA_DIR": "/tmp/gh-env", "GATEHOUSE_JWT_SECRET": String(repeating: "s", count: 32),
                "GATEHOUSE_ACCESS_TOKEN_TTL": "60", "GATEHOUSE_REFRESH_REUSE_INTERVAL": "5", "GATEHOUSE_BCRYPT_COST": "10",
                "GATEHOUSE_PUBLIC_URL": "https://auth.example.com/", "GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true", "GATEHOUSE_LOG_LEVEL": "debug",
                "GATEHOUSE_LOG_FORMAT": "json", "GATEHOUSE_DATABASE_URL": "sqlite::memory:",
            ], flags: .init(host: nil, port: 9001, dataDir: nil, databaseURL: nil, logLevel: "warning"))
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9001)
        #expect(configuration.dataDirectory.path == "/tmp/gh-env")
        #expect(configuration.database == .sqliteMemory)
        #expect(configuration.jwtSecret?.count == 32)
        #expect(configuration.accessTokenTTL == 60)
        #expect(configuration.refreshReuseInterval == 5)
        #expect(configuration.bcryptCost == 10)
        #expect(configuration.publicURL == "https://auth.example.com")
        #expect(configuration.requireVerifiedEmail)
        #expect(configuration.logLevel == .warning)
        #expect(configuration.logFormat == .json)
    }

    @Test(arguments: [
        ("GATEHOUSE_BCRYPT_COST", "9"), ("GATEHOUSE_BCRYPT_COST", "17"), ("GATEHOUSE_BCRYPT_COST", "twelve"),
        ("GATEHOUSE_ACCESS_TOKEN_TTL", "-5"), ("GATEHOUSE_ACCESS_TOKEN_TTL", "0"), ("GATEHOUSE_REFRESH_TOKEN_TTL", "1.5"),
        ("GATEHOUSE_REFRESH_REUSE_INTERVAL", "-1"), ("GATEHOUSE_VERIFICATION_TOKEN_TTL", "0"), ("GATEHOUSE_RESET_TOKEN_TTL", "abc"),
        ("GATEHOUSE_PORT", "70000"), ("GATEHOUSE_JWT_SECRET", "too-short"), ("GATEHOUSE_DATABASE_URL", "ftp://x"),
        ("GATEHOUSE_DATABASE_URL", "postgres://user:hunter2@db/gatehouse"), ("GATEHOUSE_DATABASE_URL", "sqlite://"),
        ("GATEHOUSE_PUBLIC_URL", "javascript:alert(1)"), ("GATEHOUSE_PUBLIC_URL", "https://x.example/?next=evil"),
        ("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "sometimes"), ("GATEHOUSE_LOG_LEVEL", "loud"), ("GATEHOUSE_LOG_FORMAT", "xml"),
        ("GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL", "admin@example.com"),
    ])
    func invalidValuesNameTheirKey(key: String, value: String) throws {
        do {
            _ = try load([key: value])
            Issue.record("\(key)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.description.contains(key), "\(error.description)")
            #expect(!error.description.contains("\n"))
            #expect(!error.description.contains("hunter2"), "credentials in a URL are never echoed")
            if key == "GATEHOUSE_JWT_SECRET" { #expect(!error.description.contains(value), "the secret is never echoed") }
        }
    }

    @Test func sqliteURLForms() throws {
        #expect(try load(["GATEHOUSE_DATABASE_URL": "sqlite:///var/lib/g.sqlite"]).database == .sqliteFile("/var/lib/g.sqlite"))
        let relative = try load(["GATEHOUSE_DATABASE_URL": "sqlite://data/g.sqlite"]).database
        guard case .sqliteFile(let path) = relative else { Issue.record("not a file"); return }
        #expect(path.hasPrefix("/") && path.hasSuffix("/data/g.sqlite"))
    }
}
