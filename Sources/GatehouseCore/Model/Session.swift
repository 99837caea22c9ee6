import Foundation

/// One sign-in on one device: the family of refresh tokens that share a `sid`.
public struct Session: Sendable, Equatable {
    /// The session id (`sid` claim of every token of the family).
    public var id: UUID
    public var userId: UUID
    public var createdAt: Date
    /// Last time a refresh token of this session was spent.
    public var lastUsedAt: Date
    /// Set when the session is revoked (logout, reuse detected, password reset, deactivation, deletion).
    public var revokedAt: Date?
    /// `User-Agent` of the request that created the session, at most 512 characters.
    public var userAgent: String?
    /// Client address of the request that created the session.
    public var clientAddress: String?

    public init(id: UUID, userId: UUID, createdAt: Date, lastUsedAt: Date, revokedAt: Date? = nil, userAgent: String? = nil, clientAddress: String? = nil) {
        self.id = id
        self.userId = userId
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.userAgent = userAgent
        self.clientAddress = clientAddress
    }
}

/// A stored refresh token: good for one use (see architecture "Sessions and tokens").
public struct RefreshTokenRecord: Sendable, Equatable {
    /// The token id (`tokenId` = `jti` claim).
    public var tokenId: UUID
    public var sessionId: UUID
    public var userId: UUID
    /// The token this one was issued in exchange for; nil for the first token of a session.
    public var parentId: UUID?
    public var issuedAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    public var revokedAt: Date?

    public init(tokenId: UUID, sessionId: UUID, userId: UUID, parentId: UUID?, issuedAt: Date, expiresAt: Date, usedAt: Date? = nil, revokedAt: Date? = nil) {
        self.tokenId = tokenId
        self.sessionId = sessionId
        self.userId = userId
        self.parentId = parentId
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revokedAt = revokedAt
    }
}

/// What a one-time token is for.
public enum OneTimeTokenPurpose: String, Sendable, CaseIterable {
    case verifyEmail = "verify_email"
    case resetPassword = "reset_password"
}

/// A stored one-time token (email verification or password reset). Only the SHA-256 digest of the token is stored.
public struct OneTimeTokenRecord: Sendable, Equatable {
    /// Lower-case hex SHA-256 of the token's UTF-8 bytes (64 characters).
    public var digest: String
    public var purpose: OneTimeTokenPurpose
    public var userId: UUID
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(digest: String, purpose: OneTimeTokenPurpose, userId: UUID, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.digest = digest
        self.purpose = purpose
        self.userId = userId
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}
