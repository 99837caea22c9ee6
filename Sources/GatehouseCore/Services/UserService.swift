import Foundation
import Logging

/// Changes a caller asks for on a user (`PATCH /users/{id}`, `PATCH /users/me`).
public struct UserChanges: Sendable, Equatable {
    public var username: PatchField<String> = .absent
    public var fullName: PatchField<String> = .absent
    public var email: String?
    public var isActive: Bool?
    public var isVerified: Bool?

    public init(username: PatchField<String> = .absent, fullName: PatchField<String> = .absent, email: String? = nil, isActive: Bool? = nil, isVerified: Bool? = nil) {
        self.username = username
        self.fullName = fullName
        self.email = email
        self.isActive = isActive
        self.isVerified = isVerified
    }

    var touchesProfile: Bool { username.isPresent || fullName.isPresent }
    var touchesAdminFields: Bool { email != nil || isVerified != nil }
    var isEmpty: Bool { !touchesProfile && !touchesAdminFields && isActive == nil }
}

/// A user to create through `POST /users`.
public struct NewUser: Sendable {
    public var email: String?
    public var password: String?
    /// Defaults to `user`.
    public var role: Role?
    public var username: PatchField<String>
    public var fullName: PatchField<String>
    /// Defaults to true.
    public var isActive: Bool?
    /// Defaults to false.
    public var isVerified: Bool?

    public init(email: String?, password: String?, role: Role? = nil, username: PatchField<String> = .absent, fullName: PatchField<String> = .absent, isActive: Bool? = nil, isVerified: Bool? = nil) {
        self.email = email
        self.password = password
        self.role = role
        self.username = username
        self.fullName = fullName
        self.isActive = isActive
        self.isVerified = isVerified
    }
}

/// The user-management use cases, enforcing ``PermissionPolicy`` in the answering order of api.md:
/// `403` when the actor's role may not do the action to anyone, then `404 user_not_found`, then `403` for a target
/// out of reach, then `409 last_super_admin`.
public struct UserService: Sendable {
    let store: any GatehouseStore
    let hasher: any PasswordHasher
    let clock: any WallClock
    let passwordPolicy: PasswordPolicy
    let logger: Logger
    let passwordQueue: PasswordWorkQueue
    let audit: AuditTrail

