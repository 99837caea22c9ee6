import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird

/// The `/auth/*` endpoints of api.md.
public struct AuthController: Sendable {
    let auth: AuthService

    public init(auth: AuthService) { self.auth = auth }

    /// Adds the routes to `group` (mounted at `/api/v1/auth`).
    public func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.post("register", use: register)
        group.post("login", use: login)
        group.post("refresh", use: refresh)
        group.post("verify-email", use: verifyEmail)
        group.post("resend-verification", use: resendVerification)
        group.post("forgot-password", use: forgotPassword)
        group.post("reset-password", use: resetPassword)
        group.group()
            .add(middleware: BearerAuthenticator(auth: auth))
            .post("logout", use: logout)
            .post("change-password", use: changePassword)
    }

    static func metadata(_ request: Request, _ context: GatehouseRequestContext) -> RequestMetadata {
        RequestMetadata(userAgent: request.headers[.userAgent], clientAddress: context.clientAddress)
    }

    @Sendable func register(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: RegisterRequest.self, context: context)
        let user = try await auth.register(email: body.email, password: body.password, username: body.username, fullName: body.fullName)
        return try JSON.response(UserResponse(user), status: .created, headers: [.location: "/api/v1/users/\(user.id.uuidString.lowercased())"])
    }

    @Sendable func login(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: LoginRequest.self, context: context)
        let tokens = try await auth.login(email: body.email, password: body.password, metadata: Self.metadata(request, context))
        return try JSON.response(TokenPairResponse(tokens))
    }

    @Sendable func refresh(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: RefreshRequest.self, context: context)
        let tokens = try await auth.refresh(refreshToken: body.refreshToken, metadata: Self.metadata(request, context))
        return try JSON.response(TokenPairResponse(tokens))
    }

    @Sendable func logout(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSONBody(as: LogoutRequest.self, context: context, allowEmpty: true)
        try await auth.logout(principal: principal, refreshToken: body.refreshToken, allSessions: body.allSessions ?? false)
        return Response(status: .noContent)
    }

    @Sendable func verifyEmail(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: TokenRequest.self, context: context)
        return try JSON.response(UserResponse(try await auth.verifyEmail(token: body.token)))
    }

    @Sendable func resendVerification(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: EmailRequest.self, context: context)
        try await auth.resendVerification(email: body.email)
        return Response(status: .accepted)
    }

    @Sendable func forgotPassword(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: EmailRequest.self, context: context)
        try await auth.forgotPassword(email: body.email)
        return Response(status: .accepted)
    }

    @Sendable func resetPassword(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let body = try await request.decodeJSONBody(as: ResetPasswordRequest.self, context: context)
        try await auth.resetPassword(token: body.token, newPassword: body.newPassword)
        return Response(status: .noContent)
    }

    @Sendable func changePassword(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await request.decodeJSONBody(as: ChangePasswordRequest.self, context: context)
        try await auth.changePassword(principal: principal, currentPassword: body.currentPassword, newPassword: body.newPassword)
        return Response(status: .noContent)
    }
}
