import Foundation
import GatehouseCore
import SQLKit

extension SQLGatehouseStore {
    /// Inserts `session`, then its first refresh token.
    public func createSession(_ session: Session, firstToken: RefreshTokenRecord) async throws {
        try await mapped {
            try await database.insert(into: Table.sessions)
                .columns(Columns.session)
                .values([
                    session.id.storageString, session.userId.storageString, session.createdAt.millisecondsSince1970,
                    session.lastUsedAt.millisecondsSince1970, session.revokedAt.milliseconds, session.userAgent,
                    session.clientAddress,
                ] as [any Encodable & Sendable])
                .run()
            try await insertRefreshToken(firstToken)
        }
    }

    /// The session with `id`, revoked or not.
    public func session(id: UUID) async throws -> Session? {
        try await mapped {
            try await database.select().columns(Columns.session).from(Table.sessions)
                .where("id", .equal, id.storageString)
                .first()?.session()
        }
    }

    /// Every session of the user, `created_at` descending then `id` descending.
    public func sessions(userId: UUID) async throws -> [Session] {
        try await mapped {
            try await database.select().columns(Columns.session).from(Table.sessions)
                .where("user_id", .equal, userId.storageString)
                .orderBy("created_at", .descending)
                .orderBy("id", .descending)
                .all()
                .map { try $0.session() }
        }
    }

    /// One conditional `UPDATE ... RETURNING`: sets `used_at = now` where the token is unused, unrevoked, unexpired at
    /// `now` and its session is not revoked. If no row comes back, the stored row decides between
    /// ``RefreshTokenSpend/invalid`` (unknown, revoked, expired, revoked session) and ``RefreshTokenSpend/alreadyUsed(_:)``.
    public func spendRefreshToken(id: UUID, at now: Date) async throws -> RefreshTokenSpend {
        try await mapped {
            try requireReturning()
            let nowMs = now.millisecondsSince1970
            let spent = try await database.update(Table.refreshTokens)
                .set("used_at", to: nowMs)
                .where("token_id", .equal, id.storageString)
                .where("used_at", .is, SQLLiteral.null)
                .where("revoked_at", .is, SQLLiteral.null)
                .where("expires_at", .greaterThan, nowMs)
                // The token's own session, by primary key, must not be revoked (a correlated lookup: a NOT IN over
                // every revoked session would scan them all).
                .where(
                    SQLSubquery.select { sub in
                        sub.column("revoked_at").from(Table.sessions)
                            .where(SQLColumn("id", table: Table.sessions), .equal, SQLColumn("session_id", table: Table.refreshTokens))
                    }, .is, SQLLiteral.null)
                .returning(Columns.identifiers(Columns.refreshToken))
                .first()
            if let spent { return .spent(try spent.refreshToken()) }

            guard let row = try await database.select().columns(Columns.refreshToken).from(Table.refreshTokens)
                .where("token_id", .equal, id.storageString).first()
            else { return .invalid }
            let record = try row.refreshToken()
            if record.revokedAt != nil || record.expiresAt <= now { return .invalid }
            if record.usedAt != nil { return .alreadyUsed(record) }
            return .invalid  // Unused but its session is revoked.
        }
    }

    /// Inserts `token` and sets its session's `last_used_at` to `token.issuedAt`.
    public func addRefreshToken(_ token: RefreshTokenRecord) async throws {
        try await mapped {
            try await insertRefreshToken(token)
            try await database.update(Table.sessions)
                .set("last_used_at", to: token.issuedAt.millisecondsSince1970)
                .where("id", .equal, token.sessionId.storageString)
                .run()
        }
    }

    /// The refresh token whose `parent_id` is `parentId`, if any.
    public func childToken(of parentId: UUID) async throws -> RefreshTokenRecord? {
        try await mapped {
            try await database.select().columns(Columns.refreshToken).from(Table.refreshTokens)
                .where("parent_id", .equal, parentId.storageString)
                .orderBy("issued_at", .ascending)
                .first()?.refreshToken()
        }
    }

