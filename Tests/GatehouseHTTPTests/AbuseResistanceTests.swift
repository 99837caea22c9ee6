import Foundation
import Prometheus
import GatehouseCore
import GatehouseHTTP
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Brute-force lockout")
struct LockoutTests {
    func login(_ client: any TestClientProtocol, _ email: String, _ password: String) async throws -> Reply {
        try await client.call(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
    }

    @Test func twoHundredParallelGuessesRunAtMostThresholdVerifications() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("target@example.com")
            let before = app.hasher.verifications
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<200 {
                    group.addTask { try await login(client, "target@example.com", "Wr0ng!Guess-\(i)").status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(app.hasher.verifications - before <= 5, "ran \(app.hasher.verifications - before) verifications")
            #expect(statuses.filter { $0 == .unauthorized }.count == 5)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 195)
            // The right password during the lockout still fails, without bcrypt.
            let locked = try await login(client, "target@example.com", TestApp.password)
            #expect(locked.status == .tooManyRequests)
            #expect(locked.code == "too_many_attempts")
            #expect(Int(locked.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(app.hasher.verifications - before <= 5)
        }
    }

    @Test func theVerificationMetricProvesTheLockout() async throws {
        let metrics = GatehouseMetrics(registry: PrometheusCollectorRegistry())
        try await TestApp.run(.init(metrics: metrics)) { app, client in
            try await app.makeUser("metered@example.com")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 { group.addTask { _ = try await login(client, "metered@example.com", "Wr0ng!Guess-\(i)") } }
                try await group.waitForAll()
            }
            let text = try await client.call(.get, "/metrics").text
            let line = text.split(separator: "\n").first { $0.hasPrefix("gatehouse_password_verifications_total") }
            let value = line.flatMap { Double($0.split(separator: " ").last ?? "") }
            #expect(value != nil, "the counter is exported")
            #expect((value ?? 99) <= 5, "200 parallel guesses ran \(value ?? -1) verifications")
            #expect((value ?? 0) >= 1)
        }
    }

    @Test func twoInstancesSharingOneDatabaseShareTheLockout() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-lockout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("shared.sqlite").path
        // The first instance creates the schema and the account, then both take 50 parallel guesses each.
        try await TestApp.run(.init(databasePath: path)) { app, _ in _ = try await app.makeUser("shared@example.com") }
        let counts = try await withThrowingTaskGroup(of: (Int, [HTTPResponse.Status]).self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await TestApp.run(.init(databasePath: path)) { app, client in
                        let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { inner in
                            for i in 0..<50 { inner.addTask { try await login(client, "shared@example.com", "Wr0ng!Guess-\(i)").status } }
                            return try await inner.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                        }
                        return (app.hasher.verifications, statuses)
                    }
                }
            }
            return try await group.reduce(into: [(Int, [HTTPResponse.Status])]()) { $0.append($1) }
        }
        let verifications = counts.map(\.0).reduce(0, +)
        let statuses = counts.flatMap(\.1)
        #expect(verifications <= 5, "two instances ran \(verifications) verifications for one account")
        #expect(statuses.filter { $0 == .unauthorized }.count == 5)
        #expect(statuses.filter { $0 == .tooManyRequests }.count == 95)
    }

    @Test func backoffGrowsWithTheInjectedClockAndSuccessResets() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("slow@example.com")
            for expected in [60, 300, 900, 3600, 3600] {
                for _ in 0..<5 { #expect(try await login(client, "slow@example.com", "Wr0ng!Guess").status == .unauthorized) }
                let locked = try await login(client, "slow@example.com", TestApp.password)
                #expect(locked.status == .tooManyRequests)
                #expect(locked.headers[.retryAfter] == String(expected), "lock of \(expected) s")
                app.clock.advance(by: TimeInterval(expected - 1))
                #expect(try await login(client, "slow@example.com", TestApp.password).status == .tooManyRequests)
                app.clock.advance(by: 1)
            }
            // A success resets the count and the back-off.
            #expect(try await login(client, "slow@example.com", TestApp.password).status == .ok)
            for _ in 0..<4 { #expect(try await login(client, "slow@example.com", "Wr0ng!Guess").status == .unauthorized) }
            #expect(try await login(client, "slow@example.com", TestApp.password).status == .ok)
            for _ in 0..<5 { #expect(try await login(client, "slow@example.com", "Wr0ng!Guess").status == .unauthorized) }
            #expect(try await login(client, "slow@example.com", TestApp.password).headers[.retryAfter] == "60")
        }
    }

    @Test func failuresOutsideTheWindowDoNotAddUp() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("window@example.com")
            for _ in 0..<4 { _ = try await login(client, "window@example.com", "Wr0ng!Guess") }
            app.clock.advance(by: 901)
            for _ in 0..<4 { #expect(try await login(client, "window@example.com", "Wr0ng!Guess").status == .unauthorized) }
            #expect(try await login(client, "window@example.com", TestApp.password).status == .ok)
        }
    }

    @Test func unknownEmailsGetTheSameAnswers() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("known@example.com")
            var known: [String] = []
            var unknown: [String] = []
            for _ in 0..<7 {
                let a = try await login(client, "known@example.com", "Wr0ng!Guess")
                let b = try await login(client, "unknown@example.com", "Wr0ng!Guess")
                known.append("\(a.status.code) \(a.code ?? "") \(a.headers[.retryAfter] ?? "-")")
                unknown.append("\(b.status.code) \(b.code ?? "") \(b.headers[.retryAfter] ?? "-")")
            }
            #expect(known == unknown)
            #expect(known.last?.hasPrefix("429 too_many_attempts") == true)
        }
    }
}

