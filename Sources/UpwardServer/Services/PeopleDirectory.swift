import Fluent
import Foundation
import NIOCore
import SQLKit
import UpwardCore

/// The people directory: import from HR, search, and the reporting lines.
/// Used by the web pages, the JSON API and the `import` command alike.
struct PeopleDirectory {
    let db: any Database
    /// The directory in name order with everyone's listing, kept in memory (see ``DirectoryPeople``); nil: pages come from the database.
    var order: DirectoryOrderCache? = nil
    /// The program manager's figures kept in memory (see ``DirectoryOverviewCache``); nil: read each time.
    var overviewCache: DirectoryOverviewCache? = nil

    struct ImportSummary: Sendable, Equatable {
        var added: Int
        var updated: Int
        var unchanged: Int
        var warnings: [String]
    }

    /// Validates the whole file, then applies it in one transaction; any error changes nothing.
    func importPeople(csv data: Data) async throws -> ImportSummary {
        let file = try PeopleFile.parse(data)
        return try await importPeople(file)
    }

    /// Applies a validated file. Emails may move between people in one file (two people swap
    /// addresses, a new hire takes a leaver's old one): changed emails are first parked on unique
    /// placeholders, so the unique index never sees a half-applied state. A person's new email is
    /// carried to their sign-in account. A database failure becomes an ``ImportFailure`` with
    /// nothing written.
    func importPeople(_ file: PeopleFile) async throws -> ImportSummary {
        do {
            let summary = try await db.writeTransaction { db in try await Self.apply(file, on: db) }
            if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
                // A first import fills the table at once; without fresh statistics PostgreSQL plans
                // the directory's pages for an empty table until autovacuum comes by.
                try? await sql.raw("ANALYZE people").run()
            }
            return summary
        } catch let failure as ImportFailure {
            throw failure
        } catch {
            db.logger.error("people import failed in the database: \(String(reflecting: error))")
            throw ImportFailure([
                ImportIssue(
                    line: nil, column: nil,
                    message: "the database refused the import, so nothing was imported; check that no value clashes with data already in Upward")
            ])
        }
    }

    private static func apply(_ file: PeopleFile, on db: any Database) async throws -> ImportSummary {
        let stored = try await Person.query(on: db).all()
        let plan = try DirectoryImport.plan(file: file, existing: stored.map(\.record))
        let users = try await User.query(on: db).all()

        var byEmployeeID = Dictionary(stored.map { ($0.employeeID, $0) }, uniquingKeysWith: { first, _ in first })
        var ids = stored.reduce(into: [String: UUID]()) { $0[$1.employeeID] = $1.id }
        for record in plan.added { ids[record.employeeID] = UUID() }

        // Sign-in accounts follow their person's email; another account holding the new email is a clash.
        let lineOf = Dictionary(file.entries.map { ($0.record.employeeID, $0.line) }, uniquingKeysWith: { first, _ in first })
        let userOfPerson = Dictionary(users.compactMap { user in user.$person.id.map { ($0, user) } }, uniquingKeysWith: { first, _ in first })
        var finalEmailOfUser: [UUID: String] = [:]
        for user in users { finalEmailOfUser[user.id!] = user.email }
        for record in plan.updated {
            if let id = ids[record.employeeID], let user = userOfPerson[id] { finalEmailOfUser[user.id!] = record.email }
        }
        var holders: [String: [User]] = [:]
        for user in users { holders[finalEmailOfUser[user.id!]!, default: []].append(user) }
        var issues: [ImportIssue] = []
        for record in plan.added + plan.updated {
            let own = ids[record.employeeID].flatMap { userOfPerson[$0] }
            if let other = holders[record.email]?.first(where: { $0.id != own?.id }) {
                issues.append(
                    ImportIssue(
                        line: lineOf[record.employeeID], column: "email",
                        message: "\(record.email) is the sign-in email of another account (\(other.name)); change that account first"))
            }
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }

        func place(_ person: Person, _ record: PersonRecord) {
            person.apply(record)
            person.$manager.id = record.managerID.flatMap { ids[$0] }
            let chain = plan.tree.ancestors[record.employeeID] ?? []
            person.managementChain = chainPath(chain.reversed().compactMap { ids[$0] })
            person.chainDepth = chain.count
        }

        // Park every changing email (people and their accounts) on a unique placeholder first.
        var moving: [(Person, PersonRecord)] = []
        for record in plan.updated {
            guard let person = byEmployeeID[record.employeeID] else { continue }
            if person.email != record.email {
                person.email = "moving-\(UUID().text.lowercased())@upward.invalid"
                try await person.save(on: db)
                if let id = person.id, let user = userOfPerson[id] {
                    user.email = person.email
                    try await user.save(on: db)
                }
            }
            moving.append((person, record))
        }

        var created: [Person] = []
        for record in plan.added {
            let person = Person()
            person.id = ids[record.employeeID]
            place(person, record)
            created.append(person)
            byEmployeeID[record.employeeID] = person
        }
        // Managers come first in `plan.added`, so each chunk only points at stored rows.
        for chunk in stride(from: 0, to: created.count, by: 200).map({ created[$0..<min($0 + 200, created.count)] }) {
            try await Array(chunk).create(on: db)
        }
        for (person, record) in moving {
            place(person, record)
            try await person.save(on: db)
            if let id = person.id, let user = userOfPerson[id], user.email != record.email {
                user.email = record.email
                try await user.save(on: db)
            }
        }
        // Someone absent from the file can still have a new chain when a manager above them moved.
        let touched = Set(plan.added.map(\.employeeID)).union(plan.updated.map(\.employeeID))
        for person in stored where !touched.contains(person.employeeID) {
            let chain = plan.tree.ancestors[person.employeeID] ?? []
            let path = chainPath(chain.reversed().compactMap { ids[$0] })
            if path != person.managementChain {
                person.managementChain = path
                person.chainDepth = chain.count
                try await person.save(on: db)
            }
        }
        return ImportSummary(added: plan.added.count, updated: plan.updated.count, unchanged: plan.unchangedCount, warnings: plan.warnings)
    }

    static func chainPath(_ ids: [UUID]) -> String {
        ids.isEmpty ? "" : "/" + ids.map(\.text).joined(separator: "/") + "/"
    }

    // MARK: - Reporting lines

    func person(_ id: UUID) async throws -> Person? { try await Person.fetch(id, on: db) }

    /// How many people are below `manager`, counted in the database.
    func countBelow(_ manager: UUID) async throws -> Int {
        try await below(manager).count()
    }

    private func below(_ manager: UUID) -> QueryBuilder<Person> {
        Person.query(on: db).filter(\.$managementChain ~~ "/\(manager.text)/")
    }

    /// The managers above `person`, top first.
    func managers(of person: Person) async throws -> [Person] {
        let chain = person.chainIDs
        guard !chain.isEmpty else { return [] }
        let found = try await Person.query(on: db).filter(\.$id ~~ chain).all()
        let byID = Dictionary(uniqueKeysWithValues: found.map { ($0.id!, $0) })
        return chain.compactMap { byID[$0] }
    }

    func directReports(of person: Person) async throws -> [Person] {
        try await Person.query(on: db).filter(\.$manager.$id == person.requireID()).sort(\.$name).all()
    }

    // MARK: - Search

    struct Query: Sendable {
        var text: String?
        var department: String?
        var level: Int?
        var generation: Generation?
        var includeLeavers = false
        var page = 1
        var perPage = 25
    }

    struct Facets: Sendable {
        var departments: [String]
        var total: Int
        /// The list's filters with nothing chosen, rendered once, when these are the kept
        /// directory's facets (``DirectoryPeople``); nil when read for this request.
        var rendered: RenderedOnce? = nil
    }

    /// One person as the directory's lists show them (pages, the API, the invitation filters): a
    /// plain row of the columns they need. A page of Fluent models cost a seventh of the people list
    /// page's CPU in generic metadata lookups, and read each person's whole management chain too.
    struct Listing: SQLRowReadable {
        let id: UUID
        let employeeID: String
        let name: String
        let email: String
        let title: String?
        let department: String
        let businessUnit: String?
        let location: String?
        let timeZone: String?
        let level: Int
        let generation: String?
        let terminationDate: String?
        /// Its API form (``APIModel/PersonOut`` as JSON) when it comes from the kept directory
        /// (``DirectoryPeople``); nil when read for this request.
        var json: ByteBuffer?
        /// Its row of the people list, rendered by the first page that shows it (``PeopleRows``),
        /// when it comes from the kept directory; nil when read for this request.
        var rendered: RenderedOnce?

        var hasLeft: Bool { terminationDate != nil }

        static let columns = "id, employee_id, name, email, title, department, business_unit, location, time_zone, level, generation, termination_date"

        init(row: some SQLRow) throws {
            id = try row.read("id")
            employeeID = try row.read("employee_id")
            name = try row.read("name")
            email = try row.read("email")
            title = try row.read("title")
            department = try row.read("department")
            businessUnit = try row.read("business_unit")
            location = try row.read("location")
            timeZone = try row.read("time_zone")
            level = try row.read("level")
            generation = try row.read("generation")
            terminationDate = try row.read("termination_date")
        }
    }

    /// The person with this id as a ``Listing``, or nil.
    func listing(_ id: UUID) async throws -> Listing? {
        try await db.sql().raw("SELECT \(unsafeRaw: Listing.columns) FROM people WHERE id = \(bind: id)").first(reading: Listing.self)
    }

    /// A page of the people list and the list's facets, from one reading of the kept directory
    /// (``DirectoryPeople``) where it serves them: one statement (its version), not one for each.
    func listPage(_ query: Query) async throws -> (page: Page<Listing>, facets: Facets) {
        guard !db.inTransaction, let order, let sql = db as? any SQLDatabase else { return (try await search(query), try await facets()) }
        let people = try await order.current(on: sql)
        return (Self.isUnfiltered(query) ? page(of: people, query) : try await search(query), people.facets)
    }

    /// Whether a query asks for a whole default view of the directory (everyone, or everyone employed).
    private static func isUnfiltered(_ query: Query) -> Bool {
        (query.text?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) && (query.department?.isEmpty ?? true) && query.level == nil
            && query.generation == nil
    }

    /// A page of the directory, as plain SQL read into ``Listing`` rows: through Fluent's query
    /// builder, naming the columns and filling the models took most of a page's time.
    func search(_ query: Query) async throws -> Page<Listing> {
        var conditions: [SQLQueryString] = []
        if let text = query.text?.trimmingCharacters(in: .whitespaces).lowercased(), !text.isEmpty {
            conditions.append("search_key LIKE \(bind: "%" + text + "%")")
        }
        if let department = query.department, !department.isEmpty { conditions.append("department = \(bind: department)") }
        if let level = query.level { conditions.append("level = \(bind: level)") }
        if let generation = query.generation { conditions.append("generation = \(bind: generation.rawValue)") }
        let filtered = !Self.isUnfiltered(query)
        if !filtered, !db.inTransaction, let order, let sql = db as? any SQLDatabase {
            return page(of: try await order.current(on: sql), query)
        }
        if !query.includeLeavers { conditions.append("termination_date IS NULL") }
        let whereClause: SQLQueryString = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let total: Int
        if filtered {
            // COUNT(name), not COUNT(id): the name is in the index, so the count never reads the table.
            total = try await count("SELECT COUNT(name) AS count FROM people" + whereClause)
        } else {
            total = try await unfilteredCount(includeLeavers: query.includeLeavers)
        }
        // A page past the end shows the last page; the count comes first to keep the offset in range.
        let window = PageWindow(page: query.page, per: query.perPage, total: total)
        // The page's ids first, from an index alone (the default view walks `people_active_page`),
        // then only their rows: PostgreSQL would otherwise read and sort every row before the offset.
        let items = try await db.sql().raw(
            "SELECT \(unsafeRaw: Listing.columns) FROM people JOIN (SELECT id AS page_id FROM people" + whereClause
                + " ORDER BY name, employee_id LIMIT \(bind: window.per) OFFSET \(bind: window.offset)) page ON page.page_id = people.id"
                + " ORDER BY name, employee_id"
        ).all(reading: Listing.self)
        return Page(items: items, metadata: PageMetadata(page: window.page, per: window.per, total: total))
    }

    /// An unfiltered page as a slice of the kept name order, its rows the kept listings.
    private func page(of people: DirectoryPeople, _ query: Query) -> Page<Listing> {
        let (ids, window) = people.order.page(query.page, per: query.perPage, includeLeavers: query.includeLeavers)
        let items = ids.compactMap { people.listings[$0] }
        return Page(items: items, metadata: PageMetadata(page: window.page, per: window.per, total: window.total))
    }

    /// Everyone, or everyone less the leavers (see ``AddLeaversIndex``).
    private func unfilteredCount(includeLeavers: Bool) async throws -> Int {
        try await count(
            includeLeavers
                ? "SELECT COUNT(*) AS count FROM people"
                : "SELECT (SELECT COUNT(*) FROM people) - (SELECT COUNT(*) FROM people WHERE termination_date IS NOT NULL) AS count")
    }

    /// The `count` column of a counting query's one row.
    private func count(_ query: SQLQueryString) async throws -> Int {
        struct Count: Decodable { let count: Int }
        return try await db.sql().raw(query).first(decoding: Count.self)?.count ?? 0
    }

    /// The departments for the list's filter, and how many people the directory holds: the kept
    /// directory's (``DirectoryPeople``), else read.
    /// The departments are read by a walk of their index from one to the next (a few seeks, not a
    /// scan of every person), and the count from the table's b-tree pages.
    func facets() async throws -> Facets {
        if !db.inTransaction, let order, let sql = db as? any SQLDatabase {
            return try await order.current(on: sql).facets
        }
        struct Department: Decodable { let department: String }
        let walk: SQLQueryString = """
            WITH RECURSIVE d(department) AS (
                SELECT MIN(department) FROM people
                UNION ALL SELECT (SELECT MIN(department) FROM people WHERE department > d.department) FROM d WHERE d.department IS NOT NULL)
            SELECT department FROM d WHERE department IS NOT NULL
            """
        let departments = try await db.sql().raw(walk).all(decoding: Department.self).map(\.department).sorted()
        return Facets(departments: departments, total: try await unfilteredCount(includeLeavers: true))
    }
}
