import Foundation
import GatehouseCore
import GatehouseTesting
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Account flows end to end")
struct AuthFlowTests {
    @Test func registerLoginMeRefreshLogout() async throws {
        try await TestApp.run { app, client in
            let registered = try await client.register(" Alice@Example.COM ")
            #expect(registered.status == .created)
            #expect(registered.json["email"] as? String == "alice@example.com")
            #expect(registered.json["role"] as? String == "user")
            #expect(registered.json["passwordHash"] == nil)
            let id = try #require(registered.json["userId"] as? String)
            #expect(registered.headers[.location] == "/api/v1/users/\(id)")

            let login = try await client.call(.post, "/api/v1/auth/login", json: ["email": "alice@example.com", "password": TestApp.password])
            #expect(login.status == .ok)
            #expect(login.json["tokenType"] as? String == "Bearer")
            #expect(login.json["expiresIn"] as? Int == 3600)
            #expect(login.json["refreshExpiresIn"] as? Int == 604_800)
            #expect((login.json["user"] as? [String: Any])?["lastLoginAt"] is String)
            let access = try #require(login.json["accessToken"] as? String)
            let refresh = try #require(login.json["refreshToken"] as? String)

            let me = try await client.call(.get, "/api/v1/users/me", bearer: access)
            #expect(me.status == .ok)
            #expect(me.json["userId"] as? String == id)

            let rotated = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": refresh])
            #expect(rotated.status == .ok)
            let newRefresh = try #require(rotated.json["refreshToken"] as? String)
            let newAccess = try #require(rotated.json["accessToken"] as? String)
            #expect(newRefresh != refresh)

            let logout = try await client.call(.post, "/api/v1/auth/logout", bearer: newAccess)
            #expect(logout.status == .noContent)
            // The session is gone: both the old and the new access tokens, and the refresh token, are rejected.
            for token in [access, newAccess] {
                let after = try await client.call(.get, "/api/v1/users/me", bearer: token)
                #expect(after.status == .unauthorized)
                #expect(after.headers[.wwwAuthenticate] == #"Bearer realm="gatehouse", error="invalid_token""#)
            }
            let refreshAfter = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": newRefresh])
            #expect(refreshAfter.status == .unauthorized)
            #expect(refreshAfter.code == "invalid_refresh_token")
        }
    }

