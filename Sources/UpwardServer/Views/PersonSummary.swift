import FluentKit
import Foundation
import SQLKit

/// One person as a row in a list.
struct PersonSummary: Encodable {
    let id: String
    let href: String
    let employeeID: String
    let name: String
    let email: String
    let title: String?
    let department: String
    let level: Int
    /// The level as text: Leaf writes a number through a table of conversions it builds anew each time.
    let levelText: String
    let generation: String?
    let location: String?
    let hasLeft: Bool

    init(
        id: String, href: String, employeeID: String, name: String, email: String, title: String?, department: String, level: Int,
        generation: String?, location: String?, hasLeft: Bool
    ) {
        self.id = id
        self.href = href
        self.employeeID = employeeID
        self.name = name
        self.email = email
        self.title = title
        self.department = department
        self.level = level
        levelText = String(level)
        self.generation = generation
        self.location = location
        self.hasLeft = hasLeft
    }

    init(_ person: Person) {
        id = person.id?.uuidString ?? ""
        href = person.id.map(SitePath.person) ?? ""
        employeeID = person.employeeID
        name = person.name
        email = person.email
        title = person.title
        department = person.department
        level = person.level
        levelText = String(person.level)
        generation = person.generation
        location = person.location
        hasLeft = person.hasLeft
    }
}

extension PersonSummary {
    private struct Row: SQLRowReadable {
        let id: UUID
        let employee_id: String
        let name: String
        let email: String
        let title: String?
        let department: String
        let level: Int
        let generation: String?
        let location: String?
        let termination_date: String?

        init(row: some SQLRow) throws {
            id = try row.read("id")
            employee_id = try row.read("employee_id")
            name = try row.read("name")
            email = try row.read("email")
            title = try row.read("title")
            department = try row.read("department")
            level = try row.read("level")
            generation = try row.read("generation")
            location = try row.read("location")
            termination_date = try row.read("termination_date")
        }
    }

    /// A person's summary read as one plain row; nil without an id or when nobody has it. Plain SQL
    /// text, as it runs on every participant's home page (a builder's statement is serialized anew
    /// each time, escaping each column's name).
    static func find(_ id: UUID?, on db: any Database) async throws -> PersonSummary? {
        guard let id else { return nil }
        guard
            let row = try await db.sql().raw(
                """
                SELECT id, employee_id, name, email, title, department, level, generation, location, termination_date
                FROM \(ident: Person.schema) WHERE id = \(bind: id)
                """
            ).first(reading: Row.self)
        else { return nil }
        return PersonSummary(
            id: row.id.uuidString, href: SitePath.person(row.id), employeeID: row.employee_id, name: row.name, email: row.email, title: row.title,
            department: row.department, level: row.level, generation: row.generation, location: row.location, hasLeft: row.termination_date != nil)
    }
}
