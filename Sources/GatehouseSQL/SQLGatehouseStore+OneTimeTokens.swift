import Foundation
import GatehouseCore
import SQLKit

extension SQLGatehouseStore {
    /// Marks every unused token of the same user and purpose used at `token.createdAt`, then inserts `token`.
    public func issueOneTimeToken(_ token: OneTimeTokenRecord) async throws {
        try await mapped {
            try await voidTokens(userId: token.userId, purpose: token.purpose, at: token.createdAt)
            try await database.insert(into: Table.oneTimeTokens)
                .columns(Columns.oneTimeToken)
                .values([
                    token.digest, token.purpose.rawValue, token.userId.storageString, token.createdAt.millisecondsSince1970,
                    token.expiresAt.millisecondsSince1970, token.usedAt.milliseconds,
                ] as [any Encodable & Sendable])
                .run()
        }
    }

    /// One conditional `UPDATE ... SET used_at = now WHERE digest = ? AND purpose = ? AND used_at IS NULL AND
    /// expires_at > now RETURNING ...`: the record when this caller consumed it, nil otherwise.
    public func consumeOneTimeToken(digest: String, purpose: OneTimeTokenPurpose, at now: Date) async throws -> OneTimeTokenRecord? {
        try await mapped {
            try requireReturning()
            let nowMs = now.millisecondsSince1970
            return try await database.update(Table.oneTimeTokens)
                .set("used_at", to: nowMs)
                .where("digest", .equal, digest)
                .where("purpose", .equal, purpose.rawValue)
                .where("used_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, nowMs)
                .returning(Columns.identifiers(Columns.oneTimeToken))
                .first()?.oneTimeToken()
        }
    }

    /// Marks every unused token of `purpose` for the user used at `now`.
    public func voidOneTimeTokens(userId: UUID, purpose: OneTimeTokenPurpose, at now: Date) async throws {
        try await mapped { try await voidTokens(userId: userId, purpose: purpose, at: now) }
    }

    func voidTokens(userId: UUID, purpose: OneTimeTokenPurpose, at time: Date) async throws {
        try await database.update(Table.oneTimeTokens)
            .set("used_at", to: time.millisecondsSince1970)
            .where("user_id", .equal, userId.storageString)
            .where("purpose", .equal, purpose.rawValue)
            .where("used_at", .is, SQLLiteral.null)
            .run()
    }
}
