import Crypto
import Foundation
import GatehouseCore
import JWTKit
import Synchronization
import Testing

@testable import GatehouseTokens

/// A tiny settable clock (kept local so these tests do not depend on GatehouseTesting's evolution).
final class TestClock: WallClock {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// The wire payload, defined independently of the code under test, carrying the union of access and refresh
/// claims (optional ones are omitted when nil) so the tests can forge any token.
struct ForgedPayload: JWTPayload {
    var sub: SubjectClaim
    var userId: String
    var email: String?
    var role: String?
    var tokenId: String?
    var type: String
    var sid: String
    var jti: IDClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim
    var aud: AudienceClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

enum Fixture {
    static let secret = "0123456789abcdefghijklmnopqrstuvwxyzABCD"  // 40 bytes
    static let otherSecret = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxw"  // 40 bytes
    static let start = Date(timeIntervalSince1970: 1_735_689_600)  // whole seconds
    static let userId = UUID(uuidString: "11111111-2222-4333-8444-555555555555")!
    static let sessionId = UUID(uuidString: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE")!
    static let tokenId = UUID(uuidString: "99999999-8888-4777-8666-555555555555")!

    static func access(issuedAt: Date = start, ttl: TimeInterval = 3600, role: Role = .moderator) -> AccessTokenClaims {
        AccessTokenClaims(
            userId: userId, email: "alice@example.com", role: role, sessionId: sessionId, tokenId: tokenId,
            issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(ttl))
    }

    static func refresh(issuedAt: Date = start, ttl: TimeInterval = 604_800) -> RefreshTokenClaims {
        RefreshTokenClaims(userId: userId, tokenId: tokenId, sessionId: sessionId, issuedAt: issuedAt, expiresAt: issuedAt.addingTimeInterval(ttl))
    }

    static func forged(
        type: String, withAccessFields: Bool = true, withRefreshFields: Bool = false, iss: String = "gatehouse",
        aud: [String] = ["gatehouse"], issuedAt: Date = start, ttl: TimeInterval = 3600
    ) -> ForgedPayload {
        let id = tokenId.uuidString.lowercased()
        return ForgedPayload(
            sub: .init(value: userId.uuidString.lowercased()), userId: userId.uuidString.lowercased(),
            email: withAccessFields ? "alice@example.com" : nil, role: withAccessFields ? "moderator" : nil,
            tokenId: withRefreshFields ? id : nil, type: type, sid: sessionId.uuidString.lowercased(), jti: .init(value: id),
            iat: .init(value: issuedAt), exp: .init(value: issuedAt.addingTimeInterval(ttl)), iss: .init(value: iss),
            aud: .init(value: aud))
    }

    /// Signs `payload` with jwt-kit directly, using `secret` and the given HMAC digest.
    static func sign(_ payload: ForgedPayload, secret: String = secret, digest: DigestAlgorithm = .sha256) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(secret.utf8)), digestAlgorithm: digest)
        return try await keys.sign(payload, header: ["typ": "JWT"])
    }
}

/// base64url helpers and compact-JWS surgery.
enum JWS {
    static func decode(_ segment: String) throws -> Data {
        var s = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return try #require(Data(base64Encoded: s), "segment is not base64url: \(segment)")
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func segments(_ token: String) throws -> [String] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3, "not a compact JWS: \(token)")
        return parts
    }

    static func payloadText(_ token: String) throws -> String {
        try #require(String(data: decode(segments(token)[1]), encoding: .utf8))
    }

    static func payloadObject(_ token: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: decode(segments(token)[1])) as? [String: Any])
    }

    static func headerObject(_ token: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: decode(segments(token)[0])) as? [String: Any])
    }

    /// The raw JSON text of a numeric member, e.g. `1735689600` or `1735689600.123`.
    static func rawNumber(_ name: String, in json: String) throws -> String {
        let regex = try Regex("\"\(name)\"\\s*:\\s*([-0-9.eE+]+)")
        let match = try #require(json.firstMatch(of: regex), "\(name) not a number in \(json)")
        return try #require(match.output[1].substring.map(String.init))
    }
}

@Suite("JWTTokenCodec")
struct JWTTokenCodecTests {
    let clock = TestClock(Fixture.start)

    func codec(issuer: String = "gatehouse", audience: String = "gatehouse", secret: String = Fixture.secret) async -> JWTTokenCodec {
        var configuration = TokenConfiguration(secret: secret)
        configuration.issuer = issuer
        configuration.audience = audience
        return await JWTTokenCodec(configuration: configuration, clock: clock)
    }

