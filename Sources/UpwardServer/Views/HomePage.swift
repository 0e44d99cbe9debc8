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

    /// The directory's figures on a program manager's home page (`home-figures.leaf`): the same for
    /// every manager while the directory is unchanged, so rendered once per version of it (see
    /// ``RenderedOnce``) and placed in the page as it is.
    struct Figures: Encodable {
        var stats: [Stat] = []
        var departments: [Bar] = []
        var generations: [Bar] = []
    }

    let layout: LayoutContext
    let firstName: String
    let isAdmin: Bool
    /// The rendered ``Figures``, for a program manager.
    var figures: String?
    var peoplePath = SitePath.people
    var importPath = SitePath.peopleImport
    var person: PersonSummary? { didSet { hasPerson = person != nil } }
    var programs: [ProgramItem] = [] { didSet { hasPrograms = !programs.isEmpty } }
    // What the template tests, as booleans (see ``LayoutContext/signedIn``).
    var hasPerson = false
    var hasPrograms = false

    /// A participant's program on their home page: role, partners and what is left to do.
    struct ProgramItem: Encodable {
        let name: String
        let href: String
        let status: String
        let statusLabel: String
        let role: String
        let partners: [ParticipantPages.PartnerCard]
        let missing: [String]
        let hasMissing: Bool

        init(name: String, href: String, status: String, statusLabel: String, role: String, partners: [ParticipantPages.PartnerCard], missing: [String]) {
            self.name = name
            self.href = href
            self.status = status
            self.statusLabel = statusLabel
            self.role = role
            self.partners = partners
            self.missing = missing
            hasMissing = !missing.isEmpty
        }
    }
}

extension HomePage {
    /// Bars scaled to the largest count, never thinner than 2%.
    static func bars(_ counts: [(String, Int)]) -> [Bar] {
        let top = max(1, counts.map(\.1).max() ?? 1)
        return counts.map { Bar(label: $0.0, count: $0.1, percent: max(2, $0.1 * 100 / top)) }
    }
}
