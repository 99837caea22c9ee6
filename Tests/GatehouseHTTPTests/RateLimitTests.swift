import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Rate limits: per endpoint and client token buckets on the auth endpoints")
struct RateLimitTests {
    @Test(arguments: RateLimitedEndpoint.allCases)
    func budgetThen429WithHeaders(_ endpoint: RateLimitedEndpoint) async throws {
        let security = try HTTPSecurityConfiguration.testing(rateLimits: "\(endpoint.rawValue)=2/60")
        try await TestApp.run(.with(security)) { _, client in
            let peer: HTTPFields = [testPeer: "198.51.100.7"]
            let first = try await client.call(.post, path(of: endpoint), json: [String: Any](), headers: peer)
            #expect(first.status != .tooManyRequests)
            #expect(first.header("RateLimit-Limit") == "2")
            #expect(first.header("RateLimit-Remaining") == "1")
            #expect(first.header("RateLimit-Reset") == "30")
            #expect(first.header("X-RateLimit-Limit") == "2")
            #expect(first.header("X-RateLimit-Remaining") == "1")
            #expect(first.header("X-RateLimit-Reset") == "30")
            let second = try await client.call(.post, path(of: endpoint), json: [String: Any](), headers: peer)
            #expect(second.status != .tooManyRequests)
            #expect(second.header("RateLimit-Remaining") == "0")
            let third = try await client.call(.post, path(of: endpoint), json: [String: Any](), headers: peer)
            #expect(third.status == .tooManyRequests)
            #expect(third.code == "rate_limited")
            #expect(third.headers[.contentType] == "application/problem+json")
            #expect(third.header("Retry-After") == "30")
            #expect(third.header("RateLimit-Limit") == "2")
            #expect(third.header("RateLimit-Remaining") == "0")
            #expect(third.header("RateLimit-Reset") == "60")
            #expect(third.header("X-RateLimit-Remaining") == "0")
            #expect(third.header("X-Request-ID") != nil)
            #expect(third.json["requestId"] as? String == third.header("X-Request-ID"))
        }
    }

    @Test func defaultBudgetsApplyWithoutConfiguration() async throws {
        try await TestApp.run(.with(try .testing())) { _, client in
            for endpoint in RateLimitedEndpoint.allCases {
                let reply = try await client.call(.post, path(of: endpoint), json: [String: Any]())
                #expect(reply.header("RateLimit-Limit") == String(RateLimitPolicy.defaults.rule(for: endpoint).requests), "\(endpoint)")
            }
            let defaults = RateLimitPolicy.defaults
            #expect(defaults.rule(for: .login) == RateLimitRule(requests: 10, seconds: 60))
            #expect(defaults.rule(for: .forgotPassword) == RateLimitRule(requests: 5, seconds: 300))
        }
    }

