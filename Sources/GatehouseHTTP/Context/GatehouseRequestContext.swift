import Foundation
import GatehouseCore
import Hummingbird
import NIOCore

/// The request context of every Gatehouse route: Hummingbird's core storage, a 64 KiB upload limit, the request id
/// (set by ``RequestIDMiddleware``), the client address, and the signed-in caller once ``BearerAuthenticator`` ran.
public struct GatehouseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Request bodies larger than this (bytes) are `413 payload_too_large`.
    public var maxUploadSize: Int { 64 * 1024 }
    /// The `X-Request-ID` of this request (echoed or generated).
    public var requestId: String = ""
    /// The socket peer's IP address, if known.
    public let remoteAddress: String?
    /// The client's address as resolved by ``RequestIDMiddleware`` (``ClientAddressResolver``): the socket peer, or
    /// behind a trusted proxy the right-most untrusted `X-Forwarded-For` hop; nil when the peer is unknown.
    public var clientAddress: String?
    /// The caller, set by ``BearerAuthenticator`` on authenticated routes.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The caller of an authenticated route.
    /// - Throws: `401 missing_token` when the route ran without ``BearerAuthenticator``.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw GatehouseError.missingToken }
        return principal
    }
}
