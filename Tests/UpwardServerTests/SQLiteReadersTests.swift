import FluentKit
import Foundation
import SQLKit
import SQLiteNIO
import Testing
import UpwardTestSupport
import Vapor

@testable import UpwardServer

extension AppTests {
    @Suite("SQLite reads on the caller's thread")
    struct SQLiteReadersTests {
        static func entry(_ action: String, detail: String) -> AuditEntry {
            let entry = AuditEntry()
            entry.actor = "reader test"
            entry.action = action
            entry.objectType = "test"
            entry.detail = detail
            entry.createdAt = Date(timeIntervalSince1970: 1_790_000_000.25)
            return entry
        }

        @Test("reads outside transactions go through the readers, see each write as soon as it commits, and decode as SQLiteNIO's rows do")
        func readsSeeWrites() async throws {
            try await withSQLiteFile { app in
                let readers = try #require(app.sqliteReaders)
                let first = Self.entry("one", detail: "before")
                try await first.create(on: app.db)
                let id = try first.requireID()
                let before = readers.reads

                // The same statement text twice with different binds: the kept statement is re-bound each time.
                let read = try #require(try await AuditEntry.fetch(id, on: app.db))
                #expect(read.action == "one" && read.detail == "before" && read.createdAt == first.createdAt)
                #expect(try await AuditEntry.fetch(UUID(), on: app.db) == nil)
                #expect(readers.reads >= before + 2)
                // Kept statements are bound again, not parsed again (clearing the bindings would expire them).

                // Through SQLiteNIO (a transaction's connection) the same row decodes to the same values.
                let inside = try #require(try await app.db.transaction { try await AuditEntry.fetch(id, on: $0) })
                #expect(inside.id == read.id && inside.actor == read.actor && inside.createdAt == read.createdAt && inside.objectID == read.objectID)

                // A write through the gate is seen by the very next read: no reader keeps an old snapshot.
                read.detail = "after"
                try await read.update(on: app.db)
                #expect(try await AuditEntry.fetch(id, on: app.db)?.detail == "after")
                let sql = try #require(app.db as? any SQLDatabase)
                let count = try await sql.raw("SELECT COUNT(*) AS n FROM audit_entries WHERE actor = \(bind: "reader test")").first(decoding: Counted.self)
                #expect(count?.n == 1)

                // Nothing holds a read transaction open: a truncating checkpoint is not blocked by any reader.
                let writer = try #require(app.sqliteWriter?.database(logger: app.logger) as? any SQLDatabase)
                let result = try #require(try await writer.raw("PRAGMA wal_checkpoint(TRUNCATE)").first(decoding: Checkpoint.self))
                #expect(result.busy == 0)
            }
        }

        @Test("a column is found by its name among few columns and among many: the first of a repeated name, none for an unknown one")
        func columnLookup() throws {
            let few = SQLiteReadRow(columns: .init(["id", "name", "name", "level"]), values: [.text("a"), .text("first"), .text("second"), .integer(3)])
            #expect(try few.decode(column: "name", as: String.self) == "first")
            #expect(try few.decode(column: "level", as: Int.self) == 3)
            #expect(few.contains(column: "id") && !few.contains(column: "nam") && !few.contains(column: "names"))
            #expect(throws: DecodingError.self) { try few.decode(column: "title", as: String.self) }
            #expect(try few.decodeNil(column: "title"))
            let names = (0..<20).map { "column_\($0)" } + ["column_3"]
            let many = SQLiteReadRow(columns: .init(names), values: (0..<21).map { .integer($0) })
            #expect(try many.decode(column: "column_3", as: Int.self) == 3)
            #expect(try many.decode(column: "column_19", as: Int.self) == 19)
            #expect(!many.contains(column: "column_20"))
        }

        @Test("models of every column type read the same through the readers as through SQLiteNIO")
        func decodingParity() async throws {
            try await withSQLiteFile(clock: FixedClock()) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let person = try await ProgramWorld.person(app, "S1")
                let participant = try #require(world.participants["S1"])
                try await Self.same(Program.self, world.programA.requireID(), app)  // Bool, Int, Double, optional UUID, dates
                try await Self.same(Person.self, person.requireID(), app)  // optional text, optional parent, Int
                try await Self.same(Participant.self, participant.requireID(), app)  // optional dates
            }
        }

        /// The model read directly and inside a transaction (SQLiteNIO's connection) encodes to the same JSON.
        static func same<M: Model>(_ type: M.Type, _ id: UUID, _ app: Application) async throws where M.IDValue == UUID {
            let readers = try #require(app.sqliteReaders)
            let before = readers.reads
            let direct = try #require(try await M.fetch(id, on: app.db))
            #expect(readers.reads == before + 1)
            let pooled = try #require(try await app.db.transaction { try await M.fetch(id, on: $0) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .millisecondsSince1970
            let (a, b) = (String(decoding: try encoder.encode(direct), as: UTF8.self), String(decoding: try encoder.encode(pooled), as: UTF8.self))
            #expect(a == b, "\(M.self)")
            #expect(a.count > 40)
        }

        struct Counted: Decodable { let n: Int }
        struct Checkpoint: Decodable { let busy: Int }

