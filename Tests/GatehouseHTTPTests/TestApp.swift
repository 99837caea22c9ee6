import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseSQL
import GatehouseSQLite
import GatehouseTesting
import GatehouseTokens
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A password hasher that counts the bcrypt verifications it performs (real bcrypt underneath, cost 4).
final class CountingHasher: PasswordHasher {
    let inner: BcryptPasswordHasher
    let delay: Duration
    private let counter = Mutex(0)
    init(inner: BcryptPasswordHasher, delay: Duration = .zero) {
        self.inner = inner
        self.delay = delay
    }
    var verifications: Int { counter.withLock { $0 } }
    func hash(_ password: String) async throws -> String { try await inner.hash(password) }
    func verify(_ password: String, against hash: String) async throws -> Bool {
        counter.withLock { $0 += 1 }
        if delay > .zero { try await Task.sleep(for: delay) }
        return try await inner.verify(password, against: hash)
    }
    func verifyDummy(_ password: String) async throws {
        counter.withLock { $0 += 1 }
        if delay > .zero { try await Task.sleep(for: delay) }
        try await inner.verifyDummy(password)
    }
}

/// The whole HTTP service over a fresh in-memory SQLite database, a mock clock, a recording mailer, bcrypt cost 4 and
/// captured logs. `run` builds it, runs the test body against Hummingbird's router test client and closes everything.
struct TestApp: Sendable {
    static let secret = "test-secret-test-secret-test-secret-0123456789"
    let database: SQLiteDatabaseService
    let store: SQLGatehouseStore
    let clock: MockWallClock
    let mailer: RecordingMailer
    let hasher: CountingHasher
    let tokens: JWTTokenCodec
    let auth: AuthService
    let users: UserService
    let logs: InMemoryLogHandler
    let logger: Logger

    struct Options {
        var refreshReuseInterval = 0
        var requireVerifiedEmail = false
        /// When set, mail goes to this transport instead of the recording mailer.
        var mailer: (any Mailer)?
        /// Password jobs running at once and waiting before `503 overloaded`.
        var hashConcurrency = 4
        var hashQueueLimit = 1_000
        /// Extra delay added to every bcrypt verification (to saturate the queue in tests).
        var verifyDelay: Duration = .zero
        /// HTTP hardening (its clock is replaced by the mock clock); nil: the defaults with rate limits off, because
        /// the suites sign in many times from one (unknown) peer.
        var security: HTTPSecurityConfiguration?
        /// When set, metrics are recorded (password verifications included) and served at `/metrics`.
        var metrics: GatehouseMetrics?
        /// Serve over a real socket (`.live`) instead of in-process (`.router`).
        var live = false
        /// An SQLite file shared with other instances (nil: a private in-memory database).
        var databasePath: String?
        /// Adds test-only routes after the real ones (they run behind the same router middleware).
        var extraRoutes: ((Router<GatehouseRequestContext>) -> Void)?
    }

