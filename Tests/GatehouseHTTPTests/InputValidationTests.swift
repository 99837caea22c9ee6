import Foundation
import GatehouseCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Bad input gets a problem document and writes nothing")
struct InputValidationTests {
    static let bodyEndpoints = [
        "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/verify-email", "/api/v1/auth/resend-verification",
        "/api/v1/auth/forgot-password", "/api/v1/auth/reset-password",
    ]

    func userCount(_ app: TestApp) async throws -> Int {
        try await app.store.listUsers(.init(page: 1, pageSize: 100, includeDeleted: true)).total
    }

    @Test func malformedBodiesOnEveryEndpoint() async throws {
        try await TestApp.run { app, client in
            let before = try await userCount(app)
            for uri in Self.bodyEndpoints {
                let cases: [(String, String?, HTTPFields, HTTPResponse.Status, String)] = [
                    ("malformed", "{\"email\": ", [.contentType: "application/json"], .badRequest, "malformed_request"),
                    ("not an object", "[1,2,3]", [.contentType: "application/json"], .badRequest, "malformed_request"),
                    ("a string", "\"hello\"", [.contentType: "application/json"], .badRequest, "malformed_request"),
                    ("empty", "", [.contentType: "application/json"], .badRequest, "malformed_request"),
                    ("text/plain", "{}", [.contentType: "text/plain"], .unsupportedMediaType, "unsupported_media_type"),
                    ("form", "email=a", [.contentType: "application/x-www-form-urlencoded"], .unsupportedMediaType, "unsupported_media_type"),
                    ("no content type", "{}", [:], .unsupportedMediaType, "unsupported_media_type"),
                    ("operator injection", #"{"email": {"$ne": null}, "password": {"$gt": ""}, "token": {"$regex": "^a"}, "refreshToken": ["a"]}"#,
                        [.contentType: "application/json"], .badRequest, "invalid_field_type"),
                    ("number for string", #"{"email": 5, "password": 5, "token": 5, "refreshToken": 5, "newPassword": 5}"#,
                        [.contentType: "application/json"], .badRequest, "invalid_field_type"),
                ]
                for (name, body, headers, status, code) in cases {
                    let reply = try await client.call(.post, uri, rawBody: body, headers: headers)
                    #expect(reply.status == status, "\(uri) \(name): \(reply.status.code) \(reply.text)")
                    #expect(reply.code == code, "\(uri) \(name)")
                    #expect(reply.headers[.contentType] == "application/problem+json", "\(uri) \(name)")
                    #expect(reply.headers[HTTPField.Name("X-Request-ID")!] != nil)
                }
                let big = "{\"email\": \"" + String(repeating: "a", count: 70 * 1024) + "\"}"
                let tooLarge = try await client.call(.post, uri, rawBody: big, headers: [.contentType: "application/json"])
                #expect(tooLarge.status == .contentTooLarge, "\(uri) big body")
                #expect(tooLarge.code == "payload_too_large")
                let missing = try await client.call(.post, uri, json: [String: Any]())
                #expect(missing.status == .unprocessableContent || missing.status == .accepted, "\(uri) {} gives \(missing.status.code)")
                let nulls = try await client.call(.post, uri, json: ["email": NSNull(), "password": NSNull(), "token": NSNull(), "refreshToken": NSNull()])
                #expect(nulls.status == .unprocessableContent || nulls.status == .accepted, "\(uri) nulls give \(nulls.status.code)")
            }
            #expect(try await userCount(app) == before)
        }
    }

    @Test func missingFieldsAreListedTogether() async throws {
        try await TestApp.run { app, client in
            let reply = try await client.call(.post, "/api/v1/auth/register", json: [String: Any]())
            #expect(reply.status == .unprocessableContent)
            #expect(reply.code == "validation_failed")
            #expect(Set(reply.errorFields) == ["email", "password"])
            let weak = try await client.call(.post, "/api/v1/auth/register", json: ["email": "weak@example.com", "password": "abc"])
            #expect(Set(weak.errorCodes) == ["too_short", "missing_uppercase", "missing_digit", "missing_special"])
            let nul = try await client.call(.post, "/api/v1/auth/register", json: ["email": "nul@example.com", "password": "Passw0rd!\u{0}tail"])
            #expect(nul.status == .unprocessableContent)
            #expect(nul.errorCodes.contains("contains_nul"))
            let long = try await client.call(.post, "/api/v1/auth/register", json: ["email": "long@example.com", "password": "Aa1!" + String(repeating: "x", count: 125)])
            #expect(long.errorCodes == ["too_long"])
            #expect(try await userCount(app) == 0)
        }
    }

