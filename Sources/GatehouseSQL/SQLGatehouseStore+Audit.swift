import Foundation
import GatehouseCore
import SQLKit

extension SQLGatehouseStore {
    /// Inserts `event` into `audit_events`; `details` is stored as a JSON object (sorted keys). The store never
    /// updates or deletes audit rows (``purgeExpired(before:)`` leaves them alone).
    public func appendAuditEvent(_ event: AuditEvent) async throws {
        try await mapped {
            try await database.insert(into: Table.auditEvents)
                .columns(Columns.auditEvent)
                .values([
                    event.id.storageString, event.type.rawValue, event.occurredAt.millisecondsSince1970,
                    event.actorId?.storageString, event.targetId?.storageString, event.clientAddress, event.userAgent,
                    event.requestId, event.outcome, try AuditDetails.encode(event.details),
                ] as [any Encodable & Sendable])
                .run()
        }
    }

    /// One page of events matching `query`, `occurred_at` descending then `id` descending; `total` counts every match.
    /// `from` is inclusive and `to` exclusive. `page` is clamped to at least 1 and `pageSize` to 1...100.
    public func listAuditEvents(_ query: AuditQuery) async throws -> AuditPage {
        try await mapped {
            let pageSize = min(max(query.pageSize, 1), 100)
            let page = max(query.page, 1)
            let countRow = try await filtered(
                database.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").from(Table.auditEvents),
                by: query
            ).first()
            let total = try countRow?.decode(column: "total", as: Int.self) ?? 0
            let rows = try await filtered(database.select().columns(Columns.auditEvent).from(Table.auditEvents), by: query)
                .orderBy("occurred_at", .descending)
                .orderBy("id", .descending)
                .limit(pageSize)
                .offset((page - 1) * pageSize)
                .all()
            return AuditPage(items: try rows.map { try $0.auditEvent() }, total: total)
        }
    }

    /// Applies the actor / target / type / time-range filters of `query`.
    func filtered(_ select: SQLSelectBuilder, by query: AuditQuery) -> SQLSelectBuilder {
        var select = select
        if let actorId = query.actorId { select = select.where("actor_id", .equal, actorId.storageString) }
        if let targetId = query.targetId { select = select.where("target_id", .equal, targetId.storageString) }
        if let type = query.type { select = select.where("type", .equal, type.rawValue) }
        if let from = query.from { select = select.where("occurred_at", .greaterThanOrEqual, from.millisecondsSince1970) }
        if let to = query.to { select = select.where("occurred_at", .lessThan, to.millisecondsSince1970) }
        return select
    }
}

/// The storage form of ``AuditEvent/details``: a JSON object of string to string, keys sorted.
enum AuditDetails {
    static func encode(_ details: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let text = String(data: try encoder.encode(details), encoding: .utf8) else {
            throw StoreError.other("audit details are not encodable as UTF-8 JSON")
        }
        return text
    }

    /// NULL or an empty string decode as no details.
    static func decode(_ text: String?) throws -> [String: String] {
        guard let text, !text.isEmpty else { return [:] }
        guard let details = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
            throw CorruptRow(column: "details")
        }
        return details
    }
}

extension SQLRow {
    func auditEvent() throws -> AuditEvent {
        guard let type = AuditEventType(rawValue: try decode(column: "type", as: String.self)) else { throw CorruptRow(column: "type") }
        return AuditEvent(
            id: try uuid("id"),
            type: type,
            occurredAt: try date("occurred_at"),
            actorId: try optionalUUID("actor_id"),
            targetId: try optionalUUID("target_id"),
            clientAddress: try decode(column: "client_address", as: String?.self),
            userAgent: try decode(column: "user_agent", as: String?.self),
            requestId: try decode(column: "request_id", as: String?.self),
            outcome: try decode(column: "outcome", as: String.self),
            details: try AuditDetails.decode(try decode(column: "details", as: String?.self))
        )
    }
}
