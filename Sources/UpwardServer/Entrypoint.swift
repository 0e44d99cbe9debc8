import Foundation
import Logging
import NIOCore
import NIOPosix
import UpwardCore
import Vapor

/// Runs the `upward` command line: `serve`, `migrate`, `demo`, `import`, `admin`.
public enum UpwardMain {
    /// Runs Swift concurrency's tasks on the server's own event loops (SwiftNIO's singleton group,
    /// which Vapor serves from), so an awaited statement resumes on the loop that completed it
    /// instead of hopping to a second pool of threads. Call first, before any task starts.
    /// On this 2-core machine the hops were the largest single cost of a signed-in request.
    @discardableResult
    public static func runTasksOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    public static func run(arguments: [String] = CommandLine.arguments) async -> Int32 {
        var env = ProcessInfo.processInfo.environment
        let command = arguments.dropFirst().first
        if let command, OfflineCommands.all[command] != nil, !arguments.contains("--help") {
            return await OfflineCommands.run(arguments: arguments)
        }
        let isDemo = command == "demo"
        if isDemo {
            do {
                try prepareDemo(environment: &env, arguments: arguments)
            } catch {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                return 1
            }
        }
        let configuration: UpwardConfiguration
        do {
            configuration = try UpwardConfiguration.from(environment: env)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            return 2
        }
        if command == "backup" || command == "restore" {
            return await backupCommand(command ?? "", arguments: Array(arguments.dropFirst(2)), configuration: configuration)
        }

        var vaporEnvironment: Environment
        do {
            vaporEnvironment = try Environment.detect(arguments: arguments)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 2
        }
        // Production unless asked otherwise: development mode would show error details and skip Leaf's cache.
        if !arguments.contains(where: { $0 == "--env" || $0 == "-e" || $0.hasPrefix("--env=") }) {
            vaporEnvironment = Environment(name: Environment.production.name, arguments: vaporEnvironment.arguments)
        }
        do {
            try LoggingSystem.bootstrap(from: &vaporEnvironment)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 2
        }
        let app: Application
        do {
            app = try await Application.make(vaporEnvironment)
        } catch {
            FileHandle.standardError.write(Data("Cannot start: \(error)\n".utf8))
            return 1
        }
        var status: Int32 = 0
        // Scheduled housekeeping runs where the server runs: `serve` (the default command) and `demo`.
        let serves = command == nil || command == "serve" || isDemo || command?.hasPrefix("-") == true
        if serves, configuration.noteKey == nil, vaporEnvironment.isRelease || vaporEnvironment == .production, !arguments.contains("--help") {
            FileHandle.standardError.write(
                Data(
                    ("Upward cannot start: UPWARD_NOTE_KEY is not set. Private notes are encrypted with it; "
                        + "create one with `openssl rand -base64 32`, keep it safe (notes cannot be read without it) and set UPWARD_NOTE_KEY.\n").utf8))
            try? await app.asyncShutdown()
            return 2
        }
        do {
            try await configure(
                app, environment: UpwardEnvironment(configuration: configuration, runsHousekeeping: serves, isDemo: isDemo))
            registerCommands(app)
            try await app.execute()
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            status = 1
        } catch {
            FileHandle.standardError.write(Data("error: \(String(reflecting: error))\n".utf8))
            status = 1
        }
        try? await app.asyncShutdown()
        return status
    }

    /// `upward backup FILE` (online) and `upward restore FILE` (server stopped), on the SQLite file.
    static func backupCommand(_ command: String, arguments: [String], configuration: UpwardConfiguration) async -> Int32 {
        let usage =
            command == "backup"
            ? "Usage: upward backup FILE\nA consistent copy of the running SQLite database (VACUUM INTO), checked after writing.\n"
            : "Usage: upward restore FILE\nChecks the backup, keeps the current database as <database>.before-restore-<time>, and puts the backup in its place. Stop the server first.\n"
        if arguments.contains("--help") || arguments.contains("-h") {
            FileHandle.standardOutput.write(Data(usage.utf8))
            return 0
        }
        guard arguments.count == 1, let file = arguments.first, !file.hasPrefix("-") else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 1
        }
        guard case .sqliteFile(let path) = configuration.storage else {
            FileHandle.standardError.write(
                Data("error: \(command) works on the SQLite file; for PostgreSQL use pg_dump and pg_restore (see the README).\n".utf8))
            return 1
        }
        do {
            if command == "backup" {
                let summary = try await SQLiteBackup.backup(database: path, to: file)
                print("Backed up \(path) to \(file): \(summary.bytes) bytes, \(summary.migrations) migrations, integrity ok.")
            } else {
                let kept = try await SQLiteBackup.restore(file, into: path)
                print(
                    "Restored \(file) into \(path).\(kept.isEmpty ? "" : " The previous database is kept as \(kept).") Run `upward migrate` if the backup is from an older release."
                )
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            return 1
        }
    }

    static func registerCommands(_ app: Application) {
        app.asyncCommands.use(UpwardMigrateCommand(), as: "migrate")
        app.asyncCommands.use(DemoCommand(), as: "demo")
        app.asyncCommands.use(SeedDemoCommand(), as: "seed-demo")
        app.asyncCommands.use(ImportCommandGroup(), as: "import")
        app.asyncCommands.use(AdminCommandGroup(), as: "admin")
        app.asyncCommands.use(TokenCommandGroup(), as: "token")
        app.asyncCommands.use(OpenAPICommand(), as: "openapi")
        app.asyncCommands.use(PersonCommandGroup(), as: "person")
        for (name, command) in OfflineCommands.all { app.asyncCommands.use(command, as: name) }
    }

    /// The demo always runs on its own SQLite file (`--database`, default `upward-demo.sqlite`),
    /// never on `DATABASE_URL` or `UPWARD_DATABASE_PATH`, and only on a file it created itself.
    /// `demo --help` touches nothing.
    static func prepareDemo(environment env: inout [String: String], arguments: [String]) throws(CommandFailure) {
        if env["DATABASE_URL"] != nil {
            FileHandle.standardError.write(Data("note: the demo uses its own SQLite file; DATABASE_URL is ignored.\n".utf8))
            env["DATABASE_URL"] = nil
        }
        var path = DemoDatabase.defaultPath
        for (index, argument) in arguments.enumerated() {
            if argument == "--database", index + 1 < arguments.count { path = arguments[index + 1] }
            if argument.hasPrefix("--database=") { path = String(argument.dropFirst("--database=".count)) }
        }
        guard !path.isEmpty, path != ":memory:" else { throw CommandFailure("--database must name a file.") }
        env["UPWARD_DATABASE_PATH"] = path
        guard !arguments.contains("--help") else { return }
        let keep = arguments.contains("--keep")
        try DemoDatabase.prepare(path: path, keep: keep)
        // The demo's private notes are sealed with its own key, kept beside its database.
        if env["UPWARD_NOTE_KEY"]?.isEmpty ?? true {
            let keyPath = path + ".note-key"
            if keep, let saved = try? String(contentsOfFile: keyPath, encoding: .utf8), (try? NoteSealer(base64: saved)) != nil {
                env["UPWARD_NOTE_KEY"] = saved.trimmingCharacters(in: .whitespacesAndNewlines)
            } else {
                let key = NoteSealer.generateKey()
                guard FileManager.default.createFile(atPath: keyPath, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw CommandFailure("cannot write the demo's note key to \(keyPath)")
                }
                env["UPWARD_NOTE_KEY"] = key
            }
        }
    }
}
