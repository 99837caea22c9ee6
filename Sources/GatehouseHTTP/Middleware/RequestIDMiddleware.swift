import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-ID`.
    static let requestID = Self("X-Request-ID")!
    /// `X-Forwarded-For`.
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// Outermost middleware: gives each request an id (the client's `X-Request-ID` when it is 1 to 128 characters of
/// `[A-Za-z0-9._:-]`, a new UUID otherwise), resolves the client address (``ClientAddressResolver``: the socket peer,
/// or behind a trusted proxy the right-most untrusted `X-Forwarded-For` hop) into
/// ``GatehouseRequestContext/clientAddress`` and ``RequestTrace/current``, puts the id on the logger and on every
/// response, adds the security headers (`Cache-Control: no-store`, `X-Content-Type-Options: nosniff`,
/// `Referrer-Policy: no-referrer`, and `Strict-Transport-Security: max-age=31536000; includeSubDomains` when
/// `strictTransportSecurity` is set) and logs one line per request with method, path (never the query string),
/// status and duration in milliseconds.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext
    let resolver: ClientAddressResolver
    let strictTransportSecurity: Bool
    let peerAddress: @Sendable (Request, GatehouseRequestContext) -> String?

    /// - Parameters:
    ///   - resolver: Which proxies' `X-Forwarded-For` is believed (default: none).
    ///   - strictTransportSecurity: Send HSTS (only when the service is reached over https).
    ///   - peerAddress: The socket peer of a request (default: the context's ``GatehouseRequestContext/remoteAddress``).
    public init(
        resolver: ClientAddressResolver = ClientAddressResolver(), strictTransportSecurity: Bool = false,
        peerAddress: @escaping @Sendable (Request, GatehouseRequestContext) -> String? = { _, context in context.remoteAddress }
    ) {
        self.resolver = resolver
        self.strictTransportSecurity = strictTransportSecurity
        self.peerAddress = peerAddress
    }

    static func isSane(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D || $0 == 0x3A }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestId = request.headers[.requestID].flatMap { Self.isSane($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestId = requestId
        context.logger[metadataKey: "request.id"] = .string(requestId)
        context.clientAddress = resolver.resolve(peer: peerAddress(request, context), forwardedFor: request.headers[values: .xForwardedFor])
        let start = ContinuousClock.now
        var response: Response
        do {
            let info = RequestInfo(requestId: requestId, clientAddress: context.clientAddress, userAgent: request.headers[.userAgent])
            response = try await RequestTrace.$current.withValue(info) { try await next(request, context) }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.requestID] = requestId
        response.headers[.cacheControl] = "no-store"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if strictTransportSecurity { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.path": "\(request.uri.path)", "http.status": "\(response.status.code)",
                "http.duration_ms": "\(String(format: "%.2f", ms))",
            ])
        return response
    }
}

/// Turns every error into an RFC 9457 problem document: ``GatehouseError`` by its code, Hummingbird's own errors by
/// status (unknown route `404 not_found`, oversized body `413 payload_too_large`), and anything else into a logged
/// `500 internal_error` whose body reveals nothing.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.problemError(for: error, context: context)
        }
    }

    /// The problem document `error` is answered with (logging store failures and unexpected errors once).
    static func problemError(for error: any Error, context: Context) -> ProblemError {
        switch error {
        case let error as GatehouseError:
            if error.code == .serviceUnavailable { context.logger.warning("database unavailable") }
            return ProblemError(error)
        case let error as StoreError:
            if error.isUnavailable {
                context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
                return ProblemError(GatehouseError.serviceUnavailable)
            }
            context.logger.error("store error", metadata: ["error": "\(error)"])
            return ProblemError(GatehouseError(.internalError, "An unexpected error occurred."))
        case let error as ProblemError:
            return error
        case let error as HTTPError:
            return Self.problem(for: error.status, detail: nil)
        case let error as any HTTPResponseError:
            return Self.problem(for: error.status, detail: nil)
        default:
            context.logger.error("unhandled error", metadata: ["error.type": "\(String(describing: type(of: error)))"])
            return ProblemError(GatehouseError(.internalError, "An unexpected error occurred."))
        }
    }

    static func problem(for status: HTTPResponse.Status, detail: String?) -> ProblemError {
        let code: String
        switch status {
        case .notFound: code = GatehouseError.Code.notFound.rawValue
        case .contentTooLarge: code = GatehouseError.Code.payloadTooLarge.rawValue
        case .methodNotAllowed: code = GatehouseError.Code.methodNotAllowed.rawValue
        case .unsupportedMediaType: code = GatehouseError.Code.unsupportedMediaType.rawValue
        case .badRequest: code = GatehouseError.Code.malformedRequest.rawValue
        case .uriTooLong: code = "uri_too_long"
        case .requestHeaderFieldsTooLarge: code = "request_header_fields_too_large"
        case .unauthorized: return ProblemError(GatehouseError.missingToken)
        default: code = status.code >= 500 ? GatehouseError.Code.internalError.rawValue : "http_\(status.code)"
        }
        return ProblemError(status: status, code: code, detail: detail ?? status.reasonPhrase)
    }
}
