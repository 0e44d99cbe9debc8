import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("People pages")
    struct PeoplePagesTests {
        func signedInAdmin(_ app: Application, demo: Bool = true) async throws -> Browser {
            try await TestAccounts.create(on: app)
            if demo { _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: DemoOrganization.people())) }
            let browser = Browser(app)
            try await browser.signIn(TestAccounts.adminEmail, TestAccounts.password)
            return browser
        }

        func rowCount(_ html: String) -> Int {
            html.components(separatedBy: "<tr>").count - 2  // minus the text before and the header row
        }

        @Test("the list pages through active people, 25 at a time")
        func paging() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app)
                let active = DemoOrganization.people().filter { !$0.hasLeft }.count
                let first = try await browser.get("/admin/people")
                #expect(first.status == .ok)
                #expect(rowCount(first.body.string) == 25)
                #expect(first.body.string.contains("1–25 of \(active)"))
                let lastPage = (active + 24) / 25
                let last = try await browser.get("/admin/people?page=\(lastPage)")
                #expect(rowCount(last.body.string) == active - (lastPage - 1) * 25)
                let leavers = try await browser.get("/admin/people?leavers=1")
                #expect(leavers.body.string.contains("of \(DemoOrganization.people().count)"))
            }
        }

        @Test("search and filters narrow the list")
        func filters() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app)
                let people = DemoOrganization.people().filter { !$0.hasLeft }
                let sales = try await browser.get("/admin/people?department=Sales&generation=Gen%20Z")
                let expected = people.filter { $0.department == "Sales" && $0.generation == .genZ }.count
                #expect(sales.body.string.contains(expected > 0 ? "1–\(min(25, expected)) of \(expected)" : "No people match"))
                let level = try await browser.get("/admin/people?level=15")
                #expect(rowCount(level.body.string) == 1)
                #expect(level.body.string.contains("Chief Executive Officer"))
                let target = people[40]
                let search = try await browser.get("/admin/people?q=\(Browser.encode(target.email.uppercased()))")
                #expect(search.body.string.contains(target.name))
                #expect(rowCount(search.body.string) == 1)
            }
        }

        @Test("bad filter values get a 400 that names the field")
        func badFilters() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app, demo: false)
                let level = try await browser.get("/admin/people?level=abc")
                #expect(level.status == .badRequest)
                #expect(level.body.string.contains("level must be a whole number from 1 to 15"))
                #expect(try await browser.get("/admin/people?page=0").status == .badRequest)
                #expect(try await browser.get("/admin/people?generation=Alpha").status == .badRequest)
            }
        }

        @Test("the person page shows details, the reporting line and reports")
        func personPage() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app)
                let manager = try #require(try await Person.query(on: app.db).filter(\.$chainDepth == 3).sort(\.$employeeID).first())
                let page = try await browser.get("/admin/people/\(manager.id!.uuidString)")
                #expect(page.status == .ok)
                let html = page.body.string
                #expect(html.contains(manager.name))
                #expect(html.contains("Chief Executive Officer"))
                #expect(html.contains("Direct reports (2)"))
                #expect(html.contains("people in total report into"))
            }
        }

        @Test("a malformed person id is a 400, an unknown one a 404")
        func badPersonIDs() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app, demo: false)
                let malformed = try await browser.get("/admin/people/not-a-uuid")
                #expect(malformed.status == .badRequest)
                #expect(malformed.body.string.contains("is not a valid person id"))
                let unknown = try await browser.get("/admin/people/\(UUID().uuidString)")
                #expect(unknown.status == .notFound)
            }
        }

        @Test("uploading a valid file imports it and reports the counts")
        func uploadValid() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app, demo: false)
                try await browser.get("/admin/people/import")
                let first = try await browser.upload("/admin/people/import", data: Fixtures.csv(Fixtures.smallOrganization))
                #expect(first.status == .ok)
                #expect(first.body.string.contains("6 added · 0 updated · 0 unchanged"))
                var rows = Fixtures.smallOrganization
                rows[5] = Fixtures.personRow("E6", manager: "E3", level: 3, department: "Marketing", generation: "Gen Z")
                let second = try await browser.upload("/admin/people/import", data: Fixtures.csv(rows))
                #expect(second.body.string.contains("0 added · 1 updated · 5 unchanged"))
                #expect(try await Person.query(on: app.db).count() == 6)
            }
        }

        @Test("uploading a bad file lists every problem with its line and imports nothing")
        func uploadInvalid() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app, demo: false)
                try await browser.get("/admin/people/import")
                let rows = [
                    Fixtures.personRow("E1", level: 15), Fixtures.personRow("E2", manager: "E1", email: "broken"), Fixtures.personRow("E3", manager: "E9"),
                ]
                let response = try await browser.upload("/admin/people/import", data: Fixtures.csv(rows))
                #expect(response.status == .unprocessableEntity)
                let html = response.body.string
                #expect(html.contains("Nothing was imported"))
                #expect(html.contains("<td class=\"num\">3</td><td><code>email</code></td>"))
                #expect(html.contains("<td class=\"num\">4</td><td><code>manager_id</code></td>"))
                #expect(try await Person.query(on: app.db).count() == 0)
                let empty = try await browser.upload("/admin/people/import", data: Data())
                #expect(empty.status == .badRequest)
                #expect(empty.body.string.contains("Choose a CSV file"))
            }
        }

        @Test("the admin home page shows directory figures")
        func dashboard() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app)
                let home = try await browser.get("/").body.string
                #expect(home.contains("People in the directory"))
                #expect(home.contains(">\(DemoOrganization.people().count)<"))
                #expect(home.contains("People by generation"))
                #expect(home.contains("Engineering"))
            }
        }

        @Test("a participant's home page shows their own profile and no admin navigation")
        func participantHome() async throws {
            try await withUpward { app in
                _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: DemoOrganization.people()))
                let person = try #require(try await Person.query(on: app.db).filter(\.$level <= 3).first())
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                try await accounts.createUser(email: person.email, name: person.name, password: TestAccounts.password, role: .participant, personID: person.id)
                let browser = Browser(app)
                try await browser.signIn(person.email, TestAccounts.password)
                let home = try await browser.get("/").body.string
                #expect(home.contains("Your profile"))
                #expect(home.contains(person.department))
                #expect(!home.contains("href=\"/admin/people\""))
            }
        }
    }
}