    /// Sets `revoked_at = now` on the session and its tokens where still NULL (idempotent).
    public func revokeSession(id: UUID, at now: Date) async throws {
        try await mapped {
            let nowMs = now.millisecondsSince1970
            try await database.update(Table.sessions)
                .set("revoked_at", to: nowMs)
                .where("id", .equal, id.storageString)
                .where("revoked_at", .is, SQLLiteral.null)
                .run()
            try await database.update(Table.refreshTokens)
                .set("revoked_at", to: nowMs)
                .where("session_id", .equal, id.storageString)
                .where("revoked_at", .is, SQLLiteral.null)
                .run()
        }
    }

    /// Sets `revoked_at = now` on every session of the user except `keeping`, and on their tokens, where still NULL.
    public func revokeSessions(userId: UUID, keeping: UUID?, at now: Date) async throws {
        try await mapped {
            let nowMs = now.millisecondsSince1970
            var sessions = database.update(Table.sessions)
                .set("revoked_at", to: nowMs)
                .where("user_id", .equal, userId.storageString)
                .where("revoked_at", .is, SQLLiteral.null)
            var tokens = database.update(Table.refreshTokens)
                .set("revoked_at", to: nowMs)
                .where("user_id", .equal, userId.storageString)
                .where("revoked_at", .is, SQLLiteral.null)
            if let keeping {
                sessions = sessions.where("id", .notEqual, keeping.storageString)
                tokens = tokens.where("session_id", .notEqual, keeping.storageString)
            }
            try await sessions.run()
            try await tokens.run()
        }
    }

    /// Deletes sessions whose refresh tokens have all expired at or before `now` (their tokens go by cascade), then
    /// the remaining expired refresh tokens and expired one-time tokens. Sessions with no token at all (mid-creation)
    /// are never touched. Returns the rows deleted directly (cascaded rows are not counted; best effort where
    /// `RETURNING` is unavailable).
    public func purgeExpired(before now: Date) async throws -> Int {
        try await mapped {
            let nowMs = now.millisecondsSince1970
            let withExpired = SQLSubquery.select {
                $0.column("session_id").from(Table.refreshTokens).where("expires_at", .lessThanOrEqual, nowMs)
            }
            let withLive = SQLSubquery.select {
                $0.column("session_id").from(Table.refreshTokens).where("expires_at", .greaterThan, nowMs)
            }
            var deleted = 0
            deleted += try await deleteCounting(
                database.delete(from: Table.sessions).where("id", .in, withExpired).where("id", .notIn, withLive),
                table: Table.sessions, key: "id",
                predicate: { $0.where("id", .in, withExpired).where("id", .notIn, withLive) })
            deleted += try await deleteCounting(
                database.delete(from: Table.refreshTokens).where("expires_at", .lessThanOrEqual, nowMs),
                table: Table.refreshTokens, key: "token_id", predicate: { $0.where("expires_at", .lessThanOrEqual, nowMs) })
            deleted += try await deleteCounting(
                database.delete(from: Table.oneTimeTokens).where("expires_at", .lessThanOrEqual, nowMs),
                table: Table.oneTimeTokens, key: "digest", predicate: { $0.where("expires_at", .lessThanOrEqual, nowMs) })
            return deleted
        }
    }

    // MARK: Helpers

    func insertRefreshToken(_ token: RefreshTokenRecord) async throws {
        try await database.insert(into: Table.refreshTokens)
            .columns(Columns.refreshToken)
            .values([
                token.tokenId.storageString, token.sessionId.storageString, token.userId.storageString,
                token.parentId?.storageString, token.issuedAt.millisecondsSince1970, token.expiresAt.millisecondsSince1970,
                token.usedAt.milliseconds, token.revokedAt.milliseconds,
            ] as [any Encodable & Sendable])
            .run()
    }

    /// Runs `delete`, returning how many rows it removed: exactly with `RETURNING`, else a `COUNT` taken just before.
    func deleteCounting(
        _ delete: SQLDeleteBuilder, table: String, key: String,
        predicate: (SQLSelectBuilder) -> SQLSelectBuilder
    ) async throws -> Int {
        if supportsReturning {
            return try await delete.returning(key).all().count
        }
        let row = try await predicate(
            database.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(table)
        ).first()
        try await delete.run()
        return try row?.decode(column: "total", as: Int.self) ?? 0
    }
}
