struct HomePage: Encodable {
    struct Stat: Encodable {
        let label: String
        let value: String
        let hint: String?
    }

    struct Bar: Encodable {
        let label: String
        let count: Int
        let percent: Int
    }

    let layout: LayoutContext
    let firstName: String
    let isAdmin: Bool
    var stats: [Stat] = []
    var departments: [Bar] = []
    var generations: [Bar] = []
    var peoplePath = SitePath.people
    var importPath = SitePath.peopleImport
    var person: PersonSummary?
    var programs: [ProgramItem] = []

    /// A participant's program on their home page: role, partners and what is left to do.
    struct ProgramItem: Encodable {
        let name: String
        let href: String
        let status: String
        let statusLabel: String
        let role: String
        let partners: [ParticipantPages.PartnerCard]
        let missing: [String]
    }
}

extension HomePage {
    /// Bars scaled to the largest count, never thinner than 2%.
    static func bars(_ counts: [(String, Int)]) -> [Bar] {
        let top = max(1, counts.map(\.1).max() ?? 1)
        return counts.map { Bar(label: $0.0, count: $0.1, percent: max(2, $0.1 * 100 / top)) }
    }
}
