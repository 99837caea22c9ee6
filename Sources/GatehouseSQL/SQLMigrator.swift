import Foundation
import GatehouseCore
import SQLKit

/// One schema change, identified by a strictly increasing `version`.
public struct SQLMigration: Sendable {
    /// Positive, unique, applied in ascending order.
    public let version: Int
    /// Short human-readable name recorded in `gatehouse_migrations`.
    public let name: String
    /// Applies the change. Must not interpolate values into SQL.
    public let apply: @Sendable (any SQLDatabase) async throws -> Void

    public init(version: Int, name: String, apply: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}

/// Applies the Gatehouse schema migrations and records them in
/// `gatehouse_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at BIGINT)` (`applied_at` in milliseconds
/// since 1970). Each migration runs inside a transaction on dialects with transactional DDL (SQLite, PostgreSQL).
///
/// Run it before serving; it assumes no other migrator runs concurrently against the same database.
public struct SQLMigrator: Sendable {
    /// The database migrated.
    public let database: any SQLDatabase
    /// The migrations known to this build, ascending by version.
    public let migrations: [SQLMigration]
    private let errors: SQLStoreErrorMapper

    /// - Parameters:
    ///   - database: The database to migrate.
    ///   - migrations: Defaults to ``GatehouseMigrations/all``.
    ///   - errorMapper: Translates driver errors into ``StoreError``.
    public init(
        database: any SQLDatabase, migrations: [SQLMigration] = GatehouseMigrations.all,
        errorMapper: SQLStoreErrorMapper = .generic
    ) {
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.errors = errorMapper
    }

    /// Applies every migration not yet recorded, in ascending order.
    /// - Returns: The versions applied by this call (empty when the schema is current).
    /// - Throws: ``StoreError``; a failed migration is rolled back where the dialect allows and stops the run.
    @discardableResult
    public func migrate() async throws -> [Int] {
        do {
            try await ensureLedger()
            let applied = Set(try await appliedVersions())
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                try await apply(migration)
                database.logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                done.append(migration.version)
            }
            return done
        } catch {
            throw errors.map(error)
        }
    }

    /// Versions recorded in `gatehouse_migrations`, ascending (creates the table if missing).
    public func appliedVersions() async throws -> [Int] {
        do {
            try await ensureLedger()
            return try await database.select().column("version").from(Table.migrations)
                .orderBy("version", .ascending)
                .all(decodingColumn: "version", as: Int.self)
        } catch {
            throw errors.map(error)
        }
    }

    private func ensureLedger() async throws {
        try await database.create(table: Table.migrations)
            .ifNotExists()
            .column("version", type: .custom(SQLRaw("INTEGER")), .primaryKey(autoIncrement: false))
            .column("name", type: .text, .notNull)
            .column("applied_at", type: .bigint, .notNull)
            .run()
    }

    private var hasTransactionalDDL: Bool {
        ["sqlite", "postgresql"].contains(database.dialect.name)
    }

    private func apply(_ migration: SQLMigration) async throws {
        let record: @Sendable (any SQLDatabase) async throws -> Void = { db in
            try await db.insert(into: Table.migrations)
                .columns("version", "name", "applied_at")
                .values(migration.version, migration.name, Date().millisecondsSince1970)
                .run()
        }
        guard hasTransactionalDDL else {
            try await migration.apply(database)
            try await record(database)
            return
        }
        try await database.withSession { db in
            try await db.raw("BEGIN").run()
            do {
                try await migration.apply(db)
                try await record(db)
                try await db.raw("COMMIT").run()
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