    static func run<T: Sendable>(_ options: Options = Options(), _ body: @escaping @Sendable (TestApp, any TestClientProtocol) async throws -> T) async throws -> T {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        var logs = InMemoryLogHandler()
        logs.metadataProvider = RequestTrace.metadataProvider
        var logger = Logger(label: "gatehouse-test", factory: { _ in logs })
        logger.logLevel = .trace
        let database = try await SQLiteDatabaseService.open(path: options.databasePath, logger: logger)
        do {
            _ = try await database.makeMigrator().migrate()
            let store = database.makeStore()
            let clock = MockWallClock(Date().truncatedToMilliseconds)
            let mailer = RecordingMailer()
            let hasher = CountingHasher(inner: BcryptPasswordHasher(cost: 4, threadPool: pool), delay: options.verifyDelay)
            let queue = PasswordWorkQueue(concurrency: options.hashConcurrency, waitingLimit: options.hashQueueLimit)
            let serviceHasher: any PasswordHasher = options.metrics.map { MeteredPasswordHasher(hasher, verifications: $0.passwordVerifications) } ?? hasher
            var security = options.security ?? HTTPSecurityConfiguration()
            if options.security == nil { security.rateLimitsEnabled = false }
            security.clock = clock
            let tokens = await JWTTokenCodec(configuration: TokenConfiguration(secret: secret), clock: clock)
            var configuration = AuthConfiguration()
            configuration.publicURL = "https://auth.example.test"
            configuration.refreshReuseInterval = options.refreshReuseInterval
            configuration.requireVerifiedEmail = options.requireVerifiedEmail
            let auth = AuthService(
                store: store, hasher: serviceHasher, tokens: tokens, mail: MailDispatcher(mailer: options.mailer ?? mailer, logger: logger), clock: clock,
                configuration: configuration, logger: logger, passwordQueue: queue)
            let users = UserService(store: store, hasher: serviceHasher, clock: clock, logger: logger, passwordQueue: queue)
            let router = buildRouter(
                auth: auth, users: users, sessions: SessionService(store: store, clock: clock, logger: logger),
                auditLog: AuditService(store: store, clock: clock, logger: logger), store: store, version: "test",
                security: security, metrics: options.metrics)
            options.extraRoutes?(router)
            let testApp = TestApp(
                database: database, store: store, clock: clock, mailer: mailer, hasher: hasher, tokens: tokens, auth: auth, users: users,
                logs: logs, logger: logger)
            let app = Application(router: router, logger: logger)
            let result = try await app.test(options.live ? .live : .router) { client in try await body(testApp, client) }
            try await database.close()
            try await pool.shutdownGracefully()
            return result
        } catch {
            try? await database.close()
            try? await pool.shutdownGracefully()
            throw error
        }
    }

    /// A strong password that satisfies every rule.
    static let password = "Str0ng!Passw0rd"

    /// Creates a user directly through the store (no HTTP), with a real hash of ``password``.
    @discardableResult
    func makeUser(_ email: String, role: Role = .user, isActive: Bool = true, isVerified: Bool = true) async throws -> User {
        let now = clock.now()
        let user = User(
            id: UUID(), email: email, role: role, isActive: isActive, isVerified: isVerified, passwordHash: try await Self.sharedHash(hasher.inner),
            createdAt: now, updatedAt: now)
        try await store.createUser(user)
        return user
    }

    private static let hashCache = Mutex<String?>(nil)
    static func sharedHash(_ hasher: BcryptPasswordHasher) async throws -> String {
        if let cached = hashCache.withLock({ $0 }) { return cached }
        let hash = try await hasher.hash(password)
        hashCache.withLock { $0 = hash }
        return hash
    }

    /// All captured log lines, rendered with their metadata.
    var logText: String {
        logs.entries.map { entry in "\(entry.level) \(entry.message) \(entry.metadata)" }.joined(separator: "\n")
    }
}

/// A decoded test response.
struct Reply {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: ByteBuffer

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed])) as? [String: Any] ?? [:]
    }
    var code: String? { json["code"] as? String }
    var errorFields: [String] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
    var errorCodes: [String] { (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String } }
    var text: String { String(buffer: body) }
}

extension TestClientProtocol {
    /// Sends a request; `json` is serialised with JSONSerialization (Content-Type application/json) unless `rawBody` is given.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: Any? = nil, rawBody: String? = nil, bearer: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let rawBody {
            body = ByteBuffer(string: rawBody)
        }
        if let bearer { headers[.authorization] = "Bearer \(bearer)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: response.body)
        }
    }

    /// Logs in and returns (accessToken, refreshToken).
    func login(_ email: String, _ password: String = TestApp.password) async throws -> (access: String, refresh: String) {
        let reply = try await call(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        #expect(reply.status == .ok, "login of \(email) failed: \(reply.text)")
        let access = try #require(reply.json["accessToken"] as? String)
        let refresh = try #require(reply.json["refreshToken"] as? String)
        return (access, refresh)
    }

    func register(_ email: String, _ password: String = TestApp.password) async throws -> Reply {
        try await call(.post, "/api/v1/auth/register", json: ["email": email, "password": password])
    }
}

/// Extracts the token of a mailed link (`...?token=<token>`).
func token(in message: MailMessage?) -> String? {
    guard let body = message?.textBody, let range = body.range(of: "token=") else { return nil }
    return String(body[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
}