    @Test func emailsAreCanonicalAndInvisibleCharactersRejected() async throws {
        try await TestApp.run { app, client in
            #expect(try await client.register("Alice@Example.COM ").status == .created)
            let duplicate = try await client.register("alice@example.com")
            #expect(duplicate.status == .conflict)
            #expect(duplicate.code == "email_taken")
            #expect(try await client.register("  ALICE@example.com").status == .conflict)
            _ = try await client.login("ALICE@EXAMPLE.COM")
            // NFC: a decomposed and a precomposed é are one account.
            #expect(try await client.register("jose\u{0301}@example.com").status == .created)
            #expect(try await client.register("jos\u{00E9}@example.com").status == .conflict)
            for bad in ["a\u{0}b@example.com", "a\u{200B}b@example.com", "ab@exa\u{200D}mple.com", "a\u{202E}b@example.com", "a\u{2066}b@example.com",
                "a\u{1}b@example.com", "a\u{FEFF}@example.com", "a\u{FF20}example.com", "a@b@example.com", "a,b@example.com", "\"a\"@example.com",
                "a b@example.com", "plainaddress", "@example.com", "a@", String(repeating: "a", count: 250) + "@example.com"]
            {
                let reply = try await client.register(bad)
                #expect(reply.status == .unprocessableContent, "\(bad.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect(reply.errorFields.contains("email"))
            }
            #expect(try await userCount(app) == 2)
        }
    }

    @Test func queryValuesOutOfRangeAre422() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("mod@example.com", role: .moderator)
            let token = try await client.login("mod@example.com").access
            for query in ["page=0", "page=-1", "page=abc", "pageSize=0", "pageSize=101", "pageSize=1e3", "role=king", "isActive=maybe", "includeDeleted=1",
                "page=99999999999999999999"]
            {
                let reply = try await client.call(.get, "/api/v1/users?\(query)", bearer: token)
                #expect(reply.status == .unprocessableContent, "\(query)")
                #expect(reply.code == "validation_failed", "\(query)")
            }
            let both = try await client.call(.get, "/api/v1/users?page=0&pageSize=500", bearer: token)
            #expect(Set(both.errorFields) == ["page", "pageSize"])
        }
    }

    @Test func listingPagesFiltersAndOrders() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("mod@example.com", role: .moderator)
            for i in 0..<25 {
                app.clock.advance(by: 1)
                try await app.makeUser(String(format: "user%02d@example.com", i), role: i % 5 == 0 ? .guest : .user, isActive: i % 2 == 0)
            }
            let token = try await client.login("mod@example.com").access
            let page1 = try await client.call(.get, "/api/v1/users?pageSize=10", bearer: token)
            #expect(page1.json["total"] as? Int == 26)
            let items = page1.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 10)
            #expect(items.first?["email"] as? String == "user24@example.com")
            let page3 = try await client.call(.get, "/api/v1/users?pageSize=10&page=3", bearer: token)
            #expect((page3.json["items"] as? [[String: Any]])?.count == 6)
            let guests = try await client.call(.get, "/api/v1/users?role=guest", bearer: token)
            #expect(guests.json["total"] as? Int == 5)
            let active = try await client.call(.get, "/api/v1/users?isActive=false", bearer: token)
            #expect(active.json["total"] as? Int == 12)
            let prefix = try await client.call(.get, "/api/v1/users?q=USER1", bearer: token)
            #expect(prefix.json["total"] as? Int == 10)
            let wildcard = try await client.call(.get, "/api/v1/users?q=%25", bearer: token)
            #expect(wildcard.json["total"] as? Int == 0, "LIKE wildcards in q are literal")
        }
    }

    @Test func userEndpointBodiesAreChecked() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("root@example.com", role: .superAdmin)
            let target = try await app.makeUser("t@example.com")
            let token = try await client.login("root@example.com").access
            let uri = "/api/v1/users/\(target.id.uuidString.lowercased())"
            #expect(try await client.call(.patch, uri, json: ["isActive": "no"], bearer: token).status == .badRequest)
            #expect(try await client.call(.patch, uri, json: ["isActive": NSNull()], bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.patch, uri, json: ["email": "not-an-email"], bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.patch, uri, json: ["username": String(repeating: "u", count: 65)], bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.patch, uri, json: ["fullName": "bad\u{0}name"], bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.patch, "\(uri)/role", json: ["role": "emperor"], bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.patch, "\(uri)/role", json: [String: Any](), bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.post, "/api/v1/users", json: ["email": "x@example.com", "password": TestApp.password, "role": "root"], bearer: token).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/users/not-a-uuid", bearer: token).status == .notFound)
            #expect(try await app.store.user(id: target.id, includeDeleted: false) == target)
            // Clearing a profile field with null works; a taken email is 409.
            try await app.makeUser("taken@example.com")
            #expect(try await client.call(.patch, uri, json: ["email": "TAKEN@example.com"], bearer: token).status == .conflict)
            let cleared = try await client.call(.patch, uri, json: ["username": "named"], bearer: token)
            #expect(cleared.json["username"] as? String == "named")
            let nulled = try await client.call(.patch, uri, json: ["username": NSNull()], bearer: token)
            #expect(nulled.json["username"] is NSNull)
        }
    }

    @Test func unknownRoutesAndMethodsAreProblems() async throws {
        try await TestApp.run { _, client in
            let reply = try await client.call(.get, "/api/v1/nothing")
            #expect(reply.status == .notFound)
            #expect(reply.headers[.contentType] == "application/problem+json")
            let id = try await client.call(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: "abc-123"])
            #expect(id.headers[HTTPField.Name("X-Request-ID")!] == "abc-123")
            let insane = try await client.call(.get, "/health", headers: [HTTPField.Name("X-Request-ID")!: "bad id\twith stuff"])
            #expect(insane.headers[HTTPField.Name("X-Request-ID")!] != "bad id\twith stuff")
        }
    }
}

