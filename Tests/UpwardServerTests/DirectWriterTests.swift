import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import Testing
import UpwardTestSupport
import Vapor

@testable import UpwardServer

extension AppTests {
    @Suite("The write gate's connection runs each statement on its own thread")
    struct DirectWriterTests {
        /// An audit entry (text with quotes and a new line, a date with a fraction), with the given id if any.
        static func entry(_ action: String, id: UUID? = nil) -> AuditEntry {
            let entry = SQLiteReadersTests.entry(action, detail: "détail, \"quoted\"\nand a second line")
            entry.id = id
            return entry
        }

        @Test("a statement asked for on the writer's loop is done when the call returns; from any other thread it still runs, on that loop")
        func inline() async throws {
            try await withSQLiteFile { app in
                let writer = try #require(app.sqliteWriter)
                let db = try #require(writer.database(logger: app.logger) as? any SQLDatabase)
                let doneOnReturn = try await writer.loop.flatSubmit { () -> EventLoopFuture<Bool> in
                    let done = NIOLockedValueBox(false)
                    let future = db.execute(sql: SQLRaw("SELECT 1 AS one"), { _ in })
                    future.whenComplete { _ in done.withLockedValue { $0 = true } }
                    let inline = done.withLockedValue { $0 }
                    return future.map { inline }
                }.get()
                #expect(doneOnReturn)
                // From this test's own thread: sent to the writer's loop, rows handed back.
                let count = NIOLockedValueBox(0)
                try await db.execute(sql: SQLRaw("SELECT 1 AS n UNION ALL SELECT 2"), { _ in count.withLockedValue { $0 += 1 } })
                #expect(count.withLockedValue { $0 } == 2)
            }
        }

        @Test("models written through the writer store the same column values as written through SQLiteNIO, and read back the same")
        func writeParity() async throws {
            try await withSQLiteFile(clock: FixedClock()) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                // Text, integers, booleans, a fraction and an optional id: a program copied both ways.
                let original = try await Program.query(on: app.db).filter(\.$id == world.programA.requireID()).first()
                let source = try #require(original)
                source.reviewThreshold = 0.375
                source.clonedFrom = try world.programB.requireID()
                let json = try JSONEncoder().encode(source)
                let viaWriter = try JSONDecoder().decode(Program.self, from: json)
                let viaPool = try JSONDecoder().decode(Program.self, from: json)
                viaWriter.id = UUID()
                viaPool.id = UUID()
                try await app.db.writeTransaction { try await viaWriter.create(on: $0) }
                try await app.db.transaction { try await viaPool.create(on: $0) }
                try await Self.sameColumns("programs", try viaWriter.requireID(), try viaPool.requireID(), skip: ["id", "created_at", "updated_at"], app)
                // A date with a fraction and text with quotes and a new line: an audit entry both ways.
                let a = Self.entry("parity")
                let b = Self.entry("parity")
                try await app.db.writeTransaction { try await a.create(on: $0) }
                try await app.db.transaction { try await b.create(on: $0) }
                try await Self.sameColumns("audit_entries", try a.requireID(), try b.requireID(), skip: ["id"], app)
                // Read inside a write transaction (on the writer's connection), the model is what was written.
                let readBack = try await app.db.writeTransaction { try await Program.find(viaPool.id, on: $0) }
                #expect(try #require(readBack).reviewThreshold == 0.375)
                #expect(readBack?.clonedFrom == (try world.programB.requireID()))
                #expect(readBack?.isPilot == source.isPilot && readBack?.name == source.name && readBack?.cadenceDays == source.cadenceDays)
            }
        }

        /// Every column but `skip` holds the same value, of the same SQLite type, in both rows.
        static func sameColumns(_ table: String, _ a: UUID, _ b: UUID, skip: Set<String>, _ app: Application) async throws {
            let sql = try #require(app.db as? any SQLDatabase)
            var rows: [SQLiteReadRow] = []
            for id in [a, b] {
                let row = try await sql.raw("SELECT * FROM \(ident: table) WHERE id = \(bind: id)").first()
                rows.append(try #require(row as? SQLiteReadRow))
            }
            let names = rows[0].allColumns.filter { !skip.contains($0) }
            #expect(names.count >= 5)
            for name in names {
                let (x, y) = (rows[0].values[rows[0].allColumns.firstIndex(of: name)!], rows[1].values[rows[1].allColumns.firstIndex(of: name)!])
                #expect(x == y, "\(table).\(name): \(x) written through the writer, \(y) through SQLiteNIO")
            }
        }

        @Test("a statement SQLite refuses fails its own writer with a constraint error, undoes that writer's earlier statements, and the next write goes on")
        func refused() async throws {
            try await withSQLiteFile { app in
                let taken = UUID()
                try await Self.entry("first", id: taken).create(on: app.db)
                do {
                    try await app.db.writeTransaction { db in
                        try await Self.entry("half").create(on: db)
                        try await Self.entry("duplicate", id: taken).create(on: db)
                    }
                    Issue.record("a duplicate id was stored")
                } catch let error as SQLiteStatementError {
                    #expect(error.isConstraintFailure)
                    #expect(!DatabaseOutage.matches(error))
                    #expect(error.description.contains("UNIQUE"))
                }
                try await Self.entry("after").create(on: app.db)
                let stored = try await AuditEntry.query(on: app.db).filter(\.$objectType == "test").all().map(\.action).sorted()
                #expect(stored == ["after", "first"])
            }
        }

        @Test(
            "a write that meets another process's write lock for the whole busy timeout is a 503 with Retry-After, and the next one after the lock goes succeeds"
        )
        func lockedByAnotherProcess() async throws {
            try await withSQLiteFile { app in
                try await Self.entry("before").create(on: app.db)
                let path = try #require(app.sqliteReaders?.path)
                let other = try SQLiteReaders.Connection(path: path, readOnly: false)
                _ = try other.run("BEGIN IMMEDIATE", [], { _ in })
                var failure: (any Error)?
                do { try await Self.entry("blocked").create(on: app.db) } catch { failure = error }
                _ = try other.run("ROLLBACK", [], { _ in })
                other.close()
                let error = try #require(failure)
                #expect(DatabaseOutage.matches(error))
                let (status, _, headers) = PageErrorMiddleware.describe(error)
                #expect(status == .serviceUnavailable)
                #expect(headers["Retry-After"].first != nil)
                try await Self.entry("after").create(on: app.db)
                let stored = try await AuditEntry.query(on: app.db).filter(\.$objectType == "test").all().map(\.action).sorted()
                #expect(stored == ["after", "before"])
            }
        }

        @Test("bound values are SQLiteKit's own encoding of them, a UUID (bare or optional) as its text")
        func binds() throws {
            let id = UUID()
            let values: [any Encodable & Sendable] = [id, Optional(id), UUID?.none, "a \"quoted\" name", 42, 2.5, true, Date(timeIntervalSince1970: 1.25)]
            let ours = try SQLiteBinds.encode(values)
            let theirs = try values.map { try SQLiteDataEncoder().encode($0) }
            #expect(ours == theirs)
            #expect(ours[0] == .text(id.uuidString))
            #expect(ours[1] == .text(id.uuidString))
            #expect(ours[2] == .null)
        }
    }
}
