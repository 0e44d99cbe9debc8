import Fluent
import Foundation
import UpwardCore

/// The people directory: import from HR, search, and the reporting lines.
/// Used by the web pages, the JSON API and the `import` command alike.
struct PeopleDirectory {
    let db: any Database

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

    func importPeople(_ file: PeopleFile) async throws -> ImportSummary {
        try await db.transaction { db in
            let stored = try await Person.query(on: db).all()
            let plan = try DirectoryImport.plan(file: file, existing: stored.map(\.record))

            var byEmployeeID = Dictionary(uniqueKeysWithValues: stored.map { ($0.employeeID, $0) })
            var ids = stored.reduce(into: [String: UUID]()) { $0[$1.employeeID] = $1.id! }
            for record in plan.added { ids[record.employeeID] = UUID() }

            func place(_ person: Person, _ record: PersonRecord) {
                person.apply(record)
                person.$manager.id = record.managerID.flatMap { ids[$0] }
                let chain = plan.tree.ancestors[record.employeeID] ?? []
                person.managementChain = Self.chainPath(chain.reversed().map { ids[$0]! })
                person.chainDepth = chain.count
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
            for record in plan.updated {
                let person = byEmployeeID[record.employeeID]!
                place(person, record)
                try await person.save(on: db)
            }
            // Someone absent from the file can still have a new chain when a manager above them moved.
            let touched = Set(plan.added.map(\.employeeID)).union(plan.updated.map(\.employeeID))
            for person in stored where !touched.contains(person.employeeID) {
                let chain = plan.tree.ancestors[person.employeeID] ?? []
                let path = Self.chainPath(chain.reversed().map { ids[$0]! })
                if path != person.managementChain {
                    person.managementChain = path
                    person.chainDepth = chain.count
                    try await person.save(on: db)
                }
            }
            return ImportSummary(added: plan.added.count, updated: plan.updated.count, unchanged: plan.unchangedCount, warnings: plan.warnings)
        }
    }

    static func chainPath(_ ids: [UUID]) -> String {
        ids.isEmpty ? "" : "/" + ids.map(\.uuidString).joined(separator: "/") + "/"
    }

    // MARK: - Reporting lines

    /// Whether `manager` is anywhere above `person`. One row read, no recursion.
    func isAbove(_ manager: UUID, _ person: UUID) async throws -> Bool {
        guard let person = try await Person.find(person, on: db) else { return false }
        return person.managementChain.contains("/\(manager.uuidString)/")
    }

    /// Whether either person is anywhere above the other.
    func shareReportingChain(_ a: UUID, _ b: UUID) async throws -> Bool {
        let people = try await Person.query(on: db).filter(\.$id ~~ [a, b]).all()
        guard people.count == 2 else { return false }
        let (x, y) = (people[0], people[1])
        return x.managementChain.contains("/\(y.id!.uuidString)/") || y.managementChain.contains("/\(x.id!.uuidString)/")
    }

    /// Everyone below `manager`, at any depth.
    func everyoneBelow(_ manager: UUID) async throws -> [Person] {
        try await below(manager).sort(\.$chainDepth).sort(\.$name).all()
    }

    /// How many people are below `manager`, counted in the database.
    func countBelow(_ manager: UUID) async throws -> Int {
        try await below(manager).count()
    }

    private func below(_ manager: UUID) -> QueryBuilder<Person> {
        Person.query(on: db).filter(\.$managementChain ~~ "/\(manager.uuidString)/")
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
    }

    func search(_ query: Query) async throws -> Page<Person> {
        let builder = Person.query(on: db)
        if let text = query.text?.trimmingCharacters(in: .whitespaces).lowercased(), !text.isEmpty {
            builder.filter(\.$searchKey ~~ text)
        }
        if let department = query.department, !department.isEmpty { builder.filter(\.$department == department) }
        if let level = query.level { builder.filter(\.$level == level) }
        if let generation = query.generation { builder.filter(\.$generation == generation.rawValue) }
        if !query.includeLeavers { builder.filter(\.$terminationDate == nil) }
        return try await builder.sort(\.$name).sort(\.$employeeID)
            .paginate(PageRequest(page: max(1, query.page), per: min(max(query.perPage, 1), 200)))
    }

    func facets() async throws -> Facets {
        let departments = try await Person.query(on: db).unique().all(\.$department).sorted()
        return Facets(departments: departments, total: try await Person.query(on: db).count())
    }
}
