import Fluent
import Foundation
import SQLKit
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

        @Test("a row of the list shows a change to its person on the next view, kept or filtered, its text escaped")
        func rowsFollowChanges() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app)
                let sql = try #require(app.db as? any SQLDatabase)
                struct Someone: Decodable {
                    let employee_id: String
                    let name: String
                }
                let first = try #require(
                    try await sql.raw("SELECT employee_id, name FROM people WHERE termination_date IS NULL ORDER BY name, employee_id LIMIT 1")
                        .first(decoding: Someone.self))
                let filtered = "/admin/people?q=\(Browser.encode(first.name))"
                for (title, shown) in [
                    ("Head of <b>AI</b> & \"Ops\"", "Head of &lt;b&gt;AI&lt;/b&gt; &amp; &quot;Ops&quot;"), ("Chief Listener", "Chief Listener"),
                ] {
                    // Straight in the database, as another instance or an import would.
                    try await sql.raw("UPDATE people SET title = \(bind: title) WHERE employee_id = \(bind: first.employee_id)").run()
                    for path in ["/admin/people", filtered, "/admin/people"] {
                        let html = try await browser.get(path).body.string
                        #expect(html.contains("<td>\(shown)</td>"), "\(title) on \(path)")
                        #expect(!html.contains("<b>AI</b>"), "\(path)")
                    }
                }
                try await sql.raw("UPDATE people SET location = 'Reykjavik' WHERE employee_id = \(bind: first.employee_id)").run()
                #expect(try await browser.get("/admin/people").body.string.contains("<td>Reykjavik</td>"))
                // A new department: offered by the filter at once, chosen only where the query chose it.
                try await sql.raw("UPDATE people SET department = 'Zeta & Lab' WHERE employee_id = \(bind: first.employee_id)").run()
                for _ in 0..<2 {
                    let plain = try await browser.get("/admin/people").body.string
                    #expect(plain.contains("<option value=\"Zeta &amp; Lab\">Zeta &amp; Lab</option>"))
                    #expect(!plain.contains(" selected>"))
                    let chosen = try await browser.get("/admin/people?department=Zeta%20%26%20Lab&level=&generation=").body.string
                    #expect(chosen.contains("<option value=\"Zeta &amp; Lab\" selected>Zeta &amp; Lab</option>"))
                    #expect(rowCount(chosen) == 1)
                    let byLevel = try await browser.get("/admin/people?level=3").body.string
                    #expect(byLevel.contains("<option value=\"3\" selected>3</option>") && !byLevel.contains("Zeta &amp; Lab\" selected"))
                }
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

        @Test("the admin home page's figures follow every change they count, made straight in the database, and are read once while nothing changes")
        func dashboardFollowsChanges() async throws {
            try await withUpward { app in
                let browser = try await signedInAdmin(app)
                let sql = try #require(app.db as? any SQLDatabase)
                let cache = try #require(app.directoryOverview)
                /// The page's bars (departments, then generations) and its four stat values.
                func page() async throws -> (departments: [String: Int], generations: [String: Int], stats: [String]) {
                    let html = try await browser.get("/").body.string
                    func unescaped(_ text: Substring) -> String {
                        [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")].reduce(String(text)) {
                            $0.replacingOccurrences(of: $1.0, with: $1.1)
                        }
                    }
                    func bars(_ text: Substring) -> [String: Int] {
                        Dictionary(
                            text.matches(of: /<span class="bar-label">([^<]*)<\/span>.*?<span class="bar-count">(\d+)<\/span>/).map {
                                (unescaped($0.output.1), Int($0.output.2)!)
                            }, uniquingKeysWith: +)
                    }
                    let halves = html.split(separator: "People by generation", maxSplits: 1)
                    let stats = html.matches(of: /<span class="stat-value">([^<]*)<\/span>/).map { String($0.output.1) }
                    return (bars(halves[0]), bars(halves[1]), stats)
                }
                /// The database's own counts of active people by a column.
                func stored(_ column: String) async throws -> [String: Int] {
                    struct Row: Decodable {
                        let key: String?
                        let n: Int
                    }
                    return Dictionary(
                        try await sql.raw(
                            "SELECT \(unsafeRaw: column) AS key, COUNT(*) AS n FROM people WHERE termination_date IS NULL GROUP BY \(unsafeRaw: column)"
                        )
                        .all(decoding: Row.self).map { ($0.key ?? "Not given", $0.n) }, uniquingKeysWith: +)
                }
                func expectCurrent(_ step: String) async throws {
                    let shown = try await page()
                    #expect(shown.departments == (try await stored("department")), "\(step): departments")
                    #expect(shown.generations == (try await stored("generation")), "\(step): generations")
                }
                struct Someone: Decodable { let employee_id: String }
                let people = try await sql.raw("SELECT employee_id FROM people WHERE termination_date IS NULL ORDER BY employee_id LIMIT 2")
                    .all(decoding: Someone.self).map(\.employee_id)
                try #require(people.count == 2)

                try await expectCurrent("at first")
                let reads = cache.reads
                _ = try await page()
                #expect(cache.reads == reads, "nothing changed: the figures are kept")

                // Each change below is made by another instance, straight in the database.
                try await sql.raw("UPDATE people SET department = 'Research' WHERE employee_id = \(bind: people[0])").run()
                #expect(try await page().departments["Research"] == 1)
                try await expectCurrent("after a move to a new department")
                let generation = try await stored("generation")
                try await sql.raw(
                    "UPDATE people SET generation = CASE generation WHEN 'Silent' THEN 'Gen Z' ELSE 'Silent' END WHERE employee_id = \(bind: people[1])"
                ).run()
                #expect(try await page().generations != generation)
                try await expectCurrent("after a generation changed")
                try await sql.raw("UPDATE people SET chain_depth = 11 WHERE employee_id = \(bind: people[1])").run()
                #expect(try await page().stats.last == "12", "twelve levels of management")
                try await sql.raw("UPDATE people SET termination_date = '2026-01-31' WHERE employee_id = \(bind: people[0])").run()
                #expect(try await page().departments["Research"] == nil)
                try await expectCurrent("after a leaver")
                // A change no figure or list shows (the row's update time) keeps them.
                let kept = cache.reads
                try await sql.raw("UPDATE people SET updated_at = created_at WHERE employee_id = \(bind: people[1])").run()
                _ = try await page()
                #expect(cache.reads == kept)
            }
        }

        @Test("the outcomes report's comparison group follows every change to a level, a hiring or leaving date, and is read once while nothing changes")
        func membersFollowChanges() async throws {
            try await withUpward { app in
                _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: DemoOrganization.people()))
                let sql = try #require(app.db as? any SQLDatabase)
                let cache = try #require(app.directoryMembers)
                struct Someone: Decodable {
                    let id: UUID
                    let employee_id: String
                }
                let person = try #require(
                    try await sql.raw("SELECT id, employee_id FROM people WHERE termination_date IS NULL ORDER BY employee_id LIMIT 1")
                        .first(decoding: Someone.self))
                func member() async throws -> Retention.Member? {
                    try await cache.current(on: sql).first { $0.id == person.id.text }
                }
                let first = try #require(try await member())
                #expect(try await cache.current(on: sql) == (try await DirectoryMembersCache.read(on: sql)))
                let reads = cache.reads
                _ = try await member()
                #expect(cache.reads == reads, "nothing changed: kept")
                // Each change straight in the database, as another instance would make it.
                let level = first.level == 15 ? 14 : first.level + 1
                try await sql.raw("UPDATE people SET level = \(bind: level) WHERE id = \(bind: person.id)").run()
                #expect(try await member()?.level == level)
                try await sql.raw("UPDATE people SET hire_date = '2019-03-04' WHERE id = \(bind: person.id)").run()
                #expect(try await member()?.hireDate == CalendarDate("2019-03-04"))
                try await sql.raw("UPDATE people SET termination_date = '2026-02-27' WHERE id = \(bind: person.id)").run()
                #expect(try await member()?.terminationDate == CalendarDate("2026-02-27"))
                #expect(try await cache.current(on: sql) == (try await DirectoryMembersCache.read(on: sql)))
                // A change nothing kept uses (the row's update time) keeps it.
                let kept = cache.reads
                try await sql.raw("UPDATE people SET updated_at = created_at WHERE id = \(bind: person.id)").run()
                _ = try await member()
                #expect(cache.reads == kept)
            }
        }

        @Test(
            "WatchListedColumns and WidenDirectoryVersion on a database that holds people: each revert watches the columns before it again; prepare widens them again"
        )
        func widenMigration() async throws {
            try await withUpward { app in
                _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: DemoOrganization.people()))
                let sql = try #require(app.db as? any SQLDatabase)
                struct Version: Decodable { let version: Int64 }
                func version() async throws -> Int64 {
                    try #require(try await sql.raw("SELECT version FROM directory_version WHERE id = 1").first(decoding: Version.self)).version
                }
                struct Someone: Decodable { let employee_id: String }
                let id = try #require(try await sql.raw("SELECT employee_id FROM people ORDER BY employee_id LIMIT 1").first(decoding: Someone.self))
                    .employee_id
                func change(_ assignment: String) async throws -> Int64 {
                    let before = try await version()
                    try await sql.raw("UPDATE people SET \(unsafeRaw: assignment) WHERE employee_id = \(bind: id)").run()
                    return try await version() - before
                }
                #expect(try await change("department = 'Research'") == 1)
                #expect(try await change("level = 3") == 1)
                #expect(try await change("title = 'Lead'") == 1)
                #expect(try await change("email = 'moved@example.com'") == 1)
                #expect(try await change("location = 'Lisbon'") == 1)
                #expect(try await change("time_zone = 'Europe/Lisbon'") == 1)
                #expect(try await change("updated_at = created_at") == 0)
                try await WatchListedColumns().revert(on: app.db)
                #expect(try await change("title = 'Head'") == 0)
                #expect(try await change("department = 'Research'") == 1)
                try await WidenDirectoryVersion().revert(on: app.db)
                #expect(try await change("department = 'Legal'") == 0)
                #expect(try await change("hire_date = '2020-01-01'") == 0)
                #expect(try await change("name = 'Zed Zulu'") == 1)
                try await WidenDirectoryVersion().prepare(on: app.db)
                #expect(try await change("department = 'Sales'") == 1)
                #expect(try await change("hire_date = '2021-01-01'") == 1)
                #expect(try await change("generation = 'Gen Z'") == 1)
                #expect(try await change("title = 'Lead'") == 0)
                try await WatchListedColumns().prepare(on: app.db)
                #expect(try await change("title = 'Chief'") == 1)
                #expect(try await change("business_unit = 'Platform'") == 1)
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

        @Test("the navigation kept for a set of links is the one the page would render: the open page active, a participant never given a manager's links")
        func keptNavigation() async throws {
            try await withUpward { app in
                let admin = try await signedInAdmin(app)
                func nav(_ path: String, as browser: Browser) async throws -> String {
                    let html = try await browser.get(path).body.string
                    guard let start = html.range(of: "<nav class=\"mainnav\""), let end = html.range(of: "</nav>", range: start.upperBound..<html.endIndex)
                    else { return "" }
                    return String(html[start.lowerBound..<end.upperBound])
                }
                let first = try await nav("/", as: admin)
                #expect(first.contains("<a href=\"/\" class=\"active\" aria-current=\"page\">Home</a>"))
                #expect(first.contains("<a href=\"/admin/people\">People</a>"))
                let kept = try #require(app.navFragments)
                #expect(kept.count == 1, "the home page's navigation is kept")
                #expect(try await nav("/", as: admin) == first, "kept after the first view")
                #expect(kept.count == 1, "and reused, not rendered again under a new key")
                // The people list keeps its own: People active, Home not.
                let people = try await nav("/admin/people", as: admin)
                #expect(people.contains("<a href=\"/admin/people\" class=\"active\" aria-current=\"page\">People</a>"))
                #expect(!people.contains("<a href=\"/\" class=\"active\""))
                #expect(try await nav("/admin/people?page=2", as: admin) == people)
                #expect(kept.count == 2, "one kept navigation for each open page")
                // Another page (the account page) has the same links, its own active.
                let account = try await nav("/account", as: admin)
                #expect(
                    account.replacingOccurrences(of: " class=\"active\" aria-current=\"page\"", with: "")
                        == first.replacingOccurrences(of: " class=\"active\" aria-current=\"page\"", with: ""))
                // The error page renders its navigation from the same template.
                let missing = try await nav("/admin/people/\(UUID())", as: admin)
                #expect(
                    missing.replacingOccurrences(of: " class=\"active\" aria-current=\"page\"", with: "")
                        == first.replacingOccurrences(of: " class=\"active\" aria-current=\"page\"", with: ""))
                // A participant: their own links, none of a manager's, though a manager's home was kept first.
                let person = try #require(try await Person.query(on: app.db).filter(\.$level <= 3).first())
                let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
                try await accounts.createUser(email: person.email, name: person.name, password: TestAccounts.password, role: .participant, personID: person.id)
                let participant = Browser(app)
                try await participant.signIn(person.email, TestAccounts.password)
                for _ in 0..<2 {
                    let own = try await nav("/", as: participant)
                    #expect(own.contains("<a href=\"/notifications\">Notifications</a>") && own.contains("class=\"active\" aria-current=\"page\">Home</a>"))
                    #expect(!own.contains("/admin/people") && !own.contains("Audit"))
                }
            }
        }
    }
}
