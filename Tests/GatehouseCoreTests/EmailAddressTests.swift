import Foundation
import Testing

@testable import GatehouseCore

@Suite("EmailAddress")
struct EmailAddressTests {
    /// Asserts that `raw` is rejected with `422 validation_failed` carrying exactly one violation on `field`.
    private func expectRejected(_ raw: String, field: String = "email", sourceLocation: SourceLocation = #_sourceLocation) {
        let error = #expect(throws: GatehouseError.self, "expected \(raw.debugDescription) to be rejected", sourceLocation: sourceLocation) {
            try EmailAddress(raw, field: field)
        }
        guard let error else { return }
        #expect(error.code == .validationFailed, sourceLocation: sourceLocation)
        #expect(error.code.rawValue == "validation_failed", sourceLocation: sourceLocation)
        #expect(error.violations.count == 1, sourceLocation: sourceLocation)
        #expect(error.violations.allSatisfy { $0.field == field }, sourceLocation: sourceLocation)
        #expect(error.violations.allSatisfy { !$0.code.isEmpty }, sourceLocation: sourceLocation)
    }

    // MARK: canonicalisation

    @Test func trimsAndLowercases() throws {
        let a = try EmailAddress(" Alice@Example.COM ")
        let b = try EmailAddress("alice@example.com")
        #expect(a == b)
        #expect(a.value == "alice@example.com")
        #expect(a.description == "alice@example.com")
        #expect(a.hashValue == b.hashValue)
    }

    @Test func trimsSurroundingTabsAndNewlines() throws {
        #expect(try EmailAddress("\talice@example.com\n").value == "alice@example.com")
    }

    @Test func normalisesToNFC() throws {
        let decomposed = try EmailAddress("e\u{301}@example.com")
        let precomposed = try EmailAddress("\u{E9}@example.com")
        #expect(decomposed == precomposed)
        // The stored value really is the precomposed scalar, not merely Character-equal.
        #expect(Array(decomposed.value.unicodeScalars) == Array("\u{E9}@example.com".unicodeScalars))
        #expect(decomposed.value.utf8.count == precomposed.value.utf8.count)
    }

    @Test func lowercasesNonASCII() throws {
        #expect(try EmailAddress("\u{C9}LODIE@EXAMPLE.COM").value == "\u{E9}lodie@example.com")
    }

    // MARK: rejected

    static let rejected: [String] = [
        "",
        "   ",
        "a\u{0}b@example.com",
        "alice@example.com\u{0}",
        "a\u{1}b@example.com",
        "a\u{7f}b@example.com",
        "a\u{200B}b@example.com",
        "a\u{200D}b@example.com",
        "\u{FEFF}alice@example.com",
        "alice@exa\u{200B}mple.com",
        "a\u{202E}b@example.com",
        "a\u{2066}b@example.com",
        "a\u{FF20}b.com",
        "a\u{FE6B}b.com",
        "a@b@example.com",
        "@example.com",
        "alice@",
        "alice",
        "a,b@example.com",
        "alice@example.com,bob@example.com",
        "\"alice\"@example.com",
        "al\"ice@example.com",
        "a b@example.com",
        "alice@exa mple.com",
        ".alice@example.com",
        "alice.@example.com",
        "al..ice@example.com",
        "alice@localhost",
        "alice@-example.com",
        "alice@example-.com",
        "alice@sub.-example.com",
        "alice@example..com",
        "alice@.example.com",
        "alice@example.com.",
        "alice@exa_mple.com",
        "<alice@example.com>",
        "alice(comment)@example.com",
        "alice@[127.0.0.1]",
    ]

    @Test(arguments: rejected)
    func rejects(_ raw: String) {
        expectRejected(raw)
    }

    @Test func rejectionReportsTheGivenFieldName() {
        expectRejected("not an email", field: "newEmail")
    }

    @Test func rejectsEmptyAsRequired() throws {
        let error = try #require(throws: GatehouseError.self) { try EmailAddress("") }
        #expect(error.violations.first?.code == "required")
    }

    /// A syntactically valid address of exactly `length` characters: 64-char local part, domain of valid labels.
    static func address(length: Int) -> String {
        let local = String(repeating: "a", count: 64)
        // local + "@" + b63 "." c63 "." dN ".com"
        let fixed = local.count + 1 + 63 + 1 + 63 + 1 + 4
        let last = length - fixed
        precondition(last >= 1 && last <= 63)
        return local + "@" + String(repeating: "b", count: 63) + "." + String(repeating: "c", count: 63) + "."
            + String(repeating: "d", count: last) + ".com"
    }

    @Test func lengthLimitIs254() throws {
        let ok = Self.address(length: 254)
        #expect(ok.count == 254)
        #expect(try EmailAddress(ok).value == ok)
        let tooLong = Self.address(length: 255)
        #expect(tooLong.count == 255)
        expectRejected(tooLong)
    }

    @Test func localPartLimitIs64Bytes() throws {
        let ok = String(repeating: "a", count: 64) + "@example.com"
        #expect(try EmailAddress(ok).value == ok)
        expectRejected(String(repeating: "a", count: 65) + "@example.com")
        // 33 two-byte letters: 33 characters but 66 UTF-8 bytes.
        expectRejected(String(repeating: "\u{E9}", count: 33) + "@example.com")
        // 32 two-byte letters = 64 bytes is fine.
        let okMultibyte = String(repeating: "\u{E9}", count: 32) + "@example.com"
        #expect(try EmailAddress(okMultibyte).value == okMultibyte)
    }

    // MARK: accepted

    static let accepted: [(String, String)] = [
        ("alice+tag@example.com", "alice+tag@example.com"),
        ("Alice+Newsletter@Example.com", "alice+newsletter@example.com"),
        ("bob@mail.sub.example.co.uk", "bob@mail.sub.example.co.uk"),
        ("first.last@example.com", "first.last@example.com"),
        ("user_name-1@my-domain.example", "user_name-1@my-domain.example"),
        ("j\u{F6}rg@m\u{FC}nchen.de", "j\u{F6}rg@m\u{FC}nchen.de"),
        ("\u{7528}\u{6237}@\u{4F8B}\u{5B50}.\u{4E2D}\u{56FD}", "\u{7528}\u{6237}@\u{4F8B}\u{5B50}.\u{4E2D}\u{56FD}"),
        ("\u{43F}\u{440}\u{438}\u{432}\u{435}\u{442}@\u{43F}\u{440}\u{438}\u{43C}\u{435}\u{440}.\u{440}\u{444}",
         "\u{43F}\u{440}\u{438}\u{432}\u{435}\u{442}@\u{43F}\u{440}\u{438}\u{43C}\u{435}\u{440}.\u{440}\u{444}"),
        ("a@b.co", "a@b.co"),
    ]

    @Test(arguments: accepted)
    func accepts(_ raw: String, canonical: String) throws {
        let email = try EmailAddress(raw)
        #expect(email.value == canonical)
    }
}
