import Foundation
import GatehouseCore
import Testing

/// The behaviour every ``GatehouseStore`` backend must show, as Swift Testing expectations.
///
/// Call ``runAll()`` (or single properties) from a `@Test`. Each property calls `makeStore` once and uses fresh ids,
/// emails (unique per run) and times, so the stores may be fresh or shared, but must already be migrated.
/// Failures are recorded with `#expect` / `#require` in the calling test.
public struct StoreConformance: Sendable {
    private let makeStore: @Sendable () async throws -> any GatehouseStore

    /// - Parameter makeStore: Returns a migrated store; called once per property.
    public init(makeStore: @escaping @Sendable () async throws -> any GatehouseStore) {
        self.makeStore = makeStore
    }

    /// Runs every property in turn.
    public func runAll() async throws {
        try await ping()
        try await userRoundTrip()
        try await duplicateEmailIsRejected()
        try await deletedUserEmailCanBeReused()
        try await updateUserWritesEveryField()
        try await updateUserErrors()
        try await targetedWritesTouchOnlyTheirFields()
        try await lastSuperAdminGuard()
        try await loginLockedUntilReadsTheLock()
        try await listUsersPagesNewestFirst()
        try await listUsersFilters()
        try await listUsersPrefixIsCaseInsensitiveAndLiteral()
        try await countActiveSuperAdmins()
        try await sessionRoundTrip()
        try await spendRefreshToken()
        try await expiredRefreshTokenIsNotSpendable()
        try await concurrentSpendSucceedsOnce()
        try await addRefreshTokenAndChild()
        try await revokeSessionRevokesTokens()
        try await revokeSessionsKeepsOne()
        try await oneTimeTokens()
        try await concurrentConsumeSucceedsOnce()
        try await voidOneTimeTokens()
        try await purgeExpired()
        try await auditRoundTrip()
        try await auditFilters()
        try await auditPagesNewestFirst()
        try await auditToIsExclusive()
        try await loginAttemptThreshold()
        try await loginAttemptLockout()
        try await loginAttemptBackoffGrows()
        try await loginAttemptWindowRestarts()
        try await clearLoginAttemptsResetsLevel()
        try await concurrentReservationsAllowThreshold()
        try await loginAttemptKeysAreIndependent()
    }

    // MARK: Fixtures

    /// 2025-06-01T00:00:00Z.
    static let base = Date(millisecondsSince1970: 1_748_736_000_000)

    static func at(_ seconds: Double) -> Date { base.addingTimeInterval(seconds).truncatedToMilliseconds }

    /// A fresh tag starting with a letter, unique per call (lower-case, 9 characters).
    static func tag() -> String { "t" + UUID().uuidString.prefix(8).lowercased() }

    static func makeUser(
        email: String? = nil, username: String? = nil, role: Role = .user, isActive: Bool = true, createdAt: Date = at(0)
    ) -> User {
        User(
            id: UUID(), email: email ?? "\(tag())@example.com", username: username, role: role, isActive: isActive,
            passwordHash: "$2b$12$abcdefghijklmnopqrstuv", createdAt: createdAt, updatedAt: createdAt)
    }

    /// Creates a user and a session with a first token expiring an hour after `base`.
    static func makeSession(in store: any GatehouseStore, expiresIn: Double = 3600) async throws -> (User, Session, RefreshTokenRecord) {
        let user = makeUser()
        try await store.createUser(user)
        let session = Session(id: UUID(), userId: user.id, createdAt: at(0), lastUsedAt: at(0), userAgent: "agent/1.0", clientAddress: "192.0.2.1")
        let token = RefreshTokenRecord(tokenId: UUID(), sessionId: session.id, userId: user.id, parentId: nil, issuedAt: at(0), expiresAt: at(expiresIn))
        try await store.createSession(session, firstToken: token)
        return (user, session, token)
    }

    static func isDuplicate(_ error: any Error) -> Bool { (error as? StoreError)?.isDuplicate == true }

    // MARK: Users

    /// `ping()` succeeds on a reachable database.
    public func ping() async throws {
        let store = try await makeStore()
        try await store.ping()
    }

    /// A created user reads back identically by id and by email, with nil and non-nil optionals.
    public func userRoundTrip() async throws {
        let store = try await makeStore()
        var full = Self.makeUser(username: "Alice_1", role: .moderator, createdAt: Self.at(1.234))
        full.fullName = "Alice Ünïcode 🙂"
        full.isVerified = true
        full.isActive = false
        full.updatedAt = Self.at(2.5)
        full.lastLoginAt = Self.at(3.001)
        try await store.createUser(full)
        let sparse = Self.makeUser()
        try await store.createUser(sparse)

        #expect(try await store.user(id: full.id, includeDeleted: false) == full)
        #expect(try await store.user(email: full.email) == full)
        #expect(try await store.user(id: sparse.id, includeDeleted: false) == sparse)
        #expect(try await store.user(id: UUID(), includeDeleted: true) == nil)
        #expect(try await store.user(email: "missing-\(Self.tag())@example.com") == nil)
    }

    /// `loginLockedUntil` is nil for unknown and unlocked keys and the lock end while locked.
    public func loginLockedUntilReadsTheLock() async throws {
        let store = try await makeStore()
        let key = "\(Self.tag())@example.com"
        #expect(try await store.loginLockedUntil(key: key, at: Self.at(0)) == nil)
        _ = try await store.reserveLoginAttempt(key: key, at: Self.at(0), threshold: 5, window: 900)
        #expect(try await store.loginLockedUntil(key: key, at: Self.at(0)) == nil)
        let until = try await store.lockLoginAttempts(key: key, at: Self.at(1), backoff: [60])
        #expect(until == Self.at(61))
        #expect(try await store.loginLockedUntil(key: key, at: Self.at(30)) == until)
        #expect(try await store.loginLockedUntil(key: key, at: Self.at(61)) == nil)
        try await store.clearLoginAttempts(key: key)
        #expect(try await store.loginLockedUntil(key: key, at: Self.at(30)) == nil)
    }

