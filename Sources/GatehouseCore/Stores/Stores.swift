import Foundation

/// A storage failure, mapped from driver errors by each backend so that no driver error reaches the use cases.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Equatable, Sendable { case duplicate, notFound, unavailable, other }
    private let kind: Kind
    /// Non-secret description for logs.
    public let reason: String

    /// A unique constraint was violated (e.g. the canonical email is taken).
    public static func duplicate(_ reason: String) -> StoreError { StoreError(kind: .duplicate, reason: reason) }
    /// The row to update does not exist.
    public static func notFound(_ reason: String) -> StoreError { StoreError(kind: .notFound, reason: reason) }
    /// The database cannot be reached or timed out.
    public static func unavailable(_ reason: String) -> StoreError { StoreError(kind: .unavailable, reason: reason) }
    /// Any other storage failure.
    public static func other(_ reason: String) -> StoreError { StoreError(kind: .other, reason: reason) }

    public var isDuplicate: Bool { kind == .duplicate }
    public var isNotFound: Bool { kind == .notFound }
    public var isUnavailable: Bool { kind == .unavailable }
    public var description: String { "\(kind): \(reason)" }
}

/// Filters, paging and ordering of ``UserStore/listUsers(_:)``.
public struct UserQuery: Sendable, Equatable {
    /// Page number, from 1.
    public var page: Int
    /// Users per page, 1 to 100.
    public var pageSize: Int
    public var role: Role?
    public var isActive: Bool?
    /// Case-insensitive prefix of the canonical email or of the username.
    public var prefix: String?
    public var includeDeleted: Bool

    public init(page: Int = 1, pageSize: Int = 20, role: Role? = nil, isActive: Bool? = nil, prefix: String? = nil, includeDeleted: Bool = false) {
        self.page = page
        self.pageSize = pageSize
        self.role = role
        self.isActive = isActive
        self.prefix = prefix
        self.includeDeleted = includeDeleted
    }
}

/// One page of users, newest first (`createdAt` descending, then id), and the total matching the filters.
public struct UserPage: Sendable, Equatable {
    public var items: [User]
    public var total: Int
    public init(items: [User], total: Int) {
        self.items = items
        self.total = total
    }
}

/// Accounts. Uniqueness of the canonical email among live (not soft-deleted) users is enforced by the store.
public protocol UserStore: Sendable {
    /// Inserts a new user.
    /// - Throws: ``StoreError/duplicate(_:)`` when a live user has the same canonical email.
    func createUser(_ user: User) async throws
    /// The user with `id`; soft-deleted users only when `includeDeleted`.
    func user(id: UUID, includeDeleted: Bool) async throws -> User?
    /// The live user with this canonical email.
    func user(email: String) async throws -> User?
    /// Replaces every stored field of the user with `user.id`.
    /// - Throws: ``StoreError/duplicate(_:)`` on an email conflict, ``StoreError/notFound(_:)`` for an unknown id.
    func updateUser(_ user: User) async throws
    /// Like ``updateUser(_:)``, but writes only if another live, active super_admin (id ≠ `user.id`) exists at the
    /// moment of the write, checked in the same atomic statement, so two concurrent demotions or deletions can never
    /// remove the last super_admin. Returns false (nothing written) when the guard fails.
    /// - Throws: ``StoreError/duplicate(_:)`` on an email conflict, ``StoreError/notFound(_:)`` for an unknown id.
    func updateUserKeepingAnotherSuperAdmin(_ user: User) async throws -> Bool
    /// Sets `lastLoginAt` of the live user `userId` without touching other fields (no lost update against a
    /// concurrent change such as a deactivation).
    func recordLogin(userId: UUID, at time: Date) async throws
    /// Replaces the password hash of the live user `userId` and sets `updatedAt`, touching nothing else.
    func setPasswordHash(userId: UUID, hash: String, at time: Date) async throws
    /// Sets `isVerified` of the live user `userId` and `updatedAt`, touching nothing else.
    func markEmailVerified(userId: UUID, at time: Date) async throws
    /// One page of users matching `query`.
    func listUsers(_ query: UserQuery) async throws -> UserPage
    /// The number of live, active super_admins.
    func countActiveSuperAdmins() async throws -> Int
}

/// The outcome of an atomic refresh-token spend.
public enum RefreshTokenSpend: Sendable, Equatable {
    /// This caller spent the token; it is now used.
    case spent(RefreshTokenRecord)
    /// The token had already been spent (reuse); the record as stored.
    case alreadyUsed(RefreshTokenRecord)
    /// Unknown, revoked or expired.
    case invalid
}

