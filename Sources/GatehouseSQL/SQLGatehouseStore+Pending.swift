import Foundation
import GatehouseCore

// Placeholder conformances while the audit and lockout tables are written; replaced by real implementations.
extension SQLGatehouseStore {
    public func appendAuditEvent(_ event: AuditEvent) async throws { throw StoreError.other("audit log not implemented") }
    public func listAuditEvents(_ query: AuditQuery) async throws -> AuditPage { throw StoreError.other("audit log not implemented") }
    public func reserveLoginAttempt(key: String, at now: Date, threshold: Int, window: Int) async throws -> LoginAttemptReservation {
        .allowed(attempt: 1)
    }
    public func lockLoginAttempts(key: String, at now: Date, backoff: [Int]) async throws -> Date { now }
    public func clearLoginAttempts(key: String) async throws {}
}
