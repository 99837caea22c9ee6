import Foundation
import Logging

/// Records security-relevant events: appends them to the ``AuditStore`` and writes one structured log line each
/// (`audit` with `audit.type`, `audit.outcome`, `audit.actor_id`, `audit.target_id`). The request id, client address
/// and user agent come from ``RequestTrace``. A failed append is logged and never fails the action it records.
/// Callers pass only ids and non-secret facts.
public struct AuditTrail: Sendable {
    let store: any AuditStore
    let clock: any WallClock
    let logger: Logger

    public init(store: any AuditStore, clock: any WallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// Records one event.
    /// - Parameters:
    ///   - outcome: `success`, `failure` or `denied`.
    ///   - details: Non-secret facts, string to string.
    public func record(_ type: AuditEventType, actor: UUID?, target: UUID?, outcome: String = "success", details: [String: String] = [:]) async {
        let request = RequestTrace.current
        // Cut to the column widths so a long header never costs the record on databases that enforce them.
        let event = AuditEvent(
            type: type, occurredAt: clock.now(), actorId: actor, targetId: target, clientAddress: request?.clientAddress.map { String($0.prefix(64)) },
            userAgent: request?.userAgent.map { String($0.prefix(512)) }, requestId: request?.requestId.prefix(128).description,
            outcome: String(outcome.prefix(16)), details: details)
        var metadata: Logger.Metadata = ["audit.type": "\(type.rawValue)", "audit.outcome": "\(outcome)", "audit.event_id": "\(event.id.uuidString.lowercased())"]
        if let actor { metadata["audit.actor_id"] = "\(actor.uuidString.lowercased())" }
        if let target { metadata["audit.target_id"] = "\(target.uuidString.lowercased())" }
        if let address = request?.clientAddress { metadata["client.address"] = "\(address)" }
        for (key, value) in details { metadata["audit.\(key)"] = "\(value)" }
        logger.info("audit", metadata: metadata)
        do {
            try await store.appendAuditEvent(event)
        } catch {
            logger.error("audit append failed", metadata: ["audit.type": "\(type.rawValue)", "error": "\(error)"])
        }
    }
}
