import Foundation
import GatehouseCore
import SQLKit

/// Brute-force lockout counters in `login_attempts (attempt_key, failures, window_started_at, locked_until,
/// lockout_level)`, times in milliseconds since 1970.
///
/// Every method is a short sequence of single-statement conditional writes, each atomic on its own, in an order that
/// stays correct however statements of concurrent callers (other connections, other processes) interleave; nothing is
/// read and then written back.
extension SQLGatehouseStore {
    /// How many times a sequence is restarted when the row disappears under it (a concurrent ``clearLoginAttempts(key:)``).
    private static var rowVanishedRetries: Int { 3 }

    /// 1. `INSERT ... (key, 0, now, NULL, 0)` ignoring a conflict on `attempt_key` (creates the row if missing);
    /// 2. `UPDATE ... SET failures = 0, window_started_at = now WHERE attempt_key = ? AND window_started_at <= now -
    ///    window AND (locked_until IS NULL OR locked_until <= now)` (restarts an ended window of an unlocked key);
    /// 3. `UPDATE ... SET failures = failures + 1 WHERE attempt_key = ? AND failures < threshold AND (locked_until IS
    ///    NULL OR locked_until <= now) RETURNING failures` -> ``LoginAttemptReservation/allowed(attempt:)``;
    /// 4. otherwise `SELECT locked_until` -> ``LoginAttemptReservation/refused(lockedUntil:)`` (the date only while
    ///    it is after `now`).
    ///
    /// Step 3 is the only one that grants, and it grants only while `failures < threshold`, so at most `threshold`
    /// callers are allowed per window whatever the interleaving. Needs `UPDATE ... RETURNING`.
    public func reserveLoginAttempt(key: String, at now: Date, threshold: Int, window: Int) async throws -> LoginAttemptReservation {
        try await mapped {
            try requireReturning()
            let nowMs = now.millisecondsSince1970
            let windowStartLimit = nowMs - Int64(max(window, 0)) * 1000
            for _ in 0..<Self.rowVanishedRetries {
                try await insertAttemptRowIfMissing(key: key, at: nowMs)
                try await database.update(Table.loginAttempts)
                    .set("failures", to: 0)
                    .set("window_started_at", to: nowMs)
                    .where("attempt_key", .equal, key)
                    .where("window_started_at", .lessThanOrEqual, windowStartLimit)
                    .where(Self.unlocked(at: nowMs))
                    .run()
                let counted = try await database.update(Table.loginAttempts)
                    .set("failures", to: SQLBinaryExpression(SQLColumn("failures"), .add, SQLLiteral.numeric("1")))
                    .where("attempt_key", .equal, key)
                    .where("failures", .lessThan, threshold)
                    .where(Self.unlocked(at: nowMs))
                    .returning("failures")
                    .first()
                if let counted { return .allowed(attempt: try counted.decode(column: "failures", as: Int.self)) }

                guard let row = try await database.select().column("locked_until").column("failures").from(Table.loginAttempts)
                    .where("attempt_key", .equal, key).first()
                else { continue }  // Cleared meanwhile: start again from a fresh row.
                let lockedUntil = try row.decode(column: "locked_until", as: Int64?.self)
                if let lockedUntil, lockedUntil > nowMs { return .refused(lockedUntil: Date(millisecondsSince1970: lockedUntil)) }
                // Cleared by a successful login and re-created between our statements: the count is free again.
                if try row.decode(column: "failures", as: Int.self) < threshold { continue }
                return .refused(lockedUntil: nil)
            }
            throw StoreError.other("login attempt row kept disappearing")
        }
    }

