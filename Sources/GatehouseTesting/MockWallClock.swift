import Foundation
import GatehouseCore
import Synchronization

/// A settable ``WallClock`` for tests. Thread-safe; starts at `start` (default 2025-01-01T00:00:00Z) and only moves
/// when told to.
public final class MockWallClock: WallClock {
    private let current: Mutex<Date>

    /// - Parameter start: The initial time, truncated to whole milliseconds.
    public init(_ start: Date = Date(millisecondsSince1970: 1_735_689_600_000)) {
        current = Mutex(start.truncatedToMilliseconds)
    }

    /// The current mock time.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds` (negative moves it back); the result is truncated to milliseconds.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds).truncatedToMilliseconds }
    }

    /// Sets the clock to `date`, truncated to milliseconds.
    public func set(_ date: Date) {
        current.withLock { $0 = date.truncatedToMilliseconds }
    }
}
