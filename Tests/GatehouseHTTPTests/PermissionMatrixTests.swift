import Foundation
import GatehouseCore
import HTTPTypes
import HummingbirdTesting
import Testing

/// The permission matrix of api.md, transcribed independently of `PermissionPolicy` and checked exhaustively over
/// HTTP: every action × actor role × target role (× requested role), plus unknown targets and self-actions.
@Suite("Permission matrix")
struct PermissionMatrixTests {
    static let roles: [Role] = [.superAdmin, .admin, .moderator, .user, .guest]
    static func rank(_ role: Role) -> Int { ["super_admin": 4, "admin": 3, "moderator": 2, "user": 1, "guest": 0][role.rawValue]! }

    enum Action: CustomStringConvertible {
        case read, deactivate, rename, changeEmail, verify, delete, changeRole(Role)
        var description: String {
            switch self {
            case .read: "GET"
            case .deactivate: "PATCH isActive"
            case .rename: "PATCH username"
            case .changeEmail: "PATCH email"
            case .verify: "PATCH isVerified"
            case .delete: "DELETE"
            case .changeRole(let r): "PATCH role=\(r.rawValue)"
            }
        }
        static var all: [Action] { [.read, .deactivate, .rename, .changeEmail, .verify, .delete] + PermissionMatrixTests.roles.map { .changeRole($0) } }
    }

    /// api.md's table, cell by cell.
    static func expected(_ action: Action, actor: Role, target: Role) -> Bool {
        let a = rank(actor), t = rank(target)
        switch action {
        case .read:
            return a >= 2
        case .deactivate:
            if a == 4 { return true }
            if a == 3 || a == 2 { return t < a }
            return false
        case .rename, .changeEmail, .verify, .delete:
            if a == 4 { return true }
            if a == 3 { return t < 3 }
            return false
        case .changeRole(let newRole):
            if a == 4 { return true }
            if a == 3 { return t < 3 && rank(newRole) < 3 }
            return false
        }
    }

    /// Whether the actor may do the action to at least one role (otherwise `403` comes before `404`).
    static func attemptable(_ action: Action, actor: Role) -> Bool { roles.contains { expected(action, actor: actor, target: $0) } }

    static func request(_ action: Action, id: String, counter: Int) -> (HTTPRequest.Method, String, [String: Any]?) {
        switch action {
        case .read: (.get, "/api/v1/users/\(id)", nil)
        case .deactivate: (.patch, "/api/v1/users/\(id)", ["isActive": false])
        case .rename: (.patch, "/api/v1/users/\(id)", ["username": "renamed\(counter)"])
        case .changeEmail: (.patch, "/api/v1/users/\(id)", ["email": "changed\(counter)@example.com"])
        case .verify: (.patch, "/api/v1/users/\(id)", ["isVerified": true])
        case .delete: (.delete, "/api/v1/users/\(id)", nil)
        case .changeRole(let role): (.patch, "/api/v1/users/\(id)/role", ["role": role.rawValue])
        }
    }

    static func successStatus(_ action: Action) -> HTTPResponse.Status { if case .delete = action { .noContent } else { .ok } }