    /// Creates the row if missing, then one `UPDATE ... SET locked_until = now + CASE WHEN lockout_level <= 0 THEN ?
    /// WHEN lockout_level <= 1 THEN ? ... ELSE ? END, lockout_level = lockout_level + 1, failures = 0,
    /// window_started_at = now WHERE attempt_key = ? RETURNING locked_until`, the steps being `backoff` in
    /// milliseconds (the last one in `ELSE`, so it repeats). The step is chosen from the stored level inside the
    /// statement, so concurrent locks never lose a level. `locked_until` is assigned before `lockout_level` so that
    /// MySQL, which evaluates assignments left to right, also reads the old level. Needs `UPDATE ... RETURNING`.
    /// - Throws: ``StoreError/other(_:)`` for an empty `backoff`.
    public func lockLoginAttempts(key: String, at now: Date, backoff: [Int]) async throws -> Date {
        try await mapped {
            try requireReturning()
            guard !backoff.isEmpty else { throw StoreError.other("empty lockout backoff schedule") }
            let nowMs = now.millisecondsSince1970
            let lockEnd = SQLBinaryExpression(
                SQLBind(nowMs), .add, BackoffStep(level: SQLColumn("lockout_level"), stepsMs: backoff.map { Int64(max($0, 0)) * 1000 }))
            for _ in 0..<Self.rowVanishedRetries {
                try await insertAttemptRowIfMissing(key: key, at: nowMs)
                let row = try await database.update(Table.loginAttempts)
                    .set("locked_until", to: lockEnd)
                    .set("lockout_level", to: SQLBinaryExpression(SQLColumn("lockout_level"), .add, SQLLiteral.numeric("1")))
                    .set("failures", to: 0)
                    .set("window_started_at", to: nowMs)
                    .where("attempt_key", .equal, key)
                    .returning("locked_until")
                    .first()
                guard let row else { continue }  // Cleared between the insert and the update.
                return Date(millisecondsSince1970: try row.decode(column: "locked_until", as: Int64.self))
            }
            throw StoreError.other("login attempt row kept disappearing")
        }
    }

    /// `SELECT locked_until FROM login_attempts WHERE attempt_key = ?`, nil unless it is after `now`.
    public func loginLockedUntil(key: String, at now: Date) async throws -> Date? {
        try await mapped {
            guard let row = try await database.select().column("locked_until").from(Table.loginAttempts)
                .where("attempt_key", .equal, key).first(),
                let until = try row.decode(column: "locked_until", as: Int64?.self), until > now.millisecondsSince1970
            else { return nil }
            return Date(millisecondsSince1970: until)
        }
    }

    /// `DELETE FROM login_attempts WHERE attempt_key = ?`: forgets failures and lockout level.
    public func clearLoginAttempts(key: String) async throws {
        try await mapped {
            try await database.delete(from: Table.loginAttempts).where("attempt_key", .equal, key).run()
        }
    }

    // MARK: Helpers

    /// `INSERT INTO login_attempts ... VALUES (key, 0, now, NULL, 0)` that does nothing when the key exists
    /// (`ON CONFLICT DO NOTHING` on SQLite and PostgreSQL, `INSERT IGNORE` on MySQL).
    private func insertAttemptRowIfMissing(key: String, at nowMs: Int64) async throws {
        try await database.insert(into: Table.loginAttempts)
            .columns(Columns.loginAttempt)
            .values([key, 0, nowMs, Int64?.none, 0] as [any Encodable & Sendable])
            .ignoringConflicts(with: "attempt_key")
            .run()
    }

    /// `(locked_until IS NULL OR locked_until <= now)`.
    private static func unlocked(at nowMs: Int64) -> any SQLExpression {
        SQLGroupExpression(SQLBinaryExpression(
            SQLBinaryExpression(SQLColumn("locked_until"), .is, SQLLiteral.null),
            .or,
            SQLBinaryExpression(SQLColumn("locked_until"), .lessThanOrEqual, SQLBind(nowMs))
        ))
    }
}

/// `CASE WHEN level <= 0 THEN ? WHEN level <= 1 THEN ? ... ELSE ? END` over bound steps, the last step in `ELSE`
/// (a single step is just its bind). Portable to SQLite, PostgreSQL and MySQL.
struct BackoffStep: SQLExpression {
    let level: any SQLExpression
    /// Not empty.
    let stepsMs: [Int64]

    func serialize(to serializer: inout SQLSerializer) {
        serializer.statement { statement in
            guard stepsMs.count > 1 else {
                statement.append(SQLBind(stepsMs.first ?? 0))
                return
            }
            statement.append("(CASE")
            for (index, step) in stepsMs.dropLast().enumerated() {
                statement.append("WHEN", SQLBinaryExpression(level, .lessThanOrEqual, SQLLiteral.numeric("\(index)")))
                statement.append("THEN", SQLBind(step))
            }
            statement.append("ELSE", SQLBind(stepsMs[stepsMs.count - 1]))
            statement.append("END)")
        }
    }
}
