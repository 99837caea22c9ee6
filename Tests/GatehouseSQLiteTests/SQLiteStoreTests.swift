import Foundation
import GatehouseCore
import GatehouseSQL
import GatehouseSQLite
import GatehouseTesting
import Logging
import SQLKit
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("conformance suite: in-memory database")
    func conformanceInMemory() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).runAll()
        }
    }

    @Test("conformance suite: file database in a temporary directory")
    func conformanceFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("gatehouse.sqlite").path
            try await withMigratedSQLite(path: path) { service, store in
                let mode = try await service.database.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
                #expect(mode?.lowercased() == "wal")
                try await StoreConformance(makeStore: { store }).runAll()
            }
            // The data survives a reopen; migrating again applies nothing.
            let service = try await SQLiteDatabaseService.open(path: path, logger: Logger(label: "test"))
            #expect(try await service.makeMigrator().migrate() == [])
            #expect(try await service.makeStore().listUsers(UserQuery(pageSize: 1, includeDeleted: true)).total > 0)
            try await service.close()
        }
    }

    @Test("migrating twice applies nothing the second time")
    func migrateTwice() async throws {
        let service = try await SQLiteDatabaseService.open(path: nil, logger: Logger(label: "test"))
        let migrator = service.makeMigrator()
        #expect(try await migrator.migrate() == [1])
        #expect(try await migrator.migrate() == [])
        #expect(try await migrator.appliedVersions() == [1])
        let rows = try await service.database.select().column("name").from("gatehouse_migrations").all()
        #expect(try rows.map { try $0.decode(column: "name", as: String.self) } == ["initial_schema"])
        try await service.close()
    }

    @Test("30 concurrent spends of one refresh token: exactly one .spent")
    func concurrentSpend() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).concurrentSpendSucceedsOnce()
        }
    }

    @Test("30 concurrent consumes of one one-time token: exactly one succeeds")
    func concurrentConsume() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).concurrentConsumeSucceedsOnce()
        }
    }

    @Test("duplicate email maps to StoreError.duplicate (SQLite and generic mappers)")
    func duplicateEmail() async throws {
        try await withMigratedSQLite { service, store in
            let user = sampleUser()
            try await store.createUser(user)
            for candidate in [store, SQLGatehouseStore(database: service.database)] {
                do {
                    try await candidate.createUser(sampleUser(email: user.email))
                    Issue.record("duplicate accepted")
                } catch let error as StoreError {
                    #expect(error.isDuplicate)
                    #expect(!error.reason.contains(user.email), "reason must not leak bound values")
                }
            }
        }
    }

    @Test("a soft-deleted user's email can be registered again")
    func reuseDeletedEmail() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).deletedUserEmailCanBeReused()
        }
    }

    @Test("deleting a user row cascades to its sessions and tokens (foreign keys enforced)")
    func cascade() async throws {
        try await withMigratedSQLite { service, store in
            let user = sampleUser()
            try await store.createUser(user)
            let now = user.createdAt
            let session = Session(id: UUID(), userId: user.id, createdAt: now, lastUsedAt: now)
            let token = RefreshTokenRecord(tokenId: UUID(), sessionId: session.id, userId: user.id, parentId: nil, issuedAt: now, expiresAt: now + 3600)
            try await store.createSession(session, firstToken: token)
            try await store.issueOneTimeToken(OneTimeTokenRecord(digest: String(repeating: "a", count: 64), purpose: .verifyEmail, userId: user.id, createdAt: now, expiresAt: now + 60))

            let db = service.database
            try await db.delete(from: "users").where("id", .equal, user.id.uuidString.lowercased()).run()
            for table in ["sessions", "refresh_tokens", "one_time_tokens"] {
                let row = try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table)
                    .where("user_id", .equal, user.id.uuidString.lowercased()).first()
                #expect(try row?.decode(column: "n", as: Int.self) == 0, "\(table) kept rows of a deleted user")
            }
            #expect(try await store.session(id: session.id) == nil)

            // A token for an unknown session is rejected by the foreign key.
            let orphan = RefreshTokenRecord(tokenId: UUID(), sessionId: UUID(), userId: UUID(), parentId: nil, issuedAt: now, expiresAt: now + 60)
            await #expect(throws: StoreError.self) { try await store.addRefreshToken(orphan) }
        }
    }

    @Test("expired refresh tokens are not spendable before purge")
    func expiredNotSpendable() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).expiredRefreshTokenIsNotSpendable()
        }
    }

    @Test("pagination order and totals with 25 users")
    func pagination() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).listUsersPagesNewestFirst()
            // Without a prefix (fresh database): the same 25 + 3 users, newest first.
            let all = try await store.listUsers(UserQuery(page: 1, pageSize: 100))
            #expect(all.total == 28)
            #expect(all.items.count == 28)
            #expect(zip(all.items, all.items.dropFirst()).allSatisfy { $0.createdAt >= $1.createdAt })
            let last = try await store.listUsers(UserQuery(page: 3, pageSize: 12))
            #expect(last.total == 28)
            #expect(last.items.map(\.id) == Array(all.items[24...]).map(\.id))
        }
    }

    @Test("queries after close fail with StoreError.unavailable")
    func closedDatabase() async throws {
        let service = try await SQLiteDatabaseService.open(path: nil, logger: Logger(label: "test"))
        let store = service.makeStore()
        try await store.ping()
        try await service.close()
        try await service.close()  // idempotent
        do {
            try await store.ping()
            Issue.record("ping succeeded after close")
        } catch let error as StoreError {
            #expect(error.isUnavailable)
        }
    }

    @Test("run() closes the database on graceful shutdown")
    func serviceRun() async throws {
        let service = try await SQLiteDatabaseService.open(path: nil, logger: Logger(label: "test"))
        let task = Task { try await service.run() }
        task.cancel()
        try await task.value
        await #expect(throws: StoreError.self) { try await service.makeStore().ping() }
    }
}
