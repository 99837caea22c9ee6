import CoreMetrics

/// A ``PasswordHasher`` decorator that counts verifications: every ``verify(_:against:)`` and every
/// ``verifyDummy(_:)`` (the same bcrypt work, spent for unknown accounts) increments `verifications` once, before
/// the work starts, whether it then succeeds, fails or throws. Hashing is passed through uncounted.
public struct MeteredPasswordHasher: PasswordHasher {
    public let inner: any PasswordHasher
    private let verifications: any CounterHandler

    /// - Parameters:
    ///   - inner: The hasher doing the work.
    ///   - verifications: The counter to increment, e.g. `gatehouse_password_verifications_total`.
    public init(_ inner: any PasswordHasher, verifications: any CounterHandler) {
        self.inner = inner
        self.verifications = verifications
    }

    public func hash(_ password: String) async throws -> String {
        try await inner.hash(password)
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        verifications.increment(by: 1)
        return try await inner.verify(password, against: hash)
    }

    public func verifyDummy(_ password: String) async throws {
        verifications.increment(by: 1)
        try await inner.verifyDummy(password)
    }
}
