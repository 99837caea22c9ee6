import GatehouseCore
import Hummingbird

/// Builds the whole HTTP surface: `/health`, `/health/ready`, `/api/v1/auth/*`, `/api/v1/users*`, with request
/// ids, security headers, request logging and problem documents on every route (unknown routes included).
/// - Parameters:
///   - auth: The account use cases.
///   - users: The user-management use cases.
///   - store: Pinged by `/health/ready`.
///   - version: Reported by `/health`.
///   - sessions: The sessions API use cases.
///   - auditLog: Reading the audit log.
///   - security: Client addresses, per-client rate limits of the auth endpoints, CORS, HSTS and request-head size
///     limits (defaults: no trusted proxy, default rate limits, no CORS, no HSTS).
///   - metrics: When set, requests, logins and rate-limit refusals are counted into it and `GET /metrics` serves
///     them; when nil there is no `/metrics` route (`404`).
public func buildRouter(
    auth: AuthService, users: UserService, sessions: SessionService, auditLog: AuditService, store: any GatehouseStore, version: String,
    security: HTTPSecurityConfiguration = HTTPSecurityConfiguration(), metrics: GatehouseMetrics? = nil
) -> Router<GatehouseRequestContext> {
    let router = Router(context: GatehouseRequestContext.self)
    // Order, outermost first: request id + client address + security headers, CORS (preflights end here), metrics
    // (sees final statuses and problem codes), request-head limits, problem documents.
    router.add(
        middleware: RequestIDMiddleware(
            resolver: security.clientAddressResolver, strictTransportSecurity: security.strictTransportSecurity,
            peerAddress: security.peerAddress))
    if !security.corsAllowedOrigins.isEmpty { router.add(middleware: CORSAllowListMiddleware(allowedOrigins: security.corsAllowedOrigins)) }
    if let metrics { router.add(middleware: HTTPMetricsMiddleware(metrics: metrics)) }
    router.add(middleware: RequestLimitsMiddleware(maxURLBytes: security.maxURLBytes, maxHeaderBytes: security.maxHeaderBytes))
    router.add(middleware: ProblemMiddleware())
    metrics?.addRoute(to: router)
    HealthController(store: store, version: version).addRoutes(to: router)
    let api = router.group("api/v1")
    let authGroup = api.group("auth")
    if security.rateLimitsEnabled {
        let limiter = RateLimiter(policy: security.rateLimits, clock: security.clock, maxKeys: security.rateLimitMaxKeys)
        authGroup.add(middleware: RateLimitMiddleware(limiter: limiter, metrics: metrics))
    }
    AuthController(auth: auth).addRoutes(to: authGroup)
    SessionController(auth: auth, sessions: sessions).addRoutes(to: api.group("users"))
    UserController(auth: auth, users: users).addRoutes(to: api.group("users"))
    AuditController(auth: auth, auditLog: auditLog).addRoutes(to: api.group("audit-events"))
    return router
}
