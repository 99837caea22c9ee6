import SQLKit

/// The Gatehouse schema, as ordered ``SQLMigration``s. DDL is portable to SQLite, PostgreSQL and MySQL: ids are
/// `VARCHAR(36)` lower-case UUID strings, times `BIGINT` milliseconds since 1970, flags `BOOLEAN`.
public enum GatehouseMigrations {
    /// Every migration, ascending.
    public static let all: [SQLMigration] = [initialSchema, auditAndLockout]

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

    /// Version 2: the append-only `audit_events` log (no foreign keys: it outlives the users it names) and the
    /// brute-force `login_attempts` counters keyed by canonical email.
    public static let auditAndLockout = SQLMigration(version: 2, name: "audit_events_and_login_attempts") { db in
        let uuid = sqlType("VARCHAR(36)")
        let integer = sqlType("INTEGER")

        try await db.create(table: Table.auditEvents)
            .column("id", type: uuid, .primaryKey(autoIncrement: false))
            .column("type", type: sqlType("VARCHAR(32)"), .notNull)
            .column("occurred_at", type: .bigint, .notNull)
            .column("actor_id", type: uuid)
            .column("target_id", type: uuid)
            .column("client_address", type: sqlType("VARCHAR(64)"))
            .column("user_agent", type: sqlType("VARCHAR(512)"))
            .column("request_id", type: sqlType("VARCHAR(128)"))
            .column("outcome", type: sqlType("VARCHAR(16)"), .notNull)
            // JSON object of string to string (JSONEncoder, sorted keys).
            .column("details", type: .text)
            .run()
        try await db.create(index: "audit_events_occurred_at_idx").on(Table.auditEvents).column("occurred_at").run()
        for column in ["actor_id", "target_id", "type"] {
            try await db.create(index: SQLIdentifier("audit_events_\(column)_occurred_at_idx")).on(Table.auditEvents)
                .column(column).column("occurred_at").run()
        }

        try await db.create(table: Table.loginAttempts)
            .column("attempt_key", type: sqlType("VARCHAR(254)"), .primaryKey(autoIncrement: false))
            .column("failures", type: integer, .notNull)
            .column("window_started_at", type: .bigint, .notNull)
            .column("locked_until", type: .bigint)
            .column("lockout_level", type: integer, .notNull)
            .run()
    }
}
