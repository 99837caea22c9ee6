import GatehouseCore
import HTTPTypes
import Hummingbird

/// Refuses oversized request heads before any other work: a request target (path and query) over `maxURLBytes` is
/// `414 uri_too_long`; header fields totalling over `maxHeaderBytes` (each field counted as name + value + 4 bytes for
/// `: ` and CRLF) are `431 request_header_fields_too_large`.
///
/// These limits sit well below the HTTP/1 decoder's own (swift-nio's `NIOHTTPDecoderLimitConfiguration` as set by
/// Hummingbird: 80 KiB for the request line and all header fields together, 80 KiB per field, 1000 fields). A head
/// beyond the decoder's limits never reaches the router: Hummingbird answers a bare `400 Bad Request`
/// (`Connection: close`, no body, no `X-Request-ID`) and closes the connection.
public struct RequestLimitsMiddleware: RouterMiddleware {
    public typealias Context = GatehouseRequestContext
    let maxURLBytes: Int
    let maxHeaderBytes: Int

    public init(maxURLBytes: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024) {
        self.maxURLBytes = maxURLBytes
        self.maxHeaderBytes = maxHeaderBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if (request.head.path?.utf8.count ?? 0) > maxURLBytes {
            throw ProblemError(status: .uriTooLong, code: "uri_too_long", detail: "The request URL is longer than \(maxURLBytes) bytes.")
        }
        if Self.headerBytes(request.headers) > maxHeaderBytes {
            throw ProblemError(
                status: .requestHeaderFieldsTooLarge, code: "request_header_fields_too_large",
                detail: "The request header fields are larger than \(maxHeaderBytes) bytes in total.")
        }
        return try await next(request, context)
    }

    static func headerBytes(_ fields: HTTPFields) -> Int {
        fields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }
}