    @Test func everyActionActorAndTarget() async throws {
        try await TestApp.run { app, client in
            var actors: [Role: String] = [:]
            for role in Self.roles {
                try await app.makeUser("actor-\(role.rawValue)@example.com", role: role)
                actors[role] = try await client.login("actor-\(role.rawValue)@example.com").access
            }
            var counter = 0
            var checked = 0
            for actor in Self.roles {
                for target in Self.roles {
                    for action in Action.all {
                        counter += 1
                        let user = try await app.makeUser("target\(counter)@example.com", role: target)
                        let (method, uri, body) = Self.request(action, id: user.id.uuidString.lowercased(), counter: counter)
                        let reply = try await client.call(method, uri, json: body, bearer: actors[actor])
                        let allowed = Self.expected(action, actor: actor, target: target)
                        let want: HTTPResponse.Status = allowed ? Self.successStatus(action) : .forbidden
                        #expect(reply.status == want, "\(actor.rawValue) \(action) on \(target.rawValue): got \(reply.status.code) \(reply.code ?? "")")
                        if !allowed { #expect(reply.code == "forbidden") }
                        // Nothing changed on a refusal.
                        if !allowed, let stored = try await app.store.user(id: user.id, includeDeleted: true) {
                            #expect(stored == user, "\(actor.rawValue) \(action) on \(target.rawValue) changed the target")
                        }
                        checked += 1
                    }
                }
                // Unknown target: 403 when the role may do the action to nobody, else 404.
                for action in Action.all {
                    counter += 1
                    let (method, uri, body) = Self.request(action, id: UUID().uuidString.lowercased(), counter: counter)
                    let reply = try await client.call(method, uri, json: body, bearer: actors[actor])
                    let want: HTTPResponse.Status = Self.attemptable(action, actor: actor) ? .notFound : .forbidden
                    #expect(reply.status == want, "\(actor.rawValue) \(action) on unknown user: got \(reply.status.code)")
                    if want == .notFound { #expect(reply.code == "user_not_found") }
                    checked += 1
                }
            }
            #expect(checked == 5 * 5 * 11 + 5 * 11)
        }
    }

    @Test(arguments: [Role.superAdmin, .admin, .moderator, .user, .guest])
    func createUserWithEveryRole(actor: Role) async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("creator@example.com", role: actor)
            let token = try await client.login("creator@example.com").access
            for (index, role) in Self.roles.enumerated() {
                let reply = try await client.call(
                    .post, "/api/v1/users", json: ["email": "new\(index)@example.com", "password": TestApp.password, "role": role.rawValue], bearer: token)
                let allowed = actor == .superAdmin || (actor == .admin && Self.rank(role) < 3)
                #expect(reply.status == (allowed ? .created : .forbidden), "\(actor.rawValue) creating \(role.rawValue)")
                let stored = try await app.store.user(email: "new\(index)@example.com")
                #expect((stored != nil) == allowed)
                if allowed { #expect(stored?.role == role) }
            }
        }
    }

    @Test(arguments: [Role.superAdmin, .admin, .moderator, .user, .guest])
    func listingAndIncludeDeleted(actor: Role) async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("lister@example.com", role: actor)
            let token = try await client.login("lister@example.com").access
            let list = try await client.call(.get, "/api/v1/users", bearer: token)
            #expect(list.status == (Self.rank(actor) >= 2 ? .ok : .forbidden))
            let deleted = try await client.call(.get, "/api/v1/users?includeDeleted=true", bearer: token)
            #expect(deleted.status == (actor == .superAdmin ? .ok : .forbidden))
            let one = try await app.makeUser("someone@example.com")
            let get = try await client.call(.get, "/api/v1/users/\(one.id.uuidString.lowercased())?includeDeleted=true", bearer: token)
            #expect(get.status == (actor == .superAdmin ? .ok : .forbidden))
        }
    }

    @Test(arguments: [Role.superAdmin, .admin, .moderator, .user, .guest])
    func selfActions(actor: Role) async throws {
        try await TestApp.run { app, client in
            // A second super_admin keeps the last-super_admin rule out of the way here.
            try await app.makeUser("other-root@example.com", role: .superAdmin)
            let me = try await app.makeUser("self@example.com", role: actor)
            let id = me.id.uuidString.lowercased()
            let token = try await client.login("self@example.com").access
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: token).status == .ok)
            #expect(try await client.call(.get, "/api/v1/users/\(id)", bearer: token).status == .ok)
            let profile = try await client.call(.patch, "/api/v1/users/me", json: ["fullName": "Me Myself"], bearer: token)
            #expect(profile.status == (actor == .guest ? .forbidden : .ok))
            let profileById = try await client.call(.patch, "/api/v1/users/\(id)", json: ["username": "me"], bearer: token)
            #expect(profileById.status == (actor == .guest ? .forbidden : .ok))
            for body: [String: Any] in [["isActive": false], ["isVerified": true], ["email": "new-self@example.com"], ["username": "x", "isActive": true]] {
                #expect(try await client.call(.patch, "/api/v1/users/\(id)", json: body, bearer: token).status == .forbidden, "self \(body)")
                #expect(try await client.call(.patch, "/api/v1/users/me", json: body, bearer: token).status == .forbidden, "me \(body)")
            }
            for role in Self.roles {
                let reply = try await client.call(.patch, "/api/v1/users/\(id)/role", json: ["role": role.rawValue], bearer: token)
                #expect(reply.status == .forbidden, "\(actor.rawValue) changing own role to \(role.rawValue)")
            }
            #expect(try await app.store.user(id: me.id, includeDeleted: false)?.role == actor)
            let change = try await client.call(
                .post, "/api/v1/auth/change-password", json: ["currentPassword": TestApp.password, "newPassword": "Chang3d!Password"], bearer: token)
            #expect(change.status == .noContent)
            #expect(try await client.call(.delete, "/api/v1/users/\(id)", bearer: token).status == .noContent)
            #expect(try await app.store.user(id: me.id, includeDeleted: false) == nil)
        }
    }

    @Test func lastSuperAdminIsProtected() async throws {
        try await TestApp.run { app, client in
            let first = try await app.makeUser("first@example.com", role: .superAdmin)
            let second = try await app.makeUser("second@example.com", role: .superAdmin)
            let firstToken = try await client.login("first@example.com").access
            let secondToken = try await client.login("second@example.com").access
            // Two super_admins: one may demote or delete the other.
            let demote = try await client.call(.patch, "/api/v1/users/\(second.id.uuidString.lowercased())/role", json: ["role": "admin"], bearer: firstToken)
            #expect(demote.status == .ok)
            // Now first is the last one.
            let selfDelete = try await client.call(.delete, "/api/v1/users/\(first.id.uuidString.lowercased())", bearer: firstToken)
            #expect(selfDelete.status == .conflict)
            #expect(selfDelete.code == "last_super_admin")
            let ownRole = try await client.call(.patch, "/api/v1/users/\(first.id.uuidString.lowercased())/role", json: ["role": "admin"], bearer: firstToken)
            #expect(ownRole.status == .forbidden)
            let selfDeactivate = try await client.call(.patch, "/api/v1/users/me", json: ["isActive": false], bearer: firstToken)
            #expect(selfDeactivate.status == .forbidden)
            // The demoted admin cannot touch the super_admin.
            #expect(try await client.call(.delete, "/api/v1/users/\(first.id.uuidString.lowercased())", bearer: secondToken).status == .forbidden)
            #expect(try await app.store.countActiveSuperAdmins() == 1)
            let stored = try await app.store.user(id: first.id, includeDeleted: true)
            #expect(stored?.deletedAt == nil && stored?.role == .superAdmin && stored?.isActive == true)
        }
    }

    @Test func concurrentRemovalsNeverLeaveNoSuperAdmin() async throws {
        for round in 0..<5 {
            try await TestApp.run { app, client in
                let s = try await app.makeUser("s\(round)@example.com", role: .superAdmin)
                let r = try await app.makeUser("r\(round)@example.com", role: .superAdmin)
                let token = try await client.login("s\(round)@example.com").access
                async let demote = client.call(.patch, "/api/v1/users/\(r.id.uuidString.lowercased())/role", json: ["role": "admin"], bearer: token)
                async let delete = client.call(.delete, "/api/v1/users/\(s.id.uuidString.lowercased())", bearer: token)
                let (a, b) = try await (demote, delete)
                #expect(try await app.store.countActiveSuperAdmins() >= 1, "round \(round): \(a.status.code) \(b.status.code)")
                #expect([a.status, b.status].contains(.conflict) || [a.status, b.status].contains(.unauthorized))
            }
        }
    }
}
