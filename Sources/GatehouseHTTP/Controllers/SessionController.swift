import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird

/// The sessions API: `GET /users/me/sessions`, `DELETE /users/me/sessions/{sessionId}`, and for admins over users
/// they may manage `GET` / `DELETE /users/{userId}/sessions`. Every route requires a bearer access token.
public struct SessionController: Sendable {
    let auth: AuthService
    let sessions: SessionService

    public init(auth: AuthService, sessions: SessionService) {
        self.auth = auth
        self.sessions = sessions
    }

    /// Adds the routes to `group` (mounted at `/api/v1/users`).
    public func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.group().add(middleware: BearerAuthenticator(auth: auth))
            .get("me/sessions", use: mine)
            .delete("me/sessions/:sessionId", use: revokeMine)
            .get(":userId/sessions", use: ofUser)
            .delete(":userId/sessions", use: revokeOfUser)
    }

    /// `{"sessionId", "createdAt", "lastUsedAt", "userAgent", "clientAddress", "current"}`.
    struct SessionResponse: Encodable {
        var sessionId: String
        var createdAt: String
        var lastUsedAt: String
        var userAgent: String?
        var clientAddress: String?
        var current: Bool

        init(_ session: Session, current: UUID) {
            sessionId = session.id.uuidString.lowercased()
            createdAt = Timestamp.format(session.createdAt)
            lastUsedAt = Timestamp.format(session.lastUsedAt)
            userAgent = session.userAgent
            clientAddress = session.clientAddress
            self.current = session.id == current
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sessionId, forKey: .sessionId)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(lastUsedAt, forKey: .lastUsedAt)
            try c.encode(userAgent, forKey: .userAgent)
            try c.encode(clientAddress, forKey: .clientAddress)
            try c.encode(current, forKey: .current)
        }
        enum CodingKeys: String, CodingKey { case sessionId, createdAt, lastUsedAt, userAgent, clientAddress, current }
    }

    struct SessionList: Encodable { var items: [SessionResponse] }

    @Sendable func mine(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let items = try await sessions.mySessions(principal).map { SessionResponse($0, current: principal.sessionId) }
        return try JSON.response(SessionList(items: items))
    }

    @Sendable func revokeMine(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let id = context.parameters.get("sessionId").flatMap({ UUID(uuidString: $0) }) else {
            throw GatehouseError(.notFound, "No such session.")
        }
        try await sessions.revokeMySession(id, actor: principal)
        return Response(status: .noContent)
    }

    @Sendable func ofUser(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let items = try await sessions.sessions(ofUser: UserController.userId(context), actor: principal).map {
            SessionResponse($0, current: principal.sessionId)
        }
        return try JSON.response(SessionList(items: items))
    }

    @Sendable func revokeOfUser(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await sessions.revokeSessions(ofUser: UserController.userId(context), actor: principal)
        return Response(status: .noContent)
    }
}

/// `GET /audit-events` (admin and super_admin): filters `actorId`, `targetId`, `type`, `from`, `to` (RFC 3339),
/// `page`, `pageSize`; newest first.
public struct AuditController: Sendable {
    let auth: AuthService
    let auditLog: AuditService

    public init(auth: AuthService, auditLog: AuditService) {
        self.auth = auth
        self.auditLog = auditLog
    }

    public func addRoutes(to group: RouterGroup<GatehouseRequestContext>) {
        group.add(middleware: BearerAuthenticator(auth: auth)).get(use: list)
    }

    struct EventResponse: Encodable {
        var eventId: String
        var type: String
        var occurredAt: String
        var actorId: String?
        var targetId: String?
        var clientAddress: String?
        var userAgent: String?
        var requestId: String?
        var outcome: String
        var details: [String: String]

        init(_ event: AuditEvent) {
            eventId = event.id.uuidString.lowercased()
            type = event.type.rawValue
            occurredAt = Timestamp.format(event.occurredAt)
            actorId = event.actorId?.uuidString.lowercased()
            targetId = event.targetId?.uuidString.lowercased()
            clientAddress = event.clientAddress
            userAgent = event.userAgent
            requestId = event.requestId
            outcome = event.outcome
            details = event.details
        }

        enum CodingKeys: String, CodingKey { case eventId, type, occurredAt, actorId, targetId, clientAddress, userAgent, requestId, outcome, details }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(eventId, forKey: .eventId)
            try c.encode(type, forKey: .type)
            try c.encode(occurredAt, forKey: .occurredAt)
            try c.encode(actorId, forKey: .actorId)
            try c.encode(targetId, forKey: .targetId)
            try c.encode(clientAddress, forKey: .clientAddress)
            try c.encode(userAgent, forKey: .userAgent)
            try c.encode(requestId, forKey: .requestId)
            try c.encode(outcome, forKey: .outcome)
            try c.encode(details, forKey: .details)
        }
    }

    struct EventList: Encodable {
        var items: [EventResponse]
        var page: Int
        var pageSize: Int
        var total: Int
    }

    @Sendable func list(_ request: Request, context: GatehouseRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await auditLog.requireReader(principal)
        let query = try Self.parse(request.uri.queryParameters)
        let page = try await auditLog.events(query, actor: principal)
        return try JSON.response(EventList(items: page.items.map(EventResponse.init), page: query.page, pageSize: query.pageSize, total: page.total))
    }

    static func parse(_ parameters: Parameters) throws -> AuditQuery {
        var query = AuditQuery()
        var violations: [FieldViolation] = []
        func uuid(_ name: String) -> UUID? {
            guard let raw = parameters.get(name) else { return nil }
            if let id = UUID(uuidString: raw) { return id }
            violations.append(FieldViolation(field: name, code: "invalid", message: "\(name) must be a UUID."))
            return nil
        }
        func date(_ name: String) -> Date? {
            guard let raw = parameters.get(name) else { return nil }
            if let parsed = try? Date(raw, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return parsed }
            if let parsed = try? Date(raw, strategy: Date.ISO8601FormatStyle()) { return parsed }
            violations.append(FieldViolation(field: name, code: "invalid", message: "\(name) must be an RFC 3339 timestamp."))
            return nil
        }
        query.actorId = uuid("actorId")
        query.targetId = uuid("targetId")
        if let raw = parameters.get("type") {
            if let type = AuditEventType(rawValue: raw) { query.type = type } else {
                violations.append(FieldViolation(field: "type", code: "invalid", message: "type must be one of the audit event types."))
            }
        }
        query.from = date("from")
        query.to = date("to")
        (query.page, query.pageSize) = ListQuery.paging(parameters, violations: &violations)
        if !violations.isEmpty { throw GatehouseError.validation(violations) }
        return query
    }
}
