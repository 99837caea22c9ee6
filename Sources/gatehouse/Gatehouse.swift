import ArgumentParser
import Foundation
import GatehouseCore
import Logging

/// The `gatehouse` command: `serve` (default), `migrate`, `create-admin`.
@main
struct Gatehouse: AsyncParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "Gatehouse: authentication and authorization service.",
        version: version,
        subcommands: [Serve.self, Migrate.self, CreateAdmin.self],
        defaultSubcommand: Serve.self
    )
}

/// Flags shared by every subcommand; each overrides its `GATEHOUSE_*` environment variable.
struct CommonOptions: ParsableArguments {
    @Option(help: "Folder for the SQLite file, the signing secret and mail (GATEHOUSE_DATA_DIR).")
    var dataDir: String?
    @Option(help: "sqlite://<path> or sqlite::memory: (GATEHOUSE_DATABASE_URL).")
    var databaseUrl: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (GATEHOUSE_LOG_LEVEL).")
    var logLevel: String?
}

/// Runs a command body with owner-only file permissions (umask 077: the SQLite file, its WAL and the mail files
/// hold password hashes and one-time tokens) and turns any start-up failure that is not already an exit status into
/// one line on standard error and exit status 1.
func runReportingFailures(_ body: () async throws -> Void) async throws {
    umask(0o077)
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as CleanExit {
        throw error
    } catch let error as GatehouseError {
        FileHandle.standardError.write(Data("gatehouse: \(error.detail)\n".utf8))
        throw ExitCode(1)
    } catch {
        FileHandle.standardError.write(Data("gatehouse: cannot start: \(describeStartupError(error))\n".utf8))
        throw ExitCode(1)
    }
}

extension GatehouseConfiguration {
    /// Loads the configuration, printing one clear line and exiting with status 78 (EX_CONFIG) on a bad value.
    static func load(_ options: CommonOptions, host: String? = nil, port: Int? = nil) throws -> GatehouseConfiguration {
        do {
            return try GatehouseConfiguration(
                flags: .init(host: host, port: port, dataDir: options.dataDir, databaseURL: options.databaseUrl, logLevel: options.logLevel))
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("gatehouse: \(error.description)\n".utf8))
            throw ExitCode(78)
        }
    }
}

/// Sets up swift-log once per process.
enum LoggingBootstrap {
    static func run(_ configuration: GatehouseConfiguration) -> Logger {
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .text:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = StreamLogHandler.standardOutput(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }, metadataProvider: RequestTrace.metadataProvider)
        case .json:
            LoggingSystem.bootstrap(
                { label, provider in
                    var handler = JSONLogHandler(label: label)
                    handler.metadataProvider = provider
                    handler.logLevel = level
                    return handler
                }, metadataProvider: RequestTrace.metadataProvider)
        }
        var logger = Logger(label: "gatehouse")
        logger.logLevel = level
        return logger
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service (migrates the database first unless --no-migrate).")

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on (GATEHOUSE_HOST, default 127.0.0.1).")
    var host: String?
    @Option(help: "Port to listen on (GATEHOUSE_PORT, default 8080).")
    var port: Int?
    @Flag(help: "Do not apply database migrations at start.")
    var noMigrate = false

    func run() async throws {
        try await runReportingFailures {
            let configuration = try GatehouseConfiguration.load(common, host: host, port: port)
            let logger = LoggingBootstrap.run(configuration)
            try await GatehouseServer.run(configuration: configuration, migrate: !noMigrate, logger: logger)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations (idempotent).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await runReportingFailures {
            let configuration = try GatehouseConfiguration.load(common)
            let logger = LoggingBootstrap.run(configuration)
            let applied = try await GatehouseServer.withDatabase(configuration, logger: logger) { database in
                try await GatehouseServer.migrate(database, logger: logger)
            }
            print(applied.isEmpty ? "database is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
        }
    }
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin", abstract: "Create a super_admin account; the password is read from standard input.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Email of the new super_admin.")
    var email: String
    @Flag(help: "Read the password from the first line of standard input (required: passwords never go on the command line).")
    var passwordStdin = false

    func run() async throws {
        umask(0o077)
        guard passwordStdin else {
            FileHandle.standardError.write(Data("gatehouse: pass --password-stdin and write the password to standard input\n".utf8))
            throw ExitCode(64)
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            FileHandle.standardError.write(Data("gatehouse: no password on standard input\n".utf8))
            throw ExitCode(64)
        }
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        let configuration = try GatehouseConfiguration.load(common)
        let logger = LoggingBootstrap.run(configuration)
        do {
            let user = try await GatehouseServer.withDatabase(configuration, logger: logger) { database in
                _ = try await GatehouseServer.migrate(database, logger: logger)
                return try await GatehouseServer.withUserService(configuration, database: database, logger: logger) { users in
                    try await users.createSuperAdmin(email: email, password: password)
                }
            }
            print("created super_admin \(user.email) (\(user.id.uuidString.lowercased()))")
        } catch let error as GatehouseError {
            let reasons = error.violations.map { "\($0.field): \($0.message)" }
            let detail = error.code == .emailTaken ? "an account with this email already exists" : ([error.detail] + reasons).joined(separator: "\n  ")
            FileHandle.standardError.write(Data("gatehouse: cannot create admin: \(detail)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// A one-line description of a start-up failure (file-system, socket and storage errors), without secrets.
func describeStartupError(_ error: any Error) -> String {
    if let store = error as? StoreError { return store.reason }
    let nsError = error as NSError
    if nsError.domain == NSCocoaErrorDomain, let path = nsError.userInfo[NSFilePathErrorKey] as? String {
        return "\(nsError.localizedDescription) (\(path))"
    }
    return String(describing: error).replacingOccurrences(of: "\n", with: " ")
}