    /// - Parameter passwordQueue: The bounded queue for password work, shared with ``AuthService``.
    public init(
        store: any GatehouseStore, hasher: any PasswordHasher, clock: any WallClock, passwordPolicy: PasswordPolicy = PasswordPolicy(), logger: Logger,
        passwordQueue: PasswordWorkQueue = PasswordWorkQueue(concurrency: 4, waitingLimit: 64)
    ) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.passwordPolicy = passwordPolicy
        self.logger = logger
        self.passwordQueue = passwordQueue
        self.audit = AuditTrail(store: store, clock: clock, logger: logger)
    }

    /// Runs a use case of `actor`, recording a `permission_denied` audit event when it ends in `403 forbidden`.
    func recordingDenial<T>(_ action: String, actor: Principal, target: UUID?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await guarded(body)
        } catch let error as GatehouseError where error.code == .forbidden {
            await audit.record(.permissionDenied, actor: actor.user.id, target: target, outcome: "denied", details: ["action": action])
            throw error
        }
    }

    /// Refuses, before a request is even parsed, an actor whose role may not do `action` to any user (`403`,
    /// recorded as `permission_denied` like every other refusal).
    /// - Parameter name: The audited action name (`list_users`, `create_user`).
    public func requireAttemptable(_ action: UserAction, named name: String, actor: Principal) async throws {
        try await recordingDenial(name, actor: actor, target: nil) {
            guard PermissionPolicy.mayAttempt(action, actor: actor.user.role) else { throw GatehouseError.forbidden }
        }
    }

    // MARK: Reading

    /// A user by id: the caller itself, or any user for moderator+. With `includeDeleted` (super_admin only)
    /// soft-deleted users are found too.
    /// - Throws: `403 forbidden`, `404 user_not_found`.
    public func user(_ id: UUID, actor: Principal, includeDeleted: Bool) async throws -> User {
        try await recordingDenial("read_user", actor: actor, target: id) {
            if includeDeleted && !PermissionPolicy.allows(.includeDeleted, actor: actor.user.role, target: .guest) { throw GatehouseError.forbidden }
            if id == actor.user.id && !includeDeleted { return actor.user }
            guard PermissionPolicy.mayAttempt(.read, actor: actor.user.role) || id == actor.user.id else { throw GatehouseError.forbidden }
            guard let user = try await store.user(id: id, includeDeleted: includeDeleted) else { throw GatehouseError.userNotFound }
            return user
        }
    }

    /// One page of users, newest first (moderator+; `includeDeleted` super_admin only).
    /// - Throws: `403 forbidden`, `422` for out-of-range paging.
    public func listUsers(_ query: UserQuery, actor: Principal) async throws -> UserPage {
        try await recordingDenial("list_users", actor: actor, target: nil) {
            guard PermissionPolicy.mayAttempt(.read, actor: actor.user.role) else { throw GatehouseError.forbidden }
            if query.includeDeleted && !PermissionPolicy.allows(.includeDeleted, actor: actor.user.role, target: .guest) {
                throw GatehouseError.forbidden
            }
            return try await store.listUsers(query)
        }
    }

    // MARK: Creating

    /// Creates a user with any role (super_admin) or a role lower than admin (admin).
    /// - Throws: `403 forbidden`, `422 validation_failed`, `409 email_taken`.
    public func createUser(_ input: NewUser, actor: Principal) async throws -> User {
        try await recordingDenial("create_user", actor: actor, target: nil) {
            let role = input.role ?? .user
            guard PermissionPolicy.mayAttempt(.create(role: .guest), actor: actor.user.role) else { throw GatehouseError.forbidden }
            let user = try await validatedNewUser(input)
            guard PermissionPolicy.allows(.create(role: role), actor: actor.user.role, target: role) else { throw GatehouseError.forbidden }
            try await insert(user)
            logger.info("user created", metadata: ["user.id": "\(user.id.uuidString.lowercased())", "actor.id": "\(actor.user.id.uuidString.lowercased())", "role": "\(role.rawValue)"])
            await audit.record(.userCreated, actor: actor.user.id, target: user.id, details: ["via": "admin", "role": role.rawValue])
            return user
        }
    }

    /// Creates a super_admin without an actor (the `create-admin` command and bootstrap at start).
    /// - Throws: `422 validation_failed` for a weak password or bad email, `409 email_taken`.
    public func createSuperAdmin(email: String, password: String) async throws -> User {
        try await guarded {
            let user = try await validatedNewUser(NewUser(email: email, password: password, role: .superAdmin, isVerified: true))
            try await insert(user)
            logger.info("super_admin created", metadata: ["user.id": "\(user.id.uuidString.lowercased())"])
            await audit.record(.userCreated, actor: nil, target: user.id, details: ["via": "bootstrap", "role": Role.superAdmin.rawValue])
            return user
        }
    }

    /// Whether a live, active super_admin exists.
    public func hasActiveSuperAdmin() async throws -> Bool {
        try await store.countActiveSuperAdmins() > 0
    }

    private func validatedNewUser(_ input: NewUser) async throws -> User {
        let (canonical, violations) = AuthService.validateCredentials(email: input.email, password: input.password, policy: passwordPolicy)
        let all = violations + ProfileRules.violations(username: input.username, fullName: input.fullName)
        guard all.isEmpty, let canonical, let password = input.password else { throw GatehouseError.validation(all) }
        if try await store.user(email: canonical) != nil { throw GatehouseError.emailTaken }
        let now = clock.now()
        return User(
            id: UUID(), email: canonical, username: AuthService.value(ProfileRules.normalized(input.username)),
            fullName: AuthService.value(ProfileRules.normalized(input.fullName)), role: input.role ?? .user, isActive: input.isActive ?? true,
            isVerified: input.isVerified ?? false, passwordHash: try await passwordQueue.run { [hasher] in try await hasher.hash(password) },
            createdAt: now, updatedAt: now)
    }

    private func insert(_ user: User) async throws {
        do {
            try await store.createUser(user)
        } catch let error as StoreError where error.isDuplicate {
            throw GatehouseError.emailTaken
        }
    }

    // MARK: Updating

    /// Applies `changes` to the user `id`.
    ///
    /// On oneself only `username` and `fullName` may be set (not by a guest); on others `isActive` needs
    /// ``UserAction/setActive`` and `username`, `fullName`, `email`, `isVerified` need ``UserAction/updateProfile``.
    /// Changing the email clears `isVerified` unless the request sets it. Deactivation revokes the target's sessions.
    /// - Throws: `403 forbidden`, `404 user_not_found`, `422 validation_failed`, `409 email_taken`, `409 last_super_admin`.
    public func updateUser(_ id: UUID, changes: UserChanges, actor: Principal) async throws -> User {
        try await recordingDenial("update_user", actor: actor, target: id) {
            let role = actor.user.role
            var target: User
            if id == actor.user.id {
                guard !changes.touchesAdminFields, changes.isActive == nil else { throw GatehouseError.forbidden }
                if changes.touchesProfile && !PermissionPolicy.allowsSelf(.updateProfile, actor: role) { throw GatehouseError.forbidden }
                guard let current = try await store.user(id: id, includeDeleted: false) else { throw GatehouseError.userNotFound }
                target = current
            } else {
                var actions: [UserAction] = []
                if changes.isActive != nil { actions.append(.setActive) }
                if changes.touchesProfile || changes.touchesAdminFields { actions.append(.updateProfile) }
                let anyOf: [UserAction] = actions.isEmpty ? [.setActive, .updateProfile] : actions
                let attemptable = actions.isEmpty
                    ? anyOf.contains { PermissionPolicy.mayAttempt($0, actor: role) }
                    : actions.allSatisfy { PermissionPolicy.mayAttempt($0, actor: role) }
                guard attemptable else { throw GatehouseError.forbidden }
                guard let current = try await store.user(id: id, includeDeleted: false) else { throw GatehouseError.userNotFound }
                let reachable = actions.isEmpty
                    ? anyOf.contains { PermissionPolicy.allows($0, actor: role, target: current.role) }
                    : actions.allSatisfy { PermissionPolicy.allows($0, actor: role, target: current.role) }
                guard reachable else { throw GatehouseError.forbidden }
                target = current
            }

            var violations = ProfileRules.violations(username: changes.username, fullName: changes.fullName)
            var newEmail: String?
            if let email = changes.email {
                do { newEmail = try EmailAddress(email).value } catch let error as GatehouseError { violations += error.violations }
            }
            guard violations.isEmpty else { throw GatehouseError.validation(violations) }

            let guardsLastSuperAdmin = changes.isActive == false && target.isActive && target.role == .superAdmin
            let wasActive = target.isActive
            switch ProfileRules.normalized(changes.username) {
            case .absent: break
            case .null: target.username = nil
            case .value(let v): target.username = v
            }
            switch ProfileRules.normalized(changes.fullName) {
            case .absent: break
            case .null: target.fullName = nil
            case .value(let v): target.fullName = v
            }
            if let newEmail, newEmail != target.email {
                if try await store.user(email: newEmail) != nil { throw GatehouseError.emailTaken }
                target.email = newEmail
                target.isVerified = false
            }
            if let isVerified = changes.isVerified { target.isVerified = isVerified }
            if let isActive = changes.isActive { target.isActive = isActive }
            let now = clock.now()
            target.updatedAt = now
            do {
                try await write(target, guardingLastSuperAdmin: guardsLastSuperAdmin)
            } catch let error as StoreError where error.isDuplicate {
                throw GatehouseError.emailTaken
            }
            if wasActive && !target.isActive {
                try await store.revokeSessions(userId: target.id, keeping: nil, at: now)
            }
            logger.info("user updated", metadata: ["user.id": "\(target.id.uuidString.lowercased())", "actor.id": "\(actor.user.id.uuidString.lowercased())"])
            var fields: [String] = []
            if changes.username.isPresent { fields.append("username") }
            if changes.fullName.isPresent { fields.append("fullName") }
            if changes.email != nil { fields.append("email") }
            if changes.isActive != nil { fields.append("isActive") }
            if changes.isVerified != nil { fields.append("isVerified") }
            var details = ["fields": fields.joined(separator: ",")]
            if let isActive = changes.isActive { details["isActive"] = String(isActive) }
            await audit.record(.userUpdated, actor: actor.user.id, target: target.id, details: details)
            return target
        }
    }

    /// Changes another user's role. Nobody can change their own role.
    /// - Throws: `422` for an unknown role, `403 forbidden`, `404 user_not_found`, `409 last_super_admin`.
    public func changeRole(_ id: UUID, to newRole: Role, actor: Principal) async throws -> User {
        try await recordingDenial("change_role", actor: actor, target: id) {
            guard id != actor.user.id else { throw GatehouseError.forbidden }
            guard PermissionPolicy.mayAttempt(.changeRole(to: newRole), actor: actor.user.role) else { throw GatehouseError.forbidden }
            guard var target = try await store.user(id: id, includeDeleted: false) else { throw GatehouseError.userNotFound }
            guard PermissionPolicy.allows(.changeRole(to: newRole), actor: actor.user.role, target: target.role) else { throw GatehouseError.forbidden }
            let guardsLastSuperAdmin = target.role == .superAdmin && newRole != .superAdmin && target.isActive
            let previous = target.role
            target.role = newRole
            target.updatedAt = clock.now()
            try await write(target, guardingLastSuperAdmin: guardsLastSuperAdmin)
            logger.info(
                "role changed", metadata: ["user.id": "\(target.id.uuidString.lowercased())", "actor.id": "\(actor.user.id.uuidString.lowercased())", "from": "\(previous.rawValue)", "to": "\(newRole.rawValue)"])
            await audit.record(.roleChanged, actor: actor.user.id, target: target.id, details: ["from": previous.rawValue, "to": newRole.rawValue])
            return target
        }
    }

    // MARK: Deleting

    /// Soft-deletes the user (oneself, or another user for admin+ over the target): its sessions are revoked and
    /// its email can be registered again.
    /// - Throws: `403 forbidden`, `404 user_not_found`, `409 last_super_admin`.
    public func deleteUser(_ id: UUID, actor: Principal) async throws {
        try await recordingDenial("delete_user", actor: actor, target: id) {
            var target: User
            if id == actor.user.id {
                target = actor.user
            } else {
                guard PermissionPolicy.mayAttempt(.delete, actor: actor.user.role) else { throw GatehouseError.forbidden }
                guard let current = try await store.user(id: id, includeDeleted: false) else { throw GatehouseError.userNotFound }
                guard PermissionPolicy.allows(.delete, actor: actor.user.role, target: current.role) else { throw GatehouseError.forbidden }
                target = current
            }
            let now = clock.now()
            target.deletedAt = now
            target.updatedAt = now
            try await write(target, guardingLastSuperAdmin: target.role == .superAdmin && target.isActive)
            try await store.revokeSessions(userId: target.id, keeping: nil, at: now)
            logger.info("user deleted", metadata: ["user.id": "\(target.id.uuidString.lowercased())", "actor.id": "\(actor.user.id.uuidString.lowercased())"])
            await audit.record(.userDeleted, actor: actor.user.id, target: target.id)
        }
    }

    /// Writes the user; when the change removes an active super_admin, only if another one remains (atomically).
    /// - Throws: `409 last_super_admin` when it would remove the last one.
    private func write(_ user: User, guardingLastSuperAdmin: Bool) async throws {
        if guardingLastSuperAdmin {
            guard try await store.updateUserKeepingAnotherSuperAdmin(user) else { throw GatehouseError.lastSuperAdmin }
        } else {
            try await store.updateUser(user)
        }
    }
}
