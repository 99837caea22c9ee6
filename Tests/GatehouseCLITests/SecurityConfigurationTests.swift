import Foundation
import GatehouseCore
import GatehouseHTTP
import Testing

@testable import gatehouse

@Suite("Configuration of client addresses, rate limits, CORS and metrics")
struct SecurityConfigurationTests {
    func load(_ environment: [String: String]) throws -> GatehouseConfiguration {
        try GatehouseConfiguration(flags: .init(), environment: environment)
    }

    @Test func defaults() throws {
        let configuration = try load([:])
        #expect(configuration.trustedProxies.isEmpty)
        #expect(configuration.rateLimitsEnabled)
        #expect(configuration.rateLimits == RateLimitPolicy.defaults)
        #expect(configuration.corsOrigins.isEmpty)
        #expect(configuration.metricsEnabled)
        let security = GatehouseServer.httpSecurity(configuration, clock: SystemWallClock())
        #expect(!security.strictTransportSecurity)
        #expect(security.rateLimitsEnabled)
        #expect(security.corsAllowedOrigins.isEmpty)
        #expect(security.clientAddressResolver.trustedProxies.isEmpty)
    }

    @Test func valuesAreRead() throws {
        let configuration = try load([
            "GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.0/8,::1/128",
            "GATEHOUSE_RATE_LIMITS": "login=3/30,forgot-password=1/600",
            "GATEHOUSE_RATE_LIMITS_ENABLED": "false",
            "GATEHOUSE_CORS_ORIGINS": "https://App.example.com, http://localhost:3000/",
            "GATEHOUSE_METRICS_ENABLED": "false",
            "GATEHOUSE_PUBLIC_URL": "https://auth.example.com",
        ])
        #expect(configuration.trustedProxies.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"])
        #expect(configuration.rateLimits.rule(for: .login) == RateLimitRule(requests: 3, seconds: 30))
        #expect(configuration.rateLimits.rule(for: .forgotPassword) == RateLimitRule(requests: 1, seconds: 600))
        #expect(configuration.rateLimits.rule(for: .register) == RateLimitPolicy.defaults.rule(for: .register))
        #expect(!configuration.rateLimitsEnabled)
        #expect(configuration.corsOrigins == ["https://app.example.com", "http://localhost:3000"])
        #expect(!configuration.metricsEnabled)
        let security = GatehouseServer.httpSecurity(configuration, clock: SystemWallClock())
        #expect(security.strictTransportSecurity)
        #expect(!security.rateLimitsEnabled)
        #expect(security.rateLimits == configuration.rateLimits)
        #expect(security.corsAllowedOrigins == configuration.corsOrigins)
        #expect(security.clientAddressResolver.isTrusted(IPAddress("10.2.3.4")!))
    }

    @Test(arguments: [
        ("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/33"), ("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.1/8"), ("GATEHOUSE_TRUSTED_PROXIES", "localhost"),
        ("GATEHOUSE_TRUSTED_PROXIES", "127.0.0.1/32,::1/129"), ("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/8,nope"),
        ("GATEHOUSE_RATE_LIMITS", "login"), ("GATEHOUSE_RATE_LIMITS", "login=10"), ("GATEHOUSE_RATE_LIMITS", "login=ten/60"),
        ("GATEHOUSE_RATE_LIMITS", "login:10/60"), ("GATEHOUSE_RATE_LIMITS", "signup=5/60"), ("GATEHOUSE_RATE_LIMITS", "login=0/60"),
        ("GATEHOUSE_RATE_LIMITS", "login=10/0"), ("GATEHOUSE_RATE_LIMITS", "login=-1/60"), ("GATEHOUSE_RATE_LIMITS", "login=10/-60"),
        ("GATEHOUSE_RATE_LIMITS", "login=1/60,login=2/60"), ("GATEHOUSE_RATE_LIMITS", "login=1.5/60"),
        ("GATEHOUSE_RATE_LIMITS_ENABLED", "maybe"), ("GATEHOUSE_METRICS_ENABLED", "nope"),
        ("GATEHOUSE_CORS_ORIGINS", "*"), ("GATEHOUSE_CORS_ORIGINS", "null"), ("GATEHOUSE_CORS_ORIGINS", "https://app.example.com/path"),
        ("GATEHOUSE_CORS_ORIGINS", "ftp://app.example.com"), ("GATEHOUSE_CORS_ORIGINS", "app.example.com"),
        ("GATEHOUSE_CORS_ORIGINS", "https://app.example.com?x=1"), ("GATEHOUSE_CORS_ORIGINS", "https://user@app.example.com"),
    ])
    func badValueNamesTheKey(key: String, value: String) throws {
        do {
            _ = try load([key: value])
            Issue.record("\(key)=\(value) was accepted")
        } catch let error as ConfigurationError {
            #expect(error.key == key)
            #expect(error.description.hasPrefix("invalid configuration: \(key) "))
            #expect(error.description.count < 300)
        }
    }

    @Test func unknownEndpointErrorListsTheKnownNames() throws {
        do {
            _ = try load(["GATEHOUSE_RATE_LIMITS": "signup=5/60"])
            Issue.record("accepted")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("signup"))
            #expect(error.description.contains("forgot-password"))
        }
    }
}
