import Configuration
import Foundation
import GatehouseCore
import GatehouseHTTP
import Logging

/// A configuration value that cannot be used; start-up stops with ``description`` as its one line.
struct ConfigurationError: Error, CustomStringConvertible {
    let key: String
    let problem: String
    var description: String { "invalid configuration: \(key) \(problem)" }
}

/// Where the data lives.
enum DatabaseLocation: Equatable {
    /// An SQLite file at this path.
    case sqliteFile(String)
    /// An in-memory SQLite database (`sqlite::memory:`).
    case sqliteMemory
}

/// Every setting of the service, read from command-line flags over `GATEHOUSE_*` environment variables over defaults
/// (swift-configuration). Keys, types and defaults:
///
/// | environment variable | flag | default |
/// |---|---|---|
/// | `GATEHOUSE_HOST`, `GATEHOUSE_PORT` | `--host`, `--port` | `127.0.0.1`, `8080` |
/// | `GATEHOUSE_DATA_DIR` | `--data-dir` | `./gatehouse-data` |
/// | `GATEHOUSE_DATABASE_URL` | `--database-url` | `sqlite://<data dir>/gatehouse.sqlite` |
/// | `GATEHOUSE_JWT_SECRET` (secret) | | generated into `<data dir>/jwt-secret` (mode 0600) |
/// | `GATEHOUSE_JWT_ISSUER`, `GATEHOUSE_JWT_AUDIENCE` | | `gatehouse` |
/// | `GATEHOUSE_ACCESS_TOKEN_TTL`, `GATEHOUSE_REFRESH_TOKEN_TTL` (seconds) | | `3600`, `604800` |
/// | `GATEHOUSE_REFRESH_REUSE_INTERVAL` (seconds) | | `0` |
/// | `GATEHOUSE_BCRYPT_COST` | | `12` (10 to 16) |
/// | `GATEHOUSE_PUBLIC_URL` | | `http://<host>:<port>` |
/// | `GATEHOUSE_MAIL_DIR` | | `<data dir>/mail` |
/// | `GATEHOUSE_VERIFICATION_TOKEN_TTL`, `GATEHOUSE_RESET_TOKEN_TTL` (seconds) | | `86400`, `3600` |
/// | `GATEHOUSE_REQUIRE_VERIFIED_EMAIL` | | `false` |
/// | `GATEHOUSE_LOG_LEVEL`, `GATEHOUSE_LOG_FORMAT` | `--log-level` | `info`, `text` |
/// | `GATEHOUSE_LOCKOUT_THRESHOLD`, `GATEHOUSE_LOCKOUT_WINDOW` (seconds) | | `5`, `900` |
/// | `GATEHOUSE_LOCKOUT_BACKOFF` (comma-separated seconds) | | `60,300,900,3600` |
/// | `GATEHOUSE_HASH_QUEUE_LIMIT` (waiting password jobs before `503 overloaded`) | | 4 × cores |
/// | `GATEHOUSE_TRUSTED_PROXIES` (comma-separated CIDR blocks) | | none |
/// | `GATEHOUSE_RATE_LIMITS` (`name=requests/seconds,...`), `GATEHOUSE_RATE_LIMITS_ENABLED` | | ``RateLimitPolicy/defaults``, `true` |
/// | `GATEHOUSE_CORS_ORIGINS` (comma-separated origins) | | none (no CORS headers) |
/// | `GATEHOUSE_METRICS_ENABLED` | | `true` |
/// | `GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL`, `GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD` (secret) | | none |
struct GatehouseConfiguration {
    var host = "127.0.0.1"
    var port = 8080
    var dataDirectory: URL
    var database: DatabaseLocation
    /// nil: generated or read from `<data dir>/jwt-secret`.
    var jwtSecret: String?
    var jwtIssuer = "gatehouse"
    var jwtAudience = "gatehouse"
    var accessTokenTTL = 3_600
    var refreshTokenTTL = 604_800
    var refreshReuseInterval = 0
    var bcryptCost = 12
    var publicURL: String
    var mailDirectory: URL
    var verificationTokenTTL = 86_400
    var resetTokenTTL = 3_600
    var requireVerifiedEmail = false
    var logLevel: Logger.Level = .info
    var logFormat = LogFormat.text
    var lockoutThreshold = 5
    var lockoutWindow = 900
    var lockoutBackoff = [60, 300, 900, 3_600]
    var hashQueueLimit = 4 * ProcessInfo.processInfo.activeProcessorCount
    /// Proxies whose `X-Forwarded-For` is believed.
    var trustedProxies: [CIDRBlock] = []
    var rateLimitsEnabled = true
    var rateLimits = RateLimitPolicy.defaults
    /// Lower-case origins allowed by CORS; empty: no CORS headers.
    var corsOrigins: [String] = []
    var metricsEnabled = true
    var bootstrapAdminEmail: String?
    var bootstrapAdminPassword: String?

