import Fluent
import UpwardCore
import Vapor

/// The first page after sign-in: a dashboard for program managers, a personal page for participants.
struct HomeController: SiteController {
    func register(on router: SiteRouter) {
        router.on(.home, use: home)
    }

    @Sendable func home(req: Request) async throws -> View {
        let user = try req.auth.require(User.self)
        let firstName = String(user.name.split(separator: " ").first ?? Substring(user.name))
        var page = HomePage(layout: try await LayoutContext.rendered(req, title: "Home"), firstName: firstName, isAdmin: user.isAdmin)
        if user.isAdmin {
            let overview = try await req.directory.overview()
            page.figures = try await overview.figures.value {
                let generationOrder = Generation.allCases.map(\.rawValue)
                return try await req.renderFragment(
                    "home-figures",
                    HomePage.Figures(
                        stats: [
                            .init(label: "People in the directory", value: "\(overview.total)", hint: "\(overview.total - overview.active) have left"),
                            .init(label: "Active employees", value: "\(overview.active)", hint: nil),
                            .init(label: "Departments", value: "\(overview.byDepartment.count)", hint: nil),
                            .init(label: "Levels of management", value: "\(overview.deepestChain + 1)", hint: "from the top to the deepest report"),
                        ],
                        departments: HomePage.bars(overview.byDepartment),
                        generations: HomePage.bars(
                            overview.byGeneration.sorted {
                                (generationOrder.firstIndex(of: $0.0) ?? 99) < (generationOrder.firstIndex(of: $1.0) ?? 99)
                            })))
            }
        } else if let person = try await PersonSummary.find(user.$person.id, on: req.database) {
            // Plain rows throughout: this is every participant's first page (see `User.Row`).
            page.person = person
            let participations = try await req.programs.participationRows(of: Viewer(user))
            let partners = try await ParticipantPages.partnerCards(req, participants: participations.map(\.id))
            // Every program's checklist at once: two statements, not two per program.
            let lists = try await req.enrollments.checklists(byProgram: Dictionary(grouping: participations, by: \.program_id).mapValues { $0.map(\.subject) })
            for place in participations {
                let list = lists[place.id]
                page.programs.append(
                    .init(
                        name: place.program_name, href: SitePath.program(place.program_id), status: place.program_status,
                        statusLabel: place.programStatus.label, role: place.role, partners: partners[place.id] ?? [], missing: list?.missing ?? []))
            }
        }
        return try await req.render("home", page)
    }
}
