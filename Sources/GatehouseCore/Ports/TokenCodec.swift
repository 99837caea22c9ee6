import Foundation

/// The verified claims of an access token (RFC 7519 JWT; see api.md "Tokens").
public struct AccessTokenClaims: Sendable, Equatable {
    /// `sub` / `userId`.
    public var userId: UUID
    public var email: String
    public var role: Role
    /// `sid`: the session (refresh-token family).
    public var sessionId: UUID
    /// `jti`.
    public var tokenId: UUID
    public var issuedAt: Date
    public var expiresAt: Date

    public init(userId: UUID, email: String, role: Role, sessionId: UUID, tokenId: UUID, issuedAt: Date, expiresAt: Date) {
        self.userId = userId
        self.email = email
        self.role = role
        self.sessionId = sessionId
        self.tokenId = tokenId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}

/// The verified claims of a refresh token.
public struct RefreshTokenClaims: Sendable, Equatable {
    /// `sub` / `userId`.
    public var userId: UUID
    /// `tokenId` (= `jti`).
    public var tokenId: UUID
    /// `sid`.
    public var sessionId: UUID
    public var issuedAt: Date
    public var expiresAt: Date

    public init(userId: UUID, tokenId: UUID, sessionId: UUID, issuedAt: Date, expiresAt: Date) {
        self.userId = userId
        self.tokenId = tokenId
        self.sessionId = sessionId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }
}

/// Signs and verifies Gatehouse's JWTs. Verification checks algorithm, key, signature, `type`, `iss`, `aud` and
/// `exp` (with at most 30 s leeway) against the codec's clock.
public protocol TokenCodec: Sendable {
    /// Access-token lifetime in seconds.
    var accessTokenTTL: Int { get }
    /// Refresh-token lifetime in seconds.
    var refreshTokenTTL: Int { get }
    /// Returns the compact JWS of an access token.
    func signAccessToken(_ claims: AccessTokenClaims) async throws -> String
    /// Returns the compact JWS of a refresh token.
    func signRefreshToken(_ claims: RefreshTokenClaims) async throws -> String
    /// - Throws: ``GatehouseError`` `invalid_token` for any token that is not a valid access token.
    func verifyAccessToken(_ token: String) async throws -> AccessTokenClaims
    /// - Throws: ``GatehouseError`` `invalid_refresh_token` for any token that is not a valid refresh token.
    func verifyRefreshToken(_ token: String) async throws -> RefreshTokenClaims
}