/// An append-only list shared by concurrent tasks.
final class EventLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ event: String) { storage.withLock { $0.append(event) } }
    var events: [String] { storage.withLock { $0 } }
}

@Suite("Load shedding of password work")
struct LoadSheddingTests {
    @Test func aFullHashingQueueAnswers503AtOnceAndOtherEndpointsStayUp() async throws {
        try await TestApp.run(.init(hashConcurrency: 1, hashQueueLimit: 1, verifyDelay: .milliseconds(400))) { app, client in
            for i in 0..<8 { try await app.makeUser("flood\(i)@example.com") }
            let member = try await client.login("flood0@example.com")
            let order = EventLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        let reply = try await client.call(.post, "/api/v1/auth/login", json: ["email": "flood\(i)@example.com", "password": TestApp.password])
                        if reply.status == .serviceUnavailable {
                            #expect(reply.code == "overloaded")
                            #expect(reply.headers[.retryAfter] == "1")
                        }
                        order.append(reply.status == .serviceUnavailable ? "shed" : "served")
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                // While hashing is saturated, reads and health answer (they would wait 400 ms+ otherwise).
                #expect(try await client.call(.get, "/health").status == .ok)
                #expect(try await client.call(.get, "/api/v1/users/me", bearer: member.access).status == .ok)
                order.append("read")
                try await group.waitForAll()
            }
            let events = order.events
            #expect(events.filter { $0 == "served" }.count == 2, "one running and one waiting job are served: \(events)")
            #expect(events.filter { $0 == "shed" }.count == 6)
            // Every shed answer came back before any served one: refused at once, not after waiting.
            let firstServed = events.firstIndex(of: "served") ?? events.count
            #expect(events.prefix(firstServed).filter { $0 == "shed" }.count == 6, "\(events)")
            #expect(events.firstIndex(of: "read")! < firstServed, "reads answered while hashing was saturated: \(events)")
        }
    }
}

