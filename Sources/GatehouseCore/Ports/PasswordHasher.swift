import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Hashes and verifies passwords. Implementations do CPU-heavy work off the caller's thread (never on an event loop).
public protocol PasswordHasher: Sendable {
    /// Returns a storable hash of `password`.
    /// - Throws: ``GatehouseError`` `validation_failed` for a password containing NUL; errors of the worker pool.
    func hash(_ password: String) async throws -> String
    /// Whether `password` matches `hash`. Returns false (never throws) for malformed hashes.
    func verify(_ password: String, against hash: String) async throws -> Bool
    /// Spends the same work as ``verify(_:against:)`` without a stored hash (unknown emails), so that response
    /// time does not reveal whether an account exists.
    func verifyDummy(_ password: String) async throws
}

/// bcrypt (HummingbirdBcrypt) over a SHA-256 pre-hash, computed on a dedicated `NIOThreadPool`.
///
/// bcrypt reads at most 72 bytes and stops at NUL. Gatehouse hashes `base64(SHA-256(password))` (44 ASCII bytes) and
/// marks the result with the prefix `$gh-sha256$`, so every byte of a long password counts. Plain `$2a$`/`$2b$`
/// hashes made by other systems still verify (import), but only for passwords of at most 72 bytes without NUL, so a
/// longer input never collapses onto its first 72 bytes.
public struct BcryptPasswordHasher: PasswordHasher {
    /// The marker of Gatehouse's pre-hashed bcrypt format.
    public static let prehashPrefix = "$gh-sha256$"
    /// bcrypt cost (log2 rounds), 10 to 16.
    public let cost: Int
    private let threadPool: NIOThreadPool
    private let dummyHash: DummyHash

    /// - Parameters:
    ///   - cost: bcrypt cost, 10 to 16 (callers validate the configured value).
    ///   - threadPool: A started pool reserved for password work; its size bounds concurrent hashing.
    public init(cost: Int, threadPool: NIOThreadPool) {
        precondition((4...31).contains(cost), "bcrypt cost out of range")
        self.cost = cost
        self.threadPool = threadPool
        self.dummyHash = DummyHash(cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        guard !password.unicodeScalars.contains("\u{0}") else {
            throw GatehouseError.validation([FieldViolation(field: "password", code: "contains_nul", message: "The password must not contain a NUL character.")])
        }
        let cost = UInt8(self.cost)
        let prehashed = Self.prehash(password)
        return try await threadPool.runIfActive { Self.prehashPrefix + Bcrypt.hash(prehashed, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        if password.unicodeScalars.contains("\u{0}") {
            try await verifyDummy(password)
            return false
        }
        if hash.hasPrefix(Self.prehashPrefix) {
            let stored = String(hash.dropFirst(Self.prehashPrefix.count))
            let prehashed = Self.prehash(password)
            return try await threadPool.runIfActive { Bcrypt.verify(prehashed, hash: stored) }
        }
        guard hash.hasPrefix("$2a$") || hash.hasPrefix("$2b$") else { return false }
        guard password.utf8.count <= 72 else {
            try await verifyDummy(password)
            return false
        }
        return try await threadPool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    public func verifyDummy(_ password: String) async throws {
        let stored = try await dummyHash.value(on: threadPool)
        let prehashed = Self.prehash(password)
        _ = try await threadPool.runIfActive { Bcrypt.verify(prehashed, hash: stored) }
    }

    static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// A bcrypt hash of a random string at the configured cost, made once on first use.
    private actor DummyHash {
        let cost: Int
        var task: Task<String, any Error>?
        init(cost: Int) { self.cost = cost }
        func value(on pool: NIOThreadPool) async throws -> String {
            if let task { return try await task.value }
            let cost = UInt8(self.cost)
            let task = Task { try await pool.runIfActive { Bcrypt.hash(UUID().uuidString, cost: cost) } }
            self.task = task
            return try await task.value
        }
    }
}
