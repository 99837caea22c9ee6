/// The password rules of the API contract: 8 to 128 characters (Swift `Character`s, i.e. grapheme clusters), at least
/// one upper-case letter, one lower-case letter, one digit and one special character (neither letter nor digit), and
/// no NUL. Every character counts: the hasher pre-hashes so nothing past byte 72 is lost.
public struct PasswordPolicy: Sendable {
    /// Fewest characters allowed (8).
    public var minLength = 8
    /// Most characters allowed (128).
    public var maxLength = 128

    public init() {}

    /// Every violated rule, in a stable order; empty when the password is acceptable.
    /// - Parameter field: The request field name reported in each violation (`password`, `newPassword`).
    public func violations(of password: String, field: String = "password") -> [FieldViolation] {
        var found: [FieldViolation] = []
        func add(_ code: String, _ message: String) { found.append(FieldViolation(field: field, code: code, message: message)) }
        let count = password.count
        if count < minLength { add("too_short", "The password must be at least \(minLength) characters.") }
        if count > maxLength { add("too_long", "The password must be at most \(maxLength) characters.") }
        if !password.contains(where: { $0.isUppercase }) { add("missing_uppercase", "The password needs an upper-case letter.") }
        if !password.contains(where: { $0.isLowercase }) { add("missing_lowercase", "The password needs a lower-case letter.") }
        if !password.contains(where: { $0.isNumber }) { add("missing_digit", "The password needs a digit.") }
        if !password.contains(where: { !$0.isLetter && !$0.isNumber && $0 != "\u{0}" }) {
            add("missing_special", "The password needs a special character.")
        }
        if password.unicodeScalars.contains("\u{0}") { add("contains_nul", "The password must not contain a NUL character.") }
        return found
    }

    /// Throws when `password` breaks any rule.
    /// - Throws: ``GatehouseError`` `validation_failed` listing every violated rule.
    public func validate(_ password: String, field: String = "password") throws {
        let found = violations(of: password, field: field)
        if !found.isEmpty { throw GatehouseError.validation(found) }
    }
}
