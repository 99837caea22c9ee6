import Foundation
import GatehouseCore

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-30T02:19:40.123Z`.
enum Timestamp {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    static func format(_ date: Date) -> String { date.formatted(style) }
}

/// The `User` resource of api.md (never contains a password hash). `deletedAt` only with `includeDeleted=true`.
struct UserResponse: Encodable {
    var userId: String
    var email: String
    var username: String?
    var fullName: String?
    var role: String
    var isActive: Bool
    var isVerified: Bool
    var createdAt: String
    var updatedAt: String
    var lastLoginAt: String?
    var deletedAt: String??

    init(_ user: User, includeDeletedAt: Bool = false) {
        userId = user.id.uuidString.lowercased()
        email = user.email
        username = user.username
        fullName = user.fullName
        role = user.role.rawValue
        isActive = user.isActive
        isVerified = user.isVerified
        createdAt = Timestamp.format(user.createdAt)
        updatedAt = Timestamp.format(user.updatedAt)
        lastLoginAt = user.lastLoginAt.map(Timestamp.format)
        deletedAt = includeDeletedAt ? .some(user.deletedAt.map(Timestamp.format)) : .none
    }

    enum CodingKeys: String, CodingKey {
        case userId, email, username, fullName, role, isActive, isVerified, createdAt, updatedAt, lastLoginAt, deletedAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(userId, forKey: .userId)
        try c.encode(email, forKey: .email)
        try c.encode(username, forKey: .username)
        try c.encode(fullName, forKey: .fullName)
        try c.encode(role, forKey: .role)
        try c.encode(isActive, forKey: .isActive)
        try c.encode(isVerified, forKey: .isVerified)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(lastLoginAt, forKey: .lastLoginAt)
        if case .some(let deleted) = deletedAt { try c.encode(deleted, forKey: .deletedAt) }
    }
}

/// The `TokenPair` of api.md.
struct TokenPairResponse: Encodable {
    var accessToken: String
    var refreshToken: String
    var tokenType = "Bearer"
    /// Seconds.
    var expiresIn: Int
    /// Seconds.
    var refreshExpiresIn: Int
    var user: UserResponse

    init(_ tokens: IssuedTokens) {
        accessToken = tokens.accessToken
        refreshToken = tokens.refreshToken
        expiresIn = tokens.expiresIn
        refreshExpiresIn = tokens.refreshExpiresIn
        user = UserResponse(tokens.user)
    }
}

/// `GET /users`: `{items, page, pageSize, total}`.
struct UserListResponse: Encodable {
    var items: [UserResponse]
    var page: Int
    var pageSize: Int
    var total: Int
}
