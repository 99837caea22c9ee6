import Foundation

/// The source of "now" for every expiry decision, injected so expiry logic is tested without sleeping.
public protocol WallClock: Sendable {
    /// The current time, UTC.
    func now() -> Date
}

/// The system's real-time clock, truncated to whole milliseconds (the storage precision).
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date().truncatedToMilliseconds }
}