@Suite("Sessions API")
struct SessionsAPITests {
    @Test func listAndRevokeOwnSessions() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("owner@example.com")
            try await app.makeUser("other@example.com")
            let phone = try await client.login("owner@example.com")
            let laptop = try await client.call(
                .post, "/api/v1/auth/login", json: ["email": "owner@example.com", "password": TestApp.password], headers: [.userAgent: "Laptop/1.0"])
            let laptopAccess = try #require(laptop.json["accessToken"] as? String)
            let foreign = try await client.login("other@example.com")
            let list = try await client.call(.get, "/api/v1/users/me/sessions", bearer: phone.access)
            #expect(list.status == .ok)
            let items = list.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 2)
            #expect(items.filter { $0["current"] as? Bool == true }.count == 1)
            #expect(items.contains { $0["userAgent"] as? String == "Laptop/1.0" })
            for item in items { for key in ["sessionId", "createdAt", "lastUsedAt", "userAgent", "clientAddress", "current"] { #expect(item.keys.contains(key)) } }
            let laptopId = try #require(items.first { $0["current"] as? Bool == false }?["sessionId"] as? String)

            // Another user's session id is not found and is not revoked.
            let foreignSessions = try await client.call(.get, "/api/v1/users/me/sessions", bearer: foreign.access).json["items"] as? [[String: Any]]
            let foreignId = try #require(foreignSessions?.first?["sessionId"] as? String)
            #expect(try await client.call(.delete, "/api/v1/users/me/sessions/\(foreignId)", bearer: phone.access).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: foreign.access).status == .ok)
            #expect(try await client.call(.delete, "/api/v1/users/me/sessions/not-a-uuid", bearer: phone.access).status == .notFound)

            #expect(try await client.call(.delete, "/api/v1/users/me/sessions/\(laptopId)", bearer: phone.access).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: laptopAccess).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: phone.access).status == .ok)
            #expect((try await client.call(.get, "/api/v1/users/me/sessions", bearer: phone.access).json["items"] as? [Any])?.count == 1)
            #expect(try await client.call(.delete, "/api/v1/users/me/sessions/\(laptopId)", bearer: phone.access).status == .notFound)
        }
    }

    @Test func adminsManageSessionsOfLowerRanksOnly() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("admin@example.com", role: .admin)
            try await app.makeUser("mod@example.com", role: .moderator)
            let peer = try await app.makeUser("peer@example.com", role: .admin)
            let member = try await app.makeUser("member@example.com")
            let admin = try await client.login("admin@example.com")
            let moderator = try await client.login("mod@example.com")
            let memberTokens = try await client.login("member@example.com")
            _ = try await client.login("peer@example.com")
            let memberURI = "/api/v1/users/\(member.id.uuidString.lowercased())/sessions"
            let listed = try await client.call(.get, memberURI, bearer: admin.access)
            #expect(listed.status == .ok)
            #expect((listed.json["items"] as? [Any])?.count == 1)
            #expect(try await client.call(.get, memberURI, bearer: moderator.access).status == .forbidden)
            #expect(try await client.call(.delete, memberURI, bearer: moderator.access).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/users/\(peer.id.uuidString.lowercased())/sessions", bearer: admin.access).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/users/\(UUID().uuidString.lowercased())/sessions", bearer: admin.access).status == .notFound)
            #expect(try await client.call(.get, "/api/v1/users/\(UUID().uuidString.lowercased())/sessions", bearer: moderator.access).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: memberTokens.access).status == .ok)
            #expect(try await client.call(.delete, memberURI, bearer: admin.access).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: memberTokens.access).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": memberTokens.refresh]).status == .unauthorized)
        }
    }
}

@Suite("Audit events")
struct AuditEventTests {
    func types(_ app: TestApp) async throws -> [String] {
        var all: [String] = []
        var page = 1
        while true {
            let batch = try await app.store.listAuditEvents(AuditQuery(page: page, pageSize: 100))
            all += batch.items.map(\.type.rawValue)
            if batch.items.count < 100 { break }
            page += 1
        }
        return all
    }

    /// Runs `setup`, then `action`, and returns the event types `action` alone produced.
    func produced(
        _ setup: @escaping @Sendable (TestApp, any TestClientProtocol) async throws -> [String: String],
        _ action: @escaping @Sendable (TestApp, any TestClientProtocol, [String: String]) async throws -> Void
    ) async throws -> [String] {
        try await TestApp.run { app, client in
            let context = try await setup(app, client)
            // Events of one mock-clock instant share a timestamp, so compare counts per type, not positions.
            var remaining = try await types(app)
            try await action(app, client, context)
            try await Task.sleep(for: .milliseconds(20))
            var added: [String] = []
            for type in try await types(app) {
                if let index = remaining.firstIndex(of: type) { remaining.remove(at: index) } else { added.append(type) }
            }
            return added.sorted()
        }
    }

    static func standardSetup(_ app: TestApp, _ client: any TestClientProtocol) async throws -> [String: String] {
        try await app.makeUser("root@example.com", role: .superAdmin)
        let target = try await app.makeUser("target@example.com")
        let member = try await app.makeUser("member@example.com", isVerified: false)
        let root = try await client.login("root@example.com")
        let mine = try await client.login("member@example.com")
        return ["root": root.access, "target": target.id.uuidString.lowercased(), "member": mine.access, "memberRefresh": mine.refresh,
            "memberId": member.id.uuidString.lowercased()]
    }

