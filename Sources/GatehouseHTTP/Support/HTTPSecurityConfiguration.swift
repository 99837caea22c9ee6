import GatehouseCore
import Hummingbird

/// The HTTP hardening settings of ``buildRouter(auth:users:store:version:security:metrics:)``. The defaults are
/// safe for a service reached directly (no proxy trusted, rate limits on with ``RateLimitPolicy/defaults``, no CORS,
/// no HSTS because the scheme is unknown here).
public struct HTTPSecurityConfiguration: Sendable {
    /// Which peers may set the client address through `X-Forwarded-For` (`GATEHOUSE_TRUSTED_PROXIES`).
    public var clientAddressResolver = ClientAddressResolver()
    /// Whether the auth endpoints are rate limited per client (`GATEHOUSE_RATE_LIMITS_ENABLED`).
    public var rateLimitsEnabled = true
    /// The per-endpoint budgets (`GATEHOUSE_RATE_LIMITS`).
    public var rateLimits = RateLimitPolicy.defaults
    /// The most rate-limit buckets kept in memory (all endpoints together).
    public var rateLimitMaxKeys = 100_000
    /// Origins allowed to call the API from a browser (`GATEHOUSE_CORS_ORIGINS`), lower-case `scheme://host[:port]`;
    /// empty: no CORS headers at all.
    public var corsAllowedOrigins: [String] = []
    /// Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` (set when the public URL is https).
    public var strictTransportSecurity = false
    /// A request target (path and query) longer than this many bytes is `414 uri_too_long`.
    public var maxURLBytes = 8 * 1024
    /// Request header fields totalling more than this many bytes (names, values and 4 bytes of `: ` and CRLF per
    /// field) are `431 request_header_fields_too_large`.
    public var maxHeaderBytes = 16 * 1024
    /// The clock of the rate limiter.
    public var clock: any WallClock = SystemWallClock()
    /// Where the socket peer's address comes from; the context's ``GatehouseRequestContext/remoteAddress`` unless a
    /// test substitutes it (in-process router tests have no socket).
    public var peerAddress: @Sendable (Request, GatehouseRequestContext) -> String? = { _, context in context.remoteAddress }

    public init() {}
}
