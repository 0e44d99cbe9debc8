import Fluent
import Vapor

/// `upward migrate`: brings the database schema up to date, without asking.
struct UpwardMigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "revert", help: "Revert every migration (deletes all data). Needs --yes.")
        var revert: Bool
        @Flag(name: "yes", help: "Confirm --revert.")
        var yes: Bool
        @Flag(name: "dry-run", help: "Only print the migrations that would run.")
        var dryRun: Bool
    }

    var help: String { "Creates or updates the database schema." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if signature.revert {
            // ConsoleKit's terminal takes `--yes` / `-y` for itself (as a confirm override), so read it there too.
            guard signature.yes || context.console.confirmOverride == true else {
                throw CommandFailure("--revert deletes all data; add --yes to confirm.")
            }
            try await app.autoRevert()
            context.console.print("Reverted every migration.")
        } else {
            // Say what will happen before doing it: each pending migration, in order.
            // (Creates Fluent's own bookkeeping table on a new database, so the list can be read.)
            try await app.migrator.setupIfNeeded().get()
            let pending = try await app.migrator.previewPrepareBatch().get()
            if pending.isEmpty {
                context.console.print("Database is up to date; nothing to run.")
                return
            }
            context.console.print("\(signature.dryRun ? "Would run" : "Running") \(pending.count) migration\(pending.count == 1 ? "" : "s"):")
            for (migration, _) in pending { context.console.print("  \(migration.name)") }
            guard !signature.dryRun else { return }
            try await app.autoMigrate()
            context.console.print("Database is up to date.")
        }
    }
}