    @Test func eachActionProducesItsEventAndNothingElse() async throws {
        typealias Action = @Sendable (TestApp, any TestClientProtocol, [String: String]) async throws -> Void
        let cases: [(String, [String], Action)] = [
            ("register", ["user_created"], { _, c, _ in _ = try await c.register("new@example.com") }),
            ("login", ["login_succeeded"], { _, c, _ in _ = try await c.login("target@example.com") }),
            ("wrong password", ["login_failed"], { _, c, _ in
                _ = try await c.call(.post, "/api/v1/auth/login", json: ["email": "target@example.com", "password": "Wr0ng!pass"]) }),
            ("refresh", [], { _, c, x in _ = try await c.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": x["memberRefresh"]!]) }),
            ("refresh reuse", ["refresh_reuse_detected"], { _, c, x in
                _ = try await c.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": x["memberRefresh"]!])
                _ = try await c.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": x["memberRefresh"]!]) }),
            ("logout", ["logout"], { _, c, x in _ = try await c.call(.post, "/api/v1/auth/logout", bearer: x["member"]) }),
            ("change password", ["password_changed"], { _, c, x in
                _ = try await c.call(.post, "/api/v1/auth/change-password", json: ["currentPassword": TestApp.password, "newPassword": "N3w!Password"], bearer: x["member"]) }),
            ("forgot and reset password", ["password_reset"], { a, c, _ in
                _ = try await c.call(.post, "/api/v1/auth/forgot-password", json: ["email": "member@example.com"])
                let t = token(in: await a.mailer.waitForMessage(to: "member@example.com", kind: .passwordReset)) ?? ""
                _ = try await c.call(.post, "/api/v1/auth/reset-password", json: ["token": t, "newPassword": "N3w!Password"]) }),
            ("verify email", ["email_verified"], { a, c, _ in
                _ = try await c.call(.post, "/api/v1/auth/resend-verification", json: ["email": "member@example.com"])
                let t = token(in: await a.mailer.waitForMessage(to: "member@example.com", kind: .emailVerification)) ?? ""
                _ = try await c.call(.post, "/api/v1/auth/verify-email", json: ["token": t]) }),
            ("admin creates a user", ["user_created"], { _, c, x in
                _ = try await c.call(.post, "/api/v1/users", json: ["email": "made@example.com", "password": TestApp.password], bearer: x["root"]) }),
            ("admin updates a user", ["user_updated"], { _, c, x in
                _ = try await c.call(.patch, "/api/v1/users/\(x["target"]!)", json: ["isActive": false], bearer: x["root"]) }),
            ("admin deletes a user", ["user_deleted"], { _, c, x in _ = try await c.call(.delete, "/api/v1/users/\(x["target"]!)", bearer: x["root"]) }),
            ("role change", ["role_changed"], { _, c, x in
                _ = try await c.call(.patch, "/api/v1/users/\(x["target"]!)/role", json: ["role": "moderator"], bearer: x["root"]) }),
            ("session revoked", ["session_revoked"], { _, c, x in _ = try await c.call(.delete, "/api/v1/users/\(x["memberId"]!)/sessions", bearer: x["root"]) }),
            ("permission denied", ["permission_denied"], { _, c, x in _ = try await c.call(.get, "/api/v1/users/\(x["target"]!)", bearer: x["member"]) }),
            ("user list by a user", ["permission_denied"], { _, c, x in _ = try await c.call(.get, "/api/v1/users", bearer: x["member"]) }),
            ("user creation by a user", ["permission_denied"], { _, c, x in
                _ = try await c.call(.post, "/api/v1/users", json: ["email": "no@example.com", "password": TestApp.password], bearer: x["member"]) }),
            ("audit read by a user", ["permission_denied"], { _, c, x in _ = try await c.call(.get, "/api/v1/audit-events", bearer: x["member"]) }),
            ("reading is not audited", [], { _, c, x in
                _ = try await c.call(.get, "/api/v1/users/me", bearer: x["member"])
                _ = try await c.call(.get, "/api/v1/users", bearer: x["root"])
                _ = try await c.call(.get, "/api/v1/audit-events", bearer: x["root"]) }),
        ]
        for (name, expected, action) in cases {
            let got = try await produced(Self.standardSetup, action)
            #expect(got == expected.sorted(), "\(name): \(got)")
        }
    }

    @Test func lockoutProducesFailedAndLockedEvents() async throws {
        let got = try await produced(Self.standardSetup) { _, c, _ in
            for _ in 0..<6 { _ = try await c.call(.post, "/api/v1/auth/login", json: ["email": "target@example.com", "password": "Wr0ng!pass"]) }
        }
        #expect(got.filter { $0 == "login_failed" }.count == 5)
        #expect(got.filter { $0 == "login_locked" }.count == 2, "one when locking, one for the refused attempt: \(got)")
        #expect(Set(got) == ["login_failed", "login_locked"])
    }

    @Test func onlyAdminsReadTheLogWithFiltersAndNoSecrets() async throws {
        try await TestApp.run { app, client in
            let context = try await Self.standardSetup(app, client)
            try await app.makeUser("mod@example.com", role: .moderator)
            let moderator = try await client.login("mod@example.com")
            #expect(try await client.call(.get, "/api/v1/audit-events", bearer: moderator.access).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/audit-events", bearer: context["member"]).status == .forbidden)
            _ = try await client.call(.post, "/api/v1/auth/login", json: ["email": "target@example.com", "password": "S3cret!Guess"])
            let all = try await client.call(.get, "/api/v1/audit-events?pageSize=100", bearer: context["root"], headers: [HTTPField.Name("X-Request-ID")!: "audit-read-1"])
            #expect(all.status == .ok)
            let items = all.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == all.json["total"] as? Int)
            #expect(all.json["page"] as? Int == 1 && all.json["pageSize"] as? Int == 100)
            let times = items.compactMap { $0["occurredAt"] as? String }
            #expect(times == times.sorted(by: >), "newest first")
            for item in items { for key in ["eventId", "type", "occurredAt", "actorId", "targetId", "clientAddress", "userAgent", "requestId", "outcome", "details"] { #expect(item.keys.contains(key)) } }
            let failed = try await client.call(.get, "/api/v1/audit-events?type=login_failed&targetId=\(context["target"]!)", bearer: context["root"])
            #expect(failed.json["total"] as? Int == 1)
            #expect(try await client.call(.get, "/api/v1/audit-events?type=nope", bearer: context["root"]).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/audit-events?from=yesterday", bearer: context["root"]).status == .unprocessableContent)
            #expect(try await client.call(.get, "/api/v1/audit-events?actorId=x&pageSize=0", bearer: context["root"]).errorFields.sorted() == ["actorId", "pageSize"])
            let future = try await client.call(.get, "/api/v1/audit-events?from=2999-01-01T00:00:00Z", bearer: context["root"])
            #expect(future.json["total"] as? Int == 0)
            let text = all.text + app.logText
            for secret in ["S3cret!Guess", TestApp.password, context["member"]!, context["memberRefresh"]!, context["root"]!] {
                #expect(!text.contains(secret), "a secret reached the audit log or the logs")
            }
        }
    }
}

@Suite("Locked accounts and CORS on error answers")
struct LockedAndCORSTests {
    @Test func aLockedAccountIsRefusedWithoutWaitingForAHashingSlot() async throws {
        try await TestApp.run(.init(hashConcurrency: 1, hashQueueLimit: 0, verifyDelay: .milliseconds(300))) { app, client in
            try await app.makeUser("locked@example.com")
            try await app.makeUser("busy@example.com")
            for _ in 0..<5 {
                #expect(try await client.call(.post, "/api/v1/auth/login", json: ["email": "locked@example.com", "password": "Wr0ng!Guess"]).status == .unauthorized)
            }
            let before = app.hasher.verifications
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await client.call(.post, "/api/v1/auth/login", json: ["email": "busy@example.com", "password": TestApp.password]) }
                try await Task.sleep(for: .milliseconds(100))
                // The only hashing slot is taken and nothing may wait: a locked account still gets its 429, not 503.
                let locked = try await client.call(.post, "/api/v1/auth/login", json: ["email": "locked@example.com", "password": TestApp.password])
                #expect(locked.status == .tooManyRequests)
                #expect(locked.code == "too_many_attempts")
                let shed = try await client.call(.post, "/api/v1/auth/login", json: ["email": "busy@example.com", "password": TestApp.password])
                #expect(shed.status == .serviceUnavailable, "an unlocked login meanwhile is shed")
                try await group.waitForAll()
            }
            #expect(app.hasher.verifications == before + 1, "only the busy login ran bcrypt")
        }
    }

    @Test func allowedOriginsCanReadHeadersOfErrorAnswers() async throws {
        var security = HTTPSecurityConfiguration()
        security.rateLimitsEnabled = false
        security.corsAllowedOrigins = ["https://app.example.com"]
        try await TestApp.run(.init(security: security)) { _, client in
            let origin = HTTPField.Name("Origin")!
            let problem = try await client.call(.post, "/api/v1/auth/login", json: [String: Any](), headers: [origin: "https://app.example.com"])
            #expect(problem.status == .unprocessableContent)
            #expect(problem.headers[.accessControlAllowOrigin] == "https://app.example.com")
            #expect(problem.headers[.accessControlExposeHeaders]?.contains("Retry-After") == true)
            #expect(problem.headers[.accessControlExposeHeaders]?.contains("X-Request-ID") == true)
            let ok = try await client.call(.get, "/health", headers: [origin: "https://app.example.com"])
            #expect(ok.headers[.accessControlAllowOrigin] == "https://app.example.com")
            let other = try await client.call(.get, "/health", headers: [origin: "https://evil.example.com"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
            #expect(other.headers[.accessControlExposeHeaders] == nil)
        }
    }
}
