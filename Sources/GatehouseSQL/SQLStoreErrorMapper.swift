import GatehouseCore
import SQLKit

/// Translates driver errors into ``StoreError`` so that no driver error reaches the use cases.
///
/// Each backend supplies one that knows its driver's error types (see `GatehouseSQLite`); ``generic`` recognises
/// common unique-violation and connection-failure wordings of SQLite, PostgreSQL and MySQL/MariaDB by their
/// description. Mapped reasons carry the driver's message, which never includes bound values.
public struct SQLStoreErrorMapper: Sendable {
    private let classify: @Sendable (any Error) -> StoreError?

    /// - Parameter classify: Returns the ``StoreError`` for a driver error, or nil to fall back to ``generic``.
    public init(_ classify: @escaping @Sendable (any Error) -> StoreError?) {
        self.classify = classify
    }

    /// Maps `error`: a ``StoreError`` passes through; otherwise the classifier decides, then ``generic``.
    public func map(_ error: any Error) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        if let mapped = classify(error) { return mapped }
        return Self.genericMapping(error)
    }

    /// Text-based classification usable with any driver: unique violations -> ``StoreError/duplicate(_:)``,
    /// closed connections / IO -> ``StoreError/unavailable(_:)``, everything else -> ``StoreError/other(_:)``.
    public static let generic = SQLStoreErrorMapper { _ in nil }

    static func genericMapping(_ error: any Error) -> StoreError {
        let text = String(describing: error)
        let lower = text.lowercased()
        let duplicateMarkers = ["unique constraint", "constraintunique", "duplicate key", "duplicate entry", "unique violation"]
        if duplicateMarkers.contains(where: lower.contains) { return .duplicate(text) }
        let unavailableMarkers = [
            "connection closed", "connectionclosed", "not connected", "threadpoolinactive", "ioerror", "timed out",
            "timeout", "connection refused", "broken pipe", "connection reset", "cantopen",
        ]
        if unavailableMarkers.contains(where: lower.contains) { return .unavailable(text) }
        return .other(text)
    }
}
