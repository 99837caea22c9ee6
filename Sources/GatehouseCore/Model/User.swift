import Foundation

/// A stored account. `email` is always the canonical form (see ``EmailAddress``); `passwordHash` never leaves the core.
///
/// Times are UTC `Date`s truncated to whole milliseconds so that every backend round-trips them exactly.
public struct User: Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var username: String?
    public var fullName: String?
    public var role: Role
    public var isActive: Bool
    public var isVerified: Bool
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date
    public var lastLoginAt: Date?
    /// Set when the account is soft-deleted; a deleted user cannot sign in and its email can be registered again.
    public var deletedAt: Date?

    public init(
        id: UUID, email: String, username: String? = nil, fullName: String? = nil, role: Role, isActive: Bool = true,
        isVerified: Bool = false, passwordHash: String, createdAt: Date, updatedAt: Date, lastLoginAt: Date? = nil,
        deletedAt: Date? = nil
    ) {
        self.id = id
        self.email = email
        self.username = username
        self.fullName = fullName
        self.role = role
        self.isActive = isActive
        self.isVerified = isVerified
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastLoginAt = lastLoginAt
        self.deletedAt = deletedAt
    }

    /// Whether the account is live (not soft-deleted).
    public var isDeleted: Bool { deletedAt != nil }
}

extension Date {
    /// This date truncated to whole milliseconds (the storage and wire precision).
    public var truncatedToMilliseconds: Date { Date(millisecondsSince1970: millisecondsSince1970) }

    /// Milliseconds since 1970-01-01T00:00:00Z, rounded down. A date made from whole milliseconds gives them back
    /// exactly: `Date` keeps seconds since 2001 in a `Double`, so the product can land a few hundred nanoseconds off a
    /// whole millisecond; values within 2 µs of one snap to it before flooring.
    public var millisecondsSince1970: Int64 {
        let scaled = timeIntervalSince1970 * 1000
        let nearest = scaled.rounded()
        return Int64(abs(scaled - nearest) < 0.002 ? nearest : scaled.rounded(.down))
    }

    /// The date `milliseconds` after 1970-01-01T00:00:00Z.
    public init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
