import Fluent
import UpwardCore
import Vapor

/// Program-manager pages for the people directory: list, person, import.
struct PeopleController: SiteController {
    func register(on router: SiteRouter) {
        router.on(.people, use: list)
        router.on(.peopleImportForm, use: showImport)
        router.on(.peopleImport, use: upload)
        router.on(.person, use: show)
        router.on(.personExport, use: export)
    }

    // MARK: - List

    @Sendable func list(req: Request) async throws -> View {
        let query = try PeopleListQuery.parse(req)
        let (result, facets) = try await req.directory.listPage(query.directoryQuery)
        let rows = try await PeopleRows.html(result.items, req: req)
        let filters = try await PeopleListPage.Filters.html(facets, query: query, req: req)
        let page = PeopleListPage(query: query, result: result, rows: rows, filters: filters, layout: try await LayoutContext.rendered(req, title: "People"))
        return try await req.render("people", page)
    }

    // MARK: - Person

    /// Everything Upward holds about a person, as a JSON download, for organization-wide managers
    /// answering a data request (private notes stay sealed: they are for their author alone).
    @Sendable func export(req: Request) async throws -> Response {
        guard try req.viewer.isOrganizationAdmin else {
            throw Abort(.forbidden, reason: "A person's data export is for organization-wide program managers.")
        }
        let person = try await Self.person(from: req)
        let data = PersonData(db: req.database, clock: req.upward.clock, sealer: req.upward.noteSealer)
        let response = Response(status: .ok, body: .init(data: try PersonData.json(try await data.export(person, includePrivate: false))))
        response.headers.contentType = .json
        response.headers.contentDisposition = .init(.attachment, filename: "upward-person-\(person.employeeID).json")
        return response
    }

    @Sendable func show(req: Request) async throws -> View {
        let person = try await Self.person(from: req)
        let directory = req.directory
        let chain = try await directory.managers(of: person)
        let reports = try await directory.directReports(of: person)
        let below = try await directory.countBelow(person.requireID())
        let account = try await req.accounts.account(of: person.requireID())
        var facts: [PersonPage.Fact] = [
            .init(label: "Employee id", value: person.employeeID),
            .init(label: "Email", value: person.email),
            .init(label: "Department", value: person.department),
            .init(label: "Level", value: "\(person.level)"),
        ]
        let optional: [(String, String?)] = [
            ("Title", person.title), ("Business unit", person.businessUnit), ("Location", person.location),
            ("Time zone", person.timeZone), ("Generation", person.generation), ("Hired", person.hireDate),
            ("Left", person.terminationDate),
        ]
        facts += optional.compactMap { label, value in value.map { PersonPage.Fact(label: label, value: $0) } }
        var page = PersonPage(
            layout: try await LayoutContext.rendered(req, title: person.name), person: PersonSummary(person), facts: facts,
            chain: chain.map(PersonSummary.init), reports: reports.map(PersonSummary.init), belowCount: below,
            accountRole: account.map { $0.isAdmin ? "Program manager account" : "Participant account" })
        if try req.viewer.isOrganizationAdmin { page.exportPath = SiteRoute.personExport.path(try person.requireID().text) }
        return try await req.view.render("person", page)
    }

    static func person(from req: Request) async throws -> Person {
        let raw = req.parameters.get("personID") ?? ""
        guard let id = UUID(uuidString: raw) else {
            throw Abort(.badRequest, reason: "\"\(raw.prefix(60))\" is not a valid person id.")
        }
        guard let person = try await req.directory.person(id) else {
            throw Abort(.notFound, reason: "No person with id \(id.text) is in the directory.")
        }
        return person
    }

    // MARK: - Import

    @Sendable func showImport(req: Request) async throws -> View {
        try await req.view.render("people-import", ImportPage(layout: try await LayoutContext.rendered(req, title: "Import people")))
    }

    struct Upload: Content {
        var file: File?
    }

    @Sendable func upload(req: Request) async throws -> Response {
        var page = ImportPage(layout: try await LayoutContext.rendered(req, title: "Import people"))
        let upload = try? req.content.decode(Upload.self)
        // Vapor decodes a multipart file part that isn't UTF-8 fine; PeopleFile reports it.
        guard let file = upload?.file, file.data.readableBytes > 0 else {
            page.issues = [.init(line: "", column: "file", message: "Choose a CSV file to upload.")]
            return try await req.view.render("people-import", page).encodeResponse(status: .badRequest, for: req)
        }
        page.fileName = file.filename
        do {
            let summary = try await req.directory.importPeople(csv: Data(buffer: file.data))
            page.result = .init(added: summary.added, updated: summary.updated, unchanged: summary.unchanged)
            page.warnings = summary.warnings
            req.logger.info(
                "people import by \(req.currentUser?.email ?? "?"): \(summary.added) added, \(summary.updated) updated, \(summary.unchanged) unchanged")
            return try await req.view.render("people-import", page).encodeResponse(for: req)
        } catch let failure as ImportFailure {
            page.issues = failure.issues.map {
                .init(line: $0.line.map(String.init) ?? "", column: $0.column ?? "", message: $0.message)
            }
            return try await req.view.render("people-import", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}
