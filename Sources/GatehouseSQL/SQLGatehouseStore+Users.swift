import Foundation
import GatehouseCore
import SQLKit

extension SQLGatehouseStore {
    /// Inserts `user`; `email_key` is the email for a live user and NULL for a soft-deleted one.
    /// - Throws: ``StoreError/duplicate(_:)`` when a live user has the same canonical email.
    public func createUser(_ user: User) async throws {
        try await mapped {
            try await database.insert(into: Table.users)
                .columns(Columns.user + ["email_key"])
                .values(Self.userValues(user) + [Self.emailKey(of: user)])
                .run()
        }
    }

    /// The user with `id`, or nil; soft-deleted users only when `includeDeleted`.
    public func user(id: UUID, includeDeleted: Bool) async throws -> User? {
        try await mapped {
            var query = database.select().columns(Columns.user).from(Table.users)
                .where("id", .equal, id.storageString)
            if !includeDeleted { query = query.where("deleted_at", .is, SQLLiteral.null) }
            return try await query.first()?.user()
        }
    }

    /// The live user whose canonical email is `email`, or nil (looked up by the unique `email_key`).
    public func user(email: String) async throws -> User? {
        try await mapped {
            try await database.select().columns(Columns.user).from(Table.users)
                .where("email_key", .equal, email)
                .first()?.user()
        }
    }

    /// Writes every field of the stored user with `user.id`.
    /// - Throws: ``StoreError/duplicate(_:)`` when another live user has the email, ``StoreError/notFound(_:)`` for an
    ///   unknown id.
    public func updateUser(_ user: User) async throws {
        try await mapped {
            let values = Self.userValues(user)
            var update = database.update(Table.users)
            for (column, value) in zip(Columns.user, values) where column != "id" {
                update = update.set(column, to: value)
            }
            update = update.set("email_key", to: Self.emailKey(of: user)).where("id", .equal, user.id.storageString)
            if supportsReturning {
                guard try await update.returning("id").first() != nil else { throw StoreError.notFound("user \(user.id)") }
            } else {
                try await update.run()
                let exists = try await database.select().column("id").from(Table.users)
                    .where("id", .equal, user.id.storageString).first()
                guard exists != nil else { throw StoreError.notFound("user \(user.id)") }
            }
        }
    }

    /// One `UPDATE users SET ... WHERE id = ? AND EXISTS (SELECT 1 FROM users WHERE role = 'super_admin' AND is_active
    /// AND deleted_at IS NULL AND id <> ?)`; a single statement is atomic on SQLite (the MySQL port needs a derived
    /// table: MySQL refuses a subquery on the table being updated, error 1093).
    public func updateUserKeepingAnotherSuperAdmin(_ user: User) async throws -> Bool {
        try await mapped {
            let values = Self.userValues(user)
            var update = database.update(Table.users)
            for (column, value) in zip(Columns.user, values) where column != "id" {
                update = update.set(column, to: value)
            }
            let others = SQLSubquery.select { subquery in
                subquery.column(SQLFunction("COUNT", args: SQLLiteral.all)).from(Table.users)
                    .where("role", .equal, Role.superAdmin.rawValue)
                    .where("is_active", .equal, true)
                    .where("deleted_at", .is, SQLLiteral.null)
                    .where("id", .notEqual, user.id.storageString)
            }
            update = update.set("email_key", to: Self.emailKey(of: user))
                .where("id", .equal, user.id.storageString)
                .where(others, .greaterThanOrEqual, SQLLiteral.numeric("1"))
            if supportsReturning {
                if try await update.returning("id").first() != nil { return true }
            } else {
                try await update.run()
            }
            guard let stored = try await self.user(id: user.id, includeDeleted: true) else { throw StoreError.notFound("user \(user.id)") }
            return stored == user
        }
    }

    public func recordLogin(userId: UUID, at time: Date) async throws {
        try await setColumns(userId: userId, [("last_login_at", time.millisecondsSince1970)])
    }

