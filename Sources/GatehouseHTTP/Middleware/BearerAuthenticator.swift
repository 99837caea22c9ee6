import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird

/// Resolves `Authorization: Bearer <access token>` (RFC 6750) to the caller through ``AuthService/authenticate(accessToken:)``
/// and stores it in the context. No header (or another scheme) is `401 missing_token`
/// (`WWW-Authenticate: Bearer realm="gatehouse"`); a rejected token is `401 invalid_token`
/// (`WWW-Authenticate: Bearer realm="gatehouse", error="invalid_token"`).
public struct BearerAuthenticator: RouterMiddleware {
    public typealias Context = GatehouseRequestContext
    let auth: AuthService

    public init(auth: AuthService) { self.auth = auth }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { throw GatehouseError.missingToken }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count >= 1, parts[0].lowercased() == "bearer" else { throw GatehouseError.missingToken }
        guard parts.count == 2 else { throw GatehouseError.invalidToken }
        // Plain Substring trimming: Foundation's trimmingCharacters(in:) bridges to NSString (~5 % of a /users/me).
        var trimmed = parts[1].drop { $0 == " " || $0 == "\t" }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
        let token = String(trimmed)
        guard !token.isEmpty, token.utf8.count <= 8192 else { throw GatehouseError.invalidToken }
        var context = context
        context.principal = try await auth.authenticate(accessToken: token)
        if let principal = context.principal {
            context.logger[metadataKey: "user.id"] = .string(principal.user.id.uuidString.lowercased())
        }
        return try await next(request, context)
    }
}
