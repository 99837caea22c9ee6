import GatehouseCore
import Hummingbird

/// Builds the whole HTTP surface: `/health`, `/health/ready`, `/api/v1/auth/*`, `/api/v1/users*`, with request
/// ids, security headers, request logging and problem documents on every route (unknown routes included).
/// - Parameters:
///   - auth: The account use cases.
///   - users: The user-management use cases.
///   - store: Pinged by `/health/ready`.
///   - version: Reported by `/health`.
public func buildRouter(auth: AuthService, users: UserService, store: any GatehouseStore, version: String) -> Router<GatehouseRequestContext> {
    let router = Router(context: GatehouseRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ProblemMiddleware())
    HealthController(store: store, version: version).addRoutes(to: router)
    let api = router.group("api/v1")
    AuthController(auth: auth).addRoutes(to: api.group("auth"))
    UserController(auth: auth, users: users).addRoutes(to: api.group("users"))
    return router
}
