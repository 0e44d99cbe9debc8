import Foundation
import Logging
import Vapor

/// Runs the `upward` command line: `serve`, `migrate`, `demo`, `import`, `admin`.
public enum UpwardMain {
    public static func run(arguments: [String] = CommandLine.arguments) async -> Int32 {
        var env = ProcessInfo.processInfo.environment
        let command = arguments.dropFirst().first
        if let command, OfflineCommands.all[command] != nil, !arguments.contains("--help") {
            return await OfflineCommands.run(arguments: arguments)
        }
        if command == "demo" {
            prepareDemo(environment: &env, arguments: arguments)
        }
        let configuration: UpwardConfiguration
        do {
            configuration = try UpwardConfiguration.from(environment: env)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            return 2
        }

        var vaporEnvironment: Environment
        do {
            vaporEnvironment = try Environment.detect(arguments: arguments)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 2
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
        do {
            try await configure(app, environment: UpwardEnvironment(configuration: configuration))
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

    static func registerCommands(_ app: Application) {
        app.asyncCommands.use(UpwardMigrateCommand(), as: "migrate")
        app.asyncCommands.use(DemoCommand(), as: "demo")
        app.asyncCommands.use(ImportCommandGroup(), as: "import")
        app.asyncCommands.use(AdminCommandGroup(), as: "admin")
        for (name, command) in OfflineCommands.all { app.asyncCommands.use(command, as: name) }
    }

    /// The demo always runs on its own SQLite file, fresh unless `--keep`, never on a real database.
    static func prepareDemo(environment env: inout [String: String], arguments: [String]) {
        if env["DATABASE_URL"] != nil {
            FileHandle.standardError.write(Data("note: the demo uses SQLite; DATABASE_URL is ignored.\n".utf8))
            env["DATABASE_URL"] = nil
        }
        let path = env["UPWARD_DATABASE_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "upward-demo.sqlite"
        env["UPWARD_DATABASE_PATH"] = path
        if !arguments.contains("--keep"), path != ":memory:" {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
    }
}