    @Test func missingTokenGetsChallengeWithoutError() async throws {
        try await TestApp.run { _, client in
            let reply = try await client.call(.get, "/api/v1/users/me")
            #expect(reply.status == .unauthorized)
            #expect(reply.headers[.wwwAuthenticate] == #"Bearer realm="gatehouse""#)
            #expect(reply.headers[.contentType] == "application/problem+json")
            let basic = try await client.call(.get, "/api/v1/users/me", headers: [.authorization: "Basic YWxhZGRpbjpvcGVuc2VzYW1l"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func loginFailuresLookAlikeAndCostBcrypt() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("known@example.com")
            try await app.makeUser("disabled@example.com", isActive: false)
            var bodies: [String] = []
            for (email, password) in [("known@example.com", "Wr0ng!Password"), ("unknown@example.com", "Wr0ng!Password"), ("disabled@example.com", "Wr0ng!Password")] {
                let before = app.hasher.verifications
                let reply = try await client.call(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
                #expect(reply.status == .unauthorized)
                #expect(reply.code == "invalid_credentials")
                #expect(app.hasher.verifications == before + 1, "\(email) must cost exactly one bcrypt verification")
                var json = reply.json
                json["requestId"] = nil
                bodies.append(String(describing: json.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }))
            }
            #expect(Set(bodies).count == 1, "unknown, wrong-password and disabled answers must be identical")
            let disabled = try await client.call(.post, "/api/v1/auth/login", json: ["email": "disabled@example.com", "password": TestApp.password])
            #expect(disabled.status == .forbidden)
            #expect(disabled.code == "account_disabled")
        }
    }

    @Test func requireVerifiedEmailBlocksUnverifiedLogin() async throws {
        try await TestApp.run(.init(requireVerifiedEmail: true)) { app, client in
            try await app.makeUser("unverified@example.com", isVerified: false)
            let reply = try await client.call(.post, "/api/v1/auth/login", json: ["email": "unverified@example.com", "password": TestApp.password])
            #expect(reply.status == .forbidden)
            #expect(reply.code == "email_not_verified")
            try await app.makeUser("verified@example.com", isVerified: true)
            _ = try await client.login("verified@example.com")
        }
    }

    @Test func emailVerificationTokensAreSingleUseExpireAndSupersede() async throws {
        try await TestApp.run { app, client in
            #expect(try await client.register("verify@example.com").status == .created)
            let first = try #require(token(in: await app.mailer.waitForMessage(to: "verify@example.com", kind: .emailVerification)))
            #expect(await app.mailer.messages.first?.textBody.contains("https://auth.example.test/verify-email?token=\(first)") == true)
            // Only the digest is stored.
            let rows = try await app.database.database.raw("SELECT digest FROM one_time_tokens").all()
            let digests = try rows.map { try $0.decode(column: "digest", as: String.self) }
            #expect(digests.contains(OneTimeToken.digest(first)))
            #expect(!digests.contains(first))

            // A newer token supersedes the first.
            await app.mailer.reset()
            #expect(try await client.call(.post, "/api/v1/auth/resend-verification", json: ["email": "verify@example.com"]).status == .accepted)
            let second = try #require(token(in: await app.mailer.waitForMessage(to: "verify@example.com", kind: .emailVerification)))
            let stale = try await client.call(.post, "/api/v1/auth/verify-email", json: ["token": first])
            #expect(stale.status == .badRequest)
            #expect(stale.code == "invalid_verification_token")

            // Expired after the TTL (24 h).
            await app.mailer.reset()
            _ = try await client.call(.post, "/api/v1/auth/resend-verification", json: ["email": "verify@example.com"])
            let third = try #require(token(in: await app.mailer.waitForMessage(to: "verify@example.com", kind: .emailVerification)))
            #expect(third != second)
            app.clock.advance(by: 86_401)
            #expect(try await client.call(.post, "/api/v1/auth/verify-email", json: ["token": third]).code == "invalid_verification_token")

            await app.mailer.reset()
            _ = try await client.call(.post, "/api/v1/auth/resend-verification", json: ["email": "verify@example.com"])
            let fourth = try #require(token(in: await app.mailer.waitForMessage(to: "verify@example.com", kind: .emailVerification)))
            let ok = try await client.call(.post, "/api/v1/auth/verify-email", json: ["token": fourth])
            #expect(ok.status == .ok)
            #expect(ok.json["isVerified"] as? Bool == true)
            // Single use.
            #expect(try await client.call(.post, "/api/v1/auth/verify-email", json: ["token": fourth]).status == .badRequest)
            // Resend for a verified or unknown account still answers 202 and sends nothing.
            await app.mailer.reset()
            #expect(try await client.call(.post, "/api/v1/auth/resend-verification", json: ["email": "verify@example.com"]).status == .accepted)
            #expect(try await client.call(.post, "/api/v1/auth/resend-verification", json: ["email": "nobody@example.com"]).status == .accepted)
            try await Task.sleep(for: .milliseconds(100))
            #expect(await app.mailer.messages.isEmpty)
        }
    }

    @Test func passwordResetRevokesEverySessionAndIsSingleUse() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("reset@example.com")
            let one = try await client.login("reset@example.com")
            let two = try await client.login("reset@example.com")
            #expect(try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "reset@example.com"]).status == .accepted)
            #expect(try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "ghost@example.com"]).status == .accepted)
            let message = await app.mailer.waitForMessage(to: "reset@example.com", kind: .passwordReset)
            let resetToken = try #require(token(in: message))
            #expect(message?.textBody.contains("https://auth.example.test/reset-password?token=") == true)

            let weak = try await client.call(.post, "/api/v1/auth/reset-password", json: ["token": resetToken, "newPassword": "weak"])
            #expect(weak.status == .unprocessableContent)
            #expect(weak.errorFields.allSatisfy { $0 == "newPassword" })

            let reset = try await client.call(.post, "/api/v1/auth/reset-password", json: ["token": resetToken, "newPassword": "N3w!Password"])
            #expect(reset.status == .noContent)
            for pair in [one, two] {
                #expect(try await client.call(.get, "/api/v1/users/me", bearer: pair.access).status == .unauthorized)
                #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": pair.refresh]).status == .unauthorized)
            }
            let again = try await client.call(.post, "/api/v1/auth/reset-password", json: ["token": resetToken, "newPassword": "An0ther!Password"])
            #expect(again.status == .badRequest)
            #expect(again.code == "invalid_reset_token")
            #expect(try await client.call(.post, "/api/v1/auth/login", json: ["email": "reset@example.com", "password": TestApp.password]).status == .unauthorized)
            _ = try await client.login("reset@example.com", "N3w!Password")
        }
    }

