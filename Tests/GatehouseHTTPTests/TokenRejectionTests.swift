import Crypto
import Foundation
import GatehouseCore
import HTTPTypes
import HummingbirdTesting
import Testing

/// An attacker's token forge: signs arbitrary header and claims with HMAC (or not at all).
enum Forge {
    static func b64(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    static func json(_ object: [String: Any]) -> Data { try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }

    enum Signature { case none, hs256, hs384, hs512 }

    static func token(header: [String: Any], claims: [String: Any], key: String, signature: Signature) -> String {
        let input = b64(json(header)) + "." + b64(json(claims))
        let key = SymmetricKey(data: Data(key.utf8))
        let mac: Data
        switch signature {
        case .none: mac = Data()
        case .hs256: mac = Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key))
        case .hs384: mac = Data(HMAC<SHA384>.authenticationCode(for: Data(input.utf8), using: key))
        case .hs512: mac = Data(HMAC<SHA512>.authenticationCode(for: Data(input.utf8), using: key))
        }
        return input + "." + b64(mac)
    }

    /// Decodes the claims of a compact JWS.
    static func claims(of token: String) -> [String: Any] {
        var segment = String(token.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while segment.count % 4 != 0 { segment += "=" }
        return (try? JSONSerialization.jsonObject(with: Data(base64Encoded: segment)!)) as? [String: Any] ?? [:]
    }
}

@Suite("Forged, expired and misused tokens are 401")
struct TokenRejectionTests {
    static let invalidChallenge = #"Bearer realm="gatehouse", error="invalid_token""#

    @Test func forgedAccessTokensAreRejected() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("forge@example.com", role: .superAdmin)
            let real = try await client.login("forge@example.com")
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: real.access).status == .ok)
            let claims = Forge.claims(of: real.access)
            #expect(claims["type"] as? String == "access")
            #expect(claims["iat"] is Int && claims["exp"] is Int, "NumericDate claims are whole seconds")
            let hs256: [String: Any] = ["alg": "HS256", "typ": "JWT"]
            func with(_ changes: [String: Any]) -> [String: Any] { claims.merging(changes) { _, new in new } }
            let cases: [(String, String)] = [
                ("alg none", Forge.token(header: ["alg": "none", "typ": "JWT"], claims: claims, key: TestApp.secret, signature: .none)),
                ("alg none with signature", Forge.token(header: ["alg": "none"], claims: claims, key: TestApp.secret, signature: .hs256)),
                ("HS512 same key", Forge.token(header: ["alg": "HS512", "typ": "JWT"], claims: claims, key: TestApp.secret, signature: .hs512)),
                ("HS384 same key", Forge.token(header: ["alg": "HS384", "typ": "JWT"], claims: claims, key: TestApp.secret, signature: .hs384)),
                ("RS256 header", Forge.token(header: ["alg": "RS256", "typ": "JWT"], claims: claims, key: TestApp.secret, signature: .hs256)),
                ("wrong key", Forge.token(header: hs256, claims: claims, key: "another-secret-another-secret-another", signature: .hs256)),
                ("wrong iss", Forge.token(header: hs256, claims: with(["iss": "evil"]), key: TestApp.secret, signature: .hs256)),
                ("wrong aud", Forge.token(header: hs256, claims: with(["aud": "other-app"]), key: TestApp.secret, signature: .hs256)),
                ("wrong type", Forge.token(header: hs256, claims: with(["type": "refresh"]), key: TestApp.secret, signature: .hs256)),
                ("no type", Forge.token(header: hs256, claims: with(["type": NSNull()]), key: TestApp.secret, signature: .hs256)),
                ("role raised in claims", Forge.token(header: hs256, claims: with(["role": "super_admin", "sub": UUID().uuidString.lowercased()]), key: "x-wrong-key-x-wrong-key-x-wrong-key", signature: .hs256)),
                ("refresh token as bearer", real.refresh),
                ("tampered payload", { var parts = real.access.split(separator: ".").map(String.init); parts[1] = Forge.b64(Forge.json(with(["email": "x@example.com"]))); return parts.joined(separator: ".") }()),
                ("garbage", "not-a-token"),
                ("three dots", "a.b.c"),
                ("empty segments", ".."),
                ("huge", String(repeating: "a", count: 7000)),
            ]
            for (name, token) in cases {
                let reply = try await client.call(.get, "/api/v1/users/me", bearer: token)
                #expect(reply.status == .unauthorized, "\(name)")
                #expect(reply.headers[.wwwAuthenticate] == Self.invalidChallenge, "\(name)")
                #expect(reply.code == "invalid_token", "\(name)")
            }
        }
    }

    @Test func expiredAccessTokenIsRejectedWithInjectedClock() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("clock@example.com")
            let tokens = try await client.login("clock@example.com")
            app.clock.advance(by: 3_600 + 20)  // inside the 30 s leeway
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: tokens.access).status == .ok)
            app.clock.advance(by: 20)
            let expired = try await client.call(.get, "/api/v1/users/me", bearer: tokens.access)
            #expect(expired.status == .unauthorized)
            #expect(expired.headers[.wwwAuthenticate] == Self.invalidChallenge)
        }
    }

    @Test func misusedAndExpiredRefreshTokensAreRejected() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("refresh@example.com")
            let tokens = try await client.login("refresh@example.com")
            let claims = Forge.claims(of: tokens.refresh)
            let hs256: [String: Any] = ["alg": "HS256", "typ": "JWT"]
            let cases: [(String, String)] = [
                ("access token", tokens.access),
                ("alg none", Forge.token(header: ["alg": "none"], claims: claims, key: TestApp.secret, signature: .none)),
                ("wrong key", Forge.token(header: hs256, claims: claims, key: "another-secret-another-secret-another", signature: .hs256)),
                ("wrong aud", Forge.token(header: hs256, claims: claims.merging(["aud": "x"]) { _, n in n }, key: TestApp.secret, signature: .hs256)),
                ("unknown token id", Forge.token(header: hs256, claims: claims.merging(["tokenId": UUID().uuidString.lowercased()]) { _, n in n }, key: TestApp.secret, signature: .hs256)),
                ("garbage", "garbage"),
            ]
            for (name, token) in cases {
                let reply = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": token])
                #expect(reply.status == .unauthorized, "\(name)")
                #expect(reply.code == "invalid_refresh_token", "\(name)")
                #expect(reply.headers[.wwwAuthenticate] != nil, "\(name)")
            }
            // Still good after all that, until it expires (7 days).
            app.clock.advance(by: 604_800 + 31)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh]).status == .unauthorized)
        }
    }
}
