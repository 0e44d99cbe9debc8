import Foundation

struct PeopleListPage: Encodable {
    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct PageLink: Encodable {
        let label: String
        let href: String?
        let current: Bool
        let isLink: Bool

        init(label: String, href: String?, current: Bool) {
            self.label = label
            self.href = href
            self.current = current
            isLink = href != nil
        }
    }

    let layout: LayoutContext
    /// The table's rows, rendered (``PeopleRows``).
    let rows: String
    let query: String
    /// The filters' choices, rendered (``Filters``).
    let filters: String
    let includeLeavers: Bool
    let total: Int
    let rangeText: String
    let pages: [PageLink]
    let previous: String?
    let next: String?
    let importPath = SitePath.peopleImport
    let action = SitePath.people
    // What the template tests, as booleans (see ``LayoutContext/signedIn``).
    let hasPeople: Bool
    let hasPages: Bool
    let hasPrevious: Bool
    let hasNext: Bool

    init(
        layout: LayoutContext, rows: String, hasPeople: Bool, query: String, filters: String,
        includeLeavers: Bool, total: Int, rangeText: String, pages: [PageLink], previous: String?, next: String?
    ) {
        self.layout = layout
        self.rows = rows
        self.query = query
        self.filters = filters
        self.includeLeavers = includeLeavers
        self.total = total
        self.rangeText = rangeText
        self.pages = pages
        self.previous = previous
        self.next = next
        self.hasPeople = hasPeople
        hasPages = !pages.isEmpty
        hasPrevious = previous != nil
        hasNext = next != nil
    }
}

struct PersonPage: Encodable {
    struct Fact: Encodable {
        let label: String
        let value: String
    }

    let layout: LayoutContext
    let person: PersonSummary
    let facts: [Fact]
    let chain: [PersonSummary]
    let reports: [PersonSummary]
    let belowCount: Int
    let accountRole: String?
    /// For organization-wide managers: the person's data as JSON.
    var exportPath: String?
    let peoplePath = SitePath.people
}

struct ImportPage: Encodable {
    struct Issue: Encodable {
        let line: String
        let column: String
        let message: String
    }

    struct Result: Encodable {
        let added: Int
        let updated: Int
        let unchanged: Int
    }

    let layout: LayoutContext
    var issues: [Issue] = []
    var warnings: [String] = []
    var result: Result?
    var fileName: String?
    var columns = PeopleColumnsHelp.all
    let action = SitePath.peopleImport
    let peoplePath = SitePath.people
}

/// The import columns as the upload page documents them.
enum PeopleColumnsHelp {
    struct Column: Encodable {
        let name: String
        let required: Bool
        let meaning: String
    }

    static let all: [Column] = [
        Column(name: "employee_id", required: true, meaning: "unique id from the HR system"),
        Column(name: "email", required: true, meaning: "unique work email"),
        Column(name: "name", required: true, meaning: "full name"),
        Column(name: "title", required: false, meaning: "job title"),
        Column(name: "department", required: true, meaning: "department name"),
        Column(name: "business_unit", required: false, meaning: "business unit"),
        Column(name: "location", required: false, meaning: "office or city"),
        Column(name: "time_zone", required: false, meaning: "IANA name such as Europe/Berlin"),
        Column(name: "manager_id", required: false, meaning: "the manager's employee_id; empty at the top"),
        Column(name: "level", required: true, meaning: "whole number 1-15, higher is more senior"),
        Column(name: "hire_date", required: false, meaning: "YYYY-MM-DD"),
        Column(name: "generation", required: false, meaning: "Silent, Boomer, Gen X, Millennial or Gen Z"),
        Column(name: "termination_date", required: false, meaning: "YYYY-MM-DD, for people who left"),
    ]
}