    // MARK: round trip

    @Test func accessTokenRoundTrip() async throws {
        let codec = await codec()
        for role in Role.allCases {
            let claims = Fixture.access(role: role)
            let token = try await codec.signAccessToken(claims)
            let verified = try await codec.verifyAccessToken(token)
            #expect(verified == claims)
            #expect(verified.role == role)
        }
    }

    @Test func refreshTokenRoundTrip() async throws {
        let codec = await codec()
        let claims = Fixture.refresh()
        let token = try await codec.signRefreshToken(claims)
        let verified = try await codec.verifyRefreshToken(token)
        #expect(verified == claims)
    }

    @Test func accessTokenWireFormat() async throws {
        let codec = await codec()
        let token = try await codec.signAccessToken(Fixture.access())
        let header = try JWS.headerObject(token)
        #expect(header["alg"] as? String == "HS256")
        #expect(header["typ"] as? String == "JWT")
        let payload = try JWS.payloadObject(token)
        #expect(Set(payload.keys) == ["sub", "userId", "email", "role", "type", "sid", "jti", "iat", "exp", "iss", "aud"])
        let uid = Fixture.userId.uuidString.lowercased()
        #expect(payload["sub"] as? String == uid)
        #expect(payload["userId"] as? String == uid)
        #expect(payload["email"] as? String == "alice@example.com")
        #expect(payload["role"] as? String == "moderator")
        #expect(payload["type"] as? String == "access")
        #expect(payload["sid"] as? String == Fixture.sessionId.uuidString.lowercased())
        #expect(payload["jti"] as? String == Fixture.tokenId.uuidString.lowercased())
        #expect(payload["iss"] as? String == "gatehouse")
        let aud = payload["aud"]
        #expect((aud as? String) == "gatehouse" || (aud as? [String]) == ["gatehouse"])
        #expect((payload["iat"] as? NSNumber)?.doubleValue == 1_735_689_600)
        #expect((payload["exp"] as? NSNumber)?.doubleValue == 1_735_693_200)
    }

    @Test func refreshTokenWireFormat() async throws {
        let codec = await codec()
        let token = try await codec.signRefreshToken(Fixture.refresh())
        let header = try JWS.headerObject(token)
        #expect(header["alg"] as? String == "HS256")
        let payload = try JWS.payloadObject(token)
        #expect(Set(payload.keys) == ["sub", "userId", "tokenId", "jti", "sid", "type", "iat", "exp", "iss", "aud"])
        let uid = Fixture.userId.uuidString.lowercased()
        #expect(payload["sub"] as? String == uid)
        #expect(payload["userId"] as? String == uid)
        #expect(payload["tokenId"] as? String == Fixture.tokenId.uuidString.lowercased())
        #expect(payload["jti"] as? String == payload["tokenId"] as? String)
        #expect(payload["sid"] as? String == Fixture.sessionId.uuidString.lowercased())
        #expect(payload["type"] as? String == "refresh")
        #expect(payload["iss"] as? String == "gatehouse")
        let aud = payload["aud"]
        #expect((aud as? String) == "gatehouse" || (aud as? [String]) == ["gatehouse"])
        #expect(payload["email"] == nil && payload["role"] == nil)
    }

    // MARK: iat / exp are whole seconds on the wire

    static let fractionalIssue = Date(timeIntervalSince1970: 1_735_689_600.123)

    @Test func accessTokenTimesAreWholeSecondsOnTheWire() async throws {
        let codec = await codec()
        let token = try await codec.signAccessToken(Fixture.access(issuedAt: Self.fractionalIssue))
        let json = try JWS.payloadText(token)
        #expect(try JWS.rawNumber("iat", in: json) == "1735689600", "\(json)")
        #expect(try JWS.rawNumber("exp", in: json) == "1735693200", "\(json)")
    }

    @Test func refreshTokenTimesAreWholeSecondsOnTheWire() async throws {
        let codec = await codec()
        let token = try await codec.signRefreshToken(Fixture.refresh(issuedAt: Self.fractionalIssue))
        let json = try JWS.payloadText(token)
        #expect(try JWS.rawNumber("iat", in: json) == "1735689600", "\(json)")
        #expect(try JWS.rawNumber("exp", in: json) == "1736294400", "\(json)")
    }

