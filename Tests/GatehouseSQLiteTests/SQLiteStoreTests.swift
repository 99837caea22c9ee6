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
        #expect(try await migrator.migrate() == [1, 2])
        #expect(try await migrator.migrate() == [])
        #expect(try await migrator.appliedVersions() == [1, 2])
        let rows = try await service.database.select().column("name").from("gatehouse_migrations").orderBy("version").all()
        #expect(try rows.map { try $0.decode(column: "name", as: String.self) } == ["initial_schema", "audit_events_and_login_attempts"])
        try await service.close()
    }

    @Test("a database at version 1 is upgraded to version 2 without touching its data")
    func upgradeFromVersion1() async throws {
        let service = try await SQLiteDatabaseService.open(path: nil, logger: Logger(label: "test"))
        let v1 = SQLMigrator(database: service.database, migrations: [GatehouseMigrations.initialSchema], errorMapper: .sqlite)
        #expect(try await v1.migrate() == [1])
        let store = service.makeStore()
        let user = sampleUser()
        try await store.createUser(user)
        #expect(try await service.makeMigrator().migrate() == [2])
        #expect(try await store.user(id: user.id, includeDeleted: false) == user)
        let event = AuditEvent(type: .userCreated, occurredAt: user.createdAt, targetId: user.id, outcome: "success")
        try await store.appendAuditEvent(event)
        #expect(try await store.listAuditEvents(AuditQuery(targetId: user.id)).items == [event])
        try await service.close()
    }

    @Test("the version 2 tables and indexes exist; audit rows have no foreign keys")
    func version2Schema() async throws {
        try await withMigratedSQLite { service, store in
            let db = service.database
            let indexes = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'").all()
                .map { try $0.decode(column: "name", as: String.self) }
            for name in [
                "audit_events_occurred_at_idx", "audit_events_actor_id_occurred_at_idx", "audit_events_target_id_occurred_at_idx",
                "audit_events_type_occurred_at_idx",
            ] {
                #expect(indexes.contains(name), "missing index \(name)")
            }
            let foreignKeys = try await db.raw("SELECT * FROM pragma_foreign_key_list('audit_events')").all()
            #expect(foreignKeys.isEmpty)
            // The log outlives the users it names.
            let user = sampleUser()
            try await store.createUser(user)
            let event = AuditEvent(type: .userDeleted, occurredAt: user.createdAt, actorId: user.id, targetId: user.id, outcome: "success")
            try await store.appendAuditEvent(event)
            try await db.delete(from: "users").where("id", .equal, user.id.uuidString.lowercased()).run()
            #expect(try await store.listAuditEvents(AuditQuery(actorId: user.id)).items == [event])
            // Details are stored as a sorted-keys JSON object.
            let detailed = AuditEvent(type: .roleChanged, occurredAt: user.createdAt, outcome: "success", details: ["to": "admin", "from": "user"])
            try await store.appendAuditEvent(detailed)
            let stored = try await db.select().column("details").from("audit_events")
                .where("id", .equal, detailed.id.uuidString.lowercased()).first()?.decode(column: "details", as: String.self)
            #expect(stored == #"{"from":"user","to":"admin"}"#)
        }
    }

    @Test("audit log round trip, filters, paging and bounds")
    func auditLog() async throws {
        try await withMigratedSQLite { _, store in
            let suite = StoreConformance(makeStore: { store })
            try await suite.auditRoundTrip()
            try await suite.auditFilters()
            try await suite.auditPagesNewestFirst()
            try await suite.auditToIsExclusive()
        }
    }

    @Test("login lockout: threshold, lock, backoff, window, clear, independent keys")
    func loginLockout() async throws {
        try await withMigratedSQLite { _, store in
            let suite = StoreConformance(makeStore: { store })
            try await suite.loginAttemptThreshold()
            try await suite.loginAttemptLockout()
            try await suite.loginAttemptBackoffGrows()
            try await suite.loginAttemptWindowRestarts()
            try await suite.clearLoginAttemptsResetsLevel()
            try await suite.loginAttemptKeysAreIndependent()
        }
    }

    @Test("100 concurrent login-attempt reservations with threshold 5: exactly 5 allowed")
    func concurrentReservations() async throws {
        try await withMigratedSQLite { _, store in
            try await StoreConformance(makeStore: { store }).concurrentReservationsAllowThreshold()
        }
    }

    @Test("reservations and locks across four connections to one file: at most threshold allowed, no level lost")
    func crossConnectionReservations() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("lockout.sqlite").path
            try await withMigratedSQLite(path: path) { first, _ in
                var services = [first]
                for _ in 1..<4 { services.append(try await SQLiteDatabaseService.open(path: path, logger: Logger(label: "test"))) }
                do {
                    // Separate connections contend for SQLite's write lock: wait for it instead of failing busy.
                    for service in services { try await service.database.raw("PRAGMA busy_timeout = 10000").run() }
                    let stores = services.map { $0.makeStore() }
                    // Rotating through the stores spreads the callers over the connections.
                    try await StoreConformance(makeStore: { @Sendable in stores.randomElement()! }).concurrentReservationsAllowThreshold()
                    let key = "\(UUID().uuidString.lowercased())@example.com"
                    let now = Date(millisecondsSince1970: 1_748_736_000_000)
                    let results = try await withThrowingTaskGroup(of: LoginAttemptReservation.self) { group in
                        for i in 0..<100 {
                            group.addTask { try await stores[i % stores.count].reserveLoginAttempt(key: key, at: now, threshold: 7, window: 900) }
                        }
                        return try await group.reduce(into: [LoginAttemptReservation]()) { $0.append($1) }
                    }
                    let attempts = results.compactMap { if case .allowed(let n) = $0 { n } else { nil } }
                    #expect(attempts.sorted() == Array(1...7))
                    let backoff = [60, 300, 900, 1800, 3600, 7200]
                    let ends = try await withThrowingTaskGroup(of: Date.self) { group in
                        for i in 0..<6 {
                            group.addTask { try await stores[i % stores.count].lockLoginAttempts(key: key, at: now, backoff: backoff) }
                        }
                        return try await group.reduce(into: [Date]()) { $0.append($1) }
                    }
                    #expect(Set(ends) == Set(backoff.map { now.addingTimeInterval(Double($0)) }))
                } catch {
                    for service in services.dropFirst() { try? await service.close() }
                    throw error
                }
                for service in services.dropFirst() { try await service.close() }
            }
        }
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