    /// `updateUserKeepingAnotherSuperAdmin` writes only while another live, active super_admin exists, and of two
    /// concurrent demotions of the last two super_admins exactly one succeeds.
    public func lastSuperAdminGuard() async throws {
        let store = try await makeStore()
        // Other tests may have left super_admins in a shared store: count relative to what is there.
        let baseline = try await store.countActiveSuperAdmins()
        guard baseline == 0 else { return }
        var first = Self.makeUser(role: .superAdmin)
        var second = Self.makeUser(role: .superAdmin)
        try await store.createUser(first)
        try await store.createUser(second)
        for _ in 0..<10 {
            first.role = .admin
            second.role = .admin
            let (a, b) = (first, second)
            async let demoteFirst = store.updateUserKeepingAnotherSuperAdmin(a)
            async let demoteSecond = store.updateUserKeepingAnotherSuperAdmin(b)
            let results = try await [demoteFirst, demoteSecond]
            #expect(results.filter { $0 }.count == 1, "exactly one of two concurrent demotions wins")
            #expect(try await store.countActiveSuperAdmins() == 1)
            first.role = .superAdmin
            second.role = .superAdmin
            try await store.updateUser(first)
            try await store.updateUser(second)
        }
        var last = first
        last.role = .user
        try await store.updateUser(second.withRole(.user))
        #expect(try await store.updateUserKeepingAnotherSuperAdmin(last) == false)
        #expect(try await store.user(id: first.id, includeDeleted: false)?.role == .superAdmin)
        var deleted = first
        deleted.deletedAt = Self.at(5)
        #expect(try await store.updateUserKeepingAnotherSuperAdmin(deleted) == false)
        try await store.updateUser(second.withRole(.superAdmin))
        #expect(try await store.updateUserKeepingAnotherSuperAdmin(deleted) == true)
        #expect(try await store.user(id: first.id, includeDeleted: false) == nil)
        await #expect(throws: StoreError.self) { _ = try await store.updateUserKeepingAnotherSuperAdmin(Self.makeUser()) }
    }

    /// `recordLogin`, `setPasswordHash` and `markEmailVerified` change only their own fields (so a concurrent
    /// deactivation is never undone) and do nothing to a deleted user.
    public func targetedWritesTouchOnlyTheirFields() async throws {
        let store = try await makeStore()
        var user = Self.makeUser(role: .admin)
        try await store.createUser(user)
        // A concurrent writer deactivates the user after we read it.
        var deactivated = user
        deactivated.isActive = false
        try await store.updateUser(deactivated)
        try await store.recordLogin(userId: user.id, at: Self.at(10))
        try await store.setPasswordHash(userId: user.id, hash: "$gh-sha256$new", at: Self.at(11))
        try await store.markEmailVerified(userId: user.id, at: Self.at(12))
        user.isActive = false
        user.lastLoginAt = Self.at(10)
        user.passwordHash = "$gh-sha256$new"
        user.isVerified = true
        user.updatedAt = Self.at(12)
        #expect(try await store.user(id: user.id, includeDeleted: false) == user)

        var gone = Self.makeUser()
        gone.deletedAt = Self.at(1)
        try await store.createUser(gone)
        try await store.recordLogin(userId: gone.id, at: Self.at(20))
        try await store.setPasswordHash(userId: gone.id, hash: "$gh-sha256$x", at: Self.at(20))
        try await store.markEmailVerified(userId: gone.id, at: Self.at(20))
        #expect(try await store.user(id: gone.id, includeDeleted: true) == gone)
        try await store.recordLogin(userId: UUID(), at: Self.at(20))
    }

    /// `createUser` throws ``StoreError/duplicate(_:)`` when a live user has the email.
    public func duplicateEmailIsRejected() async throws {
        let store = try await makeStore()
        let first = Self.makeUser()
        try await store.createUser(first)
        var second = Self.makeUser(email: first.email)
        second.username = "other"
        await #expect(throws: StoreError.self) { try await store.createUser(second) }
        do {
            try await store.createUser(second)
            Issue.record("duplicate email accepted")
        } catch {
            #expect(Self.isDuplicate(error), "expected .duplicate, got \(error)")
        }
        #expect(try await store.user(id: second.id, includeDeleted: true) == nil)
        #expect(try await store.user(email: first.email)?.id == first.id)
    }

    /// A soft-deleted user is hidden from `user(email:)` and default `user(id:)`, and its email can be registered again.
    public func deletedUserEmailCanBeReused() async throws {
        let store = try await makeStore()
        var old = Self.makeUser()
        try await store.createUser(old)
        old.deletedAt = Self.at(10)
        old.updatedAt = Self.at(10)
        try await store.updateUser(old)

        #expect(try await store.user(email: old.email) == nil)
        #expect(try await store.user(id: old.id, includeDeleted: false) == nil)
        #expect(try await store.user(id: old.id, includeDeleted: true) == old)

        let new = Self.makeUser(email: old.email, createdAt: Self.at(20))
        try await store.createUser(new)
        #expect(try await store.user(email: old.email) == new)

        // Restoring the old account while the email is taken again is a conflict.
        var restored = old
        restored.deletedAt = nil
        do {
            try await store.updateUser(restored)
            Issue.record("restoring a user onto a taken email succeeded")
        } catch {
            #expect(Self.isDuplicate(error), "expected .duplicate, got \(error)")
        }
    }

    /// `updateUser` replaces every field.
    public func updateUserWritesEveryField() async throws {
        let store = try await makeStore()
        let original = Self.makeUser(username: "before")
        try await store.createUser(original)
        var changed = original
        changed.email = "\(Self.tag())@example.org"
        changed.username = nil
        changed.fullName = "Now Named"
        changed.role = .admin
        changed.isActive = false
        changed.isVerified = true
        changed.passwordHash = "$2b$12$zyxwvutsrqponmlkjihgfe"
        changed.createdAt = Self.at(-5)
        changed.updatedAt = Self.at(99.999)
        changed.lastLoginAt = Self.at(50)
        try await store.updateUser(changed)

        #expect(try await store.user(id: original.id, includeDeleted: false) == changed)
        #expect(try await store.user(email: changed.email) == changed)
        #expect(try await store.user(email: original.email) == nil)

        changed.username = "again"
        changed.lastLoginAt = nil
        try await store.updateUser(changed)
        #expect(try await store.user(id: original.id, includeDeleted: false) == changed)
    }

    /// `updateUser` throws ``StoreError/notFound(_:)`` for an unknown id and ``StoreError/duplicate(_:)`` on an email
    /// taken by another live user.
    public func updateUserErrors() async throws {
        let store = try await makeStore()
        do {
            try await store.updateUser(Self.makeUser())
            Issue.record("updating an unknown user succeeded")
        } catch {
            #expect((error as? StoreError)?.isNotFound == true, "expected .notFound, got \(error)")
        }
        let a = Self.makeUser()
        var b = Self.makeUser()
        try await store.createUser(a)
        try await store.createUser(b)
        b.email = a.email
        do {
            try await store.updateUser(b)
            Issue.record("updating onto a taken email succeeded")
        } catch {
            #expect(Self.isDuplicate(error), "expected .duplicate, got \(error)")
        }
        #expect(try await store.user(email: a.email)?.id == a.id)
    }

