import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-ID`.
    static let requestID = Self("X-Request-ID")!
}

/// Outermost middleware: gives each request an id (the client's `X-Request-ID` when it is 1 to 128 characters of
/// `[A-Za-z0-9._:-]`, a new UUID otherwise), puts it on the logger and on every response, adds the security headers
/// (`Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`) and logs one line per
/// request with method, path (never the query string), status and duration in milliseconds.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext

    public init() {}

    static func isSane(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D || $0 == 0x3A }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestId = request.headers[.requestID].flatMap { Self.isSane($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestId = requestId
        context.logger[metadataKey: "request.id"] = .string(requestId)
        let start = ContinuousClock.now
        var response: Response
        do {
            let info = RequestInfo(requestId: requestId, clientAddress: context.remoteAddress, userAgent: request.headers[.userAgent])
            response = try await RequestTrace.$current.withValue(info) { try await next(request, context) }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.requestID] = requestId
        response.headers[.cacheControl] = "no-store"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
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
        } catch let error as GatehouseError {
            if error.code == .serviceUnavailable { context.logger.warning("database unavailable") }
            throw ProblemError(error)
        } catch let error as StoreError {
            if error.isUnavailable {
                context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
                throw ProblemError(GatehouseError.serviceUnavailable)
            }
            context.logger.error("store error", metadata: ["error": "\(error)"])
            throw ProblemError(GatehouseError(.internalError, "An unexpected error occurred."))
        } catch let error as ProblemError {
            throw error
        } catch let error as HTTPError {
            throw Self.problem(for: error.status, detail: nil)
        } catch let error as any HTTPResponseError {
            throw Self.problem(for: error.status, detail: nil)
        } catch {
            context.logger.error("unhandled error", metadata: ["error.type": "\(String(describing: type(of: error)))"])
            throw ProblemError(GatehouseError(.internalError, "An unexpected error occurred."))
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
        case .unauthorized: return ProblemError(GatehouseError.missingToken)
        default: code = status.code >= 500 ? GatehouseError.Code.internalError.rawValue : "http_\(status.code)"
        }
        return ProblemError(status: status, code: code, detail: detail ?? status.reasonPhrase)
    }
}
