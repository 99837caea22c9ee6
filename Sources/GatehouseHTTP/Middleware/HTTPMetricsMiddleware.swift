import GatehouseCore
import HTTPTypes
import Hummingbird

/// Records `gatehouse_http_requests_total{route,status}`, `gatehouse_http_request_duration_seconds{route}` and, for
/// `POST /api/v1/auth/login`, `gatehouse_logins_total{outcome}` (see ``GatehouseMetrics``). Runs outside
/// ``ProblemMiddleware`` so it sees the final status and problem code of every request. The route is the matched
/// pattern (`context.endpointPath`), `unmatched` for unknown routes, never the raw path.
public struct HTTPMetricsMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext
    let metrics: GatehouseMetrics

    /// The route pattern of the login endpoint.
    static let loginRoute = "/api/v1/auth/login"

    public init(metrics: GatehouseMetrics) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status, code: nil, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context, status: status, code: (error as? ProblemError)?.code, start: start)
            throw error
        }
    }

    func record(_ request: Request, _ context: Context, status: HTTPResponse.Status, code: String?, start: ContinuousClock.Instant) {
        let matched = context.endpointPath
        let route = matched == nil || matched == "NotFound" ? "unmatched" : matched!
        metrics.recordRequest(route: route, status: status, duration: ContinuousClock.now - start)
        if route == Self.loginRoute, request.method == .post, let outcome = Self.loginOutcome(status: status, code: code) {
            metrics.recordLogin(outcome)
        }
    }

    /// 200 success; 401 failure; 429 `too_many_attempts` locked; 403 `account_disabled` disabled, other 403s
    /// (`email_not_verified`) failure; anything else is no login decision.
    static func loginOutcome(status: HTTPResponse.Status, code: String?) -> GatehouseMetrics.LoginOutcome? {
        switch status.code {
        case 200: return .success
        case 401: return .failure
        case 403: return code == GatehouseError.Code.accountDisabled.rawValue ? .disabled : .failure
        case 429: return code == GatehouseError.Code.tooManyAttempts.rawValue ? .locked : nil
        default: return nil
        }
    }
}
