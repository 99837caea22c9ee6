import Foundation
import GatehouseCore
import GatehouseHTTP
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Router tests have no socket: this test-only header stands in for the socket peer (code-level injection through
/// ``HTTPSecurityConfiguration/peerAddress``; production never reads it).
let testPeer = HTTPField.Name("X-Test-Peer")!

extension HTTPSecurityConfiguration {
    /// Security settings for tests: the peer comes from `X-Test-Peer` (else the real socket peer).
    static func testing(
        rateLimits: String? = nil, enabled: Bool = true, trustedProxies: String = "", cors: [String] = [], hsts: Bool = false
    ) throws -> HTTPSecurityConfiguration {
        var security = HTTPSecurityConfiguration()
        security.rateLimitsEnabled = enabled
        if let rateLimits { security.rateLimits = try RateLimitPolicy.parse(rateLimits) }
        security.clientAddressResolver = try ClientAddressResolver(parsing: trustedProxies)
        security.corsAllowedOrigins = cors
        security.strictTransportSecurity = hsts
        security.peerAddress = { request, context in request.headers[testPeer] ?? context.remoteAddress }
        return security
    }
}

extension TestApp.Options {
    static func with(_ security: HTTPSecurityConfiguration, metrics: GatehouseMetrics? = nil, live: Bool = false) -> TestApp.Options {
        var options = TestApp.Options()
        options.security = security
        options.metrics = metrics
        options.live = live
        options.extraRoutes = { router in
            // Reports what the request pipeline resolved as the client address (context and task-local trace).
            router.get("test/whoami") { _, context in
                "\(context.clientAddress ?? "nil")|\(RequestTrace.current?.clientAddress ?? "nil")|\(context.remoteAddress ?? "nil")"
            }
        }
        return options
    }
}

extension Reply {
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// The path of every rate-limited endpoint.
func path(of endpoint: RateLimitedEndpoint) -> String { "/api/v1/auth/\(endpoint.rawValue)" }
