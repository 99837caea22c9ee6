import Testing

@testable import GatehouseCore

/// An independent transcription of the permission table of the API contract. It deliberately uses its own rank
/// table and never calls `PermissionPolicy` or `Role.rank` / `Role.<`.
enum PermissionOracle {
    static func rank(_ role: Role) -> Int {
        switch role.rawValue {
        case "super_admin": return 4
        case "admin": return 3
        case "moderator": return 2
        case "user": return 1
        case "guest": return 0
        default: fatalError("unknown role \(role.rawValue)")
        }
    }

    /// "lower" = strictly lower rank.
    static func lower(_ a: Role, than b: Role) -> Bool { rank(a) < rank(b) }

    static func allows(_ action: UserAction, actor: Role, target: Role) -> Bool {
        switch action {
        case .read:
            // super_admin, admin, moderator yes; user, guest no
            return ["super_admin", "admin", "moderator"].contains(actor.rawValue)
        case .setActive:
            // super_admin: any; admin: target lower; moderator: target lower; user/guest: no
            switch actor.rawValue {
            case "super_admin": return true
            case "admin": return lower(target, than: actor)
            case "moderator": return lower(target, than: actor)
            default: return false
            }
        case .create(let newRole):
            // super_admin: any R; admin: R lower than admin; others no
            switch actor.rawValue {
            case "super_admin": return true
            case "admin": return rank(newRole) < 3
            default: return false
            }
        case .updateProfile:
            // super_admin: any; admin: target lower; others no
            switch actor.rawValue {
            case "super_admin": return true
            case "admin": return rank(target) < 3
            default: return false
            }
        case .delete:
            // super_admin: any; admin: target lower; others no
            switch actor.rawValue {
            case "super_admin": return true
            case "admin": return rank(target) < 3
            default: return false
            }
        case .changeRole(let newRole):
            // super_admin: any R; admin: target lower AND R lower than admin; others no
            switch actor.rawValue {
            case "super_admin": return true
            case "admin": return rank(target) < 3 && rank(newRole) < 3
            default: return false
            }
        case .includeDeleted:
            // super_admin only
            return actor.rawValue == "super_admin"
        case .manageSessions:
            // issue 5: admins over lower-ranked users; super_admin over any other user
            switch actor.rawValue {
            case "super_admin": return true
            case "admin": return rank(target) < 3
            default: return false
            }
        }
    }
}

@Suite("PermissionPolicy")
struct PermissionPolicyTests {
    static let roles: [Role] = [.superAdmin, .admin, .moderator, .user, .guest]

    static let actions: [UserAction] =
        [.read, .setActive, .updateProfile, .delete, .includeDeleted, .manageSessions]
        + roles.map { UserAction.changeRole(to: $0) }
        + roles.map { UserAction.create(role: $0) }

    @Test func allRolesCovered() {
        #expect(Set(Role.allCases) == Set(Self.roles))
        #expect(Self.actions.count == 16)
    }

    @Test func oracleRanksMatchTheContract() {
        #expect(Self.roles.map(PermissionOracle.rank) == [4, 3, 2, 1, 0])
    }

    @Test(arguments: actions, roles)
    func allowsMatchesTheContractTable(_ action: UserAction, actor: Role) {
        for target in Self.roles {
            let expected = PermissionOracle.allows(action, actor: actor, target: target)
            let actual = PermissionPolicy.allows(action, actor: actor, target: target)
            #expect(actual == expected, "\(action) by \(actor.rawValue) on \(target.rawValue): expected \(expected)")
        }
    }

    @Test(arguments: actions, roles)
    func mayAttemptIsTrueIffSomeTargetIsAllowed(_ action: UserAction, actor: Role) {
        let expected = Self.roles.contains { PermissionOracle.allows(action, actor: actor, target: $0) }
        #expect(PermissionPolicy.mayAttempt(action, actor: actor) == expected)
        let viaAllows = Role.allCases.contains { PermissionPolicy.allows(action, actor: actor, target: $0) }
        #expect(PermissionPolicy.mayAttempt(action, actor: actor) == viaAllows)
    }

    @Test(arguments: roles)
    func selfServiceRules(_ actor: Role) {
        #expect(PermissionPolicy.allowsSelf(.updateProfile, actor: actor) == (actor.rawValue != "guest"))
        #expect(PermissionPolicy.allowsSelf(.readProfile, actor: actor))
        #expect(PermissionPolicy.allowsSelf(.changePassword, actor: actor))
        #expect(PermissionPolicy.allowsSelf(.deleteAccount, actor: actor))
    }

    @Test func selfActionsAreTheFourOfTheContract() {
        #expect(PermissionPolicy.SelfAction.allCases.count == 4)
    }

    // A few hand-picked rows, so a shared mistake between oracle and code in one cell still shows up.
    @Test func spotChecks() {
        #expect(PermissionPolicy.allows(.setActive, actor: .moderator, target: .user))
        #expect(PermissionPolicy.allows(.setActive, actor: .moderator, target: .guest))
        #expect(!PermissionPolicy.allows(.setActive, actor: .moderator, target: .moderator))
        #expect(!PermissionPolicy.allows(.setActive, actor: .admin, target: .admin))
        #expect(PermissionPolicy.allows(.setActive, actor: .admin, target: .moderator))
        #expect(!PermissionPolicy.allows(.updateProfile, actor: .moderator, target: .guest))
        #expect(!PermissionPolicy.allows(.delete, actor: .admin, target: .superAdmin))
        #expect(PermissionPolicy.allows(.delete, actor: .superAdmin, target: .superAdmin))
        #expect(!PermissionPolicy.allows(.changeRole(to: .admin), actor: .admin, target: .user))
        #expect(!PermissionPolicy.allows(.changeRole(to: .user), actor: .admin, target: .admin))
        #expect(PermissionPolicy.allows(.changeRole(to: .moderator), actor: .admin, target: .user))
        #expect(PermissionPolicy.allows(.changeRole(to: .superAdmin), actor: .superAdmin, target: .guest))
        #expect(!PermissionPolicy.allows(.create(role: .admin), actor: .admin, target: .admin))
        #expect(PermissionPolicy.allows(.create(role: .moderator), actor: .admin, target: .moderator))
        #expect(!PermissionPolicy.allows(.create(role: .guest), actor: .moderator, target: .guest))
        #expect(!PermissionPolicy.allows(.read, actor: .user, target: .guest))
        #expect(!PermissionPolicy.allows(.includeDeleted, actor: .admin, target: .user))
        #expect(!PermissionPolicy.mayAttempt(.read, actor: .user))
        #expect(PermissionPolicy.mayAttempt(.setActive, actor: .moderator))
        #expect(!PermissionPolicy.mayAttempt(.delete, actor: .moderator))
        #expect(!PermissionPolicy.mayAttempt(.changeRole(to: .admin), actor: .admin))
    }
}
