import Foundation
import Testing

@testable import GatehouseCore

@Suite("OneTimeToken")
struct OneTimeTokenTests {
    static let urlSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    @Test func generateGives43UrlSafeCharacters() {
        for _ in 0..<50 {
            let token = OneTimeToken.generate()
            #expect(token.count == 43)
            #expect(token.utf8.count == 43)
            #expect(token.allSatisfy { Self.urlSafe.contains($0) }, "\(token)")
        }
    }

    @Test func generateIsDistinctAcross1000Calls() {
        let tokens = (0..<1000).map { _ in OneTimeToken.generate() }
        #expect(Set(tokens).count == 1000)
    }

    @Test func digestIsLowercaseHexOf64Characters() {
        let digest = OneTimeToken.digest(OneTimeToken.generate())
        #expect(digest.count == 64)
        #expect(digest.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("\u{E9}", "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"),
        ("e\u{301}", "bf12767b0f2a56b2190075bae8169f656e3ce8d6357d4aff184bc6c7ea48f9f6"),
    ])
    func digestIsSHA256HexOfUTF8Bytes(_ input: String, expected: String) {
        #expect(OneTimeToken.digest(input) == expected)
    }

    @Test func digestIsDeterministicAndDistinguishesTokens() {
        let a = OneTimeToken.generate()
        let b = OneTimeToken.generate()
        #expect(OneTimeToken.digest(a) == OneTimeToken.digest(a))
        #expect(OneTimeToken.digest(a) != OneTimeToken.digest(b))
        #expect(OneTimeToken.digest(a) != a)
    }
}

@Suite("Millisecond dates")
struct MillisecondDateTests {
    @Test func wholeMillisecondsRoundTripExactlyAcrossCenturies() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let ms = Int64.random(in: 0...4_102_444_800_000, using: &generator)  // 1970 ... 2100
            let date = Date(millisecondsSince1970: ms)
            #expect(date.millisecondsSince1970 == ms)
            #expect(date.truncatedToMilliseconds == date)
        }
        #expect(Date(timeIntervalSince1970: 1.2349).millisecondsSince1970 == 1234)
    }
}
