import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem document (`application/problem+json`) with Gatehouse's extension members `code` (stable,
/// machine-readable) and `errors` (every violated field rule, validation failures only).
public struct ProblemDocument: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var errors: [FieldViolation]?
    /// The request's `X-Request-ID`, to quote in support requests.
    public var requestId: String?
}

/// The one error type of the HTTP edge: renders a ``ProblemDocument`` with the right status and headers
/// (`WWW-Authenticate` on 401s, RFC 6750).
public struct ProblemError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let title: String
    public let detail: String
    public let violations: [FieldViolation]
    public let headers: HTTPFields

    public init(status: HTTPResponse.Status, code: String, detail: String, violations: [FieldViolation] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.title = status.reasonPhrase
        self.detail = detail
        self.violations = violations
        self.headers = headers
    }

    /// Maps a domain error to its status (see api.md).
    public init(_ error: GatehouseError) {
        var headers: HTTPFields = [:]
        let status: HTTPResponse.Status
        switch error.code {
        case .validationFailed: status = .unprocessableContent
        case .emailTaken, .lastSuperAdmin: status = .conflict
        case .invalidCredentials: status = .unauthorized
        case .invalidToken, .invalidRefreshToken:
            status = .unauthorized
            headers[.wwwAuthenticate] = #"Bearer realm="gatehouse", error="invalid_token""#
        case .missingToken:
            status = .unauthorized
            headers[.wwwAuthenticate] = #"Bearer realm="gatehouse""#
        case .accountDisabled, .emailNotVerified, .forbidden: status = .forbidden
        case .invalidVerificationToken, .invalidResetToken, .malformedRequest, .invalidFieldType: status = .badRequest
        case .userNotFound, .notFound: status = .notFound
        case .unsupportedMediaType: status = .unsupportedMediaType
        case .payloadTooLarge: status = .contentTooLarge
        case .methodNotAllowed: status = .methodNotAllowed
        case .serviceUnavailable, .overloaded: status = .serviceUnavailable
        case .tooManyAttempts, .rateLimited: status = .tooManyRequests
        case .internalError: status = .internalServerError
        }
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if error.code == .invalidCredentials {
            // RFC 9110: a 401 carries a challenge; this one does not invalidate the caller's bearer token.
            headers[.wwwAuthenticate] = #"Bearer realm="gatehouse""#
        }
        self.init(status: status, code: error.code.rawValue, detail: error.detail, violations: error.violations, headers: headers)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestId = (context as? GatehouseRequestContext)?.requestId
        let document = ProblemDocument(
            type: "about:blank", title: title, status: Int(status.code), detail: detail, code: code,
            errors: violations.isEmpty ? nil : violations, requestId: requestId)
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: try JSON.encode(document)))
    }
}

/// JSON coding shared by responses.
enum JSON {
    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(data: try encoder.encode(value))
    }

    /// A `200`-family JSON response (`application/json; charset=utf-8`).
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: try encode(value)))
    }
}
