import Foundation
import Testing
import UpwardTestSupport

@testable import UpwardServer

extension AppTests {
    /// The `upward` binary run as an operator would: its own process, environment and folder.
    @Suite("Database commands: admin create, import people, migrate, demo")
    final class CommandTests {
        let folder = Fixtures.temporaryFolder("upward-cmd")

        // Each test has an instance of its own, and its folder goes with it.
        deinit { try? FileManager.default.removeItem(at: folder) }

        struct Outcome {
            let status: Int32
            let output: String
        }

        /// `.build/debug/upward`, next to the test bundle.
        static var binary: URL {
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("upward")
        }

        func upward(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
            let process = Process()
            process.executableURL = Self.binary
            process.arguments = arguments
            process.currentDirectoryURL = folder
            var env = ["PATH": "/usr/bin:/bin", "UPWARD_BCRYPT_COST": "10", "LOG_LEVEL": "error"]
            env.merge(environment) { _, new in new }
            process.environment = env
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }

        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

        @Test("serve refuses to start in production without a note key, and names a bad one; the demo keeps its own key")
        func noteKey() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the upward binary first")
            let env = ["UPWARD_DATABASE_PATH": path("serve.sqlite")]
            let missing = try upward(["serve", "--port", "0"], environment: env)
            #expect(missing.status == 2)
            #expect(missing.output.contains("UPWARD_NOTE_KEY is not set"))
            #expect(missing.output.contains("openssl rand -base64 32"))
            let short = try upward(["serve", "--port", "0"], environment: env.merging(["UPWARD_NOTE_KEY": "c2hvcnQ="]) { _, new in new })
            #expect(short.status == 2)
            #expect(short.output.contains("UPWARD_NOTE_KEY: the note key must be 32 bytes of base64, not 5"))
            // Other commands do not need it. migrate says what it will do first.
            let preview = try upward(["migrate", "--dry-run"], environment: env)
            #expect(preview.status == 0 && preview.output.contains("Would run") && preview.output.contains("CreateRecognition"), "\(preview.output)")
            let migrated = try upward(["migrate"], environment: env)
            #expect(migrated.status == 0 && migrated.output.contains("Running") && migrated.output.contains("CreatePeople"))
            #expect(try upward(["migrate"], environment: env).output.contains("nothing to run"))
            // backup and restore through the command line.
            let backedUp = try upward(["backup", path("serve-backup.sqlite")], environment: env)
            #expect(backedUp.status == 0 && backedUp.output.contains("integrity ok"), "\(backedUp.output)")
            #expect(try upward(["backup", path("serve-backup.sqlite")], environment: env).output.contains("already exists"))
            let restored = try upward(["restore", path("serve-backup.sqlite")], environment: env)
            #expect(restored.status == 0 && restored.output.contains("before-restore"), "\(restored.output)")
            #expect(try upward(["backup", path("x.sqlite")], environment: ["DATABASE_URL": "postgres://u@127.0.0.1:1/x"]).output.contains("pg_dump"))
            // A person's data from the command line: erase needs --yes; an unknown email is named.
            #expect(try upward(["person", "erase", "nobody@example.com"], environment: env).output.contains("add --yes"))
            let unknown = try upward(["person", "export", "nobody@example.com"], environment: env)
            #expect(unknown.status == 1 && unknown.output.contains("No person with the email nobody@example.com"))
            let demo = try upward(["demo", "--no-serve", "--database", path("demo.sqlite")])
            #expect(demo.status == 0, "\(demo.output)")
            let key = try String(contentsOfFile: path("demo.sqlite.note-key"), encoding: .utf8)
            #expect(Data(base64Encoded: key.trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)
            let attributes = try FileManager.default.attributesOfItem(atPath: path("demo.sqlite.note-key"))
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }

