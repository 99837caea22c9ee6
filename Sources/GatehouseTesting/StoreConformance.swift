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
}