    /// 25 users: pages of 10 are newest first, `total` counts all, and equal `createdAt` orders by id descending.
    public func listUsersPagesNewestFirst() async throws {
        let store = try await makeStore()
        let tag = Self.tag()
        var users: [User] = []
        for i in 0..<25 {
            let user = Self.makeUser(email: "\(tag)-\(String(format: "%02d", i))@example.com", createdAt: Self.at(Double(i)))
            try await store.createUser(user)
            users.append(user)
        }
        let newestFirst = Array(users.reversed())
        let page1 = try await store.listUsers(UserQuery(page: 1, pageSize: 10, prefix: tag))
        #expect(page1.total == 25)
        #expect(page1.items == Array(newestFirst[0..<10]))
        let page2 = try await store.listUsers(UserQuery(page: 2, pageSize: 10, prefix: tag))
        #expect(page2.total == 25)
        #expect(page2.items == Array(newestFirst[10..<20]))
        let page3 = try await store.listUsers(UserQuery(page: 3, pageSize: 10, prefix: tag))
        #expect(page3.total == 25)
        #expect(page3.items == Array(newestFirst[20..<25]))
        let page4 = try await store.listUsers(UserQuery(page: 4, pageSize: 10, prefix: tag))
        #expect(page4.total == 25)
        #expect(page4.items.isEmpty)

        // Ties on created_at: id descending (lower-case string order).
        let tieTag = Self.tag()
        let ties = (0..<3).map { i in Self.makeUser(email: "\(tieTag)-\(i)@example.com", createdAt: Self.at(100)) }
        for user in ties { try await store.createUser(user) }
        let tied = try await store.listUsers(UserQuery(pageSize: 10, prefix: tieTag))
        #expect(tied.items.map(\.id) == ties.map(\.id).sorted { $0.uuidString.lowercased() > $1.uuidString.lowercased() })
    }

    /// Role, active, deleted filters combine with the prefix; `total` follows the filters.
    public func listUsersFilters() async throws {
        let store = try await makeStore()
        let tag = Self.tag()
        var users: [User] = []
        for i in 0..<12 {
            let user = Self.makeUser(
                email: "\(tag)-\(String(format: "%02d", i))@example.com", role: i % 3 == 0 ? .admin : .user,
                isActive: i % 4 != 0, createdAt: Self.at(Double(i)))
            try await store.createUser(user)
            users.append(user)
        }
        let admins = try await store.listUsers(UserQuery(pageSize: 100, role: .admin, prefix: tag))
        #expect(admins.total == 4)
        #expect(admins.items.map(\.id) == users.filter { $0.role == .admin }.reversed().map(\.id))
        let inactive = try await store.listUsers(UserQuery(pageSize: 100, isActive: false, prefix: tag))
        #expect(inactive.total == 3)
        #expect(inactive.items.allSatisfy { !$0.isActive })
        let inactiveAdmins = try await store.listUsers(UserQuery(pageSize: 100, role: .admin, isActive: false, prefix: tag))
        #expect(inactiveAdmins.total == 1)  // i == 0

        var deleted = users[5]
        deleted.deletedAt = Self.at(60)
        try await store.updateUser(deleted)
        let live = try await store.listUsers(UserQuery(pageSize: 100, prefix: tag))
        #expect(live.total == 11)
        #expect(!live.items.contains { $0.id == deleted.id })
        let all = try await store.listUsers(UserQuery(pageSize: 100, prefix: tag, includeDeleted: true))
        #expect(all.total == 12)
        #expect(all.items.contains(deleted))
    }

    /// The prefix matches email or username case-insensitively, and `%` / `_` in it are literal.
    public func listUsersPrefixIsCaseInsensitiveAndLiteral() async throws {
        let store = try await makeStore()
        let tag = Self.tag()
        let underscore = Self.makeUser(email: "z-\(UUID().uuidString.lowercased())@example.com", username: "\(tag)_Bob", createdAt: Self.at(2))
        let plain = Self.makeUser(email: "z-\(UUID().uuidString.lowercased())@example.com", username: "\(tag)xBob", createdAt: Self.at(1))
        let byEmail = Self.makeUser(email: "\(tag)-mail@example.com", createdAt: Self.at(0))
        for user in [underscore, plain, byEmail] { try await store.createUser(user) }

        let any = try await store.listUsers(UserQuery(pageSize: 100, prefix: tag.uppercased()))
        #expect(any.total == 3)
        #expect(any.items.map(\.id) == [underscore.id, plain.id, byEmail.id])
        let literalUnderscore = try await store.listUsers(UserQuery(pageSize: 100, prefix: "\(tag)_b"))
        #expect(literalUnderscore.items.map(\.id) == [underscore.id])
        #expect(literalUnderscore.total == 1)
        let percent = try await store.listUsers(UserQuery(pageSize: 100, prefix: "\(tag)%"))
        #expect(percent.total == 0)
        #expect(percent.items.isEmpty)
        let mixedCase = try await store.listUsers(UserQuery(pageSize: 100, prefix: "\(tag)XB"))
        #expect(mixedCase.items.map(\.id) == [plain.id])
        let email = try await store.listUsers(UserQuery(pageSize: 100, prefix: "\(tag)-MAIL@"))
        #expect(email.items.map(\.id) == [byEmail.id])
    }

    /// Counts live, active super_admins only.
    public func countActiveSuperAdmins() async throws {
        let store = try await makeStore()
        let before = try await store.countActiveSuperAdmins()
        try await store.createUser(Self.makeUser(role: .superAdmin))
        try await store.createUser(Self.makeUser(role: .superAdmin))
        try await store.createUser(Self.makeUser(role: .superAdmin, isActive: false))
        try await store.createUser(Self.makeUser(role: .admin))
        var deleted = Self.makeUser(role: .superAdmin)
        try await store.createUser(deleted)
        #expect(try await store.countActiveSuperAdmins() == before + 3)
        deleted.deletedAt = Self.at(5)
        try await store.updateUser(deleted)
        #expect(try await store.countActiveSuperAdmins() == before + 2)
    }

    // MARK: Sessions and refresh tokens

