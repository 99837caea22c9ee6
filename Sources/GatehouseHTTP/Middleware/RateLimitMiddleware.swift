import GatehouseCore
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// `RateLimit-Limit` (draft-ietf-httpapi-ratelimit-headers).
    static let rateLimitLimit = Self("RateLimit-Limit")!
    /// `RateLimit-Remaining`.
    static let rateLimitRemaining = Self("RateLimit-Remaining")!
    /// `RateLimit-Reset` (seconds).
    static let rateLimitReset = Self("RateLimit-Reset")!
    /// `X-RateLimit-Limit`.
    static let xRateLimitLimit = Self("X-RateLimit-Limit")!
    /// `X-RateLimit-Remaining`.
    static let xRateLimitRemaining = Self("X-RateLimit-Remaining")!
    /// `X-RateLimit-Reset` (seconds, like `RateLimit-Reset`).
    static let xRateLimitReset = Self("X-RateLimit-Reset")!
}

/// Per-client rate limits of the auth endpoints (``RateLimitedEndpoint``), applied to the `/api/v1/auth` route
/// group: one token bucket per endpoint and client (``ClientAddressResolver/rateLimitKey(for:)`` of
/// ``GatehouseRequestContext/clientAddress``), kept in this instance's memory by a ``RateLimiter``.
///
/// Every response of a limited endpoint, errors included, carries `RateLimit-Limit`, `RateLimit-Remaining`,
/// `RateLimit-Reset` and their `X-RateLimit-*` twins (seconds). Over budget the handler does not run: `429` problem
/// `rate_limited` with `Retry-After` (whole seconds, at least 1). Routes of the group that are not a
/// ``RateLimitedEndpoint`` pass through untouched.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext
    let limiter: RateLimiter
    let metrics: GatehouseMetrics?

    public init(limiter: RateLimiter, metrics: GatehouseMetrics? = nil) {
        self.limiter = limiter
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let route = context.endpointPath, let endpoint = RateLimitedEndpoint(routePath: route) else {
            return try await next(request, context)
        }
        let decision = limiter.consume(endpoint, client: ClientAddressResolver.rateLimitKey(for: context.clientAddress))
        let headers = Self.headers(decision)
        guard decision.allowed else {
            metrics?.recordRateLimited(endpoint)
            context.logger.notice("rate limited", metadata: ["rate_limit.endpoint": "\(endpoint.rawValue)"])
            let error = GatehouseError(
                .rateLimited, "Too many requests to this endpoint; retry after \(decision.retryAfterSeconds) seconds.",
                retryAfter: decision.retryAfterSeconds)
            throw ProblemError(error).adding(headers)
        }
        do {
            var response = try await next(request, context)
            for field in headers { response.headers[field.name] = field.value }
            return response
        } catch {
            throw ProblemMiddleware.problemError(for: error, context: context).adding(headers)
        }
    }

    static func headers(_ decision: RateLimiter.Decision) -> HTTPFields {
        [
            .rateLimitLimit: String(decision.limit), .rateLimitRemaining: String(decision.remaining), .rateLimitReset: String(decision.resetSeconds),
            .xRateLimitLimit: String(decision.limit), .xRateLimitRemaining: String(decision.remaining),
            .xRateLimitReset: String(decision.resetSeconds),
        ]
    }
}

extension ProblemError {
    /// The same problem with `extra` header fields set (replacing fields of the same name).
    func adding(_ extra: HTTPFields) -> ProblemError {
        var headers = self.headers
        for field in extra { headers[field.name] = field.value }
        return ProblemError(status: status, code: code, detail: detail, violations: violations, headers: headers)
    }
}
