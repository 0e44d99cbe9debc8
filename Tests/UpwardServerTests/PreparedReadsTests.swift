import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("PostgreSQL prepared reads")
    struct PreparedReadsTests {
        /// A database on one event loop, so that with one connection per loop every statement
        /// below runs on the same PostgreSQL session.
        static func oneSession(_ app: Application) throws -> any SQLDatabase {
            let db = try #require(app.databases.database(logger: app.logger, on: app.eventLoopGroup.any()))
            return try #require(db as? any SQLDatabase)
        }

        /// The statements the session has prepared, by name.
        static func preparedOnServer(_ sql: any SQLDatabase) async throws -> [String: String] {
            struct Row: Decodable {
                let name: String
                let statement: String
            }
            let rows = try await sql.raw("SELECT name, statement FROM pg_prepared_statements").all(decoding: Row.self)
            return Dictionary(rows.map { ($0.name, $0.statement) }, uniquingKeysWith: { a, _ in a })
        }

        @Test("a read is prepared once per connection and run by name, with binds of every kind read as they were sent")
        func readsRunPrepared() async throws {
            guard TestDatabase.isPostgres else {
                // Only PostgreSQL plans statements; SQLite has its own readers.
                try await withUpward { app in #expect(app.postgresPreparedReads == nil) }
                return
            }
            try await withUpward(configure: { $0.postgresConnectionsPerLoop = 1 }) { app in
                let reads = try #require(app.postgresPreparedReads)
                let sql = try Self.oneSession(app)
                try await sql.raw("DROP TABLE IF EXISTS prepared_probe").run()
                try await sql.raw(
                    "CREATE TABLE prepared_probe (id uuid PRIMARY KEY, name text, n bigint, x double precision, flag boolean, at timestamptz)"
                ).run()
                let (id, other) = (UUID(), UUID())
                let at = Date(timeIntervalSince1970: 1_790_000_000.25)
                try await sql.raw(
                    """
                    INSERT INTO prepared_probe VALUES (\(bind: id), 'Ada', 42, 2.5, true, \(bind: at)),
                      (\(bind: other), NULL, 7, -1.0, false, \(bind: at.addingTimeInterval(60)))
                    """
                ).run()
                struct Found: Decodable { let id: UUID }
                let text = "SELECT id FROM prepared_probe WHERE id = $1 AND name = $2 AND n = $3 AND x = $4 AND flag = $5 AND at = $6"
                func find(_ id: UUID, _ name: String, _ n: Int, _ x: Double, _ flag: Bool, _ at: Date) async throws -> [UUID] {
                    try await sql.raw(
                        "SELECT id FROM prepared_probe WHERE id = \(bind: id) AND name = \(bind: name) AND n = \(bind: n) AND x = \(bind: x) AND flag = \(bind: flag) AND at = \(bind: at)"
                    ).all(decoding: Found.self).map(\.id)
                }
                // The first run prepares, the later ones run by name: each finds the row only on its exact values.
                #expect(try await find(id, "Ada", 42, 2.5, true, at) == [id])
                #expect(try await find(id, "Ada", 42, 2.5, true, at) == [id])
                #expect(try await find(id, "Ada", 43, 2.5, true, at).isEmpty)
                #expect(try await find(id, "Ada", 42, 2.5, true, at.addingTimeInterval(0.001)).isEmpty)
                #expect(try await find(id, "ada", 42, 2.5, true, at).isEmpty)
                let name = try #require(reads.name(of: text))
                #expect(try await Self.preparedOnServer(sql)[name] == text)
                // A nil bind, as PostgresKit sends it (its type left to the server).
                struct Count: Decodable { let n: Int }
                let nameless = try await sql.raw("SELECT count(*) AS n FROM prepared_probe WHERE name IS NOT DISTINCT FROM \(bind: String?.none)")
                    .first(decoding: Count.self)
                #expect(nameless?.n == 1)

                // More binds than the limit (a long IN list): run unnamed, with the same answer.
                let many = [id] + (0..<PostgresPreparedReads.bindLimit).map { _ in UUID() }
                let listed = try await sql.raw("SELECT id FROM prepared_probe WHERE id IN \(SQLBind.group(many))").all(decoding: Found.self)
                #expect(listed.map(\.id) == [id])
                let prepared = try await Self.preparedOnServer(sql)
                #expect(!prepared.values.contains { $0.contains(" IN (") })

                // A read that returned more than the row limit runs unnamed from then on, with the same rows.
                try await sql.raw("INSERT INTO prepared_probe (id, n) SELECT gen_random_uuid(), g FROM generate_series(100, 169) g").run()
                struct Number: Decodable { let n: Int }
                let long = "SELECT n FROM prepared_probe WHERE n >= $1 ORDER BY n"
                for round in 0..<2 {
                    let numbers = try await sql.raw("SELECT n FROM prepared_probe WHERE n >= \(bind: 100) ORDER BY n").all(decoding: Number.self)
                    #expect(numbers.map(\.n) == Array(100...169), "round \(round)")
                    #expect(reads.name(of: long) == nil)
                }
                #expect(try await sql.raw("SELECT n FROM prepared_probe WHERE n >= \(bind: 169) ORDER BY n").all(decoding: Number.self).map(\.n) == [169])

                // A migration changes a prepared statement's result: the server refuses to run the old
                // plan, and the read runs again unnamed with the new column, then stays unnamed.
                struct Whole: Decodable {
                    let id: UUID
                    let extra: String?
                }
                let star = "SELECT * FROM prepared_probe WHERE id = $1"
                #expect(try await sql.raw("SELECT * FROM prepared_probe WHERE id = \(bind: id)").first(decoding: Whole.self)?.extra == nil)
                #expect(reads.name(of: star) != nil)
                try await sql.raw("ALTER TABLE prepared_probe ADD COLUMN extra text DEFAULT 'added'").run()
                #expect(try await sql.raw("SELECT * FROM prepared_probe WHERE id = \(bind: id)").first(decoding: Whole.self)?.extra == "added")
                #expect(reads.name(of: star) == nil)
                #expect(try await sql.raw("SELECT * FROM prepared_probe WHERE id = \(bind: id)").first(decoding: Whole.self)?.extra == "added")

                // An error of the read's own is passed on, not hidden by a second run.
                await #expect(throws: (any Error).self) { try await sql.raw("SELECT id FROM prepared_probe WHERE n / \(bind: 0) > 1").run() }
                try await sql.raw("DROP TABLE prepared_probe").run()
            }
        }

        @Test("past the statement limit, new read texts run unnamed, and the ones prepared before stay prepared")
        func statementLimit() async throws {
            guard TestDatabase.isPostgres else { return }
            try await withUpward(configure: { $0.postgresConnectionsPerLoop = 1 }) { app in
                let reads = try #require(app.postgresPreparedReads)
                let sql = try Self.oneSession(app)
                struct Count: Decodable { let n: Int }
                func text(_ i: Int) -> String { "SELECT count(*) + \(i) AS n FROM users WHERE email = $1" }
                for i in 0...PostgresPreparedReads.statementLimit + 2 {
                    let row = try await sql.raw("SELECT count(*) + \(unsafeRaw: String(i)) AS n FROM users WHERE email = \(bind: "nobody@example.com")")
                        .first(decoding: Count.self)
                    #expect(row?.n == i)
                }
                // The first texts took the slots the app's own reads at start left; every later one runs unnamed.
                let named = (0...PostgresPreparedReads.statementLimit + 2).filter { reads.name(of: text($0)) != nil }
                #expect(named == Array(0..<named.count))
                #expect(named.count >= PostgresPreparedReads.statementLimit - 4 && named.count <= PostgresPreparedReads.statementLimit)
                #expect(reads.name(of: text(PostgresPreparedReads.statementLimit)) == nil)
                let onServer = try await Self.preparedOnServer(sql)
                #expect(onServer.count <= PostgresPreparedReads.statementLimit && onServer.values.contains(text(0)))
            }
        }

        @Test("UPWARD_PG_PREPARED_READS=false runs every read unnamed, as PostgresNIO does")
        func switchedOff() async throws {
            #expect(try UpwardConfiguration.from(environment: [:]).postgresPreparedReads)
            #expect(try !UpwardConfiguration.from(environment: ["UPWARD_PG_PREPARED_READS": "false"]).postgresPreparedReads)
            #expect(throws: (any Error).self) { try UpwardConfiguration.from(environment: ["UPWARD_PG_PREPARED_READS": "maybe"]) }
            guard TestDatabase.isPostgres else { return }
            try await withUpward(configure: {
                $0.postgresConnectionsPerLoop = 1; $0.postgresPreparedReads = false
            }) { app in
                #expect(app.postgresPreparedReads == nil)
                let sql = try Self.oneSession(app)
                for _ in 0..<3 { _ = try await sql.raw("SELECT count(*) AS n FROM users WHERE email = \(bind: "nobody@example.com")").all() }
                #expect(try await Self.preparedOnServer(sql).isEmpty)
            }
        }
    }
}
