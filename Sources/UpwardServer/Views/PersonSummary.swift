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
    let generation: String?
    let location: String?
    let hasLeft: Bool

    init(_ person: Person) {
        id = person.id?.uuidString ?? ""
        href = person.id.map(SitePath.person) ?? ""
        employeeID = person.employeeID
        name = person.name
        email = person.email
        title = person.title
        department = person.department
        level = person.level
        generation = person.generation
        location = person.location
        hasLeft = person.hasLeft
    }
}
