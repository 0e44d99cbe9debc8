import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Imports that move emails or leave columns out")
    struct ImportSafetyTests {
        @Test("two people swapping emails, and a new hire taking a leaver's address, import correctly; accounts follow")
        func emailMoves() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                let e5 = try #require(try await Person.query(on: app.db).filter(\.$employeeID == "E5").first())
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                try await accounts.createUser(email: "e5@example.com", name: "E5", password: TestAccounts.password, role: .participant, personID: e5.id)
                // E5 and E6 swap addresses; E4 leaves and hands their address to the new hire E7.
                let rows = [
                    Fixtures.personRow("E5", manager: "E4", level: 3, email: "e6@example.com", generation: "Gen Z"),
                    Fixtures.personRow("E6", manager: "E3", level: 2, department: "Marketing", email: "e5@example.com", generation: "Gen Z"),
                    Fixtures.personRow("E4", manager: "E2", level: 9, email: "e4.left@example.com", terminationDate: "2026-06-30"),
                    Fixtures.personRow("E7", manager: "E2", level: 4, email: "e4@example.com"),
                ]
                let summary = try await directory.importPeople(csv: Fixtures.csv(rows))
                #expect(summary.added == 1)
                #expect(summary.updated == 3)
                let email = Dictionary(uniqueKeysWithValues: try await Person.query(on: app.db).all().map { ($0.employeeID, $0.email) })
                #expect(email["E5"] == "e6@example.com")
                #expect(email["E6"] == "e5@example.com")
                #expect(email["E7"] == "e4@example.com")
                // E5's sign-in account now uses E5's new email.
                let account = try #require(try await accounts.account(of: e5.requireID()))
                #expect(account.email == "e6@example.com")
                #expect(try await Browser(app).signIn("e6@example.com", TestAccounts.password).status == .seeOther)
            }
        }

        @Test("a new email that another account signs in with is refused by line, and nothing is written")
        func accountEmailClash() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                try await TestAccounts.create(on: app)
                let rows = [Fixtures.personRow("E5", manager: "E4", level: 3, email: TestAccounts.adminEmail, generation: "Gen Z")]
                await #expect {
                    try await directory.importPeople(csv: Fixtures.csv(rows))
                } throws: { error in
                    "\(error)".contains("line 2, column email: pm@example.com is the sign-in email of another account (Pat Manager)")
                }
                #expect(try await Person.query(on: app.db).filter(\.$employeeID == "E5").first()?.email == "e5@example.com")
            }
        }

        @Test("a re-import without the manager_id or time_zone columns keeps managers, chains and time zones")
        func missingOptionalColumns() async throws {
            try await withUpward { app in
                let directory = PeopleDirectory(db: app.db)
                _ = try await directory.importPeople(csv: Fixtures.csv(Fixtures.smallOrganization))
                let partial = Data(
                    "Employee ID,Email,Name,Department,Level\nE5,e5@example.com,Person E5,Engineering,4\nE6,e6@example.com,Person E6,Marketing,2\n".utf8)
                let summary = try await directory.importPeople(csv: partial)
                #expect(summary.updated == 1)
                let e5 = try #require(try await Person.query(on: app.db).filter(\.$employeeID == "E5").first())
                #expect(e5.level == 4)
                #expect(e5.managerEmployeeID == "E4")
                #expect(e5.timeZone == "Europe/Berlin")
                #expect(try await directory.managers(of: e5).map(\.employeeID) == ["E1", "E2", "E4"])
            }
        }
    }
}
