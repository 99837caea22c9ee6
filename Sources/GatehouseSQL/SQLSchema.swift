import SQLKit

/// Table and column names shared by the store and the migrations.
enum Table {
    static let migrations = "gatehouse_migrations"
    static let users = "users"
    static let sessions = "sessions"
    static let refreshTokens = "refresh_tokens"
    static let oneTimeTokens = "one_time_tokens"
    static let auditEvents = "audit_events"
    static let loginAttempts = "login_attempts"
}

/// Column lists selected or returned for each record type.
enum Columns {
    static let user = [
        "id", "email", "username", "full_name", "role", "is_active", "is_verified", "password_hash", "created_at",
        "updated_at", "last_login_at", "deleted_at",
    ]
    static let session = ["id", "user_id", "created_at", "last_used_at", "revoked_at", "user_agent", "client_address"]
    static let refreshToken = [
        "token_id", "session_id", "user_id", "parent_id", "issued_at", "expires_at", "used_at", "revoked_at",
    ]
    static let oneTimeToken = ["digest", "purpose", "user_id", "created_at", "expires_at", "used_at"]
    static let auditEvent = [
        "id", "type", "occurred_at", "actor_id", "target_id", "client_address", "user_agent", "request_id", "outcome",
        "details",
    ]
    static let loginAttempt = ["attempt_key", "failures", "window_started_at", "locked_until", "lockout_level"]

    static func identifiers(_ names: [String]) -> [any SQLExpression] { names.map { SQLColumn($0) } }
}

/// A column type written verbatim (e.g. `VARCHAR(36)`); never built from values.
func sqlType(_ raw: StaticString) -> SQLDataType { .custom(SQLRaw("\(raw)")) }