        @Test("admin create makes a program manager once; a weak password or a second account with the email is refused")
        func adminCreate() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the upward binary first")
            let env = ["UPWARD_DATABASE_PATH": path("real.sqlite"), "UPWARD_ADMIN_PASSWORD": "a long enough passphrase"]
            let created = try upward(["admin", "create", "--email", "PM@Example.com"], environment: env)
            #expect(created.status == 0, "\(created.output)")
            #expect(created.output.contains("Created program manager pm@example.com."))
            let again = try upward(["admin", "create", "--email", "pm@example.com"], environment: env)
            #expect(again.status == 1)
            #expect(again.output.contains("already exists"))
            let weak = try upward(
                ["admin", "create", "--email", "x@example.com"], environment: env.merging(["UPWARD_ADMIN_PASSWORD": "short"]) { _, new in new })
            #expect(weak.status == 1)
            #expect(weak.output.contains("at least 12"))
            let lowCost = try upward(["admin", "create", "--email", "y@example.com"], environment: env.merging(["UPWARD_BCRYPT_COST": "4"]) { _, new in new })
            #expect(lowCost.status == 2)
            #expect(lowCost.output.contains("UPWARD_BCRYPT_COST=4 must be a whole number from 10 to 31"))
        }

        @Test("import people applies a good file, and a bad one changes nothing and names its lines; migrate --revert needs --yes")
        func importAndMigrate() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the upward binary first")
            let env = ["UPWARD_DATABASE_PATH": path("real.sqlite")]
            #expect(FileManager.default.createFile(atPath: path("people.csv"), contents: Fixtures.csv(Fixtures.smallOrganization)))
            let good = try upward(["import", "people", "people.csv"], environment: env)
            #expect(good.status == 0, "\(good.output)")
            #expect(good.output.contains("6 added, 0 updated, 0 unchanged"))
            let badRows = Fixtures.smallOrganization + [Fixtures.personRow("E7", manager: "E99", level: 3)]
            #expect(FileManager.default.createFile(atPath: path("bad.csv"), contents: Fixtures.csv(badRows)))
            let bad = try upward(["import", "people", "bad.csv"], environment: env)
            #expect(bad.status == 1)
            #expect(bad.output.contains("line 8, column manager_id: manager \"E99\" is not in the file or the directory"))
            let same = try upward(["import", "people", "people.csv"], environment: env)
            #expect(same.output.contains("0 added, 0 updated, 6 unchanged"))

            let unconfirmed = try upward(["migrate", "--revert"], environment: env)
            #expect(unconfirmed.status != 0)
            let reverted = try upward(["migrate", "--revert", "--yes"], environment: env)
            #expect(reverted.status == 0, "\(reverted.output)")
            #expect(reverted.output.contains("Reverted every migration."))
            let fresh = try upward(["import", "people", "people.csv"], environment: env)
            #expect(fresh.output.contains("6 added"))
        }

        @Test("demo never touches the database UPWARD_DATABASE_PATH names, nor any file it did not create")
        func demoDatabaseSafety() throws {
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the upward binary first")
            let production = path("production.sqlite")
            let env = ["UPWARD_DATABASE_PATH": production, "UPWARD_ADMIN_PASSWORD": "a long enough passphrase"]
            #expect(try upward(["admin", "create", "--email", "pm@example.com"], environment: env).status == 0)
            let before = try #require(FileManager.default.contents(atPath: production))

            let help = try upward(["demo", "--help"], environment: env)
            #expect(help.status == 0)
            let demo = try upward(["demo", "--no-serve"], environment: env)
            #expect(demo.status == 0, "\(demo.output)")
            #expect(demo.output.contains("Upward demo: 330 people"))
            #expect(DemoDatabase.state(of: path(DemoDatabase.defaultPath)) == .demo)
            let again = try upward(["demo", "--no-serve"], environment: env)
            #expect(again.status == 0, "\(again.output)")

            let refused = try upward(["demo", "--no-serve", "--database", production], environment: env)
            #expect(refused.status == 1)
            #expect(refused.output.contains("the demo will not use \(production): it is a SQLite database the demo did not create"))
            let kept = try upward(["demo", "--no-serve", "--keep", "--database", production], environment: env)
            #expect(kept.status == 1)
            #expect(FileManager.default.createFile(atPath: path("notes.txt"), contents: Data("not a database".utf8)))
            #expect(try upward(["demo", "--no-serve", "--database", path("notes.txt")]).status == 1)
            #expect(FileManager.default.contents(atPath: path("notes.txt")) == Data("not a database".utf8))
            #expect(FileManager.default.contents(atPath: production) == before)
        }

        @Test("reverting the step that dropped Fluent's old session table waits for the table and reports a failure")
        func revertRecreatesOldSessionTable() async throws {
            try await withUpward { app in
                let sql = try app.db.sql()
                // MUT: the table is back when the revert returns (the next revert step drops it).
                try await DeleteFluentSessions().revert(on: app.db)
                _ = try await sql.raw("SELECT COUNT(*) AS n FROM _fluent_sessions").all()
                // validation: a second revert meets the table it made, and says so instead of succeeding.
                await #expect(throws: (any Error).self) { try await DeleteFluentSessions().revert(on: app.db) }
                try await DeleteFluentSessions().prepare(on: app.db)
            }
        }
    }
}
