import Foundation
import GatehouseCore
import SQLKit

/// A ``GatehouseStore`` over any sql-kit database (SQLite today; PostgreSQL and MySQL share the schema).
///
/// Every query is built with sql-kit builders and bound parameters. UUIDs are stored as lower-case 36-character
/// strings, times as `BIGINT` milliseconds since 1970 (UTC), booleans as the dialect's boolean/integer type.
/// The conditional writes (``spendRefreshToken(id:at:)``, ``consumeOneTimeToken(digest:purpose:at:)``) need a
/// dialect with `RETURNING` (SQLite ≥ 3.35, PostgreSQL).
///
/// The schema must exist: run ``SQLMigrator/migrate()`` first. Every error thrown is a ``StoreError``.
public struct SQLGatehouseStore: GatehouseStore {
    /// The database every query runs on.
    public let database: any SQLDatabase
    let errors: SQLStoreErrorMapper

    /// - Parameters:
    ///   - database: The database (for SQLite, the single shared connection's `sql()`).
    ///   - errorMapper: Translates driver errors; defaults to the driver-agnostic ``SQLStoreErrorMapper/generic``.
    public init(database: any SQLDatabase, errorMapper: SQLStoreErrorMapper = .generic) {
        self.database = database
        self.errors = errorMapper
    }

    /// Runs `SELECT 1`.
    /// - Throws: ``StoreError/unavailable(_:)`` when the database cannot be reached.
    public func ping() async throws {
        do {
            _ = try await database.raw("SELECT 1 AS one").first()
        } catch {
            let mapped = errors.map(error)
            throw mapped.isUnavailable ? mapped : StoreError.unavailable(mapped.reason)
        }
    }

    /// Runs `body`, translating any thrown error into a ``StoreError``.
    func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw errors.map(error)
        }
    }

    var supportsReturning: Bool { database.dialect.supportsReturning }

    /// Throws unless the dialect can return rows from `UPDATE`, which the atomic spends rely on.
    func requireReturning() throws {
        guard supportsReturning else {
            throw StoreError.other("the \(database.dialect.name) dialect lacks UPDATE ... RETURNING, required for atomic spends")
        }
    }
}

/// Binds of optional values, typed so that `nil` encodes as SQL `NULL`.
extension Optional where Wrapped == Date {
    var milliseconds: Int64? { self?.millisecondsSince1970 }
}
