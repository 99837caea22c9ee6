import Foundation
import HTTPTypes
import Hummingbird

/// CORS for an allow-list of origins, on top of Hummingbird's `CORSMiddleware`.
///
/// A request whose `Origin` is on the list (compared case-insensitively) gets `Access-Control-Allow-Origin: <origin>`
/// and `Vary: Origin`; a preflight (`OPTIONS` with that `Origin`) is answered `204` at once with the allowed methods
/// (GET, POST, PATCH, DELETE), headers (Authorization, Content-Type, X-Request-ID) and a 10 minute max age, and does
/// not reach rate limits or handlers. Responses expose `X-Request-ID`, `Retry-After` and the rate-limit headers.
/// Credentials mode is off (Gatehouse uses bearer tokens, not cookies). Any other origin, and requests without
/// `Origin`, pass through with no CORS headers (a preflight from such an origin is then `404`, which browsers treat
/// as refused).
public struct CORSAllowListMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext
    let origins: Set<String>
    let cors: CORSMiddleware<GatehouseRequestContext>

    /// Headers a browser script may read.
    public static let exposedHeaders = [
        "X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "X-RateLimit-Limit",
        "X-RateLimit-Remaining", "X-RateLimit-Reset",
    ]

    /// - Parameter allowedOrigins: Origins as produced by ``parseOrigins(_:)``.
    public init(allowedOrigins: [String]) {
        self.origins = Set(allowedOrigins.map { $0.lowercased() })
        self.cors = CORSMiddleware(
            allowOrigin: .originBased,
            allowHeaders: [.authorization, .contentType, .requestID],
            allowMethods: [.get, .post, .patch, .delete],
            allowCredentials: false,
            exposedHeaders: Self.exposedHeaders,
            maxAge: .seconds(600))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin.lowercased()) else {
            return try await next(request, context)
        }
        if request.method == .options {
            return try await cors.handle(request, context: context, next: next)
        }
        // Actual requests: error answers (problem documents) included, the origin gets the CORS headers and may read
        // the exposed ones (Hummingbird's middleware sends `Access-Control-Expose-Headers` on preflights only).
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders.joined(separator: ", ")
        response.headers[.vary] = "Origin"
        return response
    }

    /// Why a `GATEHOUSE_CORS_ORIGINS` entry was refused.
    public struct OriginError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Parses a comma-separated list of origins: each `http://` or `https://` plus a host and optional port, with no
    /// path, query, fragment or user info (a trailing `/` is dropped). Results are lower-case; empty entries are
    /// ignored.
    /// - Throws: ``OriginError`` naming the first bad entry (`*` and `null` included: this is an allow-list).
    public static func parseOrigins(_ text: String) throws(OriginError) -> [String] {
        var result: [String] = []
        for raw in text.split(separator: ",") {
            var entry = String(raw).trimmingASCIIWhitespace()
            if entry.isEmpty { continue }
            if entry.hasSuffix("/") { entry.removeLast() }
            guard let components = URLComponents(string: entry), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = components.host, !host.isEmpty, components.path.isEmpty, components.query == nil, components.fragment == nil,
                components.user == nil, components.password == nil
            else {
                throw OriginError(message: "entry \"\(entry)\" is not an origin such as https://app.example.com (scheme, host, optional port)")
            }
            result.append(entry.lowercased())
        }
        return result
    }
}