    public func setPasswordHash(userId: UUID, hash: String, at time: Date) async throws {
        try await setColumns(userId: userId, [("password_hash", hash), ("updated_at", time.millisecondsSince1970)])
    }

    public func markEmailVerified(userId: UUID, at time: Date) async throws {
        try await setColumns(userId: userId, [("is_verified", true), ("updated_at", time.millisecondsSince1970)])
    }

    /// One targeted `UPDATE users SET ... WHERE id = ? AND deleted_at IS NULL` (a missing or deleted user is a no-op).
    private func setColumns(userId: UUID, _ values: [(String, any Encodable & Sendable)]) async throws {
        try await mapped {
            var update = database.update(Table.users)
            for (column, value) in values { update = update.set(column, to: value) }
            try await update.where("id", .equal, userId.storageString).where("deleted_at", .is, SQLLiteral.null).run()
        }
    }

    /// One page of users matching `query`, `created_at` descending then `id` descending; `total` counts every match.
    /// `page` is clamped to at least 1 and `pageSize` to 1...100.
    public func listUsers(_ query: UserQuery) async throws -> UserPage {
        try await mapped {
            let pageSize = min(max(query.pageSize, 1), 100)
            let page = max(query.page, 1)
            let countRow = try await filtered(
                database.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(Table.users),
                by: query
            ).first()
            let total = try countRow?.decode(column: "total", as: Int.self) ?? 0
            let rows = try await filtered(database.select().columns(Columns.user).from(Table.users), by: query)
                .orderBy("created_at", .descending)
                .orderBy("id", .descending)
                .limit(pageSize)
                .offset((page - 1) * pageSize)
                .all()
            return UserPage(items: try rows.map { try $0.user() }, total: total)
        }
    }

    /// The number of live, active users with role `super_admin`.
    public func countActiveSuperAdmins() async throws -> Int {
        try await mapped {
            let row = try await database.select()
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total")
                .from(Table.users)
                .where("role", .equal, Role.superAdmin.rawValue)
                .where("is_active", .equal, true)
                .where("deleted_at", .is, SQLLiteral.null)
                .first()
            return try row?.decode(column: "total", as: Int.self) ?? 0
        }
    }

    // MARK: Helpers

    /// Values in the order of ``Columns/user``.
    static func userValues(_ user: User) -> [any Encodable & Sendable] {
        [
            user.id.storageString, user.email, user.username, user.fullName, user.role.rawValue, user.isActive,
            user.isVerified, user.passwordHash, user.createdAt.millisecondsSince1970, user.updatedAt.millisecondsSince1970,
            user.lastLoginAt.milliseconds, user.deletedAt.milliseconds,
        ]
    }

    /// The unique key: the email for live users, NULL for soft-deleted ones (NULLs never collide).
    static func emailKey(of user: User) -> String? { user.deletedAt == nil ? user.email : nil }

    /// Applies the role / active / prefix / deleted filters of `query`.
    func filtered(_ select: SQLSelectBuilder, by query: UserQuery) -> SQLSelectBuilder {
        var select = select
        if let role = query.role { select = select.where("role", .equal, role.rawValue) }
        if let isActive = query.isActive { select = select.where("is_active", .equal, isActive) }
        if !query.includeDeleted { select = select.where("deleted_at", .is, SQLLiteral.null) }
        if let prefix = query.prefix, !prefix.isEmpty {
            let pattern = Self.likePrefixPattern(prefix)
            select = select.where(group: { group in
                group
                    .where(SQLQueryString("LOWER(\(ident: "email")) LIKE \(bind: pattern) ESCAPE '!'"))
                    .orWhere(SQLQueryString("LOWER(\(ident: "username")) LIKE \(bind: pattern) ESCAPE '!'"))
            })
        }
        return select
    }

    /// `prefix` lower-cased, with the LIKE wildcards `%`, `_` and the escape character `!` escaped by `!`, then `%`.
    static func likePrefixPattern(_ prefix: String) -> String {
        var escaped = ""
        for character in prefix.lowercased() {
            if character == "!" || character == "%" || character == "_" { escaped.append("!") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
