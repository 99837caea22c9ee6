import GatehouseCore
import GatehouseSQL
import Logging
import NIOPosix
import SQLiteKit
import ServiceLifecycle
import Synchronization

/// Owns the single SQLite connection of the process and its dedicated one-thread `NIOThreadPool`.
///
/// One connection (opened `FULLMUTEX` by sqlite-nio) serialises every statement, so there is no `SQLITE_BUSY`
/// between connections and `path: nil` (in-memory) is one database for all callers. On open it runs
/// `PRAGMA foreign_keys = ON`, `PRAGMA journal_mode = WAL` (files only) and `PRAGMA synchronous = NORMAL`.
///
/// As a ServiceLifecycle `Service`, ``run()`` waits for graceful shutdown and then closes the connection and stops
/// the pool. Commands without a service group call ``close()`` instead. Closing twice is harmless.
public final class SQLiteDatabaseService: Service {
    /// The underlying sqlite-nio connection.
    public let connection: SQLiteConnection
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let closed = Mutex(false)

    private init(connection: SQLiteConnection, threadPool: NIOThreadPool, logger: Logger) {
        self.connection = connection
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Opens the database.
    /// - Parameters:
    ///   - path: A file path (its parent directory must exist), or nil for a private in-memory database.
    ///   - logger: Used by the connection and for lifecycle messages.
    /// - Throws: ``StoreError/unavailable(_:)`` when the file cannot be opened or configured.
    public static func open(path: String?, logger: Logger) async throws -> SQLiteDatabaseService {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: path.map { .file(path: $0) } ?? .memory,
                threadPool: threadPool,
                logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any()
            )
        } catch {
            try? await threadPool.shutdownGracefully()
            throw StoreError.unavailable("cannot open SQLite database: \(error)")
        }
        let service = SQLiteDatabaseService(connection: connection, threadPool: threadPool, logger: logger)
        do {
            let db = service.database
            try await db.raw("PRAGMA foreign_keys = ON").run()
            if path != nil { try await db.raw("PRAGMA journal_mode = WAL").run() }
            try await db.raw("PRAGMA synchronous = NORMAL").run()
        } catch {
            try? await service.close()
            throw StoreError.unavailable("cannot configure SQLite database: \(error)")
        }
        logger.debug("opened SQLite database", metadata: ["sqlite.path": "\(path ?? ":memory:")"])
        return service
    }

    /// The connection as an sql-kit database.
    /// Statements are not logged: sql-kit's query log includes bound values (password hashes, token digests).
    public var database: any SQLDatabase { connection.sql(encoder: .init(), decoder: .init(), queryLogLevel: nil) }

    /// A store over this database with SQLite error mapping.
    public func makeStore() -> SQLGatehouseStore {
        SQLGatehouseStore(database: database, errorMapper: .sqlite)
    }

    /// A migrator over this database with SQLite error mapping.
    public func makeMigrator() -> SQLMigrator {
        SQLMigrator(database: database, errorMapper: .sqlite)
    }

    /// Waits for graceful shutdown (or cancellation), then closes the connection and stops the thread pool.
    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }

    /// Closes the connection and stops the thread pool. Later queries fail with ``StoreError/unavailable(_:)``.
    public func close() async throws {
        let alreadyClosed = closed.withLock { value in
            defer { value = true }
            return value
        }
        guard !alreadyClosed else { return }
        // The thread pool's async API throws when the calling task is cancelled (as in `run()` after shutdown), and
        // an unclosed connection must not be left behind: close from an unstructured task, which is not cancelled.
        let connection = connection
        let threadPool = threadPool
        let result = await Task {
            do {
                try await connection.close()
            } catch {
                try? await threadPool.shutdownGracefully()
                throw StoreError.unavailable("error closing SQLite database: \(error)")
            }
            try await threadPool.shutdownGracefully()
        }.result
        logger.debug("closed SQLite database")
        try result.get()
    }
}
