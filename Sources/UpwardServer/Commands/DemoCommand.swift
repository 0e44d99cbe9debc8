import Fluent
import Foundation
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
    }

    var help: String { "Creates a demo organization in a fresh SQLite file and serves it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let large: Bool
        switch signature.size ?? "standard" {
        case "standard": large = false
        case "large": large = true
        case let other: throw CommandFailure("--size must be standard or large, not \"\(other)\"")
        }
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
            let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
            let started = Date()
            let credentials =
                large
                ? try await LargeDemoSeeder(db: app.db, accounts: accounts).seed(progress: { line in context.console.print(line) })
                : try await DemoSeeder(db: app.db, accounts: accounts).seed()
            let facets = try await PeopleDirectory(db: app.db).facets()
            var lines = [
                "",
                "Upward demo: \(facets.total) people in \(facets.departments.count) departments"
                    + (large ? String(format: ", seeded in %.0f s.", Date().timeIntervalSince(started)) : "."), "",
            ]
            lines.append("Open http://\(hostname == "0.0.0.0" ? "127.0.0.1" : hostname):\(port) and sign in with:")
            for credential in credentials {
                lines.append("  \(credential.role.padding(toLength: 27, withPad: " ", startingAt: 0)) \(credential.email)  \(credential.password)")
            }
            lines.append("")
            context.console.print(lines.joined(separator: "\n"))
        } else {
            context.console.print("Using the existing demo database (--keep); earlier credentials still apply.")
        }
        app.backgroundJobsHeld.withLockedValue { $0 = false }
        guard !signature.noServe else { return }
        var serveContext = context
        serveContext.input = CommandInput(arguments: ["upward", "--hostname", hostname, "--port", String(port)])
        try await app.servers.asyncCommand.run(using: &serveContext)
    }
}
