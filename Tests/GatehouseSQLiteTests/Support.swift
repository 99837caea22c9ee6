import Foundation
import GatehouseCore
import GatehouseSQL
import GatehouseSQLite
import Logging

/// Opens a migrated SQLite database (in-memory when `path` is nil), runs `body`, then closes it.
func withMigratedSQLite<T>(
    path: String? = nil,
    _ body: (SQLiteDatabaseService, SQLGatehouseStore) async throws -> T
) async throws -> T {
    let service = try await SQLiteDatabaseService.open(path: path, logger: Logger(label: "gatehouse.sqlite.tests"))
    do {
        try await service.makeMigrator().migrate()
        let result = try await body(service, service.makeStore())
        try await service.close()
        return result
    } catch {
        try? await service.close()
        throw error
    }
}

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A live user with a fresh id and the given email, created at 2025-01-01T00:00:00Z plus `offset` seconds.
func sampleUser(email: String = "\(UUID().uuidString.lowercased())@example.com", offset: Double = 0) -> User {
    let created = Date(millisecondsSince1970: 1_735_689_600_000).addingTimeInterval(offset)
    return User(id: UUID(), email: email, role: .user, passwordHash: "$2b$12$abcdefghijklmnopqrstuv", createdAt: created, updatedAt: created)
}