/// Sessions (refresh-token families) and their refresh tokens.
public protocol SessionStore: Sendable {
    /// Inserts a session together with its first refresh token.
    func createSession(_ session: Session, firstToken: RefreshTokenRecord) async throws
    /// The session with `id`, revoked or not.
    func session(id: UUID) async throws -> Session?
    /// Live and revoked sessions of a user, newest first.
    func sessions(userId: UUID) async throws -> [Session]
    /// Atomically marks the token used if it is unused, unrevoked and unexpired at `now` (one conditional write,
    /// never read-then-write): of many concurrent callers exactly one gets ``RefreshTokenSpend/spent(_:)``.
    func spendRefreshToken(id: UUID, at now: Date) async throws -> RefreshTokenSpend
    /// Inserts a refresh token issued in exchange for a spent one and records `lastUsedAt` on its session.
    func addRefreshToken(_ token: RefreshTokenRecord) async throws
    /// The refresh token issued in exchange for `parentId`, if any.
    func childToken(of parentId: UUID) async throws -> RefreshTokenRecord?
    /// Revokes a session and every refresh token of it. Idempotent.
    func revokeSession(id: UUID, at now: Date) async throws
    /// Revokes every session of a user except `keeping` (if given) and their refresh tokens.
    func revokeSessions(userId: UUID, keeping: UUID?, at now: Date) async throws
    /// Deletes refresh tokens that expired before `now` and sessions left without live tokens; returns rows deleted.
    func purgeExpired(before now: Date) async throws -> Int
}

/// Email-verification and password-reset tokens, stored as SHA-256 digests.
public protocol OneTimeTokenStore: Sendable {
    /// Stores `token` and voids (marks used) every older unused token of the same user and purpose.
    func issueOneTimeToken(_ token: OneTimeTokenRecord) async throws
    /// Atomically marks the token used if it has `purpose`, is unused and unexpired at `now`; returns it when this
    /// caller consumed it, nil otherwise.
    func consumeOneTimeToken(digest: String, purpose: OneTimeTokenPurpose, at now: Date) async throws -> OneTimeTokenRecord?
    /// Voids every unused token of `purpose` for the user.
    func voidOneTimeTokens(userId: UUID, purpose: OneTimeTokenPurpose, at now: Date) async throws
}

/// The append-only audit log.
public protocol AuditStore: Sendable {
    /// Appends one event.
    func appendAuditEvent(_ event: AuditEvent) async throws
    /// One page of events matching `query`, newest first, with the total.
    func listAuditEvents(_ query: AuditQuery) async throws -> AuditPage
}

/// Per-account failed-login counters for brute-force lockout, shared by every instance using the database.
///
/// Keys are canonical emails (known or not, so answers do not reveal which accounts exist). Every method is one
/// atomic conditional write or a few of them in a safe order; never read-then-write.
public protocol LoginAttemptStore: Sendable {
    /// Counts an attempt before its password is verified: allowed while fewer than `threshold` attempts were counted
    /// in the current window (`window` seconds from the first) and the key is not locked at `now`; a window that
    /// ended restarts at `now`. Of many concurrent callers at most `threshold` are allowed per window.
    func reserveLoginAttempt(key: String, at now: Date, threshold: Int, window: Int) async throws -> LoginAttemptReservation
    /// The end of the key's current lock, or nil when it is not locked at `now` (a read, for answering locked
    /// accounts before queueing for password work; ``reserveLoginAttempt(key:at:threshold:window:)`` stays the
    /// authority).
    func loginLockedUntil(key: String, at now: Date) async throws -> Date?
    /// Locks the key after the `threshold`-th failure: until `now` + `backoff[level]` seconds (the last step repeats),
    /// raises the level, and restarts the count. Returns the end of the lock.
    func lockLoginAttempts(key: String, at now: Date, backoff: [Int]) async throws -> Date
    /// Forgets the key's failures and lockout level (after a successful login).
    func clearLoginAttempts(key: String) async throws
}

/// Everything a backend provides.
public protocol GatehouseStore: UserStore, SessionStore, OneTimeTokenStore, AuditStore, LoginAttemptStore {
    /// Round-trips the database; throws ``StoreError/unavailable(_:)`` when it cannot.
    func ping() async throws
}