    /// Sessions read back identically; `sessions(userId:)` is newest first.
    public func sessionRoundTrip() async throws {
        let store = try await makeStore()
        let (user, first, _) = try await Self.makeSession(in: store)
        #expect(try await store.session(id: first.id) == first)
        #expect(try await store.session(id: UUID()) == nil)
        let second = Session(id: UUID(), userId: user.id, createdAt: Self.at(30), lastUsedAt: Self.at(30))
        try await store.createSession(
            second,
            firstToken: RefreshTokenRecord(tokenId: UUID(), sessionId: second.id, userId: user.id, parentId: nil, issuedAt: Self.at(30), expiresAt: Self.at(3600)))
        #expect(try await store.sessions(userId: user.id) == [second, first])
        #expect(try await store.sessions(userId: UUID()).isEmpty)
    }

    /// Spent once; then ``RefreshTokenSpend/alreadyUsed(_:)``; unknown and revoked tokens are invalid.
    public func spendRefreshToken() async throws {
        let store = try await makeStore()
        let (_, session, token) = try await Self.makeSession(in: store)
        var expected = token
        expected.usedAt = Self.at(5)
        #expect(try await store.spendRefreshToken(id: token.tokenId, at: Self.at(5)) == .spent(expected))
        #expect(try await store.spendRefreshToken(id: token.tokenId, at: Self.at(6)) == .alreadyUsed(expected))
        #expect(try await store.spendRefreshToken(id: UUID(), at: Self.at(6)) == .invalid)

        let child = RefreshTokenRecord(tokenId: UUID(), sessionId: session.id, userId: token.userId, parentId: token.tokenId, issuedAt: Self.at(5), expiresAt: Self.at(3600))
        try await store.addRefreshToken(child)
        try await store.revokeSession(id: session.id, at: Self.at(7))
        #expect(try await store.spendRefreshToken(id: child.tokenId, at: Self.at(8)) == .invalid)
    }

    /// A token is not spendable at or after `expiresAt`, even before `purgeExpired`.
    public func expiredRefreshTokenIsNotSpendable() async throws {
        let store = try await makeStore()
        let (_, _, token) = try await Self.makeSession(in: store, expiresIn: 10)
        #expect(try await store.spendRefreshToken(id: token.tokenId, at: Self.at(10)) == .invalid)
        #expect(try await store.spendRefreshToken(id: token.tokenId, at: Self.at(11)) == .invalid)
        // Still unused: an expired token is invalid, not reused.
        let (_, _, other) = try await Self.makeSession(in: store, expiresIn: 10)
        if case .spent = try await store.spendRefreshToken(id: other.tokenId, at: Self.at(9.999)) {} else {
            Issue.record("a token 1 ms before expiry was not spendable")
        }
    }

