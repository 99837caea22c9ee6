import GatehouseCore

/// `POST /auth/register` body: `{email, password, username?, fullName?}`.
struct RegisterRequest: Decodable {
    var email: String?
    var password: String?
    var username: PatchField<String>
    var fullName: PatchField<String>

    enum CodingKeys: String, CodingKey { case email, password, username, fullName }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        password = try c.decodeIfPresent(String.self, forKey: .password)
        username = try c.decodePatch(String.self, forKey: .username)
        fullName = try c.decodePatch(String.self, forKey: .fullName)
    }
}

/// `POST /auth/login` body: `{email, password}`.
struct LoginRequest: Decodable {
    var email: String?
    var password: String?
}

/// `POST /auth/refresh` body: `{refreshToken}`.
struct RefreshRequest: Decodable {
    var refreshToken: String?
}

/// `POST /auth/logout` body: `{refreshToken?, allSessions?}` (may be empty).
struct LogoutRequest: Decodable {
    var refreshToken: String?
    var allSessions: Bool?
}

/// `{token}` of `POST /auth/verify-email`.
struct TokenRequest: Decodable {
    var token: String?
}

/// `{email}` of `resend-verification` and `forgot-password`.
struct EmailRequest: Decodable {
    var email: String?
}

/// `POST /auth/reset-password` body: `{token, newPassword}`.
struct ResetPasswordRequest: Decodable {
    var token: String?
    var newPassword: String?
}

/// `POST /auth/change-password` body: `{currentPassword, newPassword}`.
struct ChangePasswordRequest: Decodable {
    var currentPassword: String?
    var newPassword: String?
}

/// Fields of the `User` resource that no `PATCH` may set (roles change through `PATCH /users/{id}/role`, passwords
/// through the password endpoints): sending one is `403 forbidden`, never silently ignored.
struct ReadOnlyUserFields: CodingKey {
    static let names: Set<String> = [
        "role", "password", "passwordHash", "userId", "id", "createdAt", "updatedAt", "lastLoginAt", "deletedAt",
    ]
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static func reject(in decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: ReadOnlyUserFields.self)
        if let field = all.allKeys.first(where: { names.contains($0.stringValue) }) {
            throw GatehouseError(.forbidden, "The field \(field.stringValue) cannot be set here.")
        }
    }
}

/// `PATCH /users/me` and `PATCH /users/{id}` body: `{username?, fullName?, email?, isActive?, isVerified?}`.
struct UpdateUserRequest: Decodable {
    var changes: UserChanges

    enum CodingKeys: String, CodingKey { case username, fullName, email, isActive, isVerified }
    init(from decoder: any Decoder) throws {
        try ReadOnlyUserFields.reject(in: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        changes = UserChanges(
            username: try c.decodePatch(String.self, forKey: .username), fullName: try c.decodePatch(String.self, forKey: .fullName),
            email: try c.decodeIfPresent(String.self, forKey: .email), isActive: try c.decodeIfPresent(Bool.self, forKey: .isActive),
            isVerified: try c.decodeIfPresent(Bool.self, forKey: .isVerified))
        // An explicit null for a field that cannot be cleared is a validation failure, not "unchanged".
        var nulls: [FieldViolation] = []
        for key in [CodingKeys.email, .isActive, .isVerified] where c.contains(key) {
            if try c.decodeNil(forKey: key) { nulls.append(FieldViolation(field: key.stringValue, code: "required", message: "This field cannot be null.")) }
        }
        if !nulls.isEmpty { throw GatehouseError.validation(nulls) }
    }
}

/// `POST /users` body: `{email, password, role?, username?, fullName?, isActive?, isVerified?}`.
struct CreateUserRequest: Decodable {
    var user: NewUser

    enum CodingKeys: String, CodingKey { case email, password, role, username, fullName, isActive, isVerified }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var role: Role?
        if let raw = try c.decodeIfPresent(String.self, forKey: .role) {
            guard let parsed = Role(rawValue: raw) else { throw GatehouseError.validation([RoleRequest.invalidRole]) }
            role = parsed
        }
        user = NewUser(
            email: try c.decodeIfPresent(String.self, forKey: .email), password: try c.decodeIfPresent(String.self, forKey: .password), role: role,
            username: try c.decodePatch(String.self, forKey: .username), fullName: try c.decodePatch(String.self, forKey: .fullName),
            isActive: try c.decodeIfPresent(Bool.self, forKey: .isActive), isVerified: try c.decodeIfPresent(Bool.self, forKey: .isVerified))
    }
}

/// `PATCH /users/{id}/role` body: `{role}`.
struct RoleRequest: Decodable {
    var role: String?

    static let invalidRole = FieldViolation(
        field: "role", code: "invalid", message: "role must be one of super_admin, admin, moderator, user, guest.")

    func validated() throws -> Role {
        guard let role else { throw GatehouseError.validation([FieldViolation(field: "role", code: "required", message: "A role is required.")]) }
        guard let parsed = Role(rawValue: role) else { throw GatehouseError.validation([Self.invalidRole]) }
        return parsed
    }
}
