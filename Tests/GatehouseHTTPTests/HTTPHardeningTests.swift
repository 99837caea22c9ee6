import Foundation
import GatehouseCore
import GatehouseHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP hardening: CORS allow-list, HSTS, security headers, request-head size limits")
struct HTTPHardeningTests {
    static let app = "https://app.example.com"

    @Test func corsAllowedOriginGetsHeaders() async throws {
        try await TestApp.run(.with(try .testing(cors: [Self.app]))) { _, client in
            let reply = try await client.call(.get, "/health", headers: [.origin: Self.app])
            #expect(reply.status == .ok)
            #expect(reply.headers[.accessControlAllowOrigin] == Self.app)
            #expect(reply.headers[values: .vary].contains("Origin"))
            // Errors carry it too, so that scripts can read the problem document.
            let error = try await client.call(.get, "/api/v1/users/me", headers: [.origin: Self.app])
            #expect(error.status == .unauthorized)
            #expect(error.headers[.accessControlAllowOrigin] == Self.app)
            #expect(error.code == "missing_token")
        }
    }

    @Test func corsOtherOriginsGetNothing() async throws {
        try await TestApp.run(.with(try .testing(cors: [Self.app]))) { _, client in
            for origin in ["https://evil.example.com", "null", "http://app.example.com", "https://app.example.com.evil.test"] {
                let reply = try await client.call(.get, "/health", headers: [.origin: origin])
                #expect(reply.status == .ok)
                #expect(reply.headers[.accessControlAllowOrigin] == nil, "\(origin)")
            }
            let preflight = try await client.call(
                .options, "/api/v1/auth/login", headers: [.origin: "https://evil.example.com", .accessControlRequestMethod: "POST"])
            #expect(preflight.headers[.accessControlAllowOrigin] == nil)
            #expect(preflight.headers[.accessControlAllowMethods] == nil)
        }
        // No origins configured: no CORS headers at all.
        try await TestApp.run(.with(try .testing())) { _, client in
            let reply = try await client.call(.get, "/health", headers: [.origin: Self.app])
            #expect(reply.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func corsPreflight() async throws {
        try await TestApp.run(.with(try .testing(rateLimits: "login=1/60", cors: [Self.app]))) { _, client in
            for _ in 0..<3 {
                let preflight = try await client.call(
                    .options, "/api/v1/auth/login",
                    headers: [.origin: Self.app, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type, x-request-id"])
                #expect(preflight.status == .noContent)
                #expect(preflight.headers[.accessControlAllowOrigin] == Self.app)
                #expect(preflight.headers[.accessControlAllowMethods] == "GET, POST, PATCH, DELETE")
                let allowed = (preflight.headers[.accessControlAllowHeaders] ?? "").lowercased()
                #expect(allowed.contains("authorization") && allowed.contains("content-type") && allowed.contains("x-request-id"))
                let exposed = preflight.headers[.accessControlExposeHeaders] ?? ""
                for name in ["X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] {
                    #expect(exposed.contains(name), "\(name)")
                }
                #expect(preflight.headers[.accessControlAllowCredentials] == nil)
                #expect(preflight.header("X-Request-ID") != nil)
            }
            // Preflights spend no rate-limit budget.
            let login = try await client.call(.post, "/api/v1/auth/login", json: ["email": "a@example.com", "password": "x"], headers: [.origin: Self.app])
            #expect(login.status == .unauthorized)
            #expect(login.headers[.accessControlAllowOrigin] == Self.app)
        }
    }

    @Test func hstsOnlyWhenHTTPS() async throws {
        try await TestApp.run(.with(try .testing(hsts: true))) { _, client in
            for path in ["/health", "/no/such/route"] {
                let reply = try await client.call(.get, path)
                #expect(reply.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
                #expect(reply.headers[.cacheControl] == "no-store")
                #expect(reply.headers[.xContentTypeOptions] == "nosniff")
                #expect(reply.header("Referrer-Policy") == "no-referrer")
            }
        }
        try await TestApp.run(.with(try .testing(hsts: false))) { _, client in
            let reply = try await client.call(.get, "/health")
            #expect(reply.headers[.strictTransportSecurity] == nil)
            #expect(reply.headers[.cacheControl] == "no-store")
        }
    }

    @Test func oversizedHeadsInProcess() async throws {
        try await TestApp.run(.with(try .testing())) { _, client in
            try await Self.checkLimits(client)
        }
    }

    /// Over a real socket: the limits answer before NIO's own (80 KiB for request line and headers together).
    @Test func oversizedHeadsLive() async throws {
        try await TestApp.run(.with(try .testing(), live: true)) { _, client in
            try await Self.checkLimits(client)
        }
    }

    static func checkLimits(_ client: some TestClientProtocol) async throws {
        let longPath = "/health?" + String(repeating: "q", count: 8 * 1024)
        let tooLong = try await client.call(.get, longPath)
        #expect(tooLong.status == .uriTooLong)
        #expect(tooLong.code == "uri_too_long")
        #expect(tooLong.header("X-Request-ID") != nil)
        let atLimit = try await client.call(.get, "/health?" + String(repeating: "q", count: 8 * 1024 - "/health?".count))
        #expect(atLimit.status == .ok)

        let big: HTTPFields = [HTTPField.Name("X-Padding")!: String(repeating: "p", count: 16 * 1024)]
        let tooLarge = try await client.call(.get, "/health", headers: big)
        #expect(tooLarge.status == .requestHeaderFieldsTooLarge)
        #expect(tooLarge.code == "request_header_fields_too_large")
        #expect(tooLarge.headers[.contentType] == "application/problem+json")
        // Many small fields count together.
        var many = HTTPFields()
        for index in 0..<40 { many.append(HTTPField(name: HTTPField.Name("X-Pad-\(index)")!, value: String(repeating: "p", count: 500))) }
        do {
            let value = try await client.call(.get, "/health", headers: many).status
            #expect(value == .requestHeaderFieldsTooLarge)
        }
        let fine: HTTPFields = [HTTPField.Name("X-Padding")!: String(repeating: "p", count: 12 * 1024)]
        do {
            let value = try await client.call(.get, "/health", headers: fine).status
            #expect(value == .ok)
        }
    }

    /// Above NIO's decoder limit the request never reaches the router: Hummingbird answers a bare 400 and closes.
    @Test func aboveNIOLimitIsBare400() async throws {
        try await TestApp.run(.with(try .testing(), live: true)) { _, client in
            let huge: HTTPFields = [HTTPField.Name("X-Padding")!: String(repeating: "p", count: 100 * 1024)]
            let reply = try await client.call(.get, "/health", headers: huge)
            #expect(reply.status == .badRequest)
            #expect(reply.headers[.connection] == "close")
            #expect(reply.header("X-Request-ID") == nil)
        }
    }
}
