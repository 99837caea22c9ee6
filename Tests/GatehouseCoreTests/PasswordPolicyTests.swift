import Testing

@testable import GatehouseCore

@Suite("PasswordPolicy")
struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    private func codes(_ password: String, field: String = "password") -> [String] {
        policy.violations(of: password, field: field).map(\.code)
    }

    @Test func reportsEveryViolatedRuleAtOnce() {
        let found = policy.violations(of: "abc", field: "newPassword")
        #expect(Set(found.map(\.code)) == ["too_short", "missing_uppercase", "missing_digit", "missing_special"])
        #expect(found.count == 4)
        #expect(found.allSatisfy { $0.field == "newPassword" })
        #expect(found.allSatisfy { !$0.message.isEmpty })
    }

    @Test func defaultFieldIsPassword() {
        #expect(policy.violations(of: "abc").allSatisfy { $0.field == "password" })
        #expect(!policy.violations(of: "abc").isEmpty)
    }

    @Test func emptyPasswordBreaksEveryCharacterRule() {
        #expect(Set(codes("")) == ["too_short", "missing_uppercase", "missing_lowercase", "missing_digit", "missing_special"])
    }

    @Test func validateThrowsAllViolations() throws {
        let error = try #require(throws: GatehouseError.self) { try policy.validate("abc", field: "newPassword") }
        #expect(error.code == .validationFailed)
        #expect(error.violations == policy.violations(of: "abc", field: "newPassword"))
        #expect(error.violations.count == 4)
    }

    @Test func validateAcceptsAGoodPassword() throws {
        try policy.validate("Abcdef1!")
        #expect(policy.violations(of: "Abcdef1!").isEmpty)
    }

    static let upper = "Aa1!"

    @Test(arguments: [8, 9, 64, 127, 128])
    func acceptedLengths(_ length: Int) {
        let password = Self.upper + String(repeating: "a", count: length - Self.upper.count)
        #expect(password.count == length)
        #expect(codes(password) == [])
    }

    @Test func sevenCharactersIsTooShort() {
        let password = "Abcde1!"
        #expect(password.count == 7)
        #expect(codes(password) == ["too_short"])
    }

    @Test func oneHundredTwentyNineCharactersIsTooLong() {
        let password = Self.upper + String(repeating: "a", count: 125)
        #expect(password.count == 129)
        #expect(codes(password) == ["too_long"])
    }

    @Test func lengthCountsGraphemeClusters() {
        // 8 characters but 9 Unicode scalars (e + combining acute).
        let eight = "Abcde1!e\u{301}"
        #expect(eight.count == 8)
        #expect(codes(eight) == [])
        // 7 characters, many bytes.
        let seven = "Ab1!\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}cd"
        #expect(seven.count == 7)
        #expect(codes(seven) == ["too_short"])
    }

    @Test func eachMissingClassIsReported() {
        #expect(codes("abcdefg1!") == ["missing_uppercase"])
        #expect(codes("ABCDEFG1!") == ["missing_lowercase"])
        #expect(codes("Abcdefgh!") == ["missing_digit"])
        #expect(codes("Abcdefgh1") == ["missing_special"])
    }

    @Test func nulIsRejected() {
        #expect(codes("Abcdef1!\u{0}").contains("contains_nul"))
        #expect(codes("Abcdef1!\u{0}") == ["contains_nul"])
        // NUL must not count as the special character.
        #expect(Set(codes("Abcdefg1\u{0}")) == ["missing_special", "contains_nul"])
    }
}