    /// Why the codec must truncate: jwt-kit writes a `Date` claim as a JSON Double, so a millisecond timestamp
    /// (the clock's precision) leaks onto the wire as a fractional NumericDate unless the codec rounds it first.
    @Test func jwtKitAloneWritesFractionalSeconds() async throws {
        let token = try await Fixture.sign(Fixture.forged(type: "access", issuedAt: Self.fractionalIssue))
        let json = try JWS.payloadText(token)
        #expect(try JWS.rawNumber("iat", in: json).hasPrefix("1735689600."), "\(json)")
    }

    // MARK: control: a token forged by the test with the right key and claims is accepted

    @Test func forgedTokenWithCorrectKeyAndClaimsIsAccepted() async throws {
        let codec = await codec()
        let access = try await Fixture.sign(Fixture.forged(type: "access"))
        #expect(try await codec.verifyAccessToken(access).userId == Fixture.userId)
        let refresh = try await Fixture.sign(Fixture.forged(type: "refresh", withAccessFields: false, withRefreshFields: true))
        #expect(try await codec.verifyRefreshToken(refresh).tokenId == Fixture.tokenId)
    }

    // MARK: algorithm confusion

    @Test(arguments: ["none", "None", "NONE", "nOnE", ""])
    func algNoneIsRejected(_ alg: String) async throws {
        let codec = await codec()
        let good = try await codec.signAccessToken(Fixture.access())
        let goodRefresh = try await codec.signRefreshToken(Fixture.refresh())
        let header = JWS.encode(Data("{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}".utf8))
        for (token, isAccess) in [(good, true), (goodRefresh, false)] {
            let parts = try JWS.segments(token)
            let unsigned = header + "." + parts[1] + "."
            let keptSignature = header + "." + parts[1] + "." + parts[2]
            for forged in [unsigned, keptSignature] {
                if isAccess {
                    await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
                } else {
                    await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(forged) }
                }
            }
        }
    }

    /// Re-signs the payload segment of `token` with HMAC-`SHA` over the raw `secret`, under header `alg`.
    /// (Built with swift-crypto because jwt-kit asserts, in debug builds, that an HS384/HS512 key is at least 48/64
    /// bytes, so `JWTKeyCollection.add(hmac:digestAlgorithm: .sha512)` traps with the 40-byte secret.)
    static func resign<SHA: HashFunction>(_ token: String, alg: String, secret: String, using _: SHA.Type) throws -> String {
        let parts = try JWS.segments(token)
        let header = JWS.encode(Data("{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}".utf8))
        let input = header + "." + parts[1]
        let mac = HMAC<SHA>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + JWS.encode(Data(mac))
    }

    @Test(arguments: ["HS384", "HS512"])
    func otherHMACAlgorithmWithSameSecretIsRejected(_ alg: String) async throws {
        let codec = await codec()
        let access = try await codec.signAccessToken(Fixture.access())
        let refresh = try await codec.signRefreshToken(Fixture.refresh())
        for (token, isAccess) in [(access, true), (refresh, false)] {
            let forged = alg == "HS384"
                ? try Self.resign(token, alg: alg, secret: Fixture.secret, using: SHA384.self)
                : try Self.resign(token, alg: alg, secret: Fixture.secret, using: SHA512.self)
            #expect(try JWS.headerObject(forged)["alg"] as? String == alg)
            if isAccess {
                await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
            } else {
                await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(forged) }
            }
        }
        // Control: the same re-signing helper with HS256 produces a token the codec accepts.
        let control = try Self.resign(access, alg: "HS256", secret: Fixture.secret, using: SHA256.self)
        #expect(try await codec.verifyAccessToken(control) == Fixture.access())
    }

    /// The jwt-kit route of the brief, with a 64-byte secret so that jwt-kit's HS512 key-size assertion holds.
    @Test(arguments: [DigestAlgorithm.sha384, .sha512])
    func jwtKitSignedHS384OrHS512WithSameSecretIsRejected(_ digest: DigestAlgorithm) async throws {
        let secret = String(repeating: "k", count: 64)
        let codec = await codec(secret: secret)
        let access = try await Fixture.sign(Fixture.forged(type: "access"), secret: secret, digest: digest)
        let alg = try JWS.headerObject(access)["alg"] as? String
        #expect(alg == "HS384" || alg == "HS512")
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(access) }
        let refresh = try await Fixture.sign(Fixture.forged(type: "refresh", withAccessFields: false, withRefreshFields: true), secret: secret, digest: digest)
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(refresh) }
        // Control: HS256 with the same secret and payload is accepted.
        let good = try await Fixture.sign(Fixture.forged(type: "access"), secret: secret, digest: .sha256)
        #expect(try await codec.verifyAccessToken(good).userId == Fixture.userId)
    }

    @Test func hs256HeaderOnHS512SignatureIsRejected() async throws {
        let codec = await codec()
        let access = try await codec.signAccessToken(Fixture.access())
        let hs512 = try Self.resign(access, alg: "HS512", secret: Fixture.secret, using: SHA512.self)
        let parts = try JWS.segments(hs512)
        let header = JWS.encode(Data("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".utf8))
        let forged = header + "." + parts[1] + "." + parts[2]
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
    }

    @Test func tokenSignedWithAnotherKeyIsRejected() async throws {
        let codec = await codec()
        let access = try await Fixture.sign(Fixture.forged(type: "access"), secret: Fixture.otherSecret)
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(access) }
        let refresh = try await Fixture.sign(Fixture.forged(type: "refresh", withAccessFields: false, withRefreshFields: true), secret: Fixture.otherSecret)
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(refresh) }
        // Same, through a second codec configured with the other secret.
        let other = await self.codec(secret: Fixture.otherSecret)
        let access2 = try await other.signAccessToken(Fixture.access())
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(access2) }
        let refresh2 = try await other.signRefreshToken(Fixture.refresh())
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(refresh2) }
    }

    // MARK: iss / aud

    @Test func wrongIssuerIsRejected() async throws {
        let codec = await codec()
        let other = await self.codec(issuer: "someone-else")
        let access = try await other.signAccessToken(Fixture.access())
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(access) }
        let refresh = try await other.signRefreshToken(Fixture.refresh())
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(refresh) }
        // The other codec accepts its own tokens, so the rejection is about `iss` only.
        #expect(try await other.verifyAccessToken(access).userId == Fixture.userId)
        let forged = try await Fixture.sign(Fixture.forged(type: "access", iss: "Gatehouse"))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
    }

    @Test func wrongAudienceIsRejected() async throws {
        let codec = await codec()
        let other = await self.codec(audience: "another-api")
        let access = try await other.signAccessToken(Fixture.access())
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(access) }
        let refresh = try await other.signRefreshToken(Fixture.refresh())
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(refresh) }
        #expect(try await other.verifyRefreshToken(refresh).tokenId == Fixture.tokenId)
        let forged = try await Fixture.sign(Fixture.forged(type: "access", aud: ["another-api"]))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
        let empty = try await Fixture.sign(Fixture.forged(type: "access", aud: []))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(empty) }
    }

    // MARK: token type confusion

    @Test func refreshTokenIsNotAnAccessToken() async throws {
        let codec = await codec()
        let refresh = try await codec.signRefreshToken(Fixture.refresh())
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(refresh) }
        // Even when it carries every access claim, `type: refresh` is refused.
        let superset = try await Fixture.sign(Fixture.forged(type: "refresh", withAccessFields: true, withRefreshFields: true))
        #expect(try await codec.verifyRefreshToken(superset).tokenId == Fixture.tokenId)
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(superset) }
    }

    @Test func accessTokenIsNotARefreshToken() async throws {
        let codec = await codec()
        let access = try await codec.signAccessToken(Fixture.access())
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(access) }
        let superset = try await Fixture.sign(Fixture.forged(type: "access", withAccessFields: true, withRefreshFields: true))
        #expect(try await codec.verifyAccessToken(superset).userId == Fixture.userId)
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(superset) }
    }

    @Test(arguments: ["", "Access", "ACCESS", "id", "refresh "])
    func unknownTypeIsRejected(_ type: String) async throws {
        let codec = await codec()
        let token = try await Fixture.sign(Fixture.forged(type: type, withAccessFields: true, withRefreshFields: true))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(token) }
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(token) }
    }

    // MARK: expiry with 30 s leeway

    @Test func accessTokenExpiryUsesThirtySecondLeeway() async throws {
        let codec = await codec()
        let claims = Fixture.access(ttl: 900)
        let token = try await codec.signAccessToken(claims)
        clock.set(claims.expiresAt.addingTimeInterval(-1))
        #expect(try await codec.verifyAccessToken(token) == claims)
        clock.set(claims.expiresAt.addingTimeInterval(29))
        #expect(try await codec.verifyAccessToken(token) == claims)
        clock.set(claims.expiresAt.addingTimeInterval(31))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(token) }
        clock.set(claims.expiresAt.addingTimeInterval(3600))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(token) }
    }

    @Test func refreshTokenExpiryUsesThirtySecondLeeway() async throws {
        let codec = await codec()
        let claims = Fixture.refresh()
        let token = try await codec.signRefreshToken(claims)
        clock.set(claims.expiresAt.addingTimeInterval(29))
        #expect(try await codec.verifyRefreshToken(token) == claims)
        clock.set(claims.expiresAt.addingTimeInterval(31))
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(token) }
    }

    @Test func leewayIsCappedAtThirtySeconds() async throws {
        var configuration = TokenConfiguration(secret: Fixture.secret)
        configuration.leeway = 600
        let codec = await JWTTokenCodec(configuration: configuration, clock: clock)
        let claims = Fixture.access(ttl: 60)
        let token = try await codec.signAccessToken(claims)
        clock.set(claims.expiresAt.addingTimeInterval(29))
        #expect(try await codec.verifyAccessToken(token) == claims)
        clock.set(claims.expiresAt.addingTimeInterval(31))
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(token) }
    }

    @Test func ttlsComeFromConfiguration() async {
        var configuration = TokenConfiguration(secret: Fixture.secret)
        #expect(configuration.accessTokenTTL == 3600 && configuration.refreshTokenTTL == 604_800)
        configuration.accessTokenTTL = 120
        configuration.refreshTokenTTL = 7200
        let codec = await JWTTokenCodec(configuration: configuration, clock: clock)
        #expect(codec.accessTokenTTL == 120)
        #expect(codec.refreshTokenTTL == 7200)
    }

    // MARK: garbage and tampering

    static let garbage: [String] = [
        "", "a.b.c", "....", String(repeating: "a", count: 10 * 1024), ".", "..", "a.b", "a.b.c.d", "Bearer x.y.z",
        "eyJhbGciOiJIUzI1NiJ9..", "eyJhbGciOiJIUzI1NiJ9.e30.", "\u{0}.\u{0}.\u{0}",
        String(repeating: "a", count: 5 * 1024) + "." + String(repeating: "b", count: 5 * 1024) + ".c",
    ]

    @Test(arguments: garbage)
    func garbageIsRejected(_ token: String) async throws {
        let codec = await codec()
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(token) }
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(token) }
    }

    /// Replaces the character at `index` of the payload segment with a different base64url character.
    static func flip(_ token: String, at offset: Int) throws -> String {
        var parts = try JWS.segments(token)
        var chars = Array(parts[1])
        let i = offset % chars.count
        chars[i] = chars[i] == "A" ? "B" : "A"
        parts[1] = String(chars)
        return parts.joined(separator: ".")
    }

    @Test(arguments: [0, 7, 20, 41, 100])
    func tamperedPayloadIsRejected(_ offset: Int) async throws {
        let codec = await codec()
        let access = try await codec.signAccessToken(Fixture.access())
        let refresh = try await codec.signRefreshToken(Fixture.refresh())
        let badAccess = try Self.flip(access, at: offset)
        let badRefresh = try Self.flip(refresh, at: offset)
        #expect(badAccess != access && badRefresh != refresh)
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(badAccess) }
        await #expect(throws: GatehouseError.invalidRefreshToken) { try await codec.verifyRefreshToken(badRefresh) }
    }

    @Test func privilegeEscalationByEditingTheRoleIsRejected() async throws {
        let codec = await codec()
        let token = try await codec.signAccessToken(Fixture.access(role: .user))
        let parts = try JWS.segments(token)
        let json = try JWS.payloadText(token)
        let escalated = json.replacingOccurrences(of: "\"role\":\"user\"", with: "\"role\":\"super_admin\"")
        #expect(escalated != json)
        let forged = parts[0] + "." + JWS.encode(Data(escalated.utf8)) + "." + parts[2]
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
    }

    @Test func tamperedSignatureIsRejected() async throws {
        let codec = await codec()
        let token = try await codec.signAccessToken(Fixture.access())
        let parts = try JWS.segments(token)
        var signature = Array(parts[2])
        signature[0] = signature[0] == "A" ? "B" : "A"
        let forged = parts[0] + "." + parts[1] + "." + String(signature)
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(forged) }
        let stripped = parts[0] + "." + parts[1] + "."
        await #expect(throws: GatehouseError.invalidToken) { try await codec.verifyAccessToken(stripped) }
    }
}
