import Foundation

/// Security-relevant event types recorded in the audit log (snake_case on the wire and in storage).
public enum AuditEventType: String, Sendable, Codable, CaseIterable {
    case loginSucceeded = "login_succeeded"
    case loginFailed = "login_failed"
    case loginLocked = "login_locked"
    case refreshReuseDetected = "refresh_reuse_detected"
    case logout
    case passwordChanged = "password_changed"
    case passwordReset = "password_reset"
    case emailVerified = "email_verified"
    case userCreated = "user_created"
    case userUpdated = "user_updated"
    case userDeleted = "user_deleted"
    case roleChanged = "role_changed"
    case sessionRevoked = "session_revoked"
    case permissionDenied = "permission_denied"
}

/// One append-only audit record. Never holds a secret: no password, hash or token, only ids and non-secret facts.
public struct AuditEvent: Sendable, Equatable {
    public var id: UUID
    public var type: AuditEventType
    /// When it happened (UTC, millisecond precision).
    public var occurredAt: Date
    /// Who acted (nil for anonymous actions such as a failed login of an unknown email).
    public var actorId: UUID?
    /// Whom it concerned.
    public var targetId: UUID?
    public var clientAddress: String?
    public var userAgent: String?
    public var requestId: String?
    /// `success`, `failure` or `denied`.
    public var outcome: String
    /// Non-secret facts (e.g. `{"from": "user", "to": "moderator"}`), string to string.
    public var details: [String: String]

    public init(
        id: UUID = UUID(), type: AuditEventType, occurredAt: Date, actorId: UUID? = nil, targetId: UUID? = nil, clientAddress: String? = nil,
        userAgent: String? = nil, requestId: String? = nil, outcome: String, details: [String: String] = [:]
    ) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.actorId = actorId
        self.targetId = targetId
        self.clientAddress = clientAddress
        self.userAgent = userAgent
        self.requestId = requestId
        self.outcome = outcome
        self.details = details
    }
}

/// Filters and paging of ``AuditStore/listAuditEvents(_:)``; results are newest first (`occurredAt` descending, then id).
public struct AuditQuery: Sendable, Equatable {
    public var actorId: UUID?
    public var targetId: UUID?
    public var type: AuditEventType?
    /// Inclusive lower bound of `occurredAt`.
    public var from: Date?
    /// Exclusive upper bound of `occurredAt`.
    public var to: Date?
    /// From 1.
    public var page: Int
    /// 1 to 100.
    public var pageSize: Int

    public init(actorId: UUID? = nil, targetId: UUID? = nil, type: AuditEventType? = nil, from: Date? = nil, to: Date? = nil, page: Int = 1, pageSize: Int = 20) {
        self.actorId = actorId
        self.targetId = targetId
        self.type = type
        self.from = from
        self.to = to
        self.page = page
        self.pageSize = pageSize
    }
}

/// One page of audit events and the total matching the filters.
public struct AuditPage: Sendable, Equatable {
    public var items: [AuditEvent]
    public var total: Int
    public init(items: [AuditEvent], total: Int) {
        self.items = items
        self.total = total
    }
}

/// The answer of ``LoginAttemptStore/reserveLoginAttempt(key:at:threshold:window:)``.
public enum LoginAttemptReservation: Sendable, Equatable {
    /// The attempt may verify a password; it is the `attempt`-th counted failure-in-waiting of the window (1-based).
    case allowed(attempt: Int)
    /// Refused without verifying: locked until the date, or (nil) every attempt of the window is already in flight.
    case refused(lockedUntil: Date?)
}
