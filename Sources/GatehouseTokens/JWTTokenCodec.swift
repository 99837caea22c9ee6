import Foundation
import GatehouseCore
import JWTKit

/// Settings of ``JWTTokenCodec``.
public struct TokenConfiguration: Sendable {
    /// HMAC secret, used as its raw UTF-8 bytes; at least 32 bytes.
    public var secret: String
    /// `iss` claim written and required (default `gatehouse`).
    public var issuer: String = "gatehouse"
    /// `aud` claim written and required (default `gatehouse`).
    public var audience: String = "gatehouse"
    /// Access-token lifetime in seconds (default 3600).
    public var accessTokenTTL: Int = 3_600
    /// Refresh-token lifetime in seconds (default 604800).
    public var refreshTokenTTL: Int = 604_800
    /// Clock leeway in seconds when checking `exp` (default 30, at most 30).
    public var leeway: Int = 30

    public init(secret: String) { self.secret = secret }
}

/// HS256 JWTs (RFC 7519 / RFC 7515) signed and verified with jwt-kit, checked against an injected clock.
///
/// A token is accepted only when its header `alg` is `HS256`, its signature verifies with the configured key, its
/// `type` is the expected one, `iss` and `aud` match and `exp` is in the future (leeway at most 30 s).
public struct JWTTokenCodec: TokenCodec {
    private let keys: JWTKeyCollection
    private let configuration: TokenConfiguration
    private let clock: any WallClock

    public var accessTokenTTL: Int { configuration.accessTokenTTL }
    public var refreshTokenTTL: Int { configuration.refreshTokenTTL }

    /// - Throws: nothing today; kept throwing so key loading can fail in future key types.
    public init(configuration: TokenConfiguration, clock: any WallClock) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(configuration.secret.utf8)), digestAlgorithm: .sha256, parser: AlgorithmPinningParser(algorithm: "HS256"))
        self.keys = keys
        self.configuration = configuration
        self.clock = clock
    }

    public func signAccessToken(_ claims: AccessTokenClaims) async throws -> String {
        let payload = AccessTokenPayload(
            sub: .init(value: claims.userId.uuidString.lowercased()), userId: claims.userId.uuidString.lowercased(), email: claims.email,
            role: claims.role.rawValue, type: "access", sid: claims.sessionId.uuidString.lowercased(),
            jti: .init(value: claims.tokenId.uuidString.lowercased()), iat: .init(value: claims.issuedAt.wholeSeconds), exp: .init(value: claims.expiresAt.wholeSeconds),
            iss: .init(value: configuration.issuer), aud: .init(value: [configuration.audience]))
        return try await keys.sign(payload, header: ["typ": "JWT"])
    }

    public func signRefreshToken(_ claims: RefreshTokenClaims) async throws -> String {
        let id = claims.tokenId.uuidString.lowercased()
        let payload = RefreshTokenPayload(
            sub: .init(value: claims.userId.uuidString.lowercased()), userId: claims.userId.uuidString.lowercased(), tokenId: id,
            jti: .init(value: id), sid: claims.sessionId.uuidString.lowercased(), type: "refresh", iat: .init(value: claims.issuedAt.wholeSeconds),
            exp: .init(value: claims.expiresAt.wholeSeconds), iss: .init(value: configuration.issuer), aud: .init(value: [configuration.audience]))
        return try await keys.sign(payload, header: ["typ": "JWT"])
    }

    public func verifyAccessToken(_ token: String) async throws -> AccessTokenClaims {
        guard Self.isCompactJWS(token), let payload = try? await keys.verify(token, as: AccessTokenPayload.self),
            payload.type == "access", check(payload.exp, payload.iss, payload.aud, payload.nbf),
            let userId = UUID(uuidString: payload.sub.value), payload.userId.lowercased() == payload.sub.value.lowercased(),
            let role = Role(rawValue: payload.role), let sid = UUID(uuidString: payload.sid), let jti = UUID(uuidString: payload.jti.value)
        else { throw GatehouseError.invalidToken }
        return AccessTokenClaims(userId: userId, email: payload.email, role: role, sessionId: sid, tokenId: jti, issuedAt: payload.iat.value, expiresAt: payload.exp.value)
    }

    public func verifyRefreshToken(_ token: String) async throws -> RefreshTokenClaims {
        guard Self.isCompactJWS(token), let payload = try? await keys.verify(token, as: RefreshTokenPayload.self),
            payload.type == "refresh", check(payload.exp, payload.iss, payload.aud, payload.nbf),
            let userId = UUID(uuidString: payload.sub.value), payload.userId.lowercased() == payload.sub.value.lowercased(),
            let tokenId = UUID(uuidString: payload.tokenId), payload.jti.value.lowercased() == payload.tokenId.lowercased(),
            let sid = UUID(uuidString: payload.sid)
        else { throw GatehouseError.invalidRefreshToken }
        return RefreshTokenClaims(userId: userId, tokenId: tokenId, sessionId: sid, issuedAt: payload.iat.value, expiresAt: payload.exp.value)
    }

    /// `exp` against the injected clock with leeway, exact `iss`, and `aud` containing ours (RFC 7519 §4.1.3).
    private func check(_ exp: ExpirationClaim, _ iss: IssuerClaim, _ aud: AudienceClaim, _ nbf: NotBeforeClaim?) -> Bool {
        let leeway = TimeInterval(min(configuration.leeway, 30))
        let now = clock.now()
        guard now < exp.value.addingTimeInterval(leeway) else { return false }
        if let nbf, now.addingTimeInterval(leeway) < nbf.value { return false }
        return iss.value == configuration.issuer && aud.value.contains(configuration.audience)
    }

    /// Three base64url segments (RFC 7515 §3.1 compact serialisation; no padding, no whitespace), at most 8 KiB.
    static func isCompactJWS(_ token: String) -> Bool {
        guard token.utf8.count <= 8_192 else { return false }
        var dots = 0
        for byte in token.utf8 {
            switch byte {
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"):
                continue
            default: return false
            }
        }
        return dots == 2
    }
}

