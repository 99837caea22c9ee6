import Foundation
import GatehouseCore
import GatehouseHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import GatehouseHTTP

@Suite("Metrics: GET /metrics in Prometheus text format")
struct MetricsTests {
    @Test func metricsAfterTraffic() async throws {
        let metrics = GatehouseMetrics(registry: PrometheusCollectorRegistry())
        try await TestApp.run(.with(try .testing(rateLimits: "forgot-password=1/300"), metrics: metrics)) { app, client in
            let user = try await app.makeUser("alice@example.com")
            try await app.makeUser("off@example.com", isActive: false)
            _ = try await client.login("alice@example.com")
            do {
                let value = try await client.call(.post, "/api/v1/auth/login", json: ["email": "alice@example.com", "password": "Wr0ng!Password"]).status
                #expect(value == .unauthorized)
            }
            do {
                let value = try await client.call(.post, "/api/v1/auth/login", json: ["email": "off@example.com", "password": TestApp.password]).status
                #expect(value == .forbidden)
            }
            do {
                let value = try await client.call(.post, "/api/v1/auth/login", json: ["email": "not-an-email", "password": "x"]).status
                #expect(value == .unprocessableContent)
            }
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "a@example.com"]).status
                #expect(value == .accepted)
            }
            do {
                let value = try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "a@example.com"]).status
                #expect(value == .tooManyRequests)
            }
            let userPath = "/api/v1/users/\(user.id.uuidString.lowercased())"
            do {
                let value = try await client.call(.get, userPath).status
                #expect(value == .unauthorized)
            }
            do {
                let value = try await client.call(.get, "/no/such/thing-12345").status
                #expect(value == .notFound)
            }

            let reply = try await client.call(.get, "/metrics")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = reply.text
            let verifications = app.hasher.verifications
            #expect(verifications >= 3)
            #expect(text.contains("gatehouse_password_verifications_total \(verifications)\n"), "\(text)")
            #expect(text.contains(#"gatehouse_logins_total{outcome="success"} 1"#))
            #expect(text.contains(#"gatehouse_logins_total{outcome="failure"} 1"#))
            #expect(text.contains(#"gatehouse_logins_total{outcome="disabled"} 1"#))
            #expect(text.contains(#"gatehouse_logins_total{outcome="locked"} 0"#))
            #expect(text.contains(#"gatehouse_rate_limited_total{endpoint="forgot-password"} 1"#))
            #expect(text.contains(#"gatehouse_rate_limited_total{endpoint="login"} 0"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/api/v1/auth/login",status="200"} 1"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/api/v1/auth/login",status="401"} 1"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/api/v1/auth/login",status="422"} 1"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/api/v1/auth/forgot-password",status="429"} 1"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="/api/v1/users/{userId}",status="401"} 1"#))
            #expect(text.contains(#"gatehouse_http_requests_total{route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"gatehouse_http_request_duration_seconds_bucket{route="/api/v1/auth/login",le="+Inf"} 4"#))
            #expect(text.contains(#"gatehouse_http_request_duration_seconds_count{route="/api/v1/users/{userId}"} 1"#))
            #expect(text.contains("# TYPE gatehouse_http_request_duration_seconds histogram"))
            // Never the raw path.
            #expect(!text.contains(user.id.uuidString.lowercased()))
            #expect(!text.contains("thing-12345"))
        }
    }

    @Test func disabledMeans404() async throws {
        try await TestApp.run(.with(try .testing())) { _, client in
            let reply = try await client.call(.get, "/metrics")
            #expect(reply.status == .notFound)
            #expect(reply.code == "not_found")
        }
    }

    @Test func loginOutcomeMapping() {
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .ok, code: nil) == .success)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .unauthorized, code: "invalid_credentials") == .failure)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .tooManyRequests, code: "too_many_attempts") == .locked)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .tooManyRequests, code: "rate_limited") == nil)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .forbidden, code: "account_disabled") == .disabled)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .forbidden, code: "email_not_verified") == .failure)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .unprocessableContent, code: "validation_failed") == nil)
        #expect(HTTPMetricsMiddleware.loginOutcome(status: .serviceUnavailable, code: "overloaded") == nil)
    }

    @Test func meteredHasherCountsVerifications() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatehouseMetrics(registry: registry)
        struct Fake: PasswordHasher {
            func hash(_ password: String) async throws -> String { "h" }
            func verify(_ password: String, against hash: String) async throws -> Bool { password == "ok" }
            func verifyDummy(_ password: String) async throws {}
        }
        let hasher = MeteredPasswordHasher(Fake(), verifications: metrics.passwordVerifications)
        _ = try await hasher.hash("x")
        #expect(try await hasher.verify("ok", against: "h"))
        #expect(try await !hasher.verify("no", against: "h"))
        try await hasher.verifyDummy("x")
        #expect(registry.emitToString().contains("gatehouse_password_verifications_total 3\n"))
    }
}
