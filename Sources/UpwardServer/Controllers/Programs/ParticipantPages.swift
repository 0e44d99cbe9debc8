import Fluent
import Foundation
import UpwardCore
import Vapor

/// Participants' pages: invitation, enrollment, training, agreement, suggestions, their pair, notifications.
struct ParticipantPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.invitation, use: invitation)
        router.on(.invitationAccept, use: accept)
        router.on(.enrollForm, use: enrollForm)
        router.on(.enroll, use: enroll)
        router.on(.trainingModule, use: module)
        router.on(.trainingComplete, use: completeModule)
        router.on(.agreement, use: agree)
        router.on(.requestMentor, use: request)
        router.on(.answerRequest, use: answer)
        router.on(.pairDecline, use: decline)
        router.on(.notifications, use: notifications)
    }

    // MARK: - Invitation

    struct InvitationPage: Encodable {
        let layout: LayoutContext
        let programName: String
        let programDescription: String
        let role: String
        let name: String
        let email: String
        let hasAccount: Bool
        let signedInAsInvitee: Bool
        let action: String
        let loginPath: String
        var issues: [Issue] = []
    }

    func invitationPage(_ req: Request, token: String) async throws -> InvitationPage {
        let (participant, program, person) = try await req.invitations.find(token: token)
        let account = try await req.accounts.account(of: person.requireID())
        let path = SitePath.invitation(token)
        return InvitationPage(
            layout: try await LayoutContext.rendered(req, title: "Join \(program.name)"), programName: program.name, programDescription: program.description,
            role: participant.role, name: person.name, email: person.email, hasAccount: account != nil,
            signedInAsInvitee: account != nil && req.currentUser?.id == account?.id, action: path,
            loginPath: SitePath.login + "?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }

    @Sendable func invitation(req: Request) async throws -> View {
        try await req.view.render("invitation", try await invitationPage(req, token: req.parameters.get("token") ?? ""))
    }

    struct AcceptForm: Content {
        var name: String?
        var password: String?
        var confirm: String?
    }

    @Sendable func accept(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let form = try req.form(AcceptForm.self)
        do {
            if let password = form.password, !password.isEmpty, form.confirm != password {
                throw ValidationFailure("confirm", "the two passwords differ")
            }
            let signedIn = req.currentUser.map(Viewer.init)
            let user = try await req.invitations.accept(token: token, password: form.password, name: form.name, signedIn: signedIn, accounts: req.accounts)
            if req.currentUser?.id != user.id { try await req.signIn(user) }
            let participant = try await Participant.query(on: req.database).filter(\.$user.$id == user.requireID()).sort(\.$acceptedAt, .descending).first()
            return req.redirect(
                participant.map { SiteRoute.enrollForm.path($0.$program.id.text) } ?? SitePath.home,
                notice: "Welcome! Tell us what you'd like to learn and share.")
        } catch let failure as ValidationFailure {
            var page = try await invitationPage(req, token: token)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("invitation", page).encodeResponse(status: .unprocessableEntity, for: req)
        } catch let failure as Accounts.Failure {
            var page = try await invitationPage(req, token: token)
            page.issues = [Issue(field: "password", message: failure.reason)]
            return try await req.view.render("invitation", page).encodeResponse(status: failure.status, for: req)
        }
    }

    // MARK: - The participant's program page

    static func joined(_ req: Request) async throws -> (Program, Participant, Viewer) {
        let viewer = try req.viewer
        let (program, participant) = try await req.programs.joined(try IDParameter.parse(req, "programID"), by: viewer)
        return (program, participant, viewer)
    }

    struct SuggestionRow: Encodable {
        let mentorId: String
        let name: String
        let detail: String
        let score: Int
        let reasons: [String]
    }

    struct RequestRow: Encodable {
        let id: String
        let name: String
        let detail: String
        let due: String
        let answerPath: String
    }

    struct ModuleLink: Encodable {
        let title: String
        let href: String
        let done: Bool
    }

    struct PartnerCard: Encodable {
        let pairHref: String
        let name: String
        let role: String
        let title: String
        let department: String
        let status: String
        let live: Bool
        let reasons: [String]
    }

    struct ParticipantProgramPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let description: String
        let notice: String?
        let role: String
        let enrolled: Bool
        let agreed: Bool
        let missing: [String]
        let modules: [ModuleLink]
        let codeHTML: String
        let partners: [PartnerCard]
        let suggestions: [SuggestionRow]
        let pendingRequest: String?
        let incoming: [RequestRow]
        let paths: [String: String]
        var surveys: [ModuleLink] = []
        var certificatePath: String?
        var storiesPath = ""
    }

    static func programPage(_ req: Request) async throws -> Response {
        let (program, participant, _) = try await joined(req)
        try await req.suggestions.passOverdue()
        let id = program.id!
        let list = try await req.enrollments.checklists(id, participants: [participant])[participant.id!]
        let modules = try await req.enrollments.modules(of: id).filter { $0.moduleAudience.applies(to: participant.enrollmentRole) }
        let missingIDs = Set(list?.missingModules.map(\.id) ?? [])
        let partners = try await partnerCards(req, participant: participant)
        var suggestions: [SuggestionRow] = []
        var pending: String?
        var incoming: [RequestRow] = []
        func utc(_ date: Date) -> String { DateText.minute(date, in: .gmt) + " UTC" }
        if program.settings.selectionMode == .suggestions, [.matching, .active].contains(program.programStatus), participant.enrolledAt != nil {
            if participant.enrollmentRole == .mentee {
                if let request = try await req.suggestions.pending(for: participant) {
                    let mentor = try await Participant.query(on: req.database).filter(\.$id == request.$mentor.id).with(\.$person).first()
                    pending = "Your request to \(mentor?.person.name ?? "your mentor") waits for an answer until \(utc(request.dueAt))."
                } else if partners.isEmpty {
                    suggestions = try await req.suggestions.suggestions(for: participant, in: program).map {
                        SuggestionRow(
                            mentorId: $0.mentor.id!.text, name: $0.person.name, detail: "\($0.person.title ?? "") · \($0.person.department)",
                            score: Int($0.score.rounded()), reasons: $0.reasons)
                    }
                }
            } else {
                incoming = try await req.suggestions.incoming(for: participant).map {
                    RequestRow(
                        id: $0.id!.text, name: $0.mentee.person.name, detail: "\($0.mentee.person.title ?? "") · \($0.mentee.person.department)",
                        due: utc($0.dueAt), answerPath: SiteRoute.answerRequest.path($0.id!.text))
                }
            }
        }
        let key = id.text
        let page = ParticipantProgramPage(
            layout: try await LayoutContext.rendered(req, title: program.name), program: ProgramSummary(program), description: program.description,
            notice: req.notice,
            role: participant.role, enrolled: participant.enrolledAt != nil, agreed: participant.agreedAt != nil, missing: list?.missing ?? [],
            modules: modules.map {
                ModuleLink(title: $0.title, href: SiteRoute.trainingModule.path(key, $0.id!.text), done: !missingIDs.contains($0.id!.text))
            },
            codeHTML: TrainingMarkdown.html(program.codeOfConduct), partners: partners, suggestions: suggestions, pendingRequest: pending,
            incoming: incoming,
            paths: ["enroll": SiteRoute.enrollForm.path(key), "agreement": SiteRoute.agreement.path(key), "request": SiteRoute.requestMentor.path(key)])
        var full = page
        full.surveys = try await req.surveys.open(for: participant).map {
            ModuleLink(title: $0.title + ($0.anonymous ? " (anonymous)" : ""), href: SiteRoute.survey.path($0.id!.text), done: false)
        }
        full.storiesPath = SiteRoute.stories.path(key)
        if program.programStatus == .completed,
            (try? await req.recognition.certificate(participant.id!, program: id, viewer: try req.viewer)) != nil
        {
            full.certificatePath = SiteRoute.certificate.path(key, participant.id!.text)
        }
        return try await req.view.render("program-participant", full).encodeResponse(for: req)
    }

    /// The participant's published pairs in this program, with why they were paired.
    static func partnerCards(_ req: Request, participant: Participant) async throws -> [PartnerCard] {
        try await partnerCards(req, participants: [participant.requireID()]).values.first ?? []
    }

    /// Each participant's published pairs (by their participant id), read in one query.
    static func partnerCards(_ req: Request, participants: [UUID]) async throws -> [UUID: [PartnerCard]] {
        var cards: [UUID: [PartnerCard]] = [:]
        for row in try await req.pairSpace.partners(of: participants) {
            cards[row.own_id, default: []].append(
                PartnerCard(
                    pairHref: SitePath.pair(row.id), name: row.partner_name, role: row.partner_role, title: row.partner_title ?? "",
                    department: row.partner_department, status: row.pairStatus.label, live: row.pairStatus == .live,
                    reasons: JSONText.decode(row.reasons) ?? []))
        }
        return cards
    }

    // MARK: - Enrollment

    struct EnrollmentWebForm: Content {
        struct Skill: Codable {
            var skill: String?
            var level: String?
            var current: String?
            var target: String?
        }
        var offers: [Skill]?
        var goals: [Skill]?
        var interests: String?
        var style: String?
        var capacity: String?
        var avoid: String?
        var diversityConsent: String?
        var diversity: [String: String]?

        /// Blank rows are skipped; numbers that don't parse are named.
        func input() -> (EnrollmentForm.Input, [FieldIssue]) {
            var issues: [FieldIssue] = []
            func number(_ raw: String?, _ field: String) -> Int {
                guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
                    issues.append(FieldIssue(field, "is required"))
                    return 0
                }
                guard raw.count <= 3, let value = Int(raw) else {
                    issues.append(FieldIssue(field, "must be a whole number"))
                    return 0
                }
                return value
            }
            var input = EnrollmentForm.Input()
            input.offers = (offers ?? []).enumerated().compactMap { index, row in
                guard let skill = row.skill?.trimmingCharacters(in: .whitespaces), !skill.isEmpty else { return nil }
                return .init(skill: skill, level: number(row.level, "offers[\(index)].level"))
            }
            input.goals = (goals ?? []).enumerated().compactMap { index, row in
                guard let skill = row.skill?.trimmingCharacters(in: .whitespaces), !skill.isEmpty else { return nil }
                return .init(skill: skill, current: number(row.current, "goals[\(index)].current"), target: number(row.target, "goals[\(index)].target"))
            }
            input.interests = (interests ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            input.style = style
            if let raw = capacity?.trimmingCharacters(in: .whitespaces), !raw.isEmpty { input.capacity = number(raw, "capacity") }
            input.avoid = (avoid ?? "").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
            input.diversityConsent = diversityConsent != nil
            input.diversity = diversity
            return (input, issues)
        }
    }

    struct Row: Encodable {
        let index: Int
        let skill: String
        let level: String
        let current: String
        let target: String
    }

    struct EnrollPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let role: String
        let isMentor: Bool
        let maximumCapacity: Int
        let offers: [Row]
        let goals: [Row]
        let interests: String
        let styles: [ProgramForm.Option]
        let capacity: String
        let avoid: String
        let consent: Bool
        let diversity: [ProgramForm.Weight]
        let suggestions: [String]
        let action: String
        var issues: [Issue] = []
    }

    func enrollPage(_ req: Request, program: Program, participant: Participant, input: EnrollmentForm.Input?) async throws -> EnrollPage {
        let saved = participant.answers
        let offers = input?.offers ?? saved?.offers ?? []
        let goals = input?.goals ?? saved?.goals ?? []
        func rows<T>(_ items: [T], _ make: (Int, T?) -> Row) -> [Row] { (0..<max(4, items.count + 1)).map { make($0, $0 < items.count ? items[$0] : nil) } }
        let style = input?.style ?? saved?.style ?? ""
        let diversity = input?.diversity ?? saved?.diversity ?? [:]
        return EnrollPage(
            layout: try await LayoutContext.rendered(req, title: "Enroll · \(program.name)"), program: ProgramSummary(program), role: participant.role,
            isMentor: participant.enrollmentRole == .mentor, maximumCapacity: program.maximumMenteesPerMentor,
            offers: rows(offers) { i, o in Row(index: i, skill: o?.skill ?? "", level: o.map { "\($0.level)" } ?? "", current: "", target: "") },
            goals: rows(goals) { i, g in
                Row(index: i, skill: g?.skill ?? "", level: "", current: g.map { "\($0.current)" } ?? "", target: g.map { "\($0.target)" } ?? "")
            },
            interests: (input?.interests ?? saved?.interests ?? []).joined(separator: ", "),
            styles: EnrollmentForm.styles.map { ProgramForm.Option(value: $0, label: $0.capitalized, selected: $0 == style) },
            capacity: "\(input?.capacity ?? saved?.capacity ?? 1)", avoid: (input?.avoid ?? saved?.avoid ?? []).joined(separator: ", "),
            consent: input?.diversityConsent ?? !(saved?.diversity.isEmpty ?? true),
            diversity: EnrollmentForm.diversityAttributes.map { ProgramForm.Weight(key: $0, value: diversity[$0] ?? "") },
            suggestions: program.settings.focusAreas, action: SiteRoute.enroll.path(program.id!.text))
    }

    @Sendable func enrollForm(req: Request) async throws -> View {
        let (program, participant, _) = try await Self.joined(req)
        return try await req.view.render("enroll", try await enrollPage(req, program: program, participant: participant, input: nil))
    }

    @Sendable func enroll(req: Request) async throws -> Response {
        let (program, participant, viewer) = try await Self.joined(req)
        let form = try req.form(EnrollmentWebForm.self)
        let (input, earlier) = form.input()
        do {
            if !earlier.isEmpty { throw ValidationFailure(earlier) }
            try await req.enrollments.submit(input, for: participant, in: program, by: viewer)
            return req.redirect(SitePath.program(program.id!), notice: "Enrollment saved.")
        } catch let failure as ValidationFailure {
            var page = try await enrollPage(req, program: program, participant: participant, input: input)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("enroll", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    // MARK: - Training and agreement

    struct ModulePage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let title: String
        let html: String
        let done: Bool
        let action: String
    }

    static func module(_ req: Request, program: Program, participant: Participant) async throws -> TrainingModule {
        let id = try IDParameter.parse(req, "moduleID")
        guard let module = try await TrainingModule.fetch(id, on: req.database), module.$program.id == program.id,
            module.moduleAudience.applies(to: participant.enrollmentRole)
        else { throw Abort(.notFound, reason: "No training module with id \(id.text) is yours in this program.") }
        return module
    }

    @Sendable func module(req: Request) async throws -> View {
        let (program, participant, _) = try await Self.joined(req)
        let module = try await Self.module(req, program: program, participant: participant)
        let done =
            try await TrainingCompletion.query(on: req.database).filter(\.$participant.$id == participant.id!).filter(\.$module.$id == module.id!).count() > 0
        return try await req.view.render(
            "training",
            ModulePage(
                layout: try await LayoutContext.rendered(req, title: module.title), program: ProgramSummary(program), title: module.title,
                html: TrainingMarkdown.html(module.content),
                done: done, action: SiteRoute.trainingComplete.path(program.id!.text, module.id!.text)))
    }

    @Sendable func completeModule(req: Request) async throws -> Response {
        let (program, participant, viewer) = try await Self.joined(req)
        let module = try await Self.module(req, program: program, participant: participant)
        try await req.enrollments.completeModule(module.id!, for: participant, in: program, by: viewer)
        return req.redirect(SitePath.program(program.id!), notice: "\"\(module.title)\" completed.")
    }

    @Sendable func agree(req: Request) async throws -> Response {
        let (program, participant, viewer) = try await Self.joined(req)
        try await req.enrollments.agree(participant, in: program, by: viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Thank you for accepting the code of conduct.")
    }

    // MARK: - Suggestions

    struct RequestForm: Content { var mentorId: String? }

    @Sendable func request(req: Request) async throws -> Response {
        let (program, participant, viewer) = try await Self.joined(req)
        let form = try req.form(RequestForm.self)
        let mentor = try IDParameter.parse(form.mentorId, field: "mentorId")
        _ = try await req.suggestions.request(mentor, by: participant, in: program, viewer: viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Request sent.")
    }

    struct AnswerForm: Content { var accept: String? }

    /// A request addressed to the viewer, or 404.
    static func incomingRequest(_ req: Request, viewer: Viewer, parameter: String = "requestID") async throws -> (MatchRequest, Program, Participant) {
        let id = try IDParameter.parse(req, parameter)
        guard let request = try await MatchRequest.fetch(id, on: req.database), let person = viewer.personID,
            let mentor = try await Participant.fetch(request.$mentor.id, on: req.database), mentor.$person.id == person,
            let program = try await Program.fetch(request.$program.id, on: req.database)
        else { throw Abort(.notFound, reason: "No request with id \(id.text) is addressed to you.") }
        return (request, program, mentor)
    }

    @Sendable func answer(req: Request) async throws -> Response {
        let viewer = try req.viewer
        try await req.suggestions.passOverdue()
        let (request, program, mentor) = try await Self.incomingRequest(req, viewer: viewer)
        let form = try req.form(AnswerForm.self)
        guard let raw = form.accept, ["true", "false"].contains(raw) else { throw ValidationFailure("accept", "must be true or false") }
        _ = try await req.suggestions.answer(request, accept: raw == "true", by: mentor, in: program, viewer: viewer)
        return req.redirect(
            SitePath.program(program.id!), notice: raw == "true" ? "You accepted. Welcome to your new pair!" : "Declined. The request passes on.")
    }

    // MARK: - Pair

    struct DeclineForm: Content { var note: String? }

    @Sendable func decline(req: Request) async throws -> Response {
        let viewer = try req.viewer
        let context = try await req.pairContext()
        let (pair, program, participant) = (context.pair, context.program, context.me)
        guard let participant else { throw Abort(.forbidden, reason: "Only the two people in a pair can decline it or ask for a rematch.") }
        let form = try req.form(DeclineForm.self)
        try await req.matchmaking.stepBack(from: pair, participant: participant, note: form.note, in: program, by: viewer)
        return req.redirect(SitePath.program(program.id!), notice: "Done. Your program manager will find you a new partner; your partner was not told why.")
    }

    // MARK: - Notifications

    struct NotificationRow: Encodable {
        let title: String
        let body: String
        let link: String?
        let when: String
        let unread: Bool
    }

    struct NotificationsPage: Encodable {
        let layout: LayoutContext
        let items: [NotificationRow]
    }

    @Sendable func notifications(req: Request) async throws -> View {
        let viewer = try req.viewer
        var items: [NotificationRow] = []
        if let person = viewer.personID {
            items = try await req.notifications.list(for: person).map {
                NotificationRow(title: $0.title, body: $0.body, link: $0.link, when: DateText.iso8601($0.createdAt), unread: $0.readAt == nil)
            }
            try await req.notifications.markAllRead(for: person)
        }
        return try await req.view.render(
            "notifications", NotificationsPage(layout: try await LayoutContext.rendered(req, title: "Notifications"), items: items))
    }
}
