/// An action one user performs on another user (never on itself; self-service rules are separate).
public enum UserAction: Sendable, Hashable, CustomStringConvertible {
    /// Read another user (`GET /users/{id}`) or list users.
    case read
    /// Activate or deactivate another user (`isActive`).
    case setActive
    /// Update another user's `username`, `fullName`, `email` or `isVerified`.
    case updateProfile
    /// Soft-delete another user.
    case delete
    /// Change another user's role to the given role.
    case changeRole(to: Role)
    /// Create a user with the given role (the target role is the new user's role).
    case create(role: Role)
    /// See soft-deleted users (`includeDeleted=true`).
    case includeDeleted
    /// List or revoke another user's sessions.
    case manageSessions

    public var description: String {
        switch self {
        case .read: "read"
        case .setActive: "set_active"
        case .updateProfile: "update_profile"
        case .delete: "delete"
        case .changeRole(let role): "change_role(\(role.rawValue))"
        case .create(let role): "create(\(role.rawValue))"
        case .includeDeleted: "include_deleted"
        case .manageSessions: "manage_sessions"
        }
    }
}

/// The permission matrix of api.md as pure functions of (actor role, action, target role).
///
/// "Lower" means strictly lower rank. Self-service (reading, updating, deleting oneself, changing one's password) is
/// decided by ``allowsSelf(_:actor:)``; nobody can change their own role.
public enum PermissionPolicy {
    /// Whether an actor with role `actor` may perform `action` on another user whose role is `target`.
    public static func allows(_ action: UserAction, actor: Role, target: Role) -> Bool {
        switch action {
        case .read:
            return actor >= .moderator
        case .setActive:
            switch actor {
            case .superAdmin: return true
            case .admin, .moderator: return target < actor
            case .user, .guest: return false
            }
        case .updateProfile, .delete, .manageSessions:
            switch actor {
            case .superAdmin: return true
            case .admin: return target < .admin
            default: return false
            }
        case .changeRole(let newRole):
            switch actor {
            case .superAdmin: return true
            case .admin: return target < .admin && newRole < .admin
            default: return false
            }
        case .create(let role):
            switch actor {
            case .superAdmin: return true
            case .admin: return role < .admin
            default: return false
            }
        case .includeDeleted:
            return actor == .superAdmin
        }
    }

    /// Whether `actor` may perform `action` on at least one other user. When false, the answer is `403` whatever the
    /// target, so that no answer reveals which user ids exist.
    public static func mayAttempt(_ action: UserAction, actor: Role) -> Bool {
        Role.allCases.contains { allows(action, actor: actor, target: $0) }
    }

    /// Self-service actions.
    public enum SelfAction: Sendable, CaseIterable {
        case readProfile, updateProfile, changePassword, deleteAccount
    }

    /// Whether a user with role `actor` may perform a self-service action: everyone may, except that a guest cannot
    /// update its own profile.
    public static func allowsSelf(_ action: SelfAction, actor: Role) -> Bool {
        switch action {
        case .readProfile, .changePassword, .deleteAccount: true
        case .updateProfile: actor != .guest
        }
    }
}