        @Test("a signed-in page is read through the readers and shows what was just written")
        func pagesUseReaders() async throws {
            try await withSQLiteFile { app in
                let readers = try #require(app.sqliteReaders)
                try await TestAccounts.create(on: app)
                let browser = Browser(app)
                try await browser.signIn(TestAccounts.participantEmail, TestAccounts.password)
                let before = readers.reads
                let home = try await browser.get("/")
                #expect(home.status == .ok)
                #expect(home.body.string.contains("Jo"))
                #expect(readers.reads > before)

                // Kept statements are bound again, not parsed again: the token lookup's plan looks at
                // its bound value, and clearing the bindings after each use would expire it every time.
                var tokens: [String] = []
                for email in [TestAccounts.adminEmail, TestAccounts.participantEmail] {
                    let user = try #require(try await User.query(on: app.db).filter(\.$email == email).first())
                    tokens.append(try await APITokens(db: app.db, clock: app.upward.clock).create(for: user, name: "test", by: nil).1)
                }
                let parsed = readers.reprepared
                for token in tokens + tokens {
                    let me = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: ["Authorization": "Bearer \(token)"])
                    #expect(me.status == .ok)
                }
                #expect(readers.reprepared == parsed)
            }
        }

        @Test("a reader refuses to write; a slow statement is left to the thread pool from then on; with every connection taken the caller reads another way")
        func limits() async throws {
            try await withSQLiteFile { app in
                let path = try #require(app.upward.configuration.storage.sqlitePath)
                try await Self.entry("kept", detail: "x").create(on: app.db)

                let readers = SQLiteReaders(path: path)
                defer { readers.close() }
                #expect(throws: SQLiteStatementError.self) { _ = try readers.read("DELETE FROM audit_entries", [], { _ in }) }
                var rows = 0
                #expect(try readers.read("SELECT * FROM audit_entries WHERE action = ?1", [.text("kept")], { _ in rows += 1 }))
                #expect(rows == 1)
                // A statement that does not parse names the problem.
                #expect(throws: SQLiteStatementError.self) { _ = try readers.read("SELEC nothing", [], { _ in }) }

                let slow = SQLiteReaders(path: path, slowSteps: 0)
                defer { slow.close() }
                let statement = "SELECT action FROM audit_entries"
                #expect(try slow.read(statement, [], { _ in }))
                #expect(slow.isSlow(statement))
                #expect(try slow.read(statement, [], { _ in }) == false)

                // A slow statement runs on the thread pool through a reader, and its rows come back to the loop together.
                let pooled = SQLiteReaders(path: path, slowSteps: 0, threadPool: app.threadPool)
                defer { pooled.close() }
                let loop = app.eventLoopGroup.any()
                let offloaded = try #require(pooled.readOffloaded("SELECT action FROM audit_entries WHERE action = ?1", [.text("kept")], on: loop))
                let fetched = try await offloaded.get()
                #expect(try fetched.map { try $0.decode(column: "action", as: String.self) } == ["kept"])
                #expect(pooled.reads == 1)
                await #expect(throws: SQLiteStatementError.self) { try await pooled.readOffloaded("SELEC nothing", [], on: loop)?.get() }
                // Through the app: once a statement is known to be slow, it is read on the pool by the readers, with the same rows.
                let appReaders = try #require(app.sqliteReaders)
                let sql = try #require(app.db as? any SQLDatabase)
                let query = SQLQueryString("SELECT COUNT(*) AS n FROM audit_entries WHERE action <> \(bind: "a slow one")")
                #expect(try await sql.raw(query).first(decoding: Counted.self)?.n == 1)
                appReaders.markSlow("SELECT COUNT(*) AS n FROM audit_entries WHERE action <> ?1")
                try await Self.entry("second", detail: "y").create(on: app.db)
                let served = appReaders.reads
                #expect(try await sql.raw(query).first(decoding: Counted.self)?.n == 2)
                #expect(appReaders.reads == served + 1)
                // No thread pool: slow statements are left to SQLiteNIO.
                #expect(slow.readOffloaded(statement, [], on: loop) == nil)

                let none = SQLiteReaders(path: path, limit: 0)
                #expect(try none.read(statement, [], { _ in }) == false)
                none.close()
                let closed = SQLiteReaders(path: path)
                closed.close()
                #expect(try closed.read(statement, [], { _ in }) == false)
            }
        }
    }
}

extension AppTests.SQLiteReadersTests {
    @Test("UUIDs are read from their text in either case, as Foundation reads them; anything else is not a UUID")
    func uuidText() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(SQLiteReadRow.uuid(id.uuidString) == id)
            #expect(SQLiteReadRow.uuid(id.uuidString.lowercased()) == id)
        }
        let bad = [
            "", "not a uuid", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5FF", "E621E1F8XC36C-495A-93FC-0C247A3E6E5F",
            "G621E1F8-C36C-495A-93FC-0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5é",
        ]
        for text in bad {
            #expect(SQLiteReadRow.uuid(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "\(text)")
        }
    }
}

extension UpwardConfiguration.Storage {
    fileprivate var sqlitePath: String? {
        if case .sqliteFile(let path) = self { return path }
        return nil
    }
}
