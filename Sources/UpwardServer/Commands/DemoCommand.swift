import Fluent
import Foundation
import SQLKit
import Vapor

/// `upward demo`: a fresh SQLite database with the demo organization, then serves it.
///
/// The entrypoint points storage at the demo file and clears it before this runs, refusing any
/// file the demo did not create (see `UpwardMain.prepareDemo` and ``DemoDatabase``).
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "hostname", short: "H", help: "Address to listen on (default 127.0.0.1)")
        var hostname: String?
        @Option(name: "port", short: "p", help: "Port to listen on (default 8080)")
        var port: Int?
        @Option(name: "database", help: "The demo's own SQLite file (default upward-demo.sqlite); any other database is refused")
        var database: String?
        @Flag(name: "keep", help: "Keep the existing demo database instead of starting fresh")
        var keep: Bool
        @Flag(name: "no-serve", help: "Only create the demo data, do not start the server")
        var noServe: Bool
        @Option(name: "size", help: "standard (330 people, default) or large (10,333 people, 3 programs, 5,000 live pairs, for load tests)")
        var size: String?
        @Option(name: "tokens", help: "With --size large: give every participant an API token and write them to this file (email,program_id,role,token)")
        var tokens: String?
    }

    var help: String { "Creates a demo organization in a fresh SQLite file and serves it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let large = try Self.isLarge(signature.size)
        app.backgroundJobsHeld.withLockedValue { $0 = true }
        defer { app.backgroundJobsHeld.withLockedValue { $0 = false } }
        try await app.autoMigrate()
        let hostname = signature.hostname ?? "127.0.0.1"
        let port = signature.port ?? 8080
        // Invitation links point at the demo's own address unless UPWARD_PUBLIC_URL says otherwise.
        if Environment.get("UPWARD_PUBLIC_URL") == nil {
            app.upward.configuration.publicURL = "http://\(hostname == "0.0.0.0" ? "127.0.0.1" : hostname):\(port)"
        }
        if try await User.query(on: app.db).count() == 0 {
            let address = "http://\(hostname == "0.0.0.0" ? "127.0.0.1" : hostname):\(port)"
            try await Self.seed(app, large: large, tokens: signature.tokens, console: context.console, address: address)
        } else {
            context.console.print("Using the existing demo database (--keep); earlier credentials still apply.")
        }
        app.backgroundJobsHeld.withLockedValue { $0 = false }
        guard !signature.noServe else { return }
        var serveContext = context
        serveContext.input = CommandInput(arguments: ["upward", "--hostname", hostname, "--port", String(port)])
        try await app.servers.asyncCommand.run(using: &serveContext)
    }

    static func isLarge(_ size: String?) throws -> Bool {
        switch size ?? "standard" {
        case "standard": return false
        case "large": return true
        case let other: throw CommandFailure("--size must be standard or large, not \"\(other)\"")
        }
    }

    /// Seeds the demo organization and prints how to sign in.
    static func seed(_ app: Application, large: Bool, tokens: String?, console: any Console, address: String) async throws {
        if tokens != nil, !large { throw CommandFailure("--tokens goes with --size large") }
        let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
        let started = Date()
        let credentials =
            large
            ? try await LargeDemoSeeder(db: app.db, accounts: accounts).seed(tokensFile: tokens, progress: { line in console.print(line) })
            : try await DemoSeeder(db: app.db, accounts: accounts).seed()
        let facets = try await PeopleDirectory(db: app.db).facets()
        var lines = [
            "",
            "Upward demo: \(facets.total) people in \(facets.departments.count) departments"
                + (large ? String(format: ", seeded in %.0f s.", Date().timeIntervalSince(started)) : "."), "",
        ]
        lines.append("Open \(address) and sign in with:")
        for credential in credentials {
            lines.append("  \(credential.role.padding(toLength: 27, withPad: " ", startingAt: 0)) \(credential.email)  \(credential.password)")
        }
        lines.append("")
        console.print(lines.joined(separator: "\n"))
    }
}

/// `upward seed-demo [--size large]`: the demo organization in the configured database (SQLite
/// or PostgreSQL), for load tests on PostgreSQL. Only an empty database is seeded.
struct SeedDemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "size", help: "standard (330 people, default) or large (10,333 people, 3 programs, 5,000 live pairs)")
        var size: String?
        @Option(name: "tokens", help: "With --size large: give every participant an API token and write them to this file (email,program_id,role,token)")
        var tokens: String?
    }

    var help: String { "Seeds the demo organization into the configured database, which must be empty (no people, no accounts)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let large = try DemoCommand.isLarge(signature.size)
        try await app.autoMigrate()
        let people = try await Person.query(on: app.db).count()
        let users = try await User.query(on: app.db).count()
        guard people == 0, users == 0 else {
            throw CommandFailure("seed-demo fills only an empty database; this one has \(people) people and \(users) accounts")
        }
        guard app.upward.configuration.noteKey != nil else {
            throw CommandFailure("set UPWARD_NOTE_KEY first (the server needs the same key to read the private notes seeded here)")
        }
        try await DemoCommand.seed(app, large: large, tokens: signature.tokens, console: context.console, address: app.upward.configuration.publicURL)
        if let sql = app.db as? any SQLDatabase, sql.dialect.name == "postgresql" {
            // As after any bulk load: fresh statistics for the planner, and the visibility map that
            // index-only scans need (autovacuum would get there, minutes into the load test).
            try await sql.raw("VACUUM ANALYZE").run()
        }
    }
}
