import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// Gatehouse's Prometheus metrics, created directly in the ``registry`` passed in (no global `MetricsSystem`
/// bootstrap), and served by `GET /metrics`:
///
/// - `gatehouse_password_verifications_total`: password verifications (bcrypt work, dummy work for unknown emails
///   included), counted by ``MeteredPasswordHasher`` through ``passwordVerifications``;
/// - `gatehouse_logins_total{outcome}`: `POST /auth/login` decisions: `success` (200), `failure` (401, and 403 other
///   than a disabled account), `locked` (429 `too_many_attempts`), `disabled` (403 `account_disabled`); requests
///   refused before a decision (422, 400, 429 `rate_limited`, 5xx) are not logins;
/// - `gatehouse_rate_limited_total{endpoint}`: requests refused with `429 rate_limited`;
/// - `gatehouse_http_requests_total{route,status}` and `gatehouse_http_request_duration_seconds{route}`: every request
///   by matched route pattern (`/api/v1/users/{userId}`, `unmatched` for unknown routes), never the raw path.
public final class GatehouseMetrics: Sendable {
    /// The login outcomes counted by `gatehouse_logins_total`.
    public enum LoginOutcome: String, Sendable, CaseIterable {
        case success, failure, locked, disabled
    }

    public let registry: PrometheusCollectorRegistry
    /// `gatehouse_password_verifications_total`.
    public let passwordVerifications: Prometheus.Counter
    private let logins: [LoginOutcome: Prometheus.Counter]
    private let rateLimited: [RateLimitedEndpoint: Prometheus.Counter]

    /// Upper bounds (seconds) of the request-duration histogram buckets; bcrypt logins land around 0.1–0.5 s.
    public static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        passwordVerifications = registry.makeCounter(
            descriptor: .init(
                namespace: "gatehouse", metricName: "password_verifications", unitName: "total",
                helpText: "Password verifications performed (bcrypt), including dummy work for unknown accounts."))
        logins = Dictionary(
            uniqueKeysWithValues: LoginOutcome.allCases.map { outcome in
                (
                    outcome,
                    registry.makeCounter(
                        descriptor: .init(namespace: "gatehouse", metricName: "logins", unitName: "total", helpText: "Login decisions by outcome."),
                        labels: [("outcome", outcome.rawValue)])
                )
            })
        rateLimited = Dictionary(
            uniqueKeysWithValues: RateLimitedEndpoint.allCases.map { endpoint in
                (
                    endpoint,
                    registry.makeCounter(
                        descriptor: .init(
                            namespace: "gatehouse", metricName: "rate_limited", unitName: "total",
                            helpText: "Requests refused with 429 rate_limited, by endpoint."),
                        labels: [("endpoint", endpoint.rawValue)])
                )
            })
    }

    /// Counts one login decision.
    public func recordLogin(_ outcome: LoginOutcome) {
        logins[outcome]?.increment()
    }

    /// Counts one `429 rate_limited`.
    public func recordRateLimited(_ endpoint: RateLimitedEndpoint) {
        rateLimited[endpoint]?.increment()
    }

    /// Counts one finished request and records its duration.
    public func recordRequest(route: String, status: HTTPResponse.Status, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(namespace: "gatehouse", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests by route and status."),
            labels: [("route", route), ("status", String(status.code))]
        ).increment()
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        registry.makeValueHistogram(
            descriptor: .init(
                namespace: "gatehouse", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                helpText: "HTTP request duration in seconds by route."),
            labels: [("route", route)], buckets: Self.durationBuckets
        ).record(seconds)
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> ByteBuffer {
        ByteBuffer(bytes: registry.emitToBuffer())
    }

    /// Adds `GET /metrics` (Prometheus text format 0.0.4) to `router`.
    public func addRoute(to router: Router<GatehouseRequestContext>) {
        router.get("metrics") { [self] _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: exposition()))
        }
    }
}
