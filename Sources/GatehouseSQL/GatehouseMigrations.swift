import SQLKit

/// The Gatehouse schema, as ordered ``SQLMigration``s. DDL is portable to SQLite, PostgreSQL and MySQL: ids are
/// `VARCHAR(36)` lower-case UUID strings, times `BIGINT` milliseconds since 1970, flags `BOOLEAN`.
public enum GatehouseMigrations {
    /// Every migration, ascending.
    public static let all: [SQLMigration] = [initialSchema]

    /// Version 1: `users`, `sessions`, `refresh_tokens`, `one_time_tokens` and their indexes.
    public static let initialSchema = SQLMigration(version: 1, name: "initial_schema") { db in
        let uuid = sqlType("VARCHAR(36)")
        let boolean = sqlType("BOOLEAN")

        try await db.create(table: Table.users)
            .column("id", type: uuid, .primaryKey(autoIncrement: false))
            .column("email", type: sqlType("VARCHAR(254)"), .notNull)
            // Equals `email` for live users, NULL once soft-deleted: NULLs are distinct, so the email frees up.
            .column("email_key", type: sqlType("VARCHAR(254)"), .unique)
            .column("username", type: sqlType("VARCHAR(256)"))
            .column("full_name", type: sqlType("VARCHAR(512)"))
            .column("role", type: sqlType("VARCHAR(16)"), .notNull)
            .column("is_active", type: boolean, .notNull)
            .column("is_verified", type: boolean, .notNull)
            .column("password_hash", type: sqlType("VARCHAR(255)"), .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("last_login_at", type: .bigint)
            .column("deleted_at", type: .bigint)
            .run()
        try await db.create(index: "users_role_idx").on(Table.users).column("role").run()
        try await db.create(index: "users_created_at_idx").on(Table.users).column("created_at").run()

        try await db.create(table: Table.sessions)
            .column("id", type: uuid, .primaryKey(autoIncrement: false))
            .column("user_id", type: uuid, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("last_used_at", type: .bigint, .notNull)
            .column("revoked_at", type: .bigint)
            .column("user_agent", type: sqlType("VARCHAR(512)"))
            .column("client_address", type: sqlType("VARCHAR(64)"))
            .foreignKey(["user_id"], references: Table.users, ["id"], onDelete: .cascade)
            .run()
        try await db.create(index: "sessions_user_id_idx").on(Table.sessions).column("user_id").run()

        try await db.create(table: Table.refreshTokens)
            .column("token_id", type: uuid, .primaryKey(autoIncrement: false))
            .column("session_id", type: uuid, .notNull)
            .column("user_id", type: uuid, .notNull)
            .column("parent_id", type: uuid)
            .column("issued_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .column("used_at", type: .bigint)
            .column("revoked_at", type: .bigint)
            .foreignKey(["session_id"], references: Table.sessions, ["id"], onDelete: .cascade)
            .foreignKey(["user_id"], references: Table.users, ["id"], onDelete: .cascade)
            .run()
        for column in ["user_id", "session_id", "parent_id", "expires_at"] {
            try await db.create(index: SQLIdentifier("refresh_tokens_\(column)_idx")).on(Table.refreshTokens).column(column).run()
        }

        try await db.create(table: Table.oneTimeTokens)
            .column("digest", type: sqlType("VARCHAR(64)"), .primaryKey(autoIncrement: false))
            .column("purpose", type: sqlType("VARCHAR(32)"), .notNull)
            .column("user_id", type: uuid, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .column("used_at", type: .bigint)
            .foreignKey(["user_id"], references: Table.users, ["id"], onDelete: .cascade)
            .run()
        try await db.create(index: "one_time_tokens_user_purpose_idx").on(Table.oneTimeTokens)
            .column("user_id").column("purpose").run()
        try await db.create(index: "one_time_tokens_expires_at_idx").on(Table.oneTimeTokens).column("expires_at").run()
    }
}
