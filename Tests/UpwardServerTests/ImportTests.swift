import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("People import into the database")
    struct ImportTests {
        @Test("a valid file is stored with its reporting lines")
        func storesPeople() async throws {
            try await withUpward { app in
                let summary = try await PeopleDirectory(db: app.db).importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                #expect(summary == .init(added: 6, updated: 0, unchanged: 0, warnings: []))
                let dev = try #require(try await Person.query(on: app.db).filter(\.$employeeID == "E5").first())
                #expect(dev.chainDepth == 3)
                #expect(dev.managerEmployeeID == "E4")
                #expect(dev.hireDate == "2020-01-15")
                #expect(dev.generation == "Gen Z")
            }
        }

        @Test("a file with one bad row changes nothing at all")
        func allOrNothing() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                var rows = Fixtures.smallOrganization
                rows[1] = Fixtures.personRow("E2", manager: "E1", level: 12, department: "Renamed", generation: "Gen X")
                rows.append(Fixtures.personRow("E7", manager: "E1"))
                rows.append(Fixtures.personRow("E8", manager: "E404"))
                await #expect(throws: ImportFailure.self) { try await directory.importPeople(csv: Fixtures.csv(rows)) }
                #expect(try await Person.query(on: app.db).count() == 6)
                let head = try #require(try await Person.query(on: app.db).filter(\.$employeeID == "E2").first())
                #expect(head.department == "Engineering")
                #expect(head.level == 13)
            }
        }

        @Test("re-importing the same file changes nothing and says so")
        func idempotentReimport() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                let before = try await Person.query(on: app.db).sort(\.$employeeID).all().map { ($0.id, $0.updatedAt, $0.managementChain) }
                let again = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                #expect(again == .init(added: 0, updated: 0, unchanged: 6, warnings: []))
                let after = try await Person.query(on: app.db).sort(\.$employeeID).all().map { ($0.id, $0.updatedAt, $0.managementChain) }
                #expect(before.map(\.0) == after.map(\.0))
                #expect(before.map(\.1) == after.map(\.1))
                #expect(before.map(\.2) == after.map(\.2))
            }
        }

        @Test("moving a manager moves everyone below them, even people not in the file")
        func moveSubtree() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                // E4 (and so E5 below) moves from E2 to E3.
                let summary = try await directory.importPeople(csv: Fixtures.csv([Fixtures.personRow("E4", manager: "E3", level: 9, generation: "Millennial")]))
                #expect(summary.updated == 1)
                let people = try await Person.query(on: app.db).all()
                let id = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0.id!) })
                let e5 = try #require(people.first { $0.employeeID == "E5" })
                #expect(try await directory.managers(of: e5).map(\.employeeID) == ["E1", "E3", "E4"])
                #expect(try await directory.countBelow(id["E2"]!) == 0)
                #expect(try await directory.countBelow(id["E3"]!) == 3)
            }
        }

        @Test("reporting-chain queries answer above, below and unrelated")
        func chainQueries() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                let people = try await Person.query(on: app.db).all()
                let id = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0.id!) })
                #expect(try await directory.countBelow(id["E2"]!) == 2)
                #expect(try await directory.countBelow(id["E5"]!) == 0)
                #expect(try await directory.countBelow(id["E1"]!) == 5)
                let managers = try await directory.managers(of: people.first { $0.employeeID == "E5" }!).map(\.employeeID)
                #expect(managers == ["E1", "E2", "E4"])
            }
        }

        @Test("the demo organization imports, 330 people deep and wide")
        func demoImport() async throws {
            try await withUpward { app in
                let summary = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: DemoOrganization.people()))
                #expect(summary.added == DemoOrganization.people().count)
                let overview = try await PeopleDirectory(db: app.db).overview()
                #expect(overview.byDepartment.count >= 6)
                #expect(overview.deepestChain >= 4)
            }
        }
    }
}
