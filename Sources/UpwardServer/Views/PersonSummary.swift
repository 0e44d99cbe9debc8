import FluentKit
import Foundation
import SQLKit
import UpwardCore

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
        id = person.id?.text ?? ""
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
    init(_ person: PeopleDirectory.Listing) {
        self.init(
            id: person.id.text, href: SitePath.person(person.id), employeeID: person.employeeID, name: person.name, email: person.email,
            title: person.title, department: person.department, level: person.level, generation: person.generation, location: person.location,
            hasLeft: person.hasLeft)
    }

    /// A person's summary read as one plain row (see ``PeopleDirectory/Listing``); nil without an id
    /// or when nobody has it.
    static func find(_ id: UUID?, on db: any Database) async throws -> PersonSummary? {
        guard let id, let person = try await PeopleDirectory(db: db).listing(id) else { return nil }
        return PersonSummary(person)
    }
}
