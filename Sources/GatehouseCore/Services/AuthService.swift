import Foundation
import Logging

/// Settings of the account flows.
public struct AuthConfiguration: Sendable {
    /// Seconds after a refresh token is spent during which presenting it again returns the already-issued child
    /// instead of counting as reuse (Supabase Auth's rule). `0` (default) disables it.
    public var refreshReuseInterval: Int = 0
    /// Lifetime of email-verification tokens in seconds (default 86400).
    public var verificationTokenTTL: Int = 86_400
    /// Lifetime of password-reset tokens in seconds (default 3600).
    public var resetTokenTTL: Int = 3_600
    /// When true, login of an unverified user is `403 email_not_verified`.
    public var requireVerifiedEmail: Bool = false
    /// Base of the links sent by mail, e.g. `https://auth.example.com` (no trailing slash). Never taken from requests.
    public var publicURL: String = "http://127.0.0.1:8080"
    public var passwordPolicy = PasswordPolicy()
    /// Failed logins of one account, within ``lockoutWindow``, before it is locked (default 5).
    public var lockoutThreshold: Int = 5
    /// Seconds in which failed logins are counted (default 900).
    public var lockoutWindow: Int = 900
    /// Lock durations in seconds for the first, second, … lockout; the last repeats (default 60, 300, 900, 3600).
    public var lockoutBackoff: [Int] = [60, 300, 900, 3_600]

    public init() {}
}

/// The account use cases: register, login, refresh, logout, email verification, password reset and change, and
/// access-token authentication. Every method throws ``GatehouseError`` for client-visible failures.
public struct AuthService: Sendable {
    let store: any GatehouseStore
    let hasher: any PasswordHasher
    let tokens: any TokenCodec
    let mail: MailDispatcher
    let clock: any WallClock
    let configuration: AuthConfiguration
    let logger: Logger
    let passwordQueue: PasswordWorkQueue
    let audit: AuditTrail

    /// - Parameter passwordQueue: The bounded queue for password work, shared with ``UserService``.
    public init(
        store: any GatehouseStore, hasher: any PasswordHasher, tokens: any TokenCodec, mail: MailDispatcher, clock: any WallClock,
        configuration: AuthConfiguration, logger: Logger, passwordQueue: PasswordWorkQueue = PasswordWorkQueue(concurrency: 4, waitingLimit: 64)
    ) {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.mail = mail
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
        self.passwordQueue = passwordQueue
        self.audit = AuditTrail(store: store, clock: clock, logger: logger)
    }

    // MARK: Registration

    /// Registers a `user`-role account and mails a verification link.
    /// - Throws: `422 validation_failed` (every failed rule), `409 email_taken`.
    public func register(email: String?, password: String?, username: PatchField<String>, fullName: PatchField<String>) async throws -> User {
        try await guarded {
            let (canonical, violations) = Self.validateCredentials(email: email, password: password, policy: configuration.passwordPolicy)
            let all = violations + ProfileRules.violations(username: username, fullName: fullName)
            guard all.isEmpty, let canonical, let password else { throw GatehouseError.validation(all) }
            if try await store.user(email: canonical) != nil { throw GatehouseError.emailTaken }
            let hasher = self.hasher
            let hash = try await passwordQueue.run { try await hasher.hash(password) }
            let now = clock.now()
            let user = User(
                id: UUID(), email: canonical, username: Self.value(ProfileRules.normalized(username)),
                fullName: Self.value(ProfileRules.normalized(fullName)), role: .user, isActive: true, isVerified: false, passwordHash: hash,
                createdAt: now, updatedAt: now)
            do {
                try await store.createUser(user)
            } catch let error as StoreError where error.isDuplicate {
                throw GatehouseError.emailTaken
            }
            logger.info("user registered", metadata: ["user.id": "\(user.id.uuidString.lowercased())"])
            await audit.record(.userCreated, actor: user.id, target: user.id, details: ["via": "register", "role": user.role.rawValue])
            try await sendVerification(to: user)
            return user
        }
    }

