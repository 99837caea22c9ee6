import Foundation
import GatehouseCore
import Hummingbird

/// `GET /health` (liveness) and `GET /health/ready` (readiness: pings the database with a timeout).
public struct HealthController: Sendable {
    let store: any GatehouseStore
    let version: String
    let startedAt: ContinuousClock.Instant
    /// How long the readiness ping may take before the database counts as down (default 2 s).
    let pingTimeout: Duration

    public init(store: any GatehouseStore, version: String, startedAt: ContinuousClock.Instant = .now, pingTimeout: Duration = .seconds(2)) {
        self.store = store
        self.version = version
        self.startedAt = startedAt
        self.pingTimeout = pingTimeout
    }

    public func addRoutes(to router: Router<GatehouseRequestContext>) {
        router.get("health", use: health)
        router.get("health/ready", use: ready)
    }

    struct Health: Encodable {
        var status = "ok"
        var version: String
        var uptimeSeconds: Int
    }

    struct Readiness: Encodable {
        struct Check: Encodable {
            var status: String
            var latencyMs: Double
        }
        var status: String
        var checks: [String: Check]
    }

    @Sendable func health(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        try JSON.response(Health(version: version, uptimeSeconds: Int((ContinuousClock.now - startedAt).components.seconds)))
    }

    @Sendable func ready(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let start = ContinuousClock.now
        let store = self.store
        let timeout = pingTimeout
        let ok: Bool = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await store.ping()) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let elapsed = ContinuousClock.now - start
        let ms = (Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15 * 1).rounded() / 1
        let status = ok ? "ok" : "unavailable"
        let body = Readiness(status: status, checks: ["database": .init(status: status, latencyMs: (ms * 100).rounded() / 100)])
        return try JSON.response(body, status: ok ? .ok : .serviceUnavailable)
    }
}
