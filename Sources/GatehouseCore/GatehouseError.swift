import Foundation

/// One failed rule of one request field, as listed in a problem document's `errors` array (RFC 9457 extension member).
public struct FieldViolation: Sendable, Equatable, Codable {
    /// The request field, e.g. `password`.
    public var field: String
    /// Stable machine-readable rule code, e.g. `too_short`, `missing_digit`, `required`, `invalid`.
    public var code: String
    /// Human-readable explanation.
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// The error every Gatehouse use case throws: a stable `code` (see ``GatehouseError/Code``), a human detail and,
/// for validation failures, every violated field rule. The HTTP layer maps it to an RFC 9457 problem document.
public struct GatehouseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable error codes (the `code` member of problem documents).
    public enum Code: String, Sendable, CaseIterable {
        case validationFailed = "validation_failed"
        case emailTaken = "email_taken"
        case invalidCredentials = "invalid_credentials"
        case accountDisabled = "account_disabled"
        case emailNotVerified = "email_not_verified"
        case invalidRefreshToken = "invalid_refresh_token"
        case invalidToken = "invalid_token"
        case missingToken = "missing_token"
        case invalidVerificationToken = "invalid_verification_token"
        case invalidResetToken = "invalid_reset_token"
        case forbidden
        case userNotFound = "user_not_found"
        case lastSuperAdmin = "last_super_admin"
        case malformedRequest = "malformed_request"
        case invalidFieldType = "invalid_field_type"
        case unsupportedMediaType = "unsupported_media_type"
        case payloadTooLarge = "payload_too_large"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case serviceUnavailable = "service_unavailable"
        case tooManyAttempts = "too_many_attempts"
        case rateLimited = "rate_limited"
        case overloaded
        case internalError = "internal_error"
    }

    /// The stable code.
    public let code: Code
    /// A human-readable explanation, safe to show to the client (never contains a secret).
    public let detail: String
    /// Violated field rules; non-empty only for `validation_failed` (and type errors naming a field).
    public let violations: [FieldViolation]
    /// Seconds the client should wait before retrying (`Retry-After`), for `429` and `503` answers.
    public let retryAfter: Int?

    public init(_ code: Code, _ detail: String, violations: [FieldViolation] = [], retryAfter: Int? = nil) {
        self.code = code
        self.detail = detail
        self.violations = violations
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code.rawValue): \(detail)" }

    /// `422 validation_failed` listing every violated rule.
    public static func validation(_ violations: [FieldViolation]) -> GatehouseError {
        GatehouseError(.validationFailed, "The request has invalid fields.", violations: violations)
    }
    public static let invalidCredentials = GatehouseError(.invalidCredentials, "The email or password is incorrect.")
    public static let accountDisabled = GatehouseError(.accountDisabled, "This account is disabled.")
    public static let emailNotVerified = GatehouseError(.emailNotVerified, "The email address has not been verified yet.")
    public static let emailTaken = GatehouseError(.emailTaken, "An account with this email already exists.")
    public static let invalidRefreshToken = GatehouseError(.invalidRefreshToken, "The refresh token is invalid, expired, revoked or already used.")
    public static let invalidToken = GatehouseError(.invalidToken, "The access token is invalid, expired or revoked.")
    public static let missingToken = GatehouseError(.missingToken, "This endpoint requires a bearer access token.")
    public static let invalidVerificationToken = GatehouseError(.invalidVerificationToken, "The verification token is unknown, expired or already used.")
    public static let invalidResetToken = GatehouseError(.invalidResetToken, "The reset token is unknown, expired or already used.")
    public static let forbidden = GatehouseError(.forbidden, "You are not allowed to perform this action.")
    public static let userNotFound = GatehouseError(.userNotFound, "No such user.")
    public static let lastSuperAdmin = GatehouseError(.lastSuperAdmin, "The last active super_admin cannot be demoted, deactivated or deleted.")
    public static let serviceUnavailable = GatehouseError(.serviceUnavailable, "The service is temporarily unavailable.", retryAfter: 5)
    /// `429 too_many_attempts`: the account is locked after repeated failed logins (brute-force lockout).
    public static func tooManyAttempts(retryAfter: Int) -> GatehouseError {
        GatehouseError(.tooManyAttempts, "Too many failed sign-in attempts; try again later.", retryAfter: max(1, retryAfter))
    }
    /// `503 overloaded`: the password-hashing queue is full (load shedding).
    public static func overloaded(retryAfter: Int = 1) -> GatehouseError {
        GatehouseError(.overloaded, "The service is busy; try again shortly.", retryAfter: max(1, retryAfter))
    }
}
