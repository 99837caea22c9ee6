import GatehouseCore
import GatehouseSQL
import NIOPosix
import SQLiteNIO

extension SQLStoreErrorMapper {
    /// Maps sqlite-nio errors: unique / primary-key violations -> ``StoreError/duplicate(_:)``; busy, locked, IO,
    /// can't-open, misuse of a closed handle and an inactive thread pool -> ``StoreError/unavailable(_:)``;
    /// everything else -> ``StoreError/other(_:)``. SQLite messages name columns, never bound values.
    public static let sqlite = SQLStoreErrorMapper { error in
        if error is NIOThreadPoolError.ThreadPoolInactive { return .unavailable("SQLite thread pool is shut down") }
        // sqlite-nio's pool answers CancellationError once the connection's pool is shut down (database closed).
        if error is CancellationError { return .unavailable("SQLite connection is closed") }
        guard let sqlite = error as? SQLiteError else { return nil }
        let text = sqlite.description
        switch sqlite.reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
            return .duplicate(text)
        case .constraint:
            return sqlite.message.uppercased().contains("UNIQUE") ? .duplicate(text) : .other(text)
        case .busy, .busyTimeout, .busyInRecovery, .busyInSnapshot, .locked, .lockedBySharedCache, .ioError, .cantOpen,
            .cantOpenDirectory, .cantOpenInvalidPath, .misuse, .full, .notADatabase, .corrupt, .connection, .close:
            return .unavailable(text)
        default:
            let name = String(describing: sqlite.reason)
            return name.hasPrefix("ioError") ? .unavailable(text) : .other(text)
        }
    }
}
