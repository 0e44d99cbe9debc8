import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Shared pieces of the program pages.
struct ProgramSummary: Encodable {
    let id: String
    let name: String
    let status: String
    let statusLabel: String
    let isPilot: Bool
    let dates: String
    let cadence: String
    let focusAreas: [String]
    let href: String

    init(_ program: Program) {
        let settings = program.settings
        id = program.id!.text
        name = program.name
        status = program.status
        statusLabel = program.programStatus.label
        isPilot = program.isPilot
        dates = "\(settings.startsOn) – \(settings.endsOn)"
        cadence = Cadence(days: settings.cadenceDays).label
        focusAreas = settings.focusAreas
        href = SitePath.program(program.id!)
    }
}

struct Issue: Encodable {
    let field: String
    let message: String
}

extension Request {
    /// A form body, or a 400 that names what is wrong.
    func form<T: Decodable>(_ type: T.Type) throws -> T {
        do { return try content.decode(T.self) } catch let error as DecodingError {
            throw Abort(.badRequest, reason: "The form is not valid: \(DecodingErrorText.describe(error))")
        }
    }

    func redirect(_ path: String, notice: String? = nil) -> Response {
        let target =
            notice.map { path + (path.contains("?") ? "&" : "?") + "notice=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? path
        return redirect(to: target, redirectType: .normal)
    }

    /// A short confirmation carried in the URL after a redirect.
    var notice: String? {
        guard let raw = try? query.get(String.self, at: "notice") else { return nil }
        let text = String(raw.prefix(300))
        return text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) ? nil : text
    }
}