    /// 30 concurrent spends of one token: exactly one `.spent`, the rest `.alreadyUsed`.
    public func concurrentSpendSucceedsOnce() async throws {
        let store = try await makeStore()
        let (_, _, token) = try await Self.makeSession(in: store)
        let results = try await withThrowingTaskGroup(of: RefreshTokenSpend.self) { group in
            for i in 0..<30 {
                group.addTask { try await store.spendRefreshToken(id: token.tokenId, at: Self.at(1 + Double(i) / 1000)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let spent = results.filter { if case .spent = $0 { true } else { false } }
        let reused = results.filter { if case .alreadyUsed = $0 { true } else { false } }
        #expect(spent.count == 1)
        #expect(reused.count == 29)
    }

    /// `addRefreshToken` sets the session's `lastUsedAt`; `childToken(of:)` finds it by parent.
    public func addRefreshTokenAndChild() async throws {
        let store = try await makeStore()
        let (user, session, token) = try await Self.makeSession(in: store)
        #expect(try await store.childToken(of: token.tokenId) == nil)
        _ = try await store.spendRefreshToken(id: token.tokenId, at: Self.at(40))
        let child = RefreshTokenRecord(tokenId: UUID(), sessionId: session.id, userId: user.id, parentId: token.tokenId, issuedAt: Self.at(40), expiresAt: Self.at(4000))
        try await store.addRefreshToken(child)
        #expect(try await store.childToken(of: token.tokenId) == child)
        #expect(try await store.session(id: session.id)?.lastUsedAt == Self.at(40))
        #expect(try await store.spendRefreshToken(id: child.tokenId, at: Self.at(41)) == .spent({ var c = child; c.usedAt = Self.at(41); return c }()))
    }

    /// `revokeSession` revokes the session and all its tokens, once (the first time is kept).
    public func revokeSessionRevokesTokens() async throws {
        let store = try await makeStore()
        let (_, session, token) = try await Self.makeSession(in: store)
        try await store.revokeSession(id: session.id, at: Self.at(10))
        try await store.revokeSession(id: session.id, at: Self.at(20))
        #expect(try await store.session(id: session.id)?.revokedAt == Self.at(10))
        #expect(try await store.spendRefreshToken(id: token.tokenId, at: Self.at(21)) == .invalid)
        try await store.revokeSession(id: UUID(), at: Self.at(20))  // unknown: no error
    }

    /// `revokeSessions` revokes every session of the user except `keeping`, leaving other users alone.
    public func revokeSessionsKeepsOne() async throws {
        let store = try await makeStore()
        let (user, kept, keptToken) = try await Self.makeSession(in: store)
        let (_, stranger, strangerToken) = try await Self.makeSession(in: store)
        let other = Session(id: UUID(), userId: user.id, createdAt: Self.at(1), lastUsedAt: Self.at(1))
        let otherToken = RefreshTokenRecord(tokenId: UUID(), sessionId: other.id, userId: user.id, parentId: nil, issuedAt: Self.at(1), expiresAt: Self.at(3600))
        try await store.createSession(other, firstToken: otherToken)

        try await store.revokeSessions(userId: user.id, keeping: kept.id, at: Self.at(10))
        #expect(try await store.session(id: kept.id)?.revokedAt == nil)
        #expect(try await store.session(id: other.id)?.revokedAt == Self.at(10))
        #expect(try await store.session(id: stranger.id)?.revokedAt == nil)
        #expect(try await store.spendRefreshToken(id: otherToken.tokenId, at: Self.at(11)) == .invalid)

        try await store.revokeSessions(userId: user.id, keeping: nil, at: Self.at(20))
        #expect(try await store.session(id: kept.id)?.revokedAt == Self.at(20))
        #expect(try await store.session(id: other.id)?.revokedAt == Self.at(10))
        #expect(try await store.spendRefreshToken(id: keptToken.tokenId, at: Self.at(21)) == .invalid)
        if case .spent = try await store.spendRefreshToken(id: strangerToken.tokenId, at: Self.at(21)) {} else {
            Issue.record("another user's token was revoked")
        }
    }

    // MARK: One-time tokens

    static func digest() -> String {
        (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Issuing voids older unused tokens of the same user and purpose; consuming checks purpose, use and expiry.
    public func oneTimeTokens() async throws {
        let store = try await makeStore()
        let user = Self.makeUser()
        try await store.createUser(user)
        let old = OneTimeTokenRecord(digest: Self.digest(), purpose: .verifyEmail, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(100))
        let reset = OneTimeTokenRecord(digest: Self.digest(), purpose: .resetPassword, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(100))
        try await store.issueOneTimeToken(old)
        try await store.issueOneTimeToken(reset)
        let new = OneTimeTokenRecord(digest: Self.digest(), purpose: .verifyEmail, userId: user.id, createdAt: Self.at(10), expiresAt: Self.at(100))
        try await store.issueOneTimeToken(new)

        #expect(try await store.consumeOneTimeToken(digest: old.digest, purpose: .verifyEmail, at: Self.at(11)) == nil)
        #expect(try await store.consumeOneTimeToken(digest: new.digest, purpose: .resetPassword, at: Self.at(11)) == nil)
        var consumed = new
        consumed.usedAt = Self.at(12)
        #expect(try await store.consumeOneTimeToken(digest: new.digest, purpose: .verifyEmail, at: Self.at(12)) == consumed)
        #expect(try await store.consumeOneTimeToken(digest: new.digest, purpose: .verifyEmail, at: Self.at(13)) == nil)
        #expect(try await store.consumeOneTimeToken(digest: Self.digest(), purpose: .verifyEmail, at: Self.at(13)) == nil)
        // Other purpose untouched by the verify-email issue, but expired at its expiry.
        #expect(try await store.consumeOneTimeToken(digest: reset.digest, purpose: .resetPassword, at: Self.at(100)) == nil)
        var resetUsed = reset
        resetUsed.usedAt = Self.at(99.999)
        #expect(try await store.consumeOneTimeToken(digest: reset.digest, purpose: .resetPassword, at: Self.at(99.999)) == resetUsed)
    }

    /// 30 concurrent consumes of one digest: exactly one returns the record.
    public func concurrentConsumeSucceedsOnce() async throws {
        let store = try await makeStore()
        let user = Self.makeUser()
        try await store.createUser(user)
        let token = OneTimeTokenRecord(digest: Self.digest(), purpose: .resetPassword, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(100))
        try await store.issueOneTimeToken(token)
        let results = try await withThrowingTaskGroup(of: OneTimeTokenRecord?.self) { group in
            for _ in 0..<30 {
                group.addTask { try await store.consumeOneTimeToken(digest: token.digest, purpose: .resetPassword, at: Self.at(1)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 30)
        #expect(results.compactMap { $0 }.count == 1)
    }

    /// `voidOneTimeTokens` makes every unused token of that user and purpose unconsumable, and no other.
    public func voidOneTimeTokens() async throws {
        let store = try await makeStore()
        let user = Self.makeUser()
        let other = Self.makeUser()
        try await store.createUser(user)
        try await store.createUser(other)
        let mine = OneTimeTokenRecord(digest: Self.digest(), purpose: .resetPassword, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(100))
        let verify = OneTimeTokenRecord(digest: Self.digest(), purpose: .verifyEmail, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(100))
        let theirs = OneTimeTokenRecord(digest: Self.digest(), purpose: .resetPassword, userId: other.id, createdAt: Self.at(0), expiresAt: Self.at(100))
        for token in [mine, verify, theirs] { try await store.issueOneTimeToken(token) }
        try await store.voidOneTimeTokens(userId: user.id, purpose: .resetPassword, at: Self.at(5))
        #expect(try await store.consumeOneTimeToken(digest: mine.digest, purpose: .resetPassword, at: Self.at(6)) == nil)
        #expect(try await store.consumeOneTimeToken(digest: verify.digest, purpose: .verifyEmail, at: Self.at(6)) != nil)
        #expect(try await store.consumeOneTimeToken(digest: theirs.digest, purpose: .resetPassword, at: Self.at(6)) != nil)
    }

    // MARK: Maintenance

    /// `purgeExpired` deletes expired refresh and one-time tokens and sessions left without live tokens, keeping live ones.
    public func purgeExpired() async throws {
        let store = try await makeStore()
        let (user, session, token) = try await Self.makeSession(in: store, expiresIn: 10)
        let (_, liveSession, liveToken) = try await Self.makeSession(in: store, expiresIn: 1_000_000)
        let expiredOTT = OneTimeTokenRecord(digest: Self.digest(), purpose: .verifyEmail, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(10))
        let liveOTT = OneTimeTokenRecord(digest: Self.digest(), purpose: .resetPassword, userId: user.id, createdAt: Self.at(0), expiresAt: Self.at(1_000_000))
        try await store.issueOneTimeToken(expiredOTT)
        try await store.issueOneTimeToken(liveOTT)

        let deleted = try await store.purgeExpired(before: Self.at(20))
        #expect(deleted >= 2)
        #expect(try await store.spendRefreshToken(id: token.tokenId, at: Self.at(5)) == .invalid)  // gone
        #expect(try await store.session(id: session.id) == nil)
        #expect(try await store.session(id: liveSession.id) != nil)
        if case .spent = try await store.spendRefreshToken(id: liveToken.tokenId, at: Self.at(21)) {} else {
            Issue.record("purge removed a live refresh token")
        }
        #expect(try await store.consumeOneTimeToken(digest: expiredOTT.digest, purpose: .verifyEmail, at: Self.at(5)) == nil)
        #expect(try await store.consumeOneTimeToken(digest: liveOTT.digest, purpose: .resetPassword, at: Self.at(21)) != nil)
        #expect(try await store.user(id: user.id, includeDeleted: false) != nil)
    }

    // MARK: Audit log

    /// A random whole second 12 to 347 days after ``base``, so that events of one property rarely share times with
    /// others'. (Kept near `base`: far from today, `Date` <-> milliseconds conversions stop round-tripping exactly.)
    static func auditEpoch() -> Date {
        Date(millisecondsSince1970: base.millisecondsSince1970 + Int64.random(in: 1_000_000...30_000_000) * 1000)
    }

    static func auditEvent(
        _ type: AuditEventType = .loginFailed, at time: Date, actor: UUID? = nil, target: UUID? = nil, outcome: String = "failure",
        details: [String: String] = [:]
    ) -> AuditEvent {
        AuditEvent(id: UUID(), type: type, occurredAt: time.truncatedToMilliseconds, actorId: actor, targetId: target, outcome: outcome, details: details)
    }

    /// Newest first: `occurredAt` descending, then id descending (lower-case string order).
    static func newestFirst(_ events: [AuditEvent]) -> [AuditEvent] {
        events.sorted {
            $0.occurredAt != $1.occurredAt ? $0.occurredAt > $1.occurredAt : $0.id.uuidString.lowercased() > $1.id.uuidString.lowercased()
        }
    }

    /// Every match of `query` across pages of 100; expects each page's total to equal the number collected.
    static func collectAudit(_ store: any GatehouseStore, _ query: AuditQuery) async throws -> [AuditEvent] {
        var query = query
        query.pageSize = 100
        query.page = 1
        var items: [AuditEvent] = []
        var total = 0
        while true {
            let page = try await store.listAuditEvents(query)
            total = page.total
            items += page.items
            if page.items.count < 100 { break }
            query.page += 1
        }
        #expect(items.count == total, "total \(total) but \(items.count) items")
        return items
    }

    /// Events read back identically: every field, unicode and JSON-special characters in details, nil optionals and
    /// empty details. `purgeExpired` never deletes audit rows.
    public func auditRoundTrip() async throws {
        let store = try await makeStore()
        let actor = UUID()
        let full = AuditEvent(
            id: UUID(), type: .roleChanged, occurredAt: Self.at(-100.123), actorId: actor, targetId: UUID(),
            clientAddress: "2001:db8::1", userAgent: "Agent/1.0 (Ünïcode 🙂)", requestId: "req-\(Self.tag())", outcome: "success",
            details: ["from": "user", "to": "moderator", "note": "Grüße 🙂 \"quoted\" \\ / {json}", "empty": ""])
        let sparse = Self.auditEvent(.loginFailed, at: full.occurredAt)
        try await store.appendAuditEvent(full)
        try await store.appendAuditEvent(sparse)

        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor)) == AuditPage(items: [full], total: 1))
        #expect(try await store.listAuditEvents(AuditQuery(targetId: full.targetId)) == AuditPage(items: [full], total: 1))
        let sameTime = try await Self.collectAudit(store, AuditQuery(from: full.occurredAt, to: Date(millisecondsSince1970: full.occurredAt.millisecondsSince1970 + 1)))
        #expect(sameTime.contains(sparse))
        #expect(sameTime.contains(full))
        #expect(try await store.listAuditEvents(AuditQuery(actorId: UUID())) == AuditPage(items: [], total: 0))

        // Appending the same id again is rejected (append-only: no overwrite).
        var rewritten = full
        rewritten.outcome = "failure"
        await #expect(throws: StoreError.self) { try await store.appendAuditEvent(rewritten) }

        _ = try await store.purgeExpired(before: Self.at(0))
        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor)).items == [full])
        #expect(try await Self.collectAudit(store, AuditQuery(from: full.occurredAt, to: Date(millisecondsSince1970: full.occurredAt.millisecondsSince1970 + 1))).contains(sparse))
    }

    /// Actor, target, type, `from` and `to` filters, each alone and combined; `total` follows the filters.
    public func auditFilters() async throws {
        let store = try await makeStore()
        let epoch = Self.auditEpoch()
        let (alice, bob, x, y) = (UUID(), UUID(), UUID(), UUID())
        let types: [AuditEventType] = [.loginFailed, .passwordChanged, .roleChanged]
        var events: [AuditEvent] = []
        for i in 0..<12 {
            let event = Self.auditEvent(
                types[i % 3], at: epoch.addingTimeInterval(Double(i)), actor: i == 11 ? nil : (i % 2 == 0 ? alice : bob),
                target: i % 4 == 0 ? x : (i % 4 == 1 ? y : nil), details: ["i": "\(i)"])
            try await store.appendAuditEvent(event)
            events.append(event)
        }
        func expectExact(_ query: AuditQuery, _ include: (AuditEvent) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let expected = Self.newestFirst(events.filter(include))
            var query = query
            query.pageSize = 100
            let page = try await store.listAuditEvents(query)
            #expect(page.total == expected.count, sourceLocation: sourceLocation)
            #expect(page.items == expected, sourceLocation: sourceLocation)
        }
        /// For filters that also match other properties' events: every result matches, ours are in iff they match.
        func expectSound(_ query: AuditQuery, _ include: (AuditEvent) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let found = try await Self.collectAudit(store, query)
            let ids = Set(found.map(\.id))
            let allMatch = found.allSatisfy(include)
            #expect(allMatch, "an event not matching the filter was returned", sourceLocation: sourceLocation)
            #expect(found == Self.newestFirst(found), "not newest first", sourceLocation: sourceLocation)
            for event in events {
                let matches = include(event)
                #expect(ids.contains(event.id) == matches, "event \(event.details) misfiltered", sourceLocation: sourceLocation)
            }
            let ours = found.filter { event in events.contains { $0.id == event.id } }
            #expect(ours == Self.newestFirst(events.filter(include)), sourceLocation: sourceLocation)
        }

        // Alone.
        try await expectExact(AuditQuery(actorId: alice)) { $0.actorId == alice }
        try await expectExact(AuditQuery(actorId: bob)) { $0.actorId == bob }
        try await expectExact(AuditQuery(targetId: x)) { $0.targetId == x }
        try await expectExact(AuditQuery(targetId: y)) { $0.targetId == y }
        try await expectSound(AuditQuery(type: .passwordChanged)) { $0.type == .passwordChanged }
        let from = epoch.addingTimeInterval(5)
        let to = epoch.addingTimeInterval(9)
        try await expectSound(AuditQuery(from: from)) { $0.occurredAt >= from }
        try await expectSound(AuditQuery(to: to)) { $0.occurredAt < to }
        try await expectExact(AuditQuery(from: epoch, to: epoch.addingTimeInterval(12))) { _ in true }

        // Combined.
        try await expectExact(AuditQuery(actorId: alice, type: .loginFailed)) { $0.actorId == alice && $0.type == .loginFailed }
        try await expectExact(AuditQuery(actorId: alice, targetId: x)) { $0.actorId == alice && $0.targetId == x }
        try await expectExact(AuditQuery(actorId: bob, from: from, to: to)) { $0.actorId == bob && $0.occurredAt >= from && $0.occurredAt < to }
        try await expectExact(AuditQuery(targetId: y, type: .roleChanged, from: from)) {
            $0.targetId == y && $0.type == .roleChanged && $0.occurredAt >= from
        }
        try await expectExact(AuditQuery(actorId: alice, targetId: x, type: .loginFailed, from: epoch, to: to)) {
            $0.actorId == alice && $0.targetId == x && $0.type == .loginFailed && $0.occurredAt < to
        }
        try await expectExact(AuditQuery(type: .passwordChanged, from: epoch, to: epoch.addingTimeInterval(12))) { $0.type == .passwordChanged }
        // No match.
        try await expectExact(AuditQuery(actorId: alice, type: .logout)) { _ in false }
        try await expectExact(AuditQuery(actorId: bob, targetId: x)) { $0.actorId == bob && $0.targetId == x }
        try await expectExact(AuditQuery(actorId: alice, from: to, to: from)) { _ in false }
    }

    /// 28 events of one actor: pages of 10 newest first with totals, ties on `occurredAt` by id descending, and
    /// `page` / `pageSize` clamped like ``UserStore/listUsers(_:)``.
    public func auditPagesNewestFirst() async throws {
        let store = try await makeStore()
        let epoch = Self.auditEpoch()
        let actor = UUID()
        var events: [AuditEvent] = []
        for i in 0..<25 {
            events.append(Self.auditEvent(.loginSucceeded, at: Date(millisecondsSince1970: epoch.millisecondsSince1970 + Int64(i) * 1000 + 1), actor: actor))
        }
        let tieTime = Date(millisecondsSince1970: epoch.millisecondsSince1970 + 12_001)
        for _ in 0..<3 { events.append(Self.auditEvent(.logout, at: tieTime, actor: actor)) }
        for event in events.shuffled() { try await store.appendAuditEvent(event) }
        let ordered = Self.newestFirst(events)

        for (page, range) in [(1, 0..<10), (2, 10..<20), (3, 20..<28)] {
            let result = try await store.listAuditEvents(AuditQuery(actorId: actor, page: page, pageSize: 10))
            #expect(result.total == 28)
            #expect(result.items == Array(ordered[range]), "page \(page)")
        }
        let beyond = try await store.listAuditEvents(AuditQuery(actorId: actor, page: 4, pageSize: 10))
        #expect(beyond == AuditPage(items: [], total: 28))
        // Ties: the four events at 12.001 come out id descending.
        let tied = ordered.filter { $0.occurredAt == tieTime }
        #expect(tied.count == 4)
        #expect(tied.map(\.id) == tied.map(\.id).sorted { $0.uuidString.lowercased() > $1.uuidString.lowercased() })
        // Clamping.
        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor, page: 0, pageSize: 10)).items == Array(ordered[0..<10]))
        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor, page: -3, pageSize: 10)).items == Array(ordered[0..<10]))
        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor, pageSize: 0)) == AuditPage(items: [ordered[0]], total: 28))
        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor, page: 2, pageSize: -1)) == AuditPage(items: [ordered[1]], total: 28))
        #expect(try await store.listAuditEvents(AuditQuery(actorId: actor, pageSize: 1000)) == AuditPage(items: ordered, total: 28))

        var many: [AuditEvent] = []
        let crowd = UUID()
        for i in 0..<105 { many.append(Self.auditEvent(.permissionDenied, at: epoch.addingTimeInterval(Double(i)), actor: crowd, outcome: "denied")) }
        for event in many { try await store.appendAuditEvent(event) }
        let capped = try await store.listAuditEvents(AuditQuery(actorId: crowd, pageSize: 1000))
        #expect(capped.total == 105)
        #expect(capped.items == Array(Self.newestFirst(many).prefix(100)))
        let rest = try await store.listAuditEvents(AuditQuery(actorId: crowd, page: 2, pageSize: 1000))
        #expect(rest.items == Array(Self.newestFirst(many).suffix(5)))
    }

    /// `from` is inclusive and `to` exclusive, to the millisecond.
    public func auditToIsExclusive() async throws {
        let store = try await makeStore()
        let epoch = Self.auditEpoch()
        let actor = UUID()
        let times = [0, 1, 1000, 1001].map { Date(millisecondsSince1970: epoch.millisecondsSince1970 + $0) }
        let events = times.map { Self.auditEvent(.loginSucceeded, at: $0, actor: actor, outcome: "success") }
        for event in events { try await store.appendAuditEvent(event) }
        func ids(from: Date?, to: Date?) async throws -> [UUID] {
            try await store.listAuditEvents(AuditQuery(actorId: actor, from: from, to: to)).items.map(\.id)
        }
        #expect(try await ids(from: times[1], to: times[3]) == [events[2].id, events[1].id])
        #expect(try await ids(from: times[0], to: times[1]) == [events[0].id])
        #expect(try await ids(from: times[1], to: times[1]).isEmpty)
        #expect(try await ids(from: nil, to: times[2]) == [events[1].id, events[0].id])
        #expect(try await ids(from: times[2], to: nil) == [events[3].id, events[2].id])
        #expect(try await ids(from: times[3], to: Date(millisecondsSince1970: times[3].millisecondsSince1970 + 1)) == [events[3].id])
    }

    // MARK: Login attempts

    static func attemptKey() -> String { "\(tag())@example.com" }

    /// Threshold 5: attempts 1...5 are allowed, then refused without a lock date while the window lasts.
    public func loginAttemptThreshold() async throws {
        let store = try await makeStore()
        let key = Self.attemptKey()
        for attempt in 1...5 {
            #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(Double(attempt)), threshold: 5, window: 900) == .allowed(attempt: attempt))
        }
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(6), threshold: 5, window: 900) == .refused(lockedUntil: nil))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(900), threshold: 5, window: 900) == .refused(lockedUntil: nil))
        // A lower threshold refuses at once; a higher one lets more through in the same window.
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(7), threshold: 3, window: 900) == .refused(lockedUntil: nil))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(8), threshold: 6, window: 900) == .allowed(attempt: 6))
    }

    /// A locked key is refused with the lock end until that instant, and allowed again (counting afresh) at it.
    public func loginAttemptLockout() async throws {
        let store = try await makeStore()
        let key = Self.attemptKey()
        for attempt in 1...5 {
            #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(1), threshold: 5, window: 900) == .allowed(attempt: attempt))
        }
        let end = try await store.lockLoginAttempts(key: key, at: Self.at(2), backoff: [60, 300, 900])
        #expect(end == Self.at(62))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(2), threshold: 5, window: 900) == .refused(lockedUntil: end))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(30), threshold: 5, window: 900) == .refused(lockedUntil: end))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(61.999), threshold: 5, window: 900) == .refused(lockedUntil: end))
        // Even a window that ended does not unlock early.
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(61.999), threshold: 5, window: 10) == .refused(lockedUntil: end))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(62), threshold: 5, window: 900) == .allowed(attempt: 1))
        for attempt in 2...5 {
            #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(63), threshold: 5, window: 900) == .allowed(attempt: attempt))
        }
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(64), threshold: 5, window: 900) == .refused(lockedUntil: nil))

        // Locking a key never reserved also works.
        let fresh = Self.attemptKey()
        let freshEnd = try await store.lockLoginAttempts(key: fresh, at: Self.at(10), backoff: [60])
        #expect(freshEnd == Self.at(70))
        #expect(try await store.reserveLoginAttempt(key: fresh, at: Self.at(11), threshold: 5, window: 900) == .refused(lockedUntil: freshEnd))
    }

    /// Successive locks step through the backoff schedule (60, 300, 900, then 900 again), from the stored level;
    /// concurrent locks never lose a level.
    public func loginAttemptBackoffGrows() async throws {
        let store = try await makeStore()
        let key = Self.attemptKey()
        let backoff = [60, 300, 900]
        var now = Self.at(0)
        for step in [60, 300, 900, 900, 900] {
            for attempt in 1...3 {
                #expect(try await store.reserveLoginAttempt(key: key, at: now, threshold: 3, window: 900) == .allowed(attempt: attempt))
            }
            let end = try await store.lockLoginAttempts(key: key, at: now, backoff: backoff)
            #expect(end == now.addingTimeInterval(Double(step)), "expected a \(step) s lock")
            #expect(try await store.reserveLoginAttempt(key: key, at: now, threshold: 3, window: 900) == .refused(lockedUntil: end))
            now = end
        }

        let racing = Self.attemptKey()
        let ends = try await withThrowingTaskGroup(of: Date.self) { group in
            for _ in 0..<4 { group.addTask { try await store.lockLoginAttempts(key: racing, at: Self.at(0), backoff: [60, 300, 900, 1800, 3600]) } }
            return try await group.reduce(into: [Date]()) { $0.append($1) }
        }
        #expect(Set(ends) == Set([60, 300, 900, 1800].map { Self.at(Double($0)) }))
        #expect(try await store.lockLoginAttempts(key: racing, at: Self.at(0), backoff: [60, 300, 900, 1800, 3600]) == Self.at(3600))
    }

    /// The count restarts `window` seconds after the window's first attempt (not sliding).
    public func loginAttemptWindowRestarts() async throws {
        let store = try await makeStore()
        let key = Self.attemptKey()
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(0), threshold: 3, window: 600) == .allowed(attempt: 1))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(300), threshold: 3, window: 600) == .allowed(attempt: 2))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(599), threshold: 3, window: 600) == .allowed(attempt: 3))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(599.999), threshold: 3, window: 600) == .refused(lockedUntil: nil))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(600), threshold: 3, window: 600) == .allowed(attempt: 1))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(1199), threshold: 3, window: 600) == .allowed(attempt: 2))
        // The new window started at 600, not at 1199.
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(1200), threshold: 3, window: 600) == .allowed(attempt: 1))
    }

    /// `clearLoginAttempts` forgets the count and the lockout level; clearing an unknown key is harmless.
    public func clearLoginAttemptsResetsLevel() async throws {
        let store = try await makeStore()
        let key = Self.attemptKey()
        let backoff = [60, 300, 900]
        #expect(try await store.lockLoginAttempts(key: key, at: Self.at(0), backoff: backoff) == Self.at(60))
        #expect(try await store.lockLoginAttempts(key: key, at: Self.at(60), backoff: backoff) == Self.at(360))
        try await store.clearLoginAttempts(key: key)
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(100), threshold: 2, window: 900) == .allowed(attempt: 1))
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(100), threshold: 2, window: 900) == .allowed(attempt: 2))
        try await store.clearLoginAttempts(key: key)
        #expect(try await store.reserveLoginAttempt(key: key, at: Self.at(101), threshold: 2, window: 900) == .allowed(attempt: 1))
        #expect(try await store.lockLoginAttempts(key: key, at: Self.at(102), backoff: backoff) == Self.at(162))
        try await store.clearLoginAttempts(key: Self.attemptKey())
        try await store.clearLoginAttempts(key: key)
        try await store.clearLoginAttempts(key: key)
    }

    /// 100 concurrent reservations with threshold 5: exactly 5 allowed (attempts 1...5), the rest refused without a date.
    public func concurrentReservationsAllowThreshold() async throws {
        let store = try await makeStore()
        let key = Self.attemptKey()
        let results = try await withThrowingTaskGroup(of: LoginAttemptReservation.self) { group in
            for _ in 0..<100 {
                group.addTask { try await store.reserveLoginAttempt(key: key, at: Self.at(1), threshold: 5, window: 900) }
            }
            return try await group.reduce(into: [LoginAttemptReservation]()) { $0.append($1) }
        }
        let attempts = results.compactMap { if case .allowed(let attempt) = $0 { attempt } else { nil } }
        #expect(attempts.sorted() == [1, 2, 3, 4, 5])
        #expect(results.filter { $0 == .refused(lockedUntil: nil) }.count == 95)
    }

    /// Keys never affect each other.
    public func loginAttemptKeysAreIndependent() async throws {
        let store = try await makeStore()
        let (a, b) = (Self.attemptKey(), Self.attemptKey())
        for attempt in 1...3 {
            #expect(try await store.reserveLoginAttempt(key: a, at: Self.at(0), threshold: 3, window: 900) == .allowed(attempt: attempt))
        }
        #expect(try await store.reserveLoginAttempt(key: a, at: Self.at(0), threshold: 3, window: 900) == .refused(lockedUntil: nil))
        #expect(try await store.reserveLoginAttempt(key: b, at: Self.at(0), threshold: 3, window: 900) == .allowed(attempt: 1))
        let end = try await store.lockLoginAttempts(key: a, at: Self.at(1), backoff: [60, 300])
        #expect(try await store.reserveLoginAttempt(key: b, at: Self.at(2), threshold: 3, window: 900) == .allowed(attempt: 2))
        // b's first lock is at level 0 whatever a's level.
        #expect(try await store.lockLoginAttempts(key: b, at: Self.at(3), backoff: [60, 300]) == Self.at(63))
        try await store.clearLoginAttempts(key: b)
        #expect(try await store.reserveLoginAttempt(key: a, at: Self.at(4), threshold: 3, window: 900) == .refused(lockedUntil: end))
    }
}

extension User {
    /// A copy with another role.
    func withRole(_ role: Role) -> User {
        var copy = self
        copy.role = role
        return copy
    }
}
