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