/// Program-manager pages: the program list, the form, the program page with participants and training.
struct ProgramPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.programs, use: list)
        router.on(.programNew, use: newForm)
        router.on(.programCreate, use: create)
        router.on(.program, use: show)
        router.on(.programEdit, use: editForm)
        router.on(.programUpdate, use: update)
        router.on(.programTransition, use: transition)
        router.on(.programClone, use: clone)
        router.on(.programManagers, use: managers)
        router.on(.programManagerRemove, use: removeManager)
        router.on(.trainingAdd, use: addTraining)
        router.on(.programAudit, use: programAudit)
        router.on(.audit, use: organizationAudit)
    }

    struct ListPage: Encodable {
        let layout: LayoutContext
        let programs: [ProgramSummary]
        let isAdmin: Bool
        let newPath = SiteRoute.programNew.path()
    }

    @Sendable func list(req: Request) async throws -> View {
        let viewer = try req.viewer
        let programs = try await req.programs.visible(to: viewer)
        return try await req.view.render(
            "programs",
            ListPage(layout: try await LayoutContext.rendered(req, title: "Programs"), programs: programs.map(ProgramSummary.init), isAdmin: viewer.isAdmin))
    }

    // MARK: - Form

    struct FormPage: Encodable {
        let layout: LayoutContext
        let heading: String
        let action: String
        let values: ProgramForm.Values
        var issues: [Issue] = []
        let cancel: String
    }

    @Sendable func newForm(req: Request) async throws -> View {
        var input = ProgramSettings.Input()
        input.focusAreas = Array(FocusAreaTemplates.all.prefix(2))
        input.isPilot = true
        return try await req.view.render(
            "program-form",
            FormPage(
                layout: try await LayoutContext.rendered(req, title: "New program"), heading: "New program", action: SitePath.programs,
                values: ProgramForm.values(input), cancel: SitePath.programs))
    }

    @Sendable func create(req: Request) async throws -> Response {
        let form = try req.form(ProgramForm.self)
        let (input, earlier) = form.input()
        do {
            let settings = try ProgramSettings.validate(input, earlier: earlier)
            let program = try await req.programs.create(settings, by: try req.viewer)
            return req.redirect(SitePath.program(program.id!), notice: "Program created. Next: add training and invite people.")
        } catch let failure as ValidationFailure {
            var page = FormPage(
                layout: try await LayoutContext.rendered(req, title: "New program"), heading: "New program", action: SitePath.programs,
                values: ProgramForm.values(input),
                cancel: SitePath.programs)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("program-form", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    static func managed(_ req: Request) async throws -> Program {
        try await req.programs.managed(try IDParameter.parse(req, "programID"), by: try req.viewer)
    }

    @Sendable func editForm(req: Request) async throws -> View {
        let program = try await Self.managed(req)
        return try await req.view.render(
            "program-form",
            FormPage(
                layout: try await LayoutContext.rendered(req, title: "Edit \(program.name)"), heading: "Edit \(program.name)",
                action: SiteRoute.programUpdate.path(program.id!.text), values: ProgramForm.values(program.settings.input),
                cancel: SitePath.program(program.id!)))
    }

    @Sendable func update(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        let form = try req.form(ProgramForm.self)
        let (input, earlier) = form.input()
        do {
            let settings = try ProgramSettings.validate(input, earlier: earlier)
            try await req.programs.update(program, with: settings, by: try req.viewer)
            return req.redirect(SitePath.program(program.id!), notice: "Saved.")
        } catch let failure as ValidationFailure {
            var page = FormPage(
                layout: try await LayoutContext.rendered(req, title: "Edit \(program.name)"), heading: "Edit \(program.name)",
                action: SiteRoute.programUpdate.path(program.id!.text), values: ProgramForm.values(input), cancel: SitePath.program(program.id!))
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("program-form", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    // MARK: - The program page

    struct ParticipantRow: Encodable {
        let id: String
        let name: String
        let email: String
        let department: String
        let level: Int
        let role: String
        let state: String
        let missing: [String]
        let ready: Bool
        let reissuePath: String
        let accepted: Bool
        /// Confidential: whom this person asked not to be paired with.
        let avoid: [String]
    }

    struct ManagerRow: Encodable {
        let label: String
        let removePath: String
    }

    struct ModuleRow: Encodable {
        let title: String
        let audience: String
        let html: String
    }

    struct Transition: Encodable {
        let value: String
        let label: String
        let danger: Bool
    }

    struct ManagerPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let description: String
        let notice: String?
        let settings: [PersonPage.Fact]
        let transitions: [Transition]
        let participants: [ParticipantRow]
        let modules: [ModuleRow]
        let managers: [ManagerRow]
        let counts: [PersonPage.Fact]
        let paths: [String: String]
        let audiences: [ProgramForm.Option]
        let codeHTML: String
        var pairRows: [PairRow] = []
        var pairPaging: Paging?
        var peoplePaging: Paging?
        var circles: [CircleRow] = []
        var defaultZone = "UTC"
        var surveys: [SurveyRow] = []
        var phases: [ProgramForm.Option] = SurveyPhase.allCases.map { ProgramForm.Option(value: $0.rawValue, label: $0.label, selected: false) }
    }

    struct SurveyRow: Encodable {
        let title: String
        let detail: String
        let resultsHref: String
    }

    /// A published pair as its program manager follows it: status, goals, meetings; never notes.
    struct PairRow: Encodable {
        let href: String
        let names: String
        let status: String
        let goals: String
        let meetings: String
        let lastHeld: String
        let health: String
        let healthKey: String
        let reasons: [String]
    }

    struct CircleRow: Encodable {
        let title: String
        let audience: String
        let when: String
        let icsPath: String
    }

    /// The program's published pairs, those needing a check-in first, then by name; with `page`,
    /// only that page of ``pageSize`` rows is built (a program may have thousands of pairs).
    static func pairRows(_ req: Request, program record: Program, page: Int? = nil) async throws -> (rows: [PairRow], total: Int) {
        struct ListRow: SQLRowReadable {
            let id: UUID
            let status: String
            let mentee_name: String
            let mentor_name: String

            init(row: some SQLRow) throws {
                id = try row.read("id")
                status = try row.read("status")
                mentee_name = try row.read("mentee_name")
                mentor_name = try row.read("mentor_name")
            }
        }
        struct MeetingCounts: Decodable {
            let pair_id: UUID
            let held: Int
            let missed: Int
            let ahead: Int
            let last_held: Date?
        }
        let program = try record.requireID()
        let sql = req.database as! any SQLDatabase
        let listed = try await sql.raw(
            """
            SELECT p.id, p.status, me.name AS mentee_name, mo.name AS mentor_name \(unsafeRaw: Pair.withNames)
            WHERE p.program_id = \(bind: program) AND p.status IN ('waiting', 'live', 'paused', 'ended')
            """
        ).all(reading: ListRow.self)
        guard !listed.isEmpty else { return ([], 0) }
        let health = try await PairHealthMonitor(db: req.database, clock: req.upward.clock).assess(program: record)
        // Each pair's health looked up once, not twice per comparison (two hashed lookups of a UUID
        // in each of the 30,000 comparisons of 2,500 pairs: 5% of the page).
        let sorted = listed.map { (row: $0, first: health[$0.id]?.status == .needsCheckIn) }.sorted {
            if $0.first != $1.first { return $0.first }
            let (a, b) = ($0.row, $1.row)
            if a.mentee_name != b.mentee_name { return a.mentee_name < b.mentee_name }
            if a.mentor_name != b.mentor_name { return a.mentor_name < b.mentor_name }
            // The id's text only on a tie of both names: a tuple would format two ids per comparison.
            return a.id.text < b.id.text
        }.map(\.row)
        let shown = page.map { Array(sorted.dropFirst(($0 - 1) * pageSize).prefix(pageSize)) } ?? sorted
        let ids = shown.map(\.id)
        guard !ids.isEmpty else { return ([], listed.count) }
        // Each goal as its progress alone, from a plain row, not as a model of every column.
        struct GoalRow: SQLRowReadable {
            let pair_id: UUID
            let progress: Int

            init(row: some SQLRow) throws {
                pair_id = try row.read("pair_id")
                progress = Goal.progress(
                    milestonesJSON: try row.read("milestones"), manual: try row.read("manual_progress"), status: try row.read("status"))
            }
        }
        let goals = Dictionary(
            grouping: try await sql.raw(
                "SELECT pair_id, milestones, manual_progress, status FROM goals WHERE pair_id IN \(SQLBind.group(ids))"
            ).all(reading: GoalRow.self), by: \.pair_id)
        let now = req.upward.clock.now
        let counts = Dictionary(
            try await sql.raw(
                """
                SELECT pair_id, SUM(CASE WHEN status = 'held' THEN 1 ELSE 0 END) AS held, SUM(CASE WHEN status = 'missed' THEN 1 ELSE 0 END) AS missed,
                  SUM(CASE WHEN status = 'scheduled' AND starts_at > \(bind: now) THEN 1 ELSE 0 END) AS ahead,
                  MAX(CASE WHEN status = 'held' THEN starts_at END) AS last_held
                FROM meetings WHERE pair_id IN \(SQLBind.group(ids)) GROUP BY pair_id
                """
            ).all(decoding: MeetingCounts.self).map { ($0.pair_id, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = shown.map { pair in
            let mine = goals[pair.id] ?? []
            let average = mine.isEmpty ? 0 : mine.map(\.progress).reduce(0, +) / mine.count
            let meetings = counts[pair.id]
            let status = Pair.Status(rawValue: pair.status) ?? .live
            return PairRow(
                href: SitePath.pair(pair.id), names: "\(pair.mentee_name) & \(pair.mentor_name)", status: status.label,
                goals: mine.isEmpty ? "none yet" : "\(mine.count), \(average)% on average",
                meetings: "\(meetings?.held ?? 0) held, \(meetings?.missed ?? 0) missed, \(meetings?.ahead ?? 0) ahead",
                lastHeld: meetings?.last_held.map { DateText.day($0, in: .current) } ?? "–",
                health: health[pair.id]?.status.label ?? status.label, healthKey: health[pair.id]?.status.rawValue ?? pair.status,
                reasons: health[pair.id]?.reasons ?? [])
        }
        return (rows, listed.count)
    }

    /// Rows per page in a program's participant and pair tables.
    static let pageSize = 100

    /// "Showing 101–200 of 5,000" with links to the pages around it; `key` is the query parameter.
    struct Paging: Encodable {
        let summary: String
        let previous: String?
        let next: String?

        /// The characters a query value keeps as they are (RFC 3986's unreserved ones); every other
        /// byte of its UTF-8 is percent-encoded.
        static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

        /// `other`: the page of a second table on the same page, kept in the links; `keep`: a text
        /// parameter kept in them too (left out when empty).
        init(page: Int, total: Int, key: String, other: (key: String, value: Int)? = nil, keep: (key: String, value: String)? = nil, anchor: String) {
            let first = min(total, (page - 1) * ProgramPages.pageSize + 1)
            let last = min(total, page * ProgramPages.pageSize)
            summary = total <= ProgramPages.pageSize ? "" : "Showing \(first)–\(last) of \(total)"
            let kept = keep.flatMap { kept in
                kept.value.isEmpty ? nil : "&\(kept.key)=\(kept.value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? "")"
            }
            func link(_ to: Int) -> String { "?\(key)=\(to)\(other.map { "&\($0.key)=\($0.value)" } ?? "")\(kept ?? "")#\(anchor)" }
            previous = page > 1 ? link(page - 1) : nil
            next = last < total ? link(page + 1) : nil
        }
    }

    struct ShowQuery: Content {
        var people: Int?
        var pairs: Int?

        /// A page number from the query: 1 when absent; anything else below 1 or absurdly large is a 400 naming it.
        static func page(_ value: Int?, _ name: String) throws -> Int {
            guard let value else { return 1 }
            guard (1...100_000).contains(value) else { throw Abort(.badRequest, reason: "\(name) must be a page number from 1 to 100000.") }
            return value
        }
    }

    @Sendable func show(req: Request) async throws -> Response {
        let viewer = try req.viewer
        guard viewer.isAdmin else { return try await ParticipantPages.programPage(req) }
        let program = try await Self.managed(req)
        let id = program.id!
        let settings = program.settings
        let query = try req.query.decode(ShowQuery.self)
        let peoplePage = try ShowQuery.page(query.people, "people")
        let pairsPage = try ShowQuery.page(query.pairs, "pairs")
        // Every participant for the counts (without their directory records); one page of rows in full.
        let everyone = try await req.enrollments.subjects(of: id)
        let lists = try await req.enrollments.checklists(id, subjects: everyone)
        let participants = try await Self.participantPage(req, program: id, page: peoplePage)
        let now = req.upward.clock.now
        let avoided = Set(participants.flatMap(\.avoid))
        let names = Dictionary(
            try await Person.query(on: req.database).filter(\.$employeeID ~~ Array(avoided)).all().map { ($0.employeeID, $0.name) },
            uniquingKeysWith: { a, _ in a })
        let rows = participants.map { participant -> ParticipantRow in
            let list = lists[participant.id]
            let state: String
            if participant.accepted_at == nil {
                state = participant.invitation_expires_at <= now ? "Invitation expired" : "Invited"
            } else if participant.enrolled_at == nil {
                state = "Accepted"
            } else {
                state = list?.isReady == true ? "Ready" : "Enrolled"
            }
            return ParticipantRow(
                id: participant.id.text, name: participant.name, email: participant.email, department: participant.department,
                level: participant.level, role: participant.role, state: state, missing: list?.missing ?? [], ready: list?.isReady == true,
                reissuePath: SiteRoute.reissue.path(id.text, participant.id.text), accepted: participant.accepted_at != nil,
                avoid: participant.avoid.map { names[$0] ?? $0 })
        }
        let modules = try await req.enrollments.modules(of: id).map {
            ModuleRow(title: $0.title, audience: $0.moduleAudience.label, html: TrainingMarkdown.html($0.content))
        }
        let facts: [PersonPage.Fact] = [
            .init(label: "Dates", value: "\(settings.startsOn) – \(settings.endsOn)"),
            .init(label: "Cadence", value: Cadence(days: settings.cadenceDays).label),
            .init(label: "Who matches", value: settings.selectionMode.label),
            .init(label: "Objective", value: settings.objective.rawValue),
            .init(label: "Minimum level gap", value: "\(settings.minimumLevelGap)"),
            .init(label: "Mentees per mentor", value: "up to \(settings.maximumMenteesPerMentor)"),
            .init(label: "Departments", value: settings.differentDepartmentOnly ? "pairs across departments only" : "any"),
            .init(label: "Review threshold", value: String(format: "%g", settings.reviewThreshold)),
        ]
        let live = try await Pair.query(on: req.database).filter(\.$program.$id == id).filter(\.$status == Pair.Status.live.rawValue).count()
        let waiting = try await Pair.query(on: req.database).filter(\.$program.$id == id).filter(\.$status == Pair.Status.waiting.rawValue).count()
        let counts: [PersonPage.Fact] = [
            .init(label: "Invited", value: "\(everyone.count)"),
            .init(label: "Enrolled", value: "\(everyone.filter { $0.enrolled_at != nil }.count)"),
            .init(label: "Ready", value: "\(lists.values.filter(\.isReady).count)"),
            .init(label: "Live pairs", value: "\(live)"),
            .init(label: "Waiting pairs", value: "\(waiting)"),
        ]
        let transitions = ProgramLifecycle.next(after: program.programStatus).map {
            Transition(value: $0.rawValue, label: $0 == .cancelled ? "Cancel program" : "Move to \($0.label.lowercased())", danger: $0 == .cancelled)
        }
        let key = id.text
        let page = ManagerPage(
            layout: try await LayoutContext.rendered(req, title: program.name), program: ProgramSummary(program), description: program.description,
            notice: req.notice,
            settings: facts, transitions: transitions, participants: rows, modules: modules,
            managers: try await req.programs.managers(of: program).map {
                ManagerRow(label: "\($0.name) <\($0.email)>", removePath: SiteRoute.programManagerRemove.path(id.text, $0.id!.text))
            }, counts: counts,
            paths: [
                "edit": SiteRoute.programEdit.path(key), "transition": SiteRoute.programTransition.path(key), "clone": SiteRoute.programClone.path(key),
                "managers": SiteRoute.programManagers.path(key), "invitations": SiteRoute.invitations.path(key),
                "training": SiteRoute.trainingAdd.path(key), "matching": SiteRoute.matching.path(key), "audit": SiteRoute.programAudit.path(key),
                "circles": SiteRoute.circleSchedule.path(key), "surveys": SiteRoute.surveyCreate.path(key), "outcomes": SiteRoute.dashboard.path(key),
            ],
            audiences: TrainingModule.Audience.allCases.map { ProgramForm.Option(value: $0.rawValue, label: $0.label, selected: $0 == .both) },
            codeHTML: TrainingMarkdown.html(settings.codeOfConduct))
        var full = page
        let pairRows = try await Self.pairRows(req, program: program, page: pairsPage)
        full.pairRows = pairRows.rows
        full.pairPaging = Paging(page: pairsPage, total: pairRows.total, key: "pairs", other: ("people", peoplePage), anchor: "pairs")
        full.peoplePaging = Paging(page: peoplePage, total: everyone.count, key: "people", other: ("pairs", pairsPage), anchor: "participants")
        full.circles = try await req.circles.list(program: id).flatMap { circle, meetings in
            meetings.map {
                CircleRow(
                    title: circle.title, audience: circle.audience == "mentor" ? "Mentors only" : "Mentees only",
                    when: Meetings.display($0.startsAt, in: TimeZone(identifier: $0.timeZone) ?? TimeZone(identifier: "UTC")!),
                    icsPath: SitePath.meetingICS($0.id!))
            }
        }
        for survey in try await req.surveys.list(program: id) {
            let answered = try await req.surveys.answeredCount(survey)
            full.surveys.append(
                SurveyRow(
                    title: survey.title,
                    detail:
                        "\(survey.anonymous ? "anonymous" : "named") · \(survey.audience == "both" ? "everyone" : survey.audience + "s") · \(answered) answered",
                    resultsHref: SiteRoute.surveyResults.path(survey.id!.text)))
        }
        full.defaultZone = participants.compactMap(\.time_zone).first ?? "UTC"
        return try await req.view.render("program-manage", full).encodeResponse(for: req)
    }

    struct TransitionForm: Content { var to: String? }

    @Sendable func transition(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        let form = try req.form(TransitionForm.self)
        guard let raw = form.to, let target = ProgramStatus(rawValue: raw) else {
            throw ValidationFailure("to", "must be one of \(ProgramStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try await req.programs.transition(program, to: target, by: try req.viewer)
        return req.redirect(SitePath.program(program.id!), notice: "The program is now \(target.label.lowercased()).")
    }

    @Sendable func clone(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        let copy = try await req.programs.clone(program, by: try req.viewer)
        return req.redirect(SitePath.program(copy.id!), notice: "Cloned from \(program.name): settings, focus areas and training.")
    }

    struct ManagerForm: Content { var email: String? }

    @Sendable func managers(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        let form = try req.form(ManagerForm.self)
        try await req.programs.addManager(program, email: form.email ?? "", by: try req.viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Program manager added.")
    }

    @Sendable func removeManager(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        try await req.programs.removeManager(program, userID: try IDParameter.parse(req, "userID"), by: try req.viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Program manager removed.")
    }

    @Sendable func addTraining(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        let form = try req.form(Enrollments.ModuleInput.self)
        _ = try await req.enrollments.addModule(form, to: program, by: try req.viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Training module added.")
    }

    // MARK: - Audit

    struct AuditRow: Encodable {
        let time: String
        let actor: String
        let action: String
        let object: String
        let detail: String
    }

    struct AuditPage: Encodable {
        let layout: LayoutContext
        let heading: String
        let rows: [AuditRow]
        let actions: [ProgramForm.Option]
        let actor: String
        let csvPath: String
        let back: String?
    }

    struct AuditQuery: Decodable {
        var action: String?
        var actor: String?
        var format: String?
    }

    static func auditFilter(_ req: Request) throws -> (AuditLog.Filter, AuditQuery) {
        let query = try req.query.decode(AuditQuery.self)
        var filter = AuditLog.Filter()
        if let action = query.action, !action.isEmpty {
            guard AuditLog.actions.contains(action) else { throw Abort(.badRequest, reason: "action: \"\(action.prefix(40))\" is not an audited action.") }
            filter.action = action
        }
        if let actor = query.actor, !actor.isEmpty {
            guard actor.count <= 100, !actor.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Abort(.badRequest, reason: "actor must be at most 100 characters without control characters.")
            }
            filter.actor = actor
        }
        if let format = query.format, !format.isEmpty, format != "csv" { throw Abort(.badRequest, reason: "format must be csv or left out.") }
        return (filter, query)
    }

    func auditResponse(_ req: Request, filter: AuditLog.Filter, query: AuditQuery, heading: String, path: String, back: String?) async throws -> Response {
        var filter = filter
        if query.format == "csv" {
            filter.limit = 100_000
            let entries = try await req.auditLog.entries(filter)
            let response = Response(status: .ok, body: .init(string: AuditLog.csv(entries)))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: "upward-audit.csv")
            return response
        }
        let rows = try await req.auditLog.entries(filter).map {
            AuditRow(time: DateText.iso8601($0.createdAt), actor: $0.actor, action: $0.action, object: $0.objectType, detail: $0.detail)
        }
        var csv = URLComponents()
        csv.path = path
        csv.queryItems =
            [URLQueryItem(name: "format", value: "csv")] + (filter.action.map { [URLQueryItem(name: "action", value: $0)] } ?? [])
            + (query.actor.map { [URLQueryItem(name: "actor", value: $0)] } ?? [])
        let page = AuditPage(
            layout: try await LayoutContext.rendered(req, title: heading), heading: heading, rows: rows,
            actions: AuditLog.actions.map { ProgramForm.Option(value: $0, label: $0, selected: $0 == filter.action) }, actor: query.actor ?? "",
            csvPath: csv.string ?? path, back: back)
        return try await req.view.render("audit", page).encodeResponse(for: req)
    }

    @Sendable func programAudit(req: Request) async throws -> Response {
        let program = try await Self.managed(req)
        var (filter, query) = try Self.auditFilter(req)
        filter.program = program.id
        return try await auditResponse(
            req, filter: filter, query: query, heading: "Audit log · \(program.name)", path: SiteRoute.programAudit.path(program.id!.text),
            back: SitePath.program(program.id!))
    }

    @Sendable func organizationAudit(req: Request) async throws -> Response {
        let viewer = try req.viewer
        var (filter, query) = try Self.auditFilter(req)
        if !viewer.isOrganizationAdmin { filter.programs = try await req.programs.visible(to: viewer).compactMap(\.id) }
        return try await auditResponse(req, filter: filter, query: query, heading: "Audit log", path: SitePath.audit, back: nil)
    }
}
