import Foundation
import GatehouseCore
import SQLKit

/// A stored value that cannot be turned back into a model value (corrupt row).
struct CorruptRow: Error, CustomStringConvertible {
    let column: String
    var description: String { "corrupt value in column \(column)" }
}

extension UUID {
    /// The storage form: lower-case hyphenated string (36 characters).
    var storageString: String { uuidString.lowercased() }
}

extension SQLRow {
    func uuid(_ column: String) throws -> UUID {
        guard let value = UUID(uuidString: try decode(column: column, as: String.self)) else { throw CorruptRow(column: column) }
        return value
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        guard let text = try decode(column: column, as: String?.self) else { return nil }
        guard let value = UUID(uuidString: text) else { throw CorruptRow(column: column) }
        return value
    }

    func date(_ column: String) throws -> Date {
        Date(millisecondsSince1970: try decode(column: column, as: Int64.self))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:))
    }

    func bool(_ column: String) throws -> Bool {
        // Stored as BOOLEAN (PostgreSQL) or an integer 0/1 (SQLite, MySQL).
        if let flag = try? decode(column: column, as: Bool.self) { return flag }
        return try decode(column: column, as: Int64.self) != 0
    }

    func user() throws -> User {
        guard let role = Role(rawValue: try decode(column: "role", as: String.self)) else { throw CorruptRow(column: "role") }
        return User(
            id: try uuid("id"),
            email: try decode(column: "email", as: String.self),
            username: try decode(column: "username", as: String?.self),
            fullName: try decode(column: "full_name", as: String?.self),
            role: role,
            isActive: try bool("is_active"),
            isVerified: try bool("is_verified"),
            passwordHash: try decode(column: "password_hash", as: String.self),
            createdAt: try date("created_at"),
            updatedAt: try date("updated_at"),
            lastLoginAt: try optionalDate("last_login_at"),
            deletedAt: try optionalDate("deleted_at")
        )
    }

    func session() throws -> Session {
        Session(
            id: try uuid("id"),
            userId: try uuid("user_id"),
            createdAt: try date("created_at"),
            lastUsedAt: try date("last_used_at"),
            revokedAt: try optionalDate("revoked_at"),
            userAgent: try decode(column: "user_agent", as: String?.self),
            clientAddress: try decode(column: "client_address", as: String?.self)
        )
    }

    func refreshToken() throws -> RefreshTokenRecord {
        RefreshTokenRecord(
            tokenId: try uuid("token_id"),
            sessionId: try uuid("session_id"),
            userId: try uuid("user_id"),
            parentId: try optionalUUID("parent_id"),
            issuedAt: try date("issued_at"),
            expiresAt: try date("expires_at"),
            usedAt: try optionalDate("used_at"),
            revokedAt: try optionalDate("revoked_at")
        )
    }

    func oneTimeToken() throws -> OneTimeTokenRecord {
        guard let purpose = OneTimeTokenPurpose(rawValue: try decode(column: "purpose", as: String.self)) else {
            throw CorruptRow(column: "purpose")
        }
        return OneTimeTokenRecord(
            digest: try decode(column: "digest", as: String.self),
            purpose: purpose,
            userId: try uuid("user_id"),
            createdAt: try date("created_at"),
            expiresAt: try date("expires_at"),
            usedAt: try optionalDate("used_at")
        )
    }
}
