import Logging

/// The id of the HTTP request a task is serving, carried as a task-local so that every log line written while
/// serving it (use cases included) can name it without passing a logger through every call.
public enum RequestTrace {
    /// The current request's `X-Request-ID`, or nil outside a request.
    @TaskLocal public static var requestId: String?

    /// A swift-log metadata provider adding `request.id` to every line logged inside a request.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let id = RequestTrace.requestId else { return [:] }
        return ["request.id": .string(id)]
    }
}
