import Crypto
import Foundation

/// Facts about the HTTP request behind a use case, recorded on sessions and in logs.
public struct RequestMetadata: Sendable, Equatable {
    /// `User-Agent` header, cut to 512 characters.
    public var userAgent: String?
    /// The client's address as seen by the server.
    public var clientAddress: String?

    public init(userAgent: String? = nil, clientAddress: String? = nil) {
        self.userAgent = userAgent.map { String($0.prefix(512)) }
        self.clientAddress = clientAddress
    }
}

/// The signed-in caller: the user as stored now and the session its access token belongs to.
public struct Principal: Sendable, Equatable {
    public var user: User
    public var sessionId: UUID
    public init(user: User, sessionId: UUID) {
        self.user = user
        self.sessionId = sessionId
    }
}

/// An access token and a refresh token for one session (the `TokenPair` of api.md).
public struct IssuedTokens: Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String
    /// Access-token lifetime in seconds.
    public var expiresIn: Int
    /// Refresh-token lifetime in seconds.
    public var refreshExpiresIn: Int
    public var user: User
}

/// A field that may be absent (leave unchanged), null (clear) or a value (set): JSON merge-patch semantics.
public enum PatchField<Value: Sendable & Equatable>: Sendable, Equatable {
    case absent
    case null
    case value(Value)

    /// Whether the request mentions the field at all.
    public var isPresent: Bool { if case .absent = self { false } else { true } }
}

/// One-time token helpers: 32 random bytes, base64url without padding; stored as lower-case hex SHA-256.
public enum OneTimeToken {
    /// A new random token (43 characters).
    public static func generate() -> String {
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The stored digest of `token`: lower-case hex SHA-256 of its UTF-8 bytes.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Validation of optional profile fields (`username`, `fullName`).
enum ProfileRules {
    static func violations(username: PatchField<String>, fullName: PatchField<String>) -> [FieldViolation] {
        var found: [FieldViolation] = []
        if case .value(let name) = username {
            found += check(name, field: "username", max: 64)
        }
        if case .value(let name) = fullName {
            found += check(name, field: "fullName", max: 128)
        }
        return found
    }

    static func check(_ value: String, field: String, max: Int) -> [FieldViolation] {
        var found: [FieldViolation] = []
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            found.append(FieldViolation(field: field, code: "required", message: "\(field) must not be blank."))
        }
        // Counted in Unicode code points (what VARCHAR limits count), so combining marks cannot pad a value.
        if value.unicodeScalars.count > max {
            found.append(FieldViolation(field: field, code: "too_long", message: "\(field) must be at most \(max) characters."))
        }
        if value.unicodeScalars.contains(where: { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }) {
            found.append(FieldViolation(field: field, code: "invalid_character", message: "\(field) contains a control or invisible character."))
        }
        return found
    }

    static func normalized(_ field: PatchField<String>) -> PatchField<String> {
        if case .value(let v) = field { return .value(v.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return field
    }
}

extension StoreError {
    /// Maps storage failures a client can act on (`503`) and leaves the rest as they are.
    static func mapped(_ error: any Error) -> any Error {
        if let store = error as? StoreError, store.isUnavailable { return GatehouseError.serviceUnavailable }
        return error
    }
}
