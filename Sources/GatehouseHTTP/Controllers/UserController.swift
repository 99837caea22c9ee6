import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird

/// The `/users*` endpoints of api.md; every route requires a bearer access token.
public struct UserController: Sendable {
    let auth: AuthService
    let users: UserService

    public init(auth: AuthService, users: UserService) {
        self.auth = auth
        self.users = users
    }

    /// Adds the routes to `group` (mounted at `/api/v1/users`).
    public func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.add(middleware: BearerAuthenticator(auth: auth))
            .get(use: list)
            .post(use: create)
            .get("me", use: me)
            .patch("me", use: updateMe)
            .get(":userId", use: get)
            .patch(":userId", use: update)
            .delete(":userId", use: delete)
            .patch(":userId/role", use: changeRole)
    }

    /// The path's user id; a malformed id becomes the nil UUID (never assigned), so the answer follows the same
    /// order as for an unknown user (`403` before `404`).
    static func userId(_ context: GatehouseRequestContext) -> UUID {
        context.parameters.get("userId").flatMap { UUID(uuidString: $0) } ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
    }

    @Sendable func me(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try JSON.response(UserResponse(try context.requirePrincipal().user))
    }

    @Sendable func updateMe(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSONBody(as: UpdateUserRequest.self, context: context)
        return try JSON.response(UserResponse(try await users.updateUser(principal.user.id, changes: body.changes, actor: principal)))
    }

    @Sendable func get(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let includeDeleted = try ListQuery.parseBool(request.uri.queryParameters.get("includeDeleted"), field: "includeDeleted") ?? false
        let user = try await users.user(Self.userId(context), actor: principal, includeDeleted: includeDeleted)
        return try JSON.response(UserResponse(user, includeDeletedAt: includeDeleted))
    }

    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await users.requireAttemptable(.read, named: "list_users", actor: principal)
        let query = try ListQuery.parse(request.uri.queryParameters)
        let page = try await users.listUsers(query, actor: principal)
        return try JSON.response(
            UserListResponse(
                items: page.items.map { UserResponse($0, includeDeletedAt: query.includeDeleted) }, page: query.page, pageSize: query.pageSize,
                total: page.total))
    }

    @Sendable func create(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await users.requireAttemptable(.create(role: .guest), named: "create_user", actor: principal)
        let body = try await request.decodeJSONBody(as: CreateUserRequest.self, context: context)
        let user = try await users.createUser(body.user, actor: principal)
        return try JSON.response(UserResponse(user), status: .created, headers: [.location: "/api/v1/users/\(user.id.uuidString.lowercased())"])
    }

    @Sendable func update(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSONBody(as: UpdateUserRequest.self, context: context)
        return try JSON.response(UserResponse(try await users.updateUser(Self.userId(context), changes: body.changes, actor: principal)))
    }

    @Sendable func delete(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await users.deleteUser(Self.userId(context), actor: principal)
        return Response(status: .noContent)
    }

    @Sendable func changeRole(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSONBody(as: RoleRequest.self, context: context)
        let user = try await users.changeRole(Self.userId(context), to: try body.validated(), actor: principal)
        return try JSON.response(UserResponse(user))
    }
}

/// Query parameters of `GET /users`: `page` (from 1), `pageSize` (1–100, default 20), `role`, `isActive`
/// (`true`/`false`), `q` (prefix, at most 254 characters), `includeDeleted` (`true`/`false`). Every bad value is
/// reported at once as `422 validation_failed`.
enum ListQuery {
    static func parse(_ parameters: Parameters) throws -> UserQuery {
        var violations: [FieldViolation] = []
        var query = UserQuery()
        (query.page, query.pageSize) = paging(parameters, violations: &violations)
        if let raw = parameters.get("role") {
            if let role = Role(rawValue: raw) { query.role = role } else { violations.append(RoleRequest.invalidRole) }
        }
        do { query.isActive = try parseBool(parameters.get("isActive"), field: "isActive") } catch let e as GatehouseError { violations += e.violations }
        do { query.includeDeleted = try parseBool(parameters.get("includeDeleted"), field: "includeDeleted") ?? false } catch let e as GatehouseError {
            violations += e.violations
        }
        if let q = parameters.get("q") {
            if q.count > 254 || q.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
                violations.append(FieldViolation(field: "q", code: "invalid", message: "q must be at most 254 printable characters."))
            } else if !q.isEmpty {
                query.prefix = q.precomposedStringWithCanonicalMapping.lowercased()
            }
        }
        if !violations.isEmpty { throw GatehouseError.validation(violations) }
        return query
    }

    /// `page` (1 to 1,000,000, default 1) and `pageSize` (1 to 100, default 20), adding a violation for each bad value.
    static func paging(_ parameters: Parameters, violations: inout [FieldViolation]) -> (page: Int, pageSize: Int) {
        var result = (page: 1, pageSize: 20)
        if let raw = parameters.get("page") {
            if let page = Int(raw), page >= 1, page <= 1_000_000 { result.page = page } else {
                violations.append(FieldViolation(field: "page", code: "out_of_range", message: "page must be a whole number from 1."))
            }
        }
        if let raw = parameters.get("pageSize") {
            if let size = Int(raw), (1...100).contains(size) { result.pageSize = size } else {
                violations.append(FieldViolation(field: "pageSize", code: "out_of_range", message: "pageSize must be a whole number from 1 to 100."))
            }
        }
        return result
    }

    static func parseBool(_ raw: String?, field: String) throws -> Bool? {
        guard let raw else { return nil }
        switch raw {
        case "true": return true
        case "false": return false
        default: throw GatehouseError.validation([FieldViolation(field: field, code: "invalid", message: "\(field) must be true or false.")])
        }
    }
}
