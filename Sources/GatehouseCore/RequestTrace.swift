import Logging

/// Facts about the HTTP request a task is serving, carried as a task-local so that log lines, sessions and audit
/// events written while serving it can name the request without passing it through every call.
public struct RequestInfo: Sendable, Equatable {
    /// The request's `X-Request-ID`.
    public var requestId: String
    /// The client address (the socket peer, or the right-most untrusted `X-Forwarded-For` hop behind a trusted proxy).
    public var clientAddress: String?
    /// `User-Agent`, cut to 512 characters.
    public var userAgent: String?

    public init(requestId: String, clientAddress: String? = nil, userAgent: String? = nil) {
        self.requestId = requestId
        self.clientAddress = clientAddress
        self.userAgent = userAgent.map { String($0.prefix(512)) }
    }
}

/// Access to the current ``RequestInfo``.
public enum RequestTrace {
    /// The request being served, or nil outside a request.
    @TaskLocal public static var current: RequestInfo?

    /// The current request's id, or nil outside a request.
    public static var requestId: String? { current?.requestId }

    /// A swift-log metadata provider adding `request.id` to every line logged inside a request.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let id = RequestTrace.current?.requestId else { return [:] }
        return ["request.id": .string(id)]
    }
}