    /// Validates an email and a new password together, reporting every failed rule.
    static func validateCredentials(email: String?, password: String?, policy: PasswordPolicy, passwordField: String = "password")
        -> (String?, [FieldViolation])
    {
        var violations: [FieldViolation] = []
        var canonical: String?
        if let email {
            do { canonical = try EmailAddress(email).value } catch let error as GatehouseError { violations += error.violations } catch {}
        } else {
            violations.append(FieldViolation(field: "email", code: "required", message: "An email address is required."))
        }
        if let password {
            violations += policy.violations(of: password, field: passwordField)
        } else {
            violations.append(FieldViolation(field: passwordField, code: "required", message: "A password is required."))
        }
        return (canonical, violations)
    }

    static func value(_ field: PatchField<String>) -> String? {
        if case .value(let v) = field { return v }
        return nil
    }

    // MARK: Login and tokens

    /// Verifies credentials and opens a session.
    /// - Throws: `422` for a missing or malformed field; `401 invalid_credentials` for an unknown email or a wrong
    ///   password (the same work is spent either way, and for a disabled account with a wrong password);
    ///   `403 account_disabled` and `403 email_not_verified` only with the right password.
    public func login(email: String?, password: String?, metadata: RequestMetadata) async throws -> IssuedTokens {
        try await guarded {
            var violations: [FieldViolation] = []
            var canonical: String?
            if let email {
                do { canonical = try EmailAddress(email).value } catch let error as GatehouseError { violations += error.violations }
            } else {
                violations.append(FieldViolation(field: "email", code: "required", message: "An email address is required."))
            }
            if password == nil || password == "" {
                violations.append(FieldViolation(field: "password", code: "required", message: "A password is required."))
            }
            guard violations.isEmpty, let canonical, let password else { throw GatehouseError.validation(violations) }

            // A locked account is refused before queueing for password work: no bcrypt slot, no 503 in its place.
            let arrival = clock.now()
            if let lockedUntil = try await store.loginLockedUntil(key: canonical, at: arrival) {
                try await refuseLocked(canonical: canonical, lockedUntil: lockedUntil, now: arrival)
            }
            let outcome = try await passwordQueue.run { try await verifyLogin(canonical: canonical, password: password) }
            guard var user = outcome else { throw GatehouseError.invalidCredentials }
            guard user.isActive else { throw GatehouseError.accountDisabled }
            if configuration.requireVerifiedEmail && !user.isVerified { throw GatehouseError.emailNotVerified }
            let now = clock.now()
            user.lastLoginAt = now
            try await store.recordLogin(userId: user.id, at: now)
            let session = Session(
                id: UUID(), userId: user.id, createdAt: now, lastUsedAt: now, userAgent: metadata.userAgent, clientAddress: metadata.clientAddress)
            let refresh = RefreshTokenRecord(
                tokenId: UUID(), sessionId: session.id, userId: user.id, parentId: nil, issuedAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(tokens.refreshTokenTTL)))
            try await store.createSession(session, firstToken: refresh)
            logger.info("login succeeded", metadata: ["user.id": "\(user.id.uuidString.lowercased())", "session.id": "\(session.id.uuidString.lowercased())"])
            await audit.record(.loginSucceeded, actor: user.id, target: user.id, details: ["session_id": session.id.uuidString.lowercased()])
            return try await issue(user: user, sessionId: session.id, refresh: refresh, now: now)
        }
    }

    /// The brute-force-guarded password check of a login: counts the attempt in the store before any bcrypt work
    /// (so parallel guesses run at most `lockoutThreshold` verifications per window), locks the account after the
    /// last allowed failure, clears the count on success. Unknown emails are counted and hashed alike.
    /// - Returns: the user when the password is right (active or not), nil for a wrong password or unknown email.
    /// - Throws: `429 too_many_attempts` with `Retry-After` while locked.
    private func verifyLogin(canonical: String, password: String) async throws -> User? {
        let now = clock.now()
        let user = try await store.user(email: canonical)
        let reservation = try await store.reserveLoginAttempt(
            key: canonical, at: now, threshold: configuration.lockoutThreshold, window: configuration.lockoutWindow)
        let attempt: Int
        switch reservation {
        case .refused(let lockedUntil):
            try await refuseLocked(canonical: canonical, lockedUntil: lockedUntil, now: now, user: user)
        case .allowed(let count):
            attempt = count
        }
        let verified: Bool
        if let user {
            verified = try await hasher.verify(password, against: user.passwordHash)
        } else {
            try await hasher.verifyDummy(password)
            verified = false
        }
        if verified {
            try await store.clearLoginAttempts(key: canonical)
            return user
        }
        logger.info("login failed", metadata: ["user.id": "\(user?.id.uuidString.lowercased() ?? "unknown")", "attempt": "\(attempt)"])
        await audit.record(.loginFailed, actor: nil, target: user?.id, outcome: "failure", details: ["attempt": String(attempt)])
        if attempt >= configuration.lockoutThreshold {
            let until = try await store.lockLoginAttempts(key: canonical, at: clock.now(), backoff: configuration.lockoutBackoff)
            logger.warning("account locked after repeated failed logins", metadata: ["user.id": "\(user?.id.uuidString.lowercased() ?? "unknown")"])
            await audit.record(
                .loginLocked, actor: nil, target: user?.id, outcome: "denied",
                details: ["locked_until": String(Int(until.timeIntervalSince1970)), "attempt": String(attempt)])
        }
        return nil
    }

    /// Answers a login of a locked account (or one whose allowed attempts are all in flight): `429 too_many_attempts`
    /// with `Retry-After`, recorded as `login_locked`.
    private func refuseLocked(canonical: String, lockedUntil: Date?, now: Date, user: User?? = nil) async throws -> Never {
        let wait = max(1, lockedUntil.map { Int($0.timeIntervalSince(now).rounded(.up)) } ?? 1)
        let target: UUID?
        if let user { target = user?.id } else { target = try await store.user(email: canonical)?.id }
        logger.info("login refused: account locked", metadata: ["retry_after": "\(wait)"])
        await audit.record(.loginLocked, actor: nil, target: target, outcome: "denied", details: ["retry_after": String(wait)])
        throw GatehouseError.tooManyAttempts(retryAfter: wait)
    }

    /// Exchanges a refresh token for a new pair; the presented token is spent.
    ///
    /// Presenting a spent token is reuse: the whole session is revoked (its other sessions are untouched). Within
    /// ``AuthConfiguration/refreshReuseInterval`` seconds of the spend, the already-issued child comes back instead.
    /// - Throws: `401 invalid_refresh_token`.
    public func refresh(refreshToken: String?, metadata: RequestMetadata) async throws -> IssuedTokens {
        try await guarded {
            guard let refreshToken, !refreshToken.isEmpty else {
                throw GatehouseError.validation([FieldViolation(field: "refreshToken", code: "required", message: "A refresh token is required.")])
            }
            let claims = try await tokens.verifyRefreshToken(refreshToken)
            let now = clock.now()
            switch try await store.spendRefreshToken(id: claims.tokenId, at: now) {
            case .invalid:
                throw GatehouseError.invalidRefreshToken
            case .alreadyUsed(let record):
                guard record.userId == claims.userId, record.sessionId == claims.sessionId else { throw GatehouseError.invalidRefreshToken }
                if let reissued = try await reissueWithinReuseInterval(record, now: now) { return reissued }
                try await store.revokeSession(id: record.sessionId, at: now)
                logger.warning("refresh token reuse detected; session revoked", metadata: ["user.id": "\(record.userId.uuidString.lowercased())", "session.id": "\(record.sessionId.uuidString.lowercased())"])
                await audit.record(
                    .refreshReuseDetected, actor: record.userId, target: record.userId, outcome: "denied",
                    details: ["session_id": record.sessionId.uuidString.lowercased()])
                throw GatehouseError.invalidRefreshToken
            case .spent(let record):
                // The spend itself checked, atomically, that the session was not revoked. Checking again here would
                // let concurrent presenters of the same token (reuse: they revoke the session) beat the one winner,
                // leaving none; its new pair is then revoked with the session, as reuse demands.
                guard record.userId == claims.userId, record.sessionId == claims.sessionId,
                    let session = try await store.session(id: record.sessionId),
                    let user = try await store.user(id: record.userId, includeDeleted: false), user.isActive
                else { throw GatehouseError.invalidRefreshToken }
                let child = RefreshTokenRecord(
                    tokenId: UUID(), sessionId: record.sessionId, userId: user.id, parentId: record.tokenId, issuedAt: now,
                    expiresAt: now.addingTimeInterval(TimeInterval(tokens.refreshTokenTTL)))
                try await store.addRefreshToken(child)
                return try await issue(user: user, sessionId: session.id, refresh: child, now: now)
            }
        }
    }

    private func reissueWithinReuseInterval(_ record: RefreshTokenRecord, now: Date) async throws -> IssuedTokens? {
        let interval = configuration.refreshReuseInterval
        guard interval > 0, let usedAt = record.usedAt, now.timeIntervalSince(usedAt) <= TimeInterval(interval) else { return nil }
        // The winner of a concurrent spend may not have stored the child yet: wait briefly for it.
        var child = try await store.childToken(of: record.tokenId)
        var attempts = 0
        while child == nil && attempts < 20 {
            try await Task.sleep(for: .milliseconds(25))
            child = try await store.childToken(of: record.tokenId)
            attempts += 1
        }
        guard let child else { throw GatehouseError.invalidRefreshToken }
        guard child.usedAt == nil, child.revokedAt == nil, child.expiresAt > now,
            let session = try await store.session(id: record.sessionId), session.revokedAt == nil,
            let user = try await store.user(id: record.userId, includeDeleted: false), user.isActive
        else { return nil }
        return try await issue(user: user, sessionId: session.id, refresh: child, now: now)
    }

    private func issue(user: User, sessionId: UUID, refresh: RefreshTokenRecord, now: Date) async throws -> IssuedTokens {
        let access = AccessTokenClaims(
            userId: user.id, email: user.email, role: user.role, sessionId: sessionId, tokenId: UUID(), issuedAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(tokens.accessTokenTTL)))
        let refreshClaims = RefreshTokenClaims(
            userId: user.id, tokenId: refresh.tokenId, sessionId: sessionId, issuedAt: refresh.issuedAt, expiresAt: refresh.expiresAt)
        return IssuedTokens(
            accessToken: try await tokens.signAccessToken(access), refreshToken: try await tokens.signRefreshToken(refreshClaims),
            expiresIn: tokens.accessTokenTTL, refreshExpiresIn: tokens.refreshTokenTTL, user: user)
    }

    /// Resolves a bearer access token to the caller, reading the user and the session from the store.
    /// - Throws: `401 invalid_token` for a bad token, a revoked session, or a deactivated, deleted or missing user.
    public func authenticate(accessToken: String) async throws -> Principal {
        try await guarded {
            let claims = try await tokens.verifyAccessToken(accessToken)
            guard let user = try await store.user(id: claims.userId, includeDeleted: false), user.isActive,
                let session = try await store.session(id: claims.sessionId), session.userId == user.id, session.revokedAt == nil
            else { throw GatehouseError.invalidToken }
            return Principal(user: user, sessionId: session.id)
        }
    }

    /// Revokes the caller's current session; with `refreshToken`, that token's session (it must be the caller's);
    /// with `allSessions`, every session of the caller.
    /// - Throws: `401 invalid_refresh_token` for an invalid token, `403 forbidden` for another user's token.
    public func logout(principal: Principal, refreshToken: String?, allSessions: Bool) async throws {
        try await guarded {
            let now = clock.now()
            let scope: String
            if allSessions {
                try await store.revokeSessions(userId: principal.user.id, keeping: nil, at: now)
                scope = "all"
            } else if let refreshToken {
                let claims = try await tokens.verifyRefreshToken(refreshToken)
                guard claims.userId == principal.user.id else { throw GatehouseError.forbidden }
                try await store.revokeSession(id: claims.sessionId, at: now)
                scope = claims.sessionId.uuidString.lowercased()
            } else {
                try await store.revokeSession(id: principal.sessionId, at: now)
                scope = principal.sessionId.uuidString.lowercased()
            }
            await audit.record(.logout, actor: principal.user.id, target: principal.user.id, details: ["sessions": scope])
            logger.info("logout", metadata: ["user.id": "\(principal.user.id.uuidString.lowercased())", "all": "\(allSessions)"])
        }
    }

    // MARK: Email verification

    /// Marks the token's user verified.
    /// - Throws: `400 invalid_verification_token` for an unknown, expired or used token.
    public func verifyEmail(token: String?) async throws -> User {
        try await guarded {
            guard let token, !token.isEmpty else {
                throw GatehouseError.validation([FieldViolation(field: "token", code: "required", message: "A token is required.")])
            }
            let now = clock.now()
            guard let record = try await store.consumeOneTimeToken(digest: OneTimeToken.digest(token), purpose: .verifyEmail, at: now),
                var user = try await store.user(id: record.userId, includeDeleted: false)
            else { throw GatehouseError.invalidVerificationToken }
            if !user.isVerified {
                user.isVerified = true
                user.updatedAt = now
                try await store.markEmailVerified(userId: user.id, at: now)
            }
            logger.info("email verified", metadata: ["user.id": "\(user.id.uuidString.lowercased())"])
            await audit.record(.emailVerified, actor: user.id, target: user.id)
            return user
        }
    }

    /// Sends a new verification link to a live, unverified account; does nothing otherwise. Always succeeds so
    /// that the answer does not reveal whether the email exists.
    /// - Throws: `422` only for a missing field.
    public func resendVerification(email: String?) async throws {
        try await guarded {
            guard let email else {
                throw GatehouseError.validation([FieldViolation(field: "email", code: "required", message: "An email address is required.")])
            }
            inBackground("resend verification") {
                guard let canonical = try? EmailAddress(email).value, let user = try await store.user(email: canonical), !user.isVerified,
                    user.isActive
                else { return }
                try await sendVerification(to: user)
            }
        }
    }

    /// Runs the account-dependent part of an always-`202` endpoint after the answer, so that its timing does not
    /// reveal whether the email has an account. The task keeps the request's ``RequestTrace``; failures are logged.
    private func inBackground(_ name: String, _ work: @escaping @Sendable () async throws -> Void) {
        let logger = self.logger
        Task {
            do { try await work() } catch { logger.error("\(name) failed", metadata: ["error": "\(String(describing: type(of: error)))"]) }
        }
    }

    func sendVerification(to user: User) async throws {
        let token = OneTimeToken.generate()
        let now = clock.now()
        try await store.issueOneTimeToken(
            OneTimeTokenRecord(
                digest: OneTimeToken.digest(token), purpose: .verifyEmail, userId: user.id, createdAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(configuration.verificationTokenTTL))))
        let link = "\(configuration.publicURL)/verify-email?token=\(token)"
        mail.dispatch(
            MailMessage(
                to: user.email, subject: "Verify your email address",
                textBody: "Hello,\n\nconfirm your email address by opening this link:\n\n\(link)\n\nThe link expires in \(configuration.verificationTokenTTL / 3600) hours. If you did not create an account, ignore this message.\n",
                kind: .emailVerification))
    }

    // MARK: Passwords

    /// Mails a reset link to a live, active account; does nothing otherwise. Always succeeds.
    /// - Throws: `422` only for a missing field.
    public func forgotPassword(email: String?) async throws {
        try await guarded {
            guard let email else {
                throw GatehouseError.validation([FieldViolation(field: "email", code: "required", message: "An email address is required.")])
            }
            inBackground("forgot password") { try await sendReset(to: email) }
        }
    }

    private func sendReset(to email: String) async throws {
        guard let canonical = try? EmailAddress(email).value, let user = try await store.user(email: canonical), user.isActive else { return }
        let token = OneTimeToken.generate()
        let now = clock.now()
        try await store.issueOneTimeToken(
            OneTimeTokenRecord(
                digest: OneTimeToken.digest(token), purpose: .resetPassword, userId: user.id, createdAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(configuration.resetTokenTTL))))
        let link = "\(configuration.publicURL)/reset-password?token=\(token)"
        mail.dispatch(
            MailMessage(
                to: user.email, subject: "Reset your password",
                textBody: "Hello,\n\nset a new password by opening this link:\n\n\(link)\n\nThe link expires in \(configuration.resetTokenTTL / 60) minutes. If you did not ask for this, ignore this message.\n",
                kind: .passwordReset))
        logger.info("password reset requested", metadata: ["user.id": "\(user.id.uuidString.lowercased())"])
    }

    /// Sets a new password from a reset token and revokes every session of the user.
    /// - Throws: `422` for a weak password (checked first, without spending the token), `400 invalid_reset_token`.
    public func resetPassword(token: String?, newPassword: String?) async throws {
        try await guarded {
            var violations: [FieldViolation] = []
            if token == nil || token == "" { violations.append(FieldViolation(field: "token", code: "required", message: "A token is required.")) }
            if let newPassword {
                violations += configuration.passwordPolicy.violations(of: newPassword, field: "newPassword")
            } else {
                violations.append(FieldViolation(field: "newPassword", code: "required", message: "A new password is required."))
            }
            guard violations.isEmpty, let token, let newPassword else { throw GatehouseError.validation(violations) }
            let now = clock.now()
            guard let record = try await store.consumeOneTimeToken(digest: OneTimeToken.digest(token), purpose: .resetPassword, at: now),
                let user = try await store.user(id: record.userId, includeDeleted: false)
            else { throw GatehouseError.invalidResetToken }
            let hasher = self.hasher
            let hash = try await passwordQueue.run { try await hasher.hash(newPassword) }
            try await store.setPasswordHash(userId: user.id, hash: hash, at: clock.now())
            try await store.revokeSessions(userId: user.id, keeping: nil, at: now)
            try await store.voidOneTimeTokens(userId: user.id, purpose: .resetPassword, at: now)
            logger.info("password reset", metadata: ["user.id": "\(user.id.uuidString.lowercased())"])
            await audit.record(.passwordReset, actor: user.id, target: user.id)
        }
    }

    /// Changes the caller's password and revokes the caller's other sessions.
    /// - Throws: `422` for a missing field or a weak new password, `401 invalid_credentials` for a wrong current one.
    public func changePassword(principal: Principal, currentPassword: String?, newPassword: String?) async throws {
        try await guarded {
            var violations: [FieldViolation] = []
            if currentPassword == nil || currentPassword == "" {
                violations.append(FieldViolation(field: "currentPassword", code: "required", message: "The current password is required."))
            }
            if let newPassword {
                violations += configuration.passwordPolicy.violations(of: newPassword, field: "newPassword")
            } else {
                violations.append(FieldViolation(field: "newPassword", code: "required", message: "A new password is required."))
            }
            guard violations.isEmpty, let currentPassword, let newPassword else { throw GatehouseError.validation(violations) }
            let hasher = self.hasher
            let storedHash = principal.user.passwordHash
            let newHash: String? = try await passwordQueue.run {
                guard try await hasher.verify(currentPassword, against: storedHash) else { return nil }
                return try await hasher.hash(newPassword)
            }
            guard let newHash else { throw GatehouseError.invalidCredentials }
            let user = principal.user
            let now = clock.now()
            try await store.setPasswordHash(userId: user.id, hash: newHash, at: now)
            try await store.revokeSessions(userId: user.id, keeping: principal.sessionId, at: now)
            try await store.voidOneTimeTokens(userId: user.id, purpose: .resetPassword, at: now)
            logger.info("password changed", metadata: ["user.id": "\(user.id.uuidString.lowercased())"])
            await audit.record(.passwordChanged, actor: user.id, target: user.id)
        }
    }
}

/// Runs a use case, turning an unreachable store into `503 service_unavailable`.
func guarded<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw StoreError.mapped(error) }
}