    @Test func resetTokenExpiresAndIsVoidedByPasswordChange() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("expire@example.com")
            _ = try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "expire@example.com"])
            let expired = try #require(token(in: await app.mailer.waitForMessage(to: "expire@example.com", kind: .passwordReset)))
            app.clock.advance(by: 3_601)
            #expect(try await client.call(.post, "/api/v1/auth/reset-password", json: ["token": expired, "newPassword": "N3w!Password"]).code == "invalid_reset_token")

            await app.mailer.reset()
            _ = try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "expire@example.com"])
            let pending = try #require(token(in: await app.mailer.waitForMessage(to: "expire@example.com", kind: .passwordReset)))
            let session = try await client.login("expire@example.com")
            let change = try await client.call(
                .post, "/api/v1/auth/change-password", json: ["currentPassword": TestApp.password, "newPassword": "Chang3d!Password"], bearer: session.access)
            #expect(change.status == .noContent)
            #expect(try await client.call(.post, "/api/v1/auth/reset-password", json: ["token": pending, "newPassword": "N3w!Password"]).code == "invalid_reset_token")
        }
    }

    @Test func changePasswordRevokesOtherSessionsOnly() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("change@example.com")
            let current = try await client.login("change@example.com")
            let other = try await client.login("change@example.com")
            let wrong = try await client.call(
                .post, "/api/v1/auth/change-password", json: ["currentPassword": "Wr0ng!Password", "newPassword": "Chang3d!Password"], bearer: current.access)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.code == "invalid_credentials")
            let weak = try await client.call(
                .post, "/api/v1/auth/change-password", json: ["currentPassword": TestApp.password, "newPassword": "short"], bearer: current.access)
            #expect(weak.status == .unprocessableContent)
            let ok = try await client.call(
                .post, "/api/v1/auth/change-password", json: ["currentPassword": TestApp.password, "newPassword": "Chang3d!Password"], bearer: current.access)
            #expect(ok.status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: current.access).status == .ok)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": current.refresh]).status == .ok)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: other.access).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": other.refresh]).status == .unauthorized)
            _ = try await client.login("change@example.com", "Chang3d!Password")
        }
    }

    @Test func deactivationAndDeletionRejectTokensAtOnce() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("root@example.com", role: .superAdmin)
            let admin = try await client.login("root@example.com")
            let target = try await app.makeUser("target@example.com")
            let victim = try await app.makeUser("victim@example.com")
            let targetTokens = try await client.login("target@example.com")
            let victimTokens = try await client.login("victim@example.com")

            let deactivate = try await client.call(.patch, "/api/v1/users/\(target.id.uuidString.lowercased())", json: ["isActive": false], bearer: admin.access)
            #expect(deactivate.status == .ok)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: targetTokens.access).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": targetTokens.refresh]).status == .unauthorized)
            // Reactivation does not bring the old session back.
            _ = try await client.call(.patch, "/api/v1/users/\(target.id.uuidString.lowercased())", json: ["isActive": true], bearer: admin.access)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: targetTokens.access).status == .unauthorized)

            #expect(try await client.call(.delete, "/api/v1/users/\(victim.id.uuidString.lowercased())", bearer: admin.access).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: victimTokens.access).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": victimTokens.refresh]).status == .unauthorized)
            // The deleted user's email can be registered again; the old account stays visible to a super_admin only.
            #expect(try await client.register("victim@example.com").status == .created)
            let hidden = try await client.call(.get, "/api/v1/users/\(victim.id.uuidString.lowercased())", bearer: admin.access)
            #expect(hidden.status == .notFound)
            let shown = try await client.call(.get, "/api/v1/users/\(victim.id.uuidString.lowercased())?includeDeleted=true", bearer: admin.access)
            #expect(shown.status == .ok)
            #expect(shown.json["deletedAt"] is String)
        }
    }

    @Test func roleChangeIsSeenOnTheNextRequest() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("root@example.com", role: .superAdmin)
            let root = try await client.login("root@example.com")
            let member = try await app.makeUser("member@example.com")
            let tokens = try await client.login("member@example.com")
            #expect(try await client.call(.get, "/api/v1/users", bearer: tokens.access).status == .forbidden)
            let promote = try await client.call(.patch, "/api/v1/users/\(member.id.uuidString.lowercased())/role", json: ["role": "moderator"], bearer: root.access)
            #expect(promote.status == .ok)
            #expect(promote.json["role"] as? String == "moderator")
            #expect(try await client.call(.get, "/api/v1/users", bearer: tokens.access).status == .ok)
            _ = try await client.call(.patch, "/api/v1/users/\(member.id.uuidString.lowercased())/role", json: ["role": "guest"], bearer: root.access)
            #expect(try await client.call(.get, "/api/v1/users", bearer: tokens.access).status == .forbidden)
            #expect(try await client.call(.patch, "/api/v1/users/me", json: ["fullName": "Guest"], bearer: tokens.access).status == .forbidden)
        }
    }

    @Test func refreshReuseRevokesThatSessionOnly() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("reuse@example.com")
            let stolen = try await client.login("reuse@example.com")
            let laptop = try await client.login("reuse@example.com")
            let first = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": stolen.refresh])
            #expect(first.status == .ok)
            let child = try #require(first.json["refreshToken"] as? String)
            let childAccess = try #require(first.json["accessToken"] as? String)
            let replay = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": stolen.refresh])
            #expect(replay.status == .unauthorized)
            // The whole family is revoked: the child refresh token and its access token too.
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": child]).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: childAccess).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: stolen.access).status == .unauthorized)
            // The other session is untouched.
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: laptop.access).status == .ok)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": laptop.refresh]).status == .ok)
        }
    }

    @Test func twentyConcurrentRefreshesGiveExactlyOnePair() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("race@example.com")
            // Several rounds: the losers revoke the session (reuse) while the winner is still finishing.
            for round in 0..<8 {
                let tokens = try await client.login("race@example.com")
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for _ in 0..<20 {
                        group.addTask { try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh]).status }
                    }
                    return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .ok }.count == 1, "round \(round)")
                #expect(statuses.filter { $0 == .unauthorized }.count == 19, "round \(round)")
            }
        }
    }

    @Test func reuseIntervalReturnsTheIssuedChild() async throws {
        try await TestApp.run(.init(refreshReuseInterval: 10)) { app, client in
            try await app.makeUser("retry@example.com")
            let tokens = try await client.login("retry@example.com")
            let first = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh])
            let retry = try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh])
            #expect(first.status == .ok)
            #expect(retry.status == .ok)
            // The same child token comes back (same tokenId; the JSON member order of two signings may differ).
            let firstClaims = Forge.claims(of: first.json["refreshToken"] as? String ?? "")
            let retryClaims = Forge.claims(of: retry.json["refreshToken"] as? String ?? "")
            #expect(firstClaims["tokenId"] as? String != nil)
            #expect(firstClaims["tokenId"] as? String == retryClaims["tokenId"] as? String)
            #expect(Forge.claims(of: tokens.refresh)["tokenId"] as? String != firstClaims["tokenId"] as? String)
            // Past the interval, presenting it again is reuse and revokes the session.
            app.clock.advance(by: 11)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": tokens.refresh]).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/refresh", json: ["refreshToken": first.json["refreshToken"] as? String ?? ""]).status == .unauthorized)
        }
    }

    @Test func logoutVariants() async throws {
        try await TestApp.run { app, client in
            try await app.makeUser("out@example.com")
            try await app.makeUser("someone@example.com")
            let a = try await client.login("out@example.com")
            let b = try await client.login("out@example.com")
            let c = try await client.login("out@example.com")
            let foreign = try await client.login("someone@example.com")
            // Another user's refresh token is refused and changes nothing.
            #expect(try await client.call(.post, "/api/v1/auth/logout", json: ["refreshToken": foreign.refresh], bearer: a.access).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: foreign.access).status == .ok)
            // With a refresh token: that session, not the caller's.
            #expect(try await client.call(.post, "/api/v1/auth/logout", json: ["refreshToken": b.refresh], bearer: a.access).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: b.access).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: a.access).status == .ok)
            // All sessions.
            #expect(try await client.call(.post, "/api/v1/auth/logout", json: ["allSessions": true], bearer: a.access).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: a.access).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: c.access).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/users/me", bearer: foreign.access).status == .ok)
        }
    }

    @Test func longPasswordsDoNotCollapseToTheirFirst72Bytes() async throws {
        try await TestApp.run { app, client in
            let prefix = String(repeating: "Aa1!", count: 18)  // 72 bytes
            #expect(try await client.register("long@example.com", prefix + "tail-one").status == .created)
            #expect(try await client.call(.post, "/api/v1/auth/login", json: ["email": "long@example.com", "password": prefix + "tail-two"]).status == .unauthorized)
            _ = try await client.login("long@example.com", prefix + "tail-one")
        }
    }

    /// A transport that always fails, recording what it was asked to send.
    actor FailingMailer: Mailer {
        var attempts = 0
        func send(_ message: MailMessage) async throws {
            attempts += 1
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    @Test func failedMailNeitherBlocksNorFailsTheRequestAndIsLoggedWithoutToken() async throws {
        let failing = FailingMailer()
        try await TestApp.run(.init(mailer: failing)) { app, client in
            #expect(try await client.register("mailfail@example.com").status == .created)
            #expect(try await client.call(.post, "/api/v1/auth/forgot-password", json: ["email": "mailfail@example.com"]).status == .accepted)
            var waited = 0
            while await failing.attempts < 2 && waited < 200 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            #expect(await failing.attempts == 2)
            try await Task.sleep(for: .milliseconds(50))
            let failures = app.logs.entries.filter { "\($0.message)" == "mail delivery failed" }
            #expect(failures.count == 2)
            let tokens = try await app.database.database.raw("SELECT COUNT(*) AS n FROM one_time_tokens").first()?.decode(column: "n", as: Int.self)
            #expect(tokens == 2, "the tokens were issued even though delivery failed")
            #expect(!app.logText.contains("token="))
        }
    }
}
