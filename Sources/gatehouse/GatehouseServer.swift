import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseSQL
import GatehouseSQLite
import GatehouseTokens
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle

/// The composition root: the only place that picks concrete types (SQLite store, bcrypt hasher, jwt-kit codec,
/// file mailer, system clock) and wires them into the HTTP application.
enum GatehouseServer {
    /// Opens the configured database (creating the data directory), runs `body`, and always closes it.
    static func withDatabase<T>(_ configuration: GatehouseConfiguration, logger: Logger, _ body: (SQLiteDatabaseService) async throws -> T) async throws -> T {
        let database = try await open(configuration, logger: logger)
        do {
            let result = try await body(database)
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }

    static func open(_ configuration: GatehouseConfiguration, logger: Logger) async throws -> SQLiteDatabaseService {
        switch configuration.database {
        case .sqliteMemory:
            return try await SQLiteDatabaseService.open(path: nil, logger: logger)
        case .sqliteFile(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return try await SQLiteDatabaseService.open(path: path, logger: logger)
        }
    }

    /// Applies pending migrations; returns the versions applied.
    static func migrate(_ database: SQLiteDatabaseService, logger: Logger) async throws -> [Int] {
        let applied = try await database.makeMigrator().migrate()
        if !applied.isEmpty { logger.info("applied migrations", metadata: ["versions": "\(applied.map(String.init).joined(separator: ","))"]) }
        return applied
    }

    /// Runs `body` with a user service over `database` and a bcrypt pool that is shut down afterwards.
    static func withUserService<T>(
        _ configuration: GatehouseConfiguration, database: SQLiteDatabaseService, logger: Logger, _ body: (UserService) async throws -> T
    ) async throws -> T {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        defer { pool.shutdownGracefully { _ in } }
        let users = UserService(
            store: database.makeStore(), hasher: BcryptPasswordHasher(cost: configuration.bcryptCost, threadPool: pool), clock: SystemWallClock(),
            logger: logger)
        return try await body(users)
    }

    /// Reads the signing secret: configured, or `<data dir>/jwt-secret` (generated with mode 0600 when missing).
    static func signingSecret(_ configuration: GatehouseConfiguration, logger: Logger) throws -> String {
        if let secret = configuration.jwtSecret {
            logger.info("using the signing secret from GATEHOUSE_JWT_SECRET")
            return secret
        }
        let url = configuration.dataDirectory.appendingPathComponent("jwt-secret")
        if let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8),
            text.trimmingCharacters(in: .whitespacesAndNewlines).utf8.count >= 32
        {
            logger.info("using the signing secret in \(url.path)")
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let secret = OneTimeToken.generate() + OneTimeToken.generate()
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(atPath: url.path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(key: "GATEHOUSE_DATA_DIR", problem: "is not writable: cannot create \(url.path)")
        }
        logger.notice("generated a new signing secret in \(url.path) (mode 0600)")
        return secret
    }

    /// Runs the service until SIGTERM/SIGINT: in-flight requests drain, then the database closes.
    static func run(configuration: GatehouseConfiguration, migrate shouldMigrate: Bool, logger: Logger) async throws {
        logger.info("data directory: \(configuration.dataDirectory.path)")
        switch configuration.database {
        case .sqliteFile(let path): logger.info("database: SQLite file \(path)")
        case .sqliteMemory: logger.info("database: in-memory SQLite (data is lost at exit)")
        }
        logger.info("mail folder: \(configuration.mailDirectory.path)")
        let secret = try signingSecret(configuration, logger: logger)
        try FileManager.default.createDirectory(at: configuration.mailDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let database = try await open(configuration, logger: logger)
        if shouldMigrate { _ = try await migrate(database, logger: logger) }

        let hashPool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        hashPool.start()
        let clock = SystemWallClock()
        let store = database.makeStore()
        var tokenConfiguration = TokenConfiguration(secret: secret)
        tokenConfiguration.issuer = configuration.jwtIssuer
        tokenConfiguration.audience = configuration.jwtAudience
        tokenConfiguration.accessTokenTTL = configuration.accessTokenTTL
        tokenConfiguration.refreshTokenTTL = configuration.refreshTokenTTL
        let tokens = await JWTTokenCodec(configuration: tokenConfiguration, clock: clock)
        // Metrics live in one registry created here and passed explicitly (no global MetricsSystem bootstrap).
        let metrics = configuration.metricsEnabled ? GatehouseMetrics(registry: PrometheusCollectorRegistry()) : nil
        let bcrypt = BcryptPasswordHasher(cost: configuration.bcryptCost, threadPool: hashPool)
        let hasher: any PasswordHasher = metrics.map { MeteredPasswordHasher(bcrypt, verifications: $0.passwordVerifications) } ?? bcrypt
        var authConfiguration = AuthConfiguration()
        authConfiguration.refreshReuseInterval = configuration.refreshReuseInterval
        authConfiguration.verificationTokenTTL = configuration.verificationTokenTTL
        authConfiguration.resetTokenTTL = configuration.resetTokenTTL
        authConfiguration.requireVerifiedEmail = configuration.requireVerifiedEmail
        authConfiguration.publicURL = configuration.publicURL
        authConfiguration.lockoutThreshold = configuration.lockoutThreshold
        authConfiguration.lockoutWindow = configuration.lockoutWindow
        authConfiguration.lockoutBackoff = configuration.lockoutBackoff
        let passwordQueue = PasswordWorkQueue(concurrency: System.coreCount, waitingLimit: configuration.hashQueueLimit)
        let mail = MailDispatcher(mailer: FileMailer(directory: configuration.mailDirectory), logger: logger)
        let auth = AuthService(
            store: store, hasher: hasher, tokens: tokens, mail: mail, clock: clock, configuration: authConfiguration, logger: logger,
            passwordQueue: passwordQueue)
        let users = UserService(store: store, hasher: hasher, clock: clock, logger: logger, passwordQueue: passwordQueue)

        if let email = configuration.bootstrapAdminEmail, let password = configuration.bootstrapAdminPassword {
            do {
                if try await users.hasActiveSuperAdmin() {
                    logger.info("bootstrap admin skipped: a super_admin already exists")
                } else {
                    _ = try await users.createSuperAdmin(email: email, password: password)
                    logger.notice("bootstrap super_admin created")
                }
            } catch let error as GatehouseError {
                logger.critical("cannot create the bootstrap super_admin: \(([error.detail] + error.violations.map { "\($0.field): \($0.message)" }).joined(separator: "; "))")
                try? await database.close()
                try? await hashPool.shutdownGracefully()
                throw ExitCode(78)
            }
        }

        let router = buildRouter(
            auth: auth, users: users, sessions: SessionService(store: store, clock: clock, logger: logger),
            auditLog: AuditService(store: store, clock: clock, logger: logger), store: store, version: Gatehouse.version,
            security: httpSecurity(configuration, clock: clock), metrics: metrics)
        let app = Application(
            router: router,
            // Connections idle for 60 s (including a request left half-sent) are closed.
            server: .http1(configuration: .init(idleTimeout: .seconds(60))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "gatehouse"),
            services: [database, ExpiredTokenPurger(store: store, clock: clock, logger: logger)],
            onServerRunning: { channel in
                logger.info("listening on \(channel.localAddress?.description ?? "?") (public URL \(configuration.publicURL))")
            },
            logger: logger
        )
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        try? await hashPool.shutdownGracefully()
    }
}

extension GatehouseServer {
    /// The HTTP hardening settings from the configuration; HSTS when the public URL is https.
    static func httpSecurity(_ configuration: GatehouseConfiguration, clock: any WallClock) -> HTTPSecurityConfiguration {
        var security = HTTPSecurityConfiguration()
        security.clientAddressResolver = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
        security.rateLimitsEnabled = configuration.rateLimitsEnabled
        security.rateLimits = configuration.rateLimits
        security.corsAllowedOrigins = configuration.corsOrigins
        security.strictTransportSecurity = configuration.publicURL.lowercased().hasPrefix("https://")
        security.clock = clock
        return security
    }
}

/// Background service that deletes expired refresh and one-time tokens every hour. Reads never trust expired rows
/// meanwhile (every read filters on expiry); this is housekeeping only.
struct ExpiredTokenPurger: Service {
    let store: any GatehouseStore
    let clock: any WallClock
    let logger: Logger
    /// Seconds between purges (default 3600).
    var interval: Duration = .seconds(3_600)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    let deleted = try await store.purgeExpired(before: clock.now())
                    if deleted > 0 { logger.info("purged expired tokens", metadata: ["count": "\(deleted)"]) }
                } catch {
                    logger.warning("purging expired tokens failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