/// Access-token claims on the wire: `sub`, `userId`, `email`, `role`, `type: "access"`, `sid`, `jti`, `iat`, `exp`, `iss`, `aud`.
extension Date {
    /// This date rounded down to whole seconds: JWT NumericDate values (RFC 7519 §2) are written as integers.
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

struct AccessTokenPayload: JWTPayload {
    var sub: SubjectClaim
    var userId: String
    var email: String
    var role: String
    var type: String
    var sid: String
    var jti: IDClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    /// Not written by Gatehouse; honoured when present (RFC 7519 §4.1.5).
    var nbf: NotBeforeClaim?

    /// Claim checks that need configuration and the injected clock are done by ``JWTTokenCodec``.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Refresh-token claims on the wire: `sub`, `userId`, `tokenId` (= `jti`), `sid`, `type: "refresh"`, `iat`, `exp`, `iss`, `aud`.
struct RefreshTokenPayload: JWTPayload {
    var sub: SubjectClaim
    var userId: String
    var tokenId: String
    var jti: IDClaim
    var sid: String
    var type: String
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    /// Not written by Gatehouse; honoured when present (RFC 7519 §4.1.5).
    var nbf: NotBeforeClaim?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// jwt-kit's default parser, refusing any token whose header `alg` is not the configured algorithm (so `none`,
/// `HS512` or `RS256` headers never reach signature checking).
struct AlgorithmPinningParser: JWTParser {
    var jsonDecoder: any JWTJSONDecoder = .defaultForJWT
    let algorithm: String

    init(algorithm: String) { self.algorithm = algorithm }

    func parse<Payload>(_ token: some DataProtocol, as: Payload.Type) throws -> (header: JWTHeader, payload: Payload, signature: Data)
    where Payload: JWTPayload {
        let parsed = try DefaultJWTParser(jsonDecoder: jsonDecoder).parse(token, as: Payload.self)
        guard parsed.header.alg == algorithm else { throw JWTError.generic(identifier: "alg", reason: "unexpected algorithm") }
        // RFC 7515 §4.1.11: a token naming critical extensions we do not implement must be rejected.
        guard parsed.header.crit == nil else { throw JWTError.generic(identifier: "crit", reason: "unsupported critical header") }
        return parsed
    }
}
