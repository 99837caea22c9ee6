import Foundation

/// A validated, canonical email address: trimmed, Unicode NFC, lower-cased.
///
/// Two spellings that normalise alike (`" Alice@Example.COM "`, `"alice@example.com"`) give the same value, so they
/// are one account. Rejected (``GatehouseError`` `validation_failed`, field `email`): empty; more than 254 characters;
/// not exactly one ASCII `@`; look-alike at signs (U+FF20, U+FE6B); whitespace, control (Cc), format (Cf: zero-width,
/// bidi) characters and NUL anywhere; quotes, commas and other RFC 5322 specials; empty or dotted-wrong local parts;
/// domains without a dot or with malformed labels.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The canonical form.
    public let value: String

    /// Most characters an address may have (RFC 5321 path limit minus the brackets).
    public static let maxLength = 254

    /// Validates and canonicalises `raw`.
    /// - Throws: ``GatehouseError`` `validation_failed` with one violation on `field`.
    public init(_ raw: String, field: String = "email") throws {
        switch Self.canonicalize(raw) {
        case .success(let value): self.value = value
        case .failure(let violation): throw GatehouseError.validation([FieldViolation(field: field, code: violation.code, message: violation.message)])
        }
    }

    public var description: String { value }

    struct Violation: Error {
        let code: String
        let message: String
    }

    private static let localSpecials = Set("!#$%&*+-/=?^_`{|}~.".unicodeScalars)
    private static let lookAlikeAt: Set<Unicode.Scalar> = ["\u{FF20}", "\u{FE6B}", "\u{E0040}"]

    static func canonicalize(_ raw: String) -> Result<String, Violation> {
        // Reject invisible and control characters before trimming could hide them.
        for scalar in raw.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                if !(scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r") {
                    return .failure(Violation(code: "invalid_character", message: "The email contains a control, invisible or bidi character."))
                }
            default: break
            }
        }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased()
        if value.isEmpty { return .failure(Violation(code: "required", message: "An email address is required.")) }
        if value.unicodeScalars.count > maxLength {
            return .failure(Violation(code: "too_long", message: "The email must be at most \(maxLength) characters."))
        }
        let invalid = Violation(code: "invalid", message: "The email is not a valid address.")
        for scalar in value.unicodeScalars {
            if lookAlikeAt.contains(scalar) || scalar.properties.isWhitespace || scalar.value == 0 { return .failure(invalid) }
            switch scalar.properties.generalCategory {
            case .control, .format: return .failure(invalid)
            default: break
            }
        }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(invalid) }
        let local = parts[0]
        let domain = parts[1]
        guard !local.isEmpty, local.utf8.count <= 64, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return .failure(invalid)
        }
        for scalar in local.unicodeScalars {
            if scalar.isASCII {
                let ok = (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || localSpecials.contains(scalar))
                if !ok { return .failure(invalid) }
            } else if !(scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark)
            {
                return .failure(invalid)
            }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253 else { return .failure(invalid) }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else { return .failure(invalid) }
            for scalar in label.unicodeScalars {
                let ok = scalar == "-" || ("0"..."9").contains(scalar) || (scalar.isASCII ? ("a"..."z").contains(scalar) : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark))
                if !ok { return .failure(invalid) }
            }
        }
        if let tld = labels.last, tld.allSatisfy({ $0.isNumber }) { return .failure(invalid) }
        return .success(value)
    }
}
