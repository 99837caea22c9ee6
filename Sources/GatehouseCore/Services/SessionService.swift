import Foundation
import Logging

/// The sessions API: a user lists and revokes its own sessions; an admin lists and revokes those of users it may
/// manage (``UserAction/manageSessions``: super_admin over any other user, admin over lower ranks). Revoking a
/// session rejects its access and refresh tokens on the next request.
public struct SessionService: Sendable {
    let store: any GatehouseStore
    let clock: any WallClock
    let audit: AuditTrail
    let logger: Logger

    public init(store: any GatehouseStore, clock: any WallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.audit = AuditTrail(store: store, clock: clock, logger: logger)
    }

    /// The live (unrevoked) sessions of the caller, newest first.
    public func mySessions(_ actor: Principal) async throws -> [Session] {
        try await guarded { try await store.sessions(userId: actor.user.id).filter { $0.revokedAt == nil } }
    }

    /// Revokes one of the caller's sessions (the current one included).
    /// - Throws: `404 not_found` when the caller has no live session with that id.
    public func revokeMySession(_ sessionId: UUID, actor: Principal) async throws {
        try await guarded {
            guard let session = try await store.session(id: sessionId), session.userId == actor.user.id, session.revokedAt == nil else {
                throw GatehouseError(.notFound, "No such session.")
            }
            try await store.revokeSession(id: sessionId, at: clock.now())
            await audit.record(.sessionRevoked, actor: actor.user.id, target: actor.user.id, details: ["session_id": sessionId.uuidString.lowercased()])
        }
    }

    /// The live sessions of user `id` (oneself, or a user the caller may manage).
    /// - Throws: `403 forbidden`, `404 user_not_found` (in the answering order of the permission matrix).
    public func sessions(ofUser id: UUID, actor: Principal) async throws -> [Session] {
        try await guarded {
            _ = try await reachableUser(id, actor: actor)
            return try await store.sessions(userId: id).filter { $0.revokedAt == nil }
        }
    }

    /// Revokes every session of user `id` (oneself, or a user the caller may manage).
    /// - Throws: `403 forbidden`, `404 user_not_found`.
    public func revokeSessions(ofUser id: UUID, actor: Principal) async throws {
        try await guarded {
            _ = try await reachableUser(id, actor: actor)
            try await store.revokeSessions(userId: id, keeping: nil, at: clock.now())
            await audit.record(.sessionRevoked, actor: actor.user.id, target: id, details: ["session_id": "all"])
        }
    }

    private func reachableUser(_ id: UUID, actor: Principal) async throws -> User {
        if id == actor.user.id { return actor.user }
        do {
            guard PermissionPolicy.mayAttempt(.manageSessions, actor: actor.user.role) else { throw GatehouseError.forbidden }
            guard let user = try await store.user(id: id, includeDeleted: false) else { throw GatehouseError.userNotFound }
            guard PermissionPolicy.allows(.manageSessions, actor: actor.user.role, target: user.role) else { throw GatehouseError.forbidden }
            return user
        } catch let error as GatehouseError where error.code == .forbidden {
            await audit.record(.permissionDenied, actor: actor.user.id, target: id, outcome: "denied", details: ["action": "manage_sessions"])
            throw error
        }
    }
}

/// Reading the audit log (admin and super_admin only).
public struct AuditService: Sendable {
    let store: any GatehouseStore
    let audit: AuditTrail

    public init(store: any GatehouseStore, clock: any WallClock, logger: Logger) {
        self.store = store
        self.audit = AuditTrail(store: store, clock: clock, logger: logger)
    }

    /// Refuses callers below admin (`403`, recorded as `permission_denied`); call it before parsing a query.
    public func requireReader(_ actor: Principal) async throws {
        guard actor.user.role >= .admin else {
            await audit.record(.permissionDenied, actor: actor.user.id, target: nil, outcome: "denied", details: ["action": "read_audit_events"])
            throw GatehouseError.forbidden
        }
    }

    /// One page of audit events, newest first.
    /// - Throws: `403 forbidden` for callers below admin (recorded as `permission_denied`).
    public func events(_ query: AuditQuery, actor: Principal) async throws -> AuditPage {
        try await guarded {
            try await requireReader(actor)
            return try await store.listAuditEvents(query)
        }
    }
}