    enum LogFormat: String { case text, json }

    /// Command-line flags that override environment variables.
    struct Flags {
        var host: String?
        var port: Int?
        var dataDir: String?
        var databaseURL: String?
        var logLevel: String?
    }

    /// Reads and validates every setting.
    /// - Throws: ``ConfigurationError`` naming the first bad key.
    init(flags: Flags, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var overrides: [AbsoluteConfigKey: ConfigValue] = [:]
        func put(_ key: String, _ value: String?) {
            if let value { overrides[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(.string(value), isSecret: false) }
        }
        put("gatehouse.host", flags.host)
        put("gatehouse.port", flags.port.map(String.init))
        put("gatehouse.dataDir", flags.dataDir)
        put("gatehouse.databaseUrl", flags.databaseURL)
        put("gatehouse.logLevel", flags.logLevel)
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: overrides),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(["GATEHOUSE_JWT_SECRET", "GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD", "GATEHOUSE_DATABASE_URL"])),
        ])
        func string(_ key: String) -> String? {
            let value = reader.string(forKey: ConfigKey("gatehouse.\(key)"))
            return value?.isEmpty == true ? nil : value
        }
        func envName(_ key: String) -> String {
            "GATEHOUSE_" + key.reduce(into: "") { result, c in
                if c.isUppercase { result += "_" }
                result += c.uppercased()
            }
        }
        func int(_ key: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            guard let raw = string(key) else { return value }
            guard let parsed = Int(raw.trimmingCharacters(in: .whitespaces)), range.contains(parsed) else {
                throw ConfigurationError(key: envName(key), problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \"\(raw)\")")
            }
            return parsed
        }
        func bool(_ key: String, default value: Bool) throws -> Bool {
            guard let raw = string(key) else { return value }
            switch raw.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw ConfigurationError(key: envName(key), problem: "must be true or false (got \"\(raw)\")")
            }
        }

        host = string("host") ?? host
        port = try int("port", default: port, range: 0...65_535)
        let dataDir = string("dataDir") ?? "./gatehouse-data"
        dataDirectory = URL(fileURLWithPath: dataDir).standardizedFileURL
        let databaseURL = string("databaseUrl")
        database = try Self.parseDatabaseURL(databaseURL, dataDirectory: dataDirectory)
        if let secret = reader.string(forKey: "gatehouse.jwtSecret", isSecret: true), !secret.isEmpty {
            guard secret.utf8.count >= 32 else {
                throw ConfigurationError(key: "GATEHOUSE_JWT_SECRET", problem: "must be at least 32 bytes (got \(secret.utf8.count))")
            }
            jwtSecret = secret
        }
        jwtIssuer = string("jwtIssuer") ?? jwtIssuer
        jwtAudience = string("jwtAudience") ?? jwtAudience
        let day = 86_400
        accessTokenTTL = try int("accessTokenTtl", default: accessTokenTTL, range: 1...(365 * day))
        refreshTokenTTL = try int("refreshTokenTtl", default: refreshTokenTTL, range: 1...(3650 * day))
        refreshReuseInterval = try int("refreshReuseInterval", default: refreshReuseInterval, range: 0...3_600)
        bcryptCost = try int("bcryptCost", default: bcryptCost, range: 10...16)
        verificationTokenTTL = try int("verificationTokenTtl", default: verificationTokenTTL, range: 1...(365 * day))
        resetTokenTTL = try int("resetTokenTtl", default: resetTokenTTL, range: 1...(30 * day))
        requireVerifiedEmail = try bool("requireVerifiedEmail", default: false)
        if let raw = string("publicUrl") {
            guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil,
                url.query == nil, url.fragment == nil
            else { throw ConfigurationError(key: "GATEHOUSE_PUBLIC_URL", problem: "must be an http(s) URL without query or fragment (got \"\(raw)\")") }
            publicURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        } else {
            let hostPart = host.contains(":") ? "[\(host)]" : host
            publicURL = "http://\(hostPart):\(port)"
        }
        mailDirectory = string("mailDir").map { URL(fileURLWithPath: $0).standardizedFileURL } ?? dataDirectory.appendingPathComponent("mail")
        if let raw = string("logLevel") {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw ConfigurationError(
                    key: "GATEHOUSE_LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical (got \"\(raw)\")")
            }
            logLevel = level
        }
        if let raw = string("logFormat") {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                throw ConfigurationError(key: "GATEHOUSE_LOG_FORMAT", problem: "must be text or json (got \"\(raw)\")")
            }
            logFormat = format
        }
        lockoutThreshold = try int("lockoutThreshold", default: lockoutThreshold, range: 1...1_000)
        lockoutWindow = try int("lockoutWindow", default: lockoutWindow, range: 1...(30 * day))
        if let raw = string("lockoutBackoff") {
            let steps = raw.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !steps.isEmpty, steps.allSatisfy({ $0 != nil && $0! >= 1 && $0! <= 30 * day }) else {
                throw ConfigurationError(key: "GATEHOUSE_LOCKOUT_BACKOFF", problem: "must be comma-separated whole seconds from 1 to 2592000 (got \"\(raw)\")")
            }
            lockoutBackoff = steps.map { $0! }
        }
        hashQueueLimit = try int("hashQueueLimit", default: hashQueueLimit, range: 0...100_000)
        if let raw = string("trustedProxies") {
            do { trustedProxies = try CIDRBlock.parseList(raw) } catch {
                throw ConfigurationError(key: "GATEHOUSE_TRUSTED_PROXIES", problem: "must be comma-separated CIDR blocks such as 10.0.0.0/8,::1/128: \(error)")
            }
        }
        rateLimitsEnabled = try bool("rateLimitsEnabled", default: true)
        if let raw = string("rateLimits") {
            do { rateLimits = try RateLimitPolicy.parse(raw) } catch {
                throw ConfigurationError(key: "GATEHOUSE_RATE_LIMITS", problem: "\(error)")
            }
        }
        if let raw = string("corsOrigins") {
            do { corsOrigins = try CORSAllowListMiddleware.parseOrigins(raw) } catch {
                throw ConfigurationError(key: "GATEHOUSE_CORS_ORIGINS", problem: "\(error)")
            }
        }
        metricsEnabled = try bool("metricsEnabled", default: true)
        bootstrapAdminEmail = string("bootstrapAdminEmail")
        bootstrapAdminPassword = reader.string(forKey: "gatehouse.bootstrapAdminPassword", isSecret: true)
        if (bootstrapAdminEmail == nil) != (bootstrapAdminPassword == nil || bootstrapAdminPassword == "") {
            throw ConfigurationError(
                key: "GATEHOUSE_BOOTSTRAP_ADMIN_EMAIL", problem: "and GATEHOUSE_BOOTSTRAP_ADMIN_PASSWORD must be set together")
        }
    }

    /// `sqlite://<path>` (relative or absolute: `sqlite:///var/lib/gatehouse.sqlite`), `sqlite::memory:`, or nil for
    /// the default file in the data directory.
    static func parseDatabaseURL(_ raw: String?, dataDirectory: URL) throws -> DatabaseLocation {
        guard let raw else { return .sqliteFile(dataDirectory.appendingPathComponent("gatehouse.sqlite").path) }
        if raw == "sqlite::memory:" || raw == "sqlite://:memory:" { return .sqliteMemory }
        if raw.hasPrefix("sqlite://") {
            let path = String(raw.dropFirst("sqlite://".count))
            guard !path.isEmpty, !path.contains("?") else {
                throw ConfigurationError(key: "GATEHOUSE_DATABASE_URL", problem: "must name a file: sqlite://<path> or sqlite::memory:")
            }
            return .sqliteFile(URL(fileURLWithPath: path).standardizedFileURL.path)
        }
        let scheme = raw.split(separator: ":", maxSplits: 1).first.map(String.init) ?? raw
        switch scheme.lowercased() {
        case "postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv":
            throw ConfigurationError(key: "GATEHOUSE_DATABASE_URL", problem: "uses the \(scheme) scheme, which this build does not support yet (use sqlite://)")
        default:
            throw ConfigurationError(key: "GATEHOUSE_DATABASE_URL", problem: "has an unknown scheme \"\(scheme)\" (expected sqlite://<path> or sqlite::memory:)")
        }
    }
}
