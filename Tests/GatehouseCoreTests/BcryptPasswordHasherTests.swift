import Foundation
import HummingbirdBcrypt
import NIOPosix
import Testing

@testable import GatehouseCore

@Suite("BcryptPasswordHasher")
struct BcryptPasswordHasherTests {
    /// Runs `body` with a cost-4 hasher on a started two-thread pool, shutting the pool down afterwards.
    private func withHasher(_ body: (BcryptPasswordHasher) async throws -> Void) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        do {
            try await body(BcryptPasswordHasher(cost: 4, threadPool: pool))
        } catch {
            try await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
    }

    @Test func hashThenVerifyRoundTrip() async throws {
        try await withHasher { (hasher) async throws in
            let hash = try await hasher.hash("Correct1!horse")
            #expect(try await hasher.verify("Correct1!horse", against: hash))
            #expect(try await hasher.verify("Correct1!hors", against: hash) == false)
            #expect(try await hasher.verify("correct1!horse", against: hash) == false)
            #expect(try await hasher.verify("", against: hash) == false)
        }
    }

    @Test func storedHashUsesThePrehashFormat() async throws {
        try await withHasher { (hasher) async throws in
            let hash = try await hasher.hash("Correct1!horse")
            #expect(hash.hasPrefix("$gh-sha256$"))
            #expect(hash.hasPrefix(BcryptPasswordHasher.prehashPrefix))
            let bcryptPart = hash.dropFirst("$gh-sha256$".count)
            #expect(bcryptPart.hasPrefix("$2"))
            #expect(bcryptPart.contains("$04$"))
            #expect(!hash.contains("Correct1!horse"))
            // Salted: hashing again gives a different string that verifies too.
            let again = try await hasher.hash("Correct1!horse")
            #expect(again != hash)
            #expect(try await hasher.verify("Correct1!horse", against: again))
        }
    }

    @Test func bytesPast72Count() async throws {
        try await withHasher { (hasher) async throws in
            let prefix = String(repeating: "Ab1!", count: 18)  // 72 bytes
            #expect(prefix.utf8.count == 72)
            let first = prefix + String(repeating: "x", count: 28)
            let second = prefix + String(repeating: "y", count: 28)
            #expect(first.utf8.count == 100 && second.utf8.count == 100)
            let hash = try await hasher.hash(first)
            #expect(try await hasher.verify(first, against: hash))
            #expect(try await hasher.verify(second, against: hash) == false)
            #expect(try await hasher.verify(prefix, against: hash) == false)
        }
    }

    @Test func passwordWithNulCannotBeHashed() async throws {
        try await withHasher { (hasher) async throws in
            let error = await #expect(throws: GatehouseError.self) { try await hasher.hash("Abc\u{0}def1!") }
            #expect(error?.code == .validationFailed)
            #expect(error?.violations.map(\.code) == ["contains_nul"])
        }
    }

    @Test func passwordWithNulNeverVerifies() async throws {
        try await withHasher { (hasher) async throws in
            // Against a Gatehouse hash of the part before the NUL.
            let hash = try await hasher.hash("Prefix1!")
            #expect(try await hasher.verify("Prefix1!", against: hash))
            #expect(try await hasher.verify("Prefix1!\u{0}", against: hash) == false)
            #expect(try await hasher.verify("Prefix1!\u{0}suffix", against: hash) == false)
            // Against a legacy bcrypt hash (bcrypt itself stops at NUL, so this would match if passed through).
            let legacy = Bcrypt.hash("Legacy1!pass", cost: 4)
            #expect(try await hasher.verify("Legacy1!pass", against: legacy))
            #expect(try await hasher.verify("Legacy1!pass\u{0}", against: legacy) == false)
            #expect(try await hasher.verify("Legacy1!pass\u{0}anything", against: legacy) == false)
        }
    }

    @Test func legacyBcryptHashStillVerifies() async throws {
        try await withHasher { (hasher) async throws in
            let legacy = Bcrypt.hash("Legacy1!pass", cost: 4)
            #expect(legacy.hasPrefix("$2b$") || legacy.hasPrefix("$2a$"))
            #expect(try await hasher.verify("Legacy1!pass", against: legacy))
            #expect(try await hasher.verify("Legacy1!pasS", against: legacy) == false)
            #expect(try await hasher.verify("Wrong1!pass", against: legacy) == false)
        }
    }

    @Test func legacy2aHashStillVerifies() async throws {
        try await withHasher { (hasher) async throws in
            let b = Bcrypt.hash("Legacy1!pass", cost: 4)
            let a = "$2a$" + b.dropFirst(4)
            #expect(a.hasPrefix("$2a$"))
            #expect(try await hasher.verify("Legacy1!pass", against: a))
            #expect(try await hasher.verify("Legacy1!past", against: a) == false)
        }
    }

    @Test func longPasswordDoesNotCollapseOntoLegacy72BytePrefix() async throws {
        try await withHasher { (hasher) async throws in
            let legacyPassword = String(repeating: "Lg1!", count: 18)
            #expect(legacyPassword.utf8.count == 72)
            let legacy = Bcrypt.hash(legacyPassword, cost: 4)
            // Sanity: bcrypt itself truncates, so this collision is real at the library level.
            #expect(Bcrypt.verify(legacyPassword + "extra", hash: legacy))
            #expect(try await hasher.verify(legacyPassword, against: legacy))
            #expect(try await hasher.verify(legacyPassword + "extra", against: legacy) == false)
            #expect(try await hasher.verify(legacyPassword + "e", against: legacy) == false)
        }
    }

    static let malformed: [String] = [
        "",
        "x",
        "plaintext-password",
        "$gh-sha256$",
        "$gh-sha256$garbage",
        "$gh-sha256$$2b$04$",
        "$2b$",
        "$2a$",
        "$2b$04$",
        "$2b$04$tooshort",
        "$2b$04$" + String(repeating: "!", count: 53),
        "$2b$99$" + String(repeating: "a", count: 53),
        "$2b$xx$" + String(repeating: "a", count: 53),
        "$2y$04$" + String(repeating: "a", count: 53),
        "$2x$04$" + String(repeating: "a", count: 53),
        "$1$salt$hash",
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA",
        String(repeating: "$", count: 200),
        "\u{0}",
        "$2b$04$\u{0}",
    ]

    @Test(arguments: malformed)
    func malformedHashVerifiesFalse(_ hash: String) async throws {
        try await withHasher { (hasher) async throws in
            #expect(try await hasher.verify("Legacy1!pass", against: hash) == false)
            #expect(try await hasher.verify("", against: hash) == false)
        }
    }

    @Test func gatehousePrefixOnLegacyHashDoesNotVerify() async throws {
        try await withHasher { (hasher) async throws in
            // A raw bcrypt of the plain password wrapped in the prehash marker must not verify the plain password.
            let wrapped = "$gh-sha256$" + Bcrypt.hash("Legacy1!pass", cost: 4)
            #expect(try await hasher.verify("Legacy1!pass", against: wrapped) == false)
        }
    }
}
