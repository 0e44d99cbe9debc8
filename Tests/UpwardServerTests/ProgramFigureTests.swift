import FluentKit
import Foundation
import SQLKit
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Program figures")
    struct ProgramFigureTests {
        /// The names of the database's indexes, on SQLite and on PostgreSQL.
        static func indexNames(_ app: Application) async throws -> Set<String> {
            let sql = try #require(app.db as? any SQLDatabase)
            struct Row: Decodable { let name: String }
            let query: SQLQueryString =
                TestDatabase.isPostgres
                ? "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"
                : "SELECT name FROM sqlite_master WHERE type = 'index'"
            return Set(try await sql.raw(query).all(decoding: Row.self).map(\.name))
        }

        @Test("the program figures' covering indexes replace the ones they extend; revert puts those back, and both ways keep the page whole")
        func indexes() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            try await withUpward(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock)
                _ = try await world.goLive()
                let added = Set(AddProgramFigureIndexes.indexes.map(\.name))
                let replaced = Set(AddProgramFigureIndexes.replaced.map(\.name))
                var names = try await Self.indexNames(app)
                #expect(added.isSubset(of: names) && names.isDisjoint(with: replaced), "\(names.sorted())")
                let manager = try await world.signIn(manager: world.managerA)
                let path = SitePath.program(world.programA.id!)
                let before = try await manager.get(path).body.string
                try await AddProgramFigureIndexes().revert(on: app.db)
                names = try await Self.indexNames(app)
                #expect(replaced.isSubset(of: names) && names.isDisjoint(with: added), "\(names.sorted())")
                // A previous release's database, upgraded while it holds pairs.
                try await AddProgramFigureIndexes().prepare(on: app.db)
                names = try await Self.indexNames(app)
                #expect(added.isSubset(of: names) && names.isDisjoint(with: replaced))
                let after = try await manager.get(path).body.string
                #expect(after.contains("Pairs at work") && after == before)
            }
        }

        @Test("the program page shows each pair's goals as their number and average progress (milestones done, a progress set by hand, achieved)")
        func goalAverages() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            try await withUpward(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock)
                let pairs = try await world.goLive()
                try #require(pairs.count >= 3)
                let goals = Goals(db: app.db, clock: clock)
                func work(_ pair: Pair) -> (PairContext, Viewer) {
                    (PairContext(pair: pair, program: world.programA, me: pair.mentee), Viewer(world.users[pair.mentee.person.employeeID]!))
                }
                // First pair: one of two milestones done (50%) and one goal achieved (100%): 75% on average.
                let (first, firstViewer) = work(pairs[0])
                _ = try await goals.create(
                    .init(title: "Half way", owner: "mentee", milestones: [.init(title: "a", done: true), .init(title: "b", done: false)]), in: first,
                    by: firstViewer)
                _ = try await goals.create(.init(title: "Done", owner: "mentee", status: "achieved"), in: first, by: firstViewer)
                // Second pair: a progress set by hand, which counts over its milestones.
                let (second, secondViewer) = work(pairs[1])
                _ = try await goals.create(
                    .init(title: "By hand", owner: "mentee", milestones: [.init(title: "a", done: true)], progress: 30), in: second, by: secondViewer)
                let page = try await (try await world.signIn(manager: world.managerA)).get(SitePath.program(world.programA.id!)).body.string
                func row(_ pair: Pair) throws -> Substring {
                    let start = try #require(page.range(of: "\(pair.mentee.person.name) &amp; \(pair.mentor.person.name)</a>"))
                    let end = try #require(page[start.upperBound...].range(of: "</tr>"))
                    return page[start.upperBound..<end.lowerBound]
                }
                #expect(try row(pairs[0]).contains("2, 75% on average"))
                #expect(try row(pairs[1]).contains("1, 30% on average"))
                #expect(try row(pairs[2]).contains("none yet"))
            }
        }
    }
}

extension AppTests.ProgramFigureTests {
    @Test("a meeting logged through the API is stored whole: its outcome, summary and follow-ups reach the partner, its audit entry names the logger")
    func meetingLogStored() async throws {
        let clock = FixedClock(ProgramWorld.spring)
        try await withUpward(clock: clock) { app in
            let world = try await ProgramWorld.make(app, clock: clock)
            let pair = try #require(try await world.goLive().first)
            let meeting = try #require(try await Meetings(db: app.db, clock: clock).list(pair: pair.id!).first)
            clock.advance(by: 15 * 86_400)
            let mentee = world.users[pair.mentee.person.employeeID]!
            let logged = try await world.api(
                .POST, "/api/v1/pairs/\(pair.id!)/meetings/\(meeting.id!)/log", token: try await world.token(mentee),
                json: #"{"outcome":"missed","summary":"Rescheduled: travel","followUps":"Pick a new date"}"#)
            #expect(logged.status == .ok)
            // Read back as the partner sees it, from the database.
            let mentorToken = try await world.token(world.users[pair.mentor.person.employeeID]!)
            struct Listed: Decodable {
                let id: UUID
                let status: String
                let summary: String?
                let followUps: String?
            }
            let listed = try await world.api(.GET, "/api/v1/pairs/\(pair.id!)/meetings", token: mentorToken)
            let stored = try #require(try JSONDecoder().decode([Listed].self, from: Data(listed.body.readableBytesView)).first { $0.id == meeting.id })
            #expect(stored.status == "missed" && stored.summary == "Rescheduled: travel" && stored.followUps == "Pick a new date")
            let fresh = try #require(try await Meeting.find(meeting.id, on: app.db))
            #expect(fresh.updatedAt == clock.now && fresh.startsAt == meeting.startsAt && fresh.agenda == meeting.agenda)
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$action == "meeting.logged").first())
            #expect(entry.objectID == meeting.id!.text && entry.detail == "missed" && entry.actor.contains(mentee.email))
            #expect(entry.programID == world.programA.id && entry.actorUserID == mentee.id)
        }
    }
}

extension AppTests.ProgramFigureTests {
    @Test("on a SQLite file no commit checkpoints: the checkpoint thread copies the write-ahead log into the database file on its own")
    func checkpointThread() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upward-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("upward.sqlite").path
        try await withUpward(configure: { $0.storage = .sqliteFile(path: path) }) { app in
            try await app.asyncBoot()
            let checkpointer = try #require(app.sqliteCheckpointer)
            struct Setting: Decodable { let wal_autocheckpoint: Int }
            let writer = try #require(app.sqliteWriter?.database(logger: app.logger) as? any SQLDatabase)
            #expect(try await writer.raw("PRAGMA wal_autocheckpoint").first(decoding: Setting.self)?.wal_autocheckpoint == 0)
            let marker = "checkpoint-marker-\(UUID().uuidString)"
            for _ in 0..<200 {
                try await AuditLog(db: app.db, clock: app.upward.clock).record(nil, program: nil, action: "test", object: "none", id: nil, detail: marker)
            }
            let before = checkpointer.progress.frames
            var waited = 0
            while checkpointer.progress.frames == before, waited < 100 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            #expect(checkpointer.progress.frames > before, "runs: \(checkpointer.progress.runs)")
            // The rows are in the database file itself, not only in its log.
            let file = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(file.range(of: Data(marker.utf8)) != nil)
        }
    }
}