    @Test func bucketRefillsWithTheClock() async throws {
        try await TestApp.run(.with(try .testing(rateLimits: "login=2/60"))) { app, client in
            let body = ["email": "nobody@example.com", "password": "wrong"]
            do {
                let value = try await client.call(.post, "/api/v1/auth/login", json: body).status
                #expect(value == .unauthorized)
            }
            do {
                let value = try await client.call(.post, "/api/v1/auth/login", json: body).status
                #expect(value == .unauthorized)
            }
            let limited = try await client.call(.post, "/api/v1/auth/login", json: body)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.header("Retry-After") == "30")
            app.clock.advance(by: 29.5)
            let stillLimited = try await client.call(.post, "/api/v1/auth/login", json: body)
            #expect(stillLimited.status == .tooManyRequests)
            #expect(stillLimited.header("Retry-After") == "1")
            app.clock.advance(by: 0.5)
            let refilled = try await client.call(.post, "/api/v1/auth/login", json: body)
            #expect(refilled.status == .unauthorized)
            #expect(refilled.header("RateLimit-Remaining") == "0")
            app.clock.advance(by: 3_600)
            let full = try await client.call(.post, "/api/v1/auth/login", json: body)
            #expect(full.header("RateLimit-Remaining") == "1")
            #expect(full.header("RateLimit-Reset") == "30")
        }
    }

    @Test func endpointsHaveSeparateBudgets() async throws {
        try await TestApp.run(.with(try .testing(rateLimits: "forgot-password=1/300,login=1/60"))) { _, client in
            let email = ["email": "a@example.com"]
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email).status
                #expect(value == .accepted)
            }
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email).status
                #expect(value == .tooManyRequests)
            }
            let login = try await client.call(.post, "/api/v1/auth/login", json: ["email": "a@example.com", "password": "x"])
            #expect(login.status == .unauthorized)
            #expect(login.header("RateLimit-Limit") == "1")
            do {
                let value = try await client.call(.post, "/api/v1/auth/resend-verification", json: email).status
                #expect(value == .accepted)
            }
        }
    }

    @Test func clientsHaveSeparateBudgets() async throws {
        try await TestApp.run(.with(try .testing(rateLimits: "forgot-password=1/300"))) { _, client in
            let email = ["email": "a@example.com"]
            func send(_ peer: String) async throws -> HTTPResponse.Status {
                try await client.call(.post, "/api/v1/auth/forgot-password", json: email, headers: [testPeer: peer]).status
            }
            do {
                let value = try await send("198.51.100.1")
                #expect(value == .accepted)
            }
            do {
                let value = try await send("198.51.100.1")
                #expect(value == .tooManyRequests)
            }
            do {
                let value = try await send("198.51.100.2")
                #expect(value == .accepted)
            }
            // IPv6 clients count per /64: another address in the same /64 shares the budget, another /64 does not.
            do {
                let value = try await send("2001:db8:1:2::1")
                #expect(value == .accepted)
            }
            do {
                let value = try await send("2001:db8:1:2::ffff")
                #expect(value == .tooManyRequests)
            }
            do {
                let value = try await send("2001:db8:1:3::1")
                #expect(value == .accepted)
            }
            // An IPv4-mapped IPv6 peer is the same client as its IPv4 address.
            do {
                let value = try await send("::ffff:198.51.100.2")
                #expect(value == .tooManyRequests)
            }
        }
    }

    @Test func spoofedForwardedForFromUntrustedPeerDoesNotEscapeTheBudget() async throws {
        try await TestApp.run(.with(try .testing(rateLimits: "forgot-password=1/300", trustedProxies: "10.0.0.0/8"))) { _, client in
            let email = ["email": "a@example.com"]
            var headers: HTTPFields = [testPeer: "198.51.100.9"]
            headers[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.1"
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email, headers: headers).status
                #expect(value == .accepted)
            }
            headers[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.2"
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email, headers: headers).status
                #expect(value == .tooManyRequests)
            }
            // Behind a trusted proxy each forwarded client has its own budget.
            var proxied: HTTPFields = [testPeer: "10.1.2.3"]
            proxied[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.1"
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email, headers: proxied).status
                #expect(value == .accepted)
            }
            proxied[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.2"
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email, headers: proxied).status
                #expect(value == .accepted)
            }
            proxied[HTTPField.Name("X-Forwarded-For")!] = "192.0.2.66, 203.0.113.2"
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email, headers: proxied).status
                #expect(value == .tooManyRequests)
            }
        }
    }

    /// In-process router tests have no socket peer: the client is unknown and every such request shares one budget;
    /// `X-Forwarded-For` is not believed from an unknown peer.
    @Test func unknownPeerSharesOneBudget() async throws {
        var security = try HTTPSecurityConfiguration.testing(rateLimits: "forgot-password=1/300", trustedProxies: "0.0.0.0/0,::/0")
        security.peerAddress = { _, context in context.remoteAddress }
        try await TestApp.run(.with(security)) { _, client in
            let whoami = try await client.call(.get, "/test/whoami", headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.5"])
            #expect(whoami.text == "nil|nil|nil")
            let email = ["email": "a@example.com"]
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: email).status
                #expect(value == .accepted)
            }
            let other = try await client.call(
                .post, "/api/v1/auth/forgot-password", json: email, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.6"])
            #expect(other.status == .tooManyRequests)
        }
    }

    @Test func disabledMeansNoLimitAndNoHeaders() async throws {
        try await TestApp.run(.with(try .testing(rateLimits: "forgot-password=1/300", enabled: false))) { _, client in
            for _ in 0..<5 {
                let reply = try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "a@example.com"])
                #expect(reply.status == .accepted)
                #expect(reply.header("RateLimit-Limit") == nil && reply.header("X-RateLimit-Limit") == nil)
            }
        }
    }

    @Test func otherRoutesCarryNoRateLimitHeaders() async throws {
        try await TestApp.run(.with(try .testing())) { _, client in
            do {
                let value = try await client.call(.get, "/health").header("RateLimit-Limit")
                #expect(value == nil)
            }
            do {
                let value = try await client.call(.get, "/api/v1/users/me").header("RateLimit-Limit")
                #expect(value == nil)
            }
        }
    }

    @Test func limiterBoundsItsMemory() {
        let clock = MockWallClock()
        let limiter = RateLimiter(policy: .defaults, clock: clock, maxKeys: 10)
        for index in 0..<25 { _ = limiter.consume(.login, client: "192.0.2.\(index)") }
        #expect(limiter.bucketCount <= 10)
        #expect(limiter.bucketCount > 0)
        // Idle buckets (refilled completely) are dropped by the next sweep.
        let roomy = RateLimiter(policy: .defaults, clock: clock, maxKeys: 1_000)
        for index in 0..<5 { _ = roomy.consume(.login, client: "192.0.2.\(index)") }
        #expect(roomy.bucketCount == 5)
        clock.advance(by: 61)
        _ = roomy.consume(.refresh, client: "192.0.2.200")
        #expect(roomy.bucketCount == 1)
    }

    @Test func retryAfterIsWholeSecondsAtLeastOne() throws {
        let clock = MockWallClock()
        let limiter = RateLimiter(policy: try RateLimitPolicy.parse("login=3/1"), clock: clock)
        for _ in 0..<3 { #expect(limiter.consume(.login, client: "c").allowed) }
        let refused = limiter.consume(.login, client: "c")
        #expect(!refused.allowed)
        #expect(refused.retryAfterSeconds == 1)
        #expect(refused.remaining == 0)
        clock.advance(by: 0.334)
        #expect(limiter.consume(.login, client: "c").allowed)
    }

    @Test func policyParsing() throws {
        let policy = try RateLimitPolicy.parse(" login = 3/30 , forgot-password=1/600 ")
        #expect(policy.rule(for: .login) == RateLimitRule(requests: 3, seconds: 30))
        #expect(policy.rule(for: .forgotPassword) == RateLimitRule(requests: 1, seconds: 600))
        #expect(policy.rule(for: .register) == RateLimitPolicy.defaults.rule(for: .register))
        for bad in ["login", "login=10", "login=ten/60", "signup=1/60", "login=0/60", "login=10/0", "login=-1/60", "login=1/60,login=2/60", "login=1.5/60"] {
            #expect(throws: RateLimitPolicyError.self, "\(bad)") { try RateLimitPolicy.parse(bad) }
        }
    }
}