@Suite("Secrets never reach the logs")
struct SecretLoggingTests {
    @Test func noPasswordHashOrTokenIsLogged() async throws {
        try await TestApp.run { app, client in
            let password = "S3cret!Passw0rd-xyz"
            #expect(try await client.register("logs@example.com", password).status == .created)
            let verification = try #require(token(in: await app.mailer.waitForMessage(to: "logs@example.com", kind: .emailVerification)))
            _ = try await client.call(.post, "/api/v1/auth/verify-email", json: ["token": verification])
            let tokens = try await client.login("logs@example.com", password)
            _ = try await client.call(.post, "/api/v1/auth/login", json: ["email": "logs@example.com", "password": "Wr0ng!Password-abc"])
            let rotated = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh])
            _ = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh])  // reuse
            _ = try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "logs@example.com"])
            let reset = try #require(token(in: await app.mailer.waitForMessage(to: "logs@example.com", kind: .passwordReset)))
            let newPassword = "N3w!Secret-Passw0rd"
            _ = try await client.call(.post, "/api/v1/auth/reset-password", json: ["token": reset, "newPassword": newPassword])
            let second = try await client.login("logs@example.com", newPassword)
            _ = try await client.call(.get, "/api/v1/users/me", bearer: second.access)
            _ = try await client.call(.get, "/api/v1/users/me", bearer: second.access + "x")
            let hash = try #require(try await app.store.user(email: "logs@example.com")?.passwordHash)
            let text = app.logText
            #expect(text.contains("login succeeded"), "the logs were captured")
            let useCaseLines = app.logs.entries.filter { "\($0.message)" == "login succeeded" }
            #expect(!useCaseLines.isEmpty && useCaseLines.allSatisfy { $0.metadata["request.id"] != nil }, "use-case log lines carry the request id")
            var secrets = [password, "Wr0ng!Password-abc", newPassword, verification, reset, tokens.access, tokens.refresh, second.access, second.refresh, hash,
                TestApp.secret]
            if let access = rotated.json["accessToken"] as? String { secrets.append(access) }
            for secret in secrets {
                #expect(!text.contains(secret), "a secret appears in the logs")
                // Also no long fragment of it (e.g. a JWT signature).
                if secret.count > 40 { #expect(!text.contains(String(secret.suffix(30)))) }
            }
        }
    }
}

@Suite("Health endpoints")
struct HealthTests {
    @Test func livenessAndReadiness() async throws {
        try await TestApp.run { app, client in
            let health = try await client.call(.get, "/health")
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")
            #expect(health.json["version"] as? String == "test")
            #expect(health.json["uptimeSeconds"] is Int)
            let ready = try await client.call(.get, "/health/ready")
            #expect(ready.status == .ok)
            let database = (ready.json["checks"] as? [String: Any])?["database"] as? [String: Any]
            #expect(database?["status"] as? String == "ok")
            #expect(database?["latencyMs"] is Double || database?["latencyMs"] is Int)
            // The database goes away: readiness is 503 and requests fail fast with 503 problem documents.
            try await app.database.close()
            let down = try await client.call(.get, "/health/ready")
            #expect(down.status == .serviceUnavailable)
            let login = try await client.call(.post, "/api/v1/auth/login", json: ["email": "a@example.com", "password": "x"])
            #expect(login.status == .serviceUnavailable)
            #expect(login.code == "service_unavailable")
        }
    }
}
