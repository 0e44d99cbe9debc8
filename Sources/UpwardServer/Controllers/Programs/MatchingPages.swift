import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Invitations and matching review, for program managers.
struct MatchingPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.invitations, use: invitations)
        router.on(.invite, use: invite)
        router.on(.reissue, use: reissue)
        router.on(.matching, use: review)
        router.on(.matchingRun, use: run)
        router.on(.matchingAssign, use: assign)
        router.on(.matchingSwap, use: swap)
        router.on(.matchingLock, use: lock)
        router.on(.matchingApprove, use: approve)
    }

    // MARK: - Invitations

    struct LinkRow: Encodable {
        let name: String
        let email: String
        let url: String
    }

    struct InvitationsPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let people: [PersonSummary]
        let filters: PeopleListQuery.Echo
        let departments: [String]
        let links: [LinkRow]
        let skipped: [String]
        let total: Int
        let action: String
        let back: String
        var issues: [Issue] = []
    }

    func invitationsPage(_ req: Request, program: Program, links: [LinkRow] = [], skipped: [String] = []) async throws -> InvitationsPage {
        let query = try PeopleListQuery.parse(req)
        var directoryQuery = query.directoryQuery
        directoryQuery.perPage = 200
        let result = try await req.directory.search(directoryQuery)
        return InvitationsPage(
            layout: try await LayoutContext.rendered(req, title: "Invite · \(program.name)"), program: ProgramSummary(program),
            people: result.items.map(PersonSummary.init),
            filters: query.echo, departments: try await req.directory.facets().departments, links: links, skipped: skipped,
            total: result.metadata.total, action: Self.withFilters(SiteRoute.invite.path(program.id!.text), query.echo),
            back: SitePath.program(program.id!))
    }

    /// The invite form posts back with the filters in its URL, so "everyone matching" means what the page shows.
    static func withFilters(_ path: String, _ echo: PeopleListQuery.Echo) -> String {
        var components = URLComponents()
        components.path = path
        let items = [("q", echo.q), ("department", echo.department), ("level", echo.level), ("generation", echo.generation)]
            .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
        components.queryItems = items.isEmpty ? nil : items
        return components.percentEncodedQuery.map { path + "?" + $0 } ?? path
    }

    @Sendable func invitations(req: Request) async throws -> View {
        let program = try await ProgramPages.managed(req)
        return try await req.view.render("invitations", try await invitationsPage(req, program: program))
    }

    struct InviteForm: Content {
        var role: String?
        /// Chosen people; empty with `everyone` set invites everyone matching the filters.
        var people: [String]?
        var everyone: String?
        var q: String?
        var department: String?
        var level: String?
        var generation: String?
    }

    /// The ids chosen in a form or API body, or everyone the directory's filters match.
    static func chosenPeople(_ req: Request, ids: [String]?, everyone: Bool) async throws -> [UUID] {
        if everyone { return try await Self.everyone(req, matching: try PeopleListQuery.parse(req)) }
        return try (ids ?? []).enumerated().map { index, raw in try IDParameter.parse(raw, field: "people[\(index)]") }
    }

    /// Everyone the directory's filters match, up to the bulk limit.
    static func everyone(_ req: Request, matching filters: PeopleListQuery) async throws -> [UUID] {
        var query = filters.directoryQuery
        query.perPage = Invitations.bulkLimit + 1
        query.page = 1
        let result = try await req.directory.search(query)
        guard result.metadata.total <= Invitations.bulkLimit else {
            throw ValidationFailure("filters", "\(result.metadata.total) people match; at most \(Invitations.bulkLimit) can be invited at a time")
        }
        return result.items.map(\.id)
    }

    static func role(_ raw: String?) throws -> Enrollment.Role {
        guard let raw, let role = Enrollment.Role(rawValue: raw) else { throw ValidationFailure("role", "must be mentor or mentee") }
        return role
    }

    @Sendable func invite(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let form = try req.form(InviteForm.self)
        do {
            let role = try Self.role(form.role)
            let ids = try await Self.chosenPeople(req, ids: form.people, everyone: form.everyone != nil)
            let outcome = try await req.invitations.invite(ids, role: role, to: program, by: try req.viewer)
            let base = req.upward.configuration.publicURL
            let page = try await invitationsPage(
                req, program: program,
                links: outcome.links.map { LinkRow(name: $0.person.name, email: $0.person.email, url: base + $0.path) },
                skipped: outcome.skipped.map { "\($0.name): \($0.reason)" })
            return try await req.view.render("invitations", page).encodeResponse(for: req)
        } catch let failure as ValidationFailure {
            var page = try await invitationsPage(req, program: program)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("invitations", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    static func participant(_ req: Request, in program: Program, parameter: String = "participantID") async throws -> Participant {
        let id = try IDParameter.parse(req, parameter)
        guard let participant = try await Participant.query(on: req.database).filter(\.$id == id).filter(\.$program.$id == program.id!).with(\.$person).first()
        else { throw Abort(.notFound, reason: "No participant with id \(id.text) is in this program.") }
        return participant
    }

    @Sendable func reissue(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let participant = try await Self.participant(req, in: program)
        let token = try await req.invitations.reissue(participant, by: try req.viewer)
        let page = try await invitationsPage(
            req, program: program,
            links: [
                LinkRow(name: participant.person.name, email: participant.person.email, url: req.upward.configuration.publicURL + SitePath.invitation(token))
            ])
        return try await req.view.render("invitations", page).encodeResponse(for: req)
    }

    // MARK: - Review

    struct PairRow: Encodable {
        let id: String
        let mentee: String
        let menteeDetail: String
        let mentor: String
        let mentorDetail: String
        let score: Int
        let reasons: [String]
        let warnings: [String]
        let status: String
        let statusLabel: String
        let locked: Bool
        let source: String
        let manualReason: String?
        let waitingFor: [String]
        let lockPath: String
    }

    struct Choice: Encodable {
        let id: String
        let label: String
    }

    struct StepBack: Encodable {
        let pair: String
        let kind: String
        let note: String
        let by: String
    }

    struct ReviewPage: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let notice: String?
        let run: RunSummary?
        /// One page of the program's pairs (see ``MatchingPages/pageSize``).
        let pairs: [PairRow]
        let paging: ProgramPages.Paging
        let unmatched: [Matchmaking.Unmatched]
        /// The candidates and proposals for the forms, narrowed by `find` (see ``choiceLimit``).
        let mentees: [Choice]
        let mentors: [Choice]
        let proposed: [Choice]
        /// Every proposal of the program, for the approve button.
        let proposedCount: Int
        /// The text the lists are narrowed by, and what they show ("12 of 2,500 mentees…"); the
        /// find form is offered when a list is cut or narrowed.
        let find: String
        let choicesNote: String?
        let findPath: String
        let stepBacks: [StepBack]
        let paths: [String: String]
        let canMatch: Bool
        var issues: [Issue] = []
    }

    struct RunSummary: Encodable {
        let when: String
        let objective: String
        let matched: Int
        let total: String
        let proof: String
        let seconds: String
    }

    /// Pairs per page of the review (a program may have thousands).
    static let pageSize = 100

    struct ReviewQuery: Content {
        var page: Int?
        var find: String?
    }

    /// The most people (or proposals) each form's list offers; `find` narrows them.
    static let choiceLimit = 200

    /// "the first 200 of 2,500 mentees, 200 of 2,500 mentors and 200 of 2,500 proposals" and the like
    /// (an empty list left out): nil when every list is whole.
    static func choicesNote<A, B, C>(
        _ finder: ChoiceFinder, _ mentees: ChoiceFinder.Found<A>, _ mentors: ChoiceFinder.Found<B>, _ proposed: ChoiceFinder.Found<C>
    ) -> String? {
        let cut = mentees.isCut || mentors.isCut || proposed.isCut
        guard cut || !finder.text.isEmpty else { return nil }
        func count(_ n: Int) -> String { n.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) }
        func part<T>(_ found: ChoiceFinder.Found<T>, _ noun: String) -> String? {
            guard found.total > 0 else { return nil }
            return "\(count(finder.text.isEmpty ? found.shown.count : found.matched)) of \(count(found.total)) \(noun)\(found.total == 1 ? "" : "s")"
        }
        let parts = [part(mentees, "mentee"), part(mentors, "mentor"), part(proposed, "proposal")].compactMap { $0 }
        let listed = parts.count > 1 ? parts.dropLast().joined(separator: ", ") + " and " + (parts.last ?? "") : parts.first ?? "nothing"
        if finder.text.isEmpty {
            return "The lists below show the first \(listed). Find narrows them by name or department."
        }
        return "Matching “\(finder.text)”: \(listed)\(cut ? "; the first \(choiceLimit) of each are listed" : "")."
    }

    /// One page of the program's pairs, oldest first, with the number of pairs in all.
    static func pairRows(_ req: Request, program: Program, page: Int) async throws -> (rows: [PairRow], total: Int) {
        let id = program.id!
        let total = try await Pair.query(on: req.database).filter(\.$program.$id == id).count()
        let pairs = try await Pair.query(on: req.database).filter(\.$program.$id == id).with(\.$mentee) { $0.with(\.$person) }
            .with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt).sort(\.$id).range(((page - 1) * pageSize)..<(page * pageSize)).all()
        let lists = try await req.enrollments.checklists(id, participants: pairs.flatMap { [$0.mentee, $0.mentor] })
        let rows = pairs.map { pair in
            let waiting = Self.waitingFor(pair, lists: lists)
            return PairRow(
                id: pair.id!.text, mentee: pair.mentee.person.name,
                menteeDetail: "\(pair.mentee.person.title ?? "") · \(pair.mentee.person.department) · level \(pair.mentee.person.level)",
                mentor: pair.mentor.person.name,
                mentorDetail: "\(pair.mentor.person.title ?? "") · \(pair.mentor.person.department) · level \(pair.mentor.person.level)",
                score: Int(pair.score.rounded()), reasons: pair.reasons, warnings: pair.warnings, status: pair.status, statusLabel: pair.pairStatus.label,
                locked: pair.locked, source: pair.source, manualReason: pair.manualReason, waitingFor: waiting,
                lockPath: SiteRoute.matchingLock.path(id.text, pair.id!.text))
        }
        return (rows, total)
    }

    /// Every proposed pair as "mentee – mentor", oldest first, read as plain rows.
    static func proposedChoices(_ req: Request, program: UUID) async throws -> [Choice] {
        struct Row: SQLRowReadable {
            let id: UUID
            let mentee: String
            let mentor: String

            init(row: some SQLRow) throws {
                id = try row.read("id")
                mentee = try row.read("mentee")
                mentor = try row.read("mentor")
            }
        }
        return try await req.database.sql().raw(
            """
            SELECT p.id, me.name AS mentee, mo.name AS mentor \(unsafeRaw: Pair.withNames)
            WHERE p.program_id = \(bind: program) AND p.status = \(bind: Pair.Status.proposed.rawValue) ORDER BY p.created_at, p.id
            """
        ).all(reading: Row.self).map { Choice(id: $0.id.text, label: "\($0.mentee) – \($0.mentor)") }
    }

    /// For a pair waiting to go live: who still owes what ("Sam Senior: training: Basics, code of conduct").
    static func waitingFor(_ pair: Pair, lists: [UUID: ParticipantChecklist]) -> [String] {
        guard pair.pairStatus == .waiting else { return [] }
        return [pair.mentee, pair.mentor].compactMap { side in
            let missing = lists[side.id!]?.missing ?? []
            return missing.isEmpty ? nil : "\(side.person.name): \(missing.joined(separator: ", "))"
        }
    }

    func reviewPage(
        _ req: Request, program: Program, page requested: Int = 1, finder: ChoiceFinder = .everything(limit: choiceLimit)
    ) async throws -> ReviewPage {
        let id = program.id!
        var page = requested
        var (rows, total) = try await Self.pairRows(req, program: program, page: page)
        let last = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        if page > last {
            // Past the end (the pairs were approved or re-run meanwhile): the last page.
            page = last
            rows = try await Self.pairRows(req, program: program, page: page).rows
        }
        let candidates = try await req.matchmaking.candidates(of: id)
        let allProposed = try await Self.proposedChoices(req, program: id)
        func label(_ candidate: Matchmaking.Candidate) -> String { "\(candidate.name) (\(candidate.department), level \(candidate.level))" }
        let mentees = finder.find(candidates.mentees, label: label)
        let mentors = finder.find(candidates.mentors, label: label)
        let proposed = finder.find(allProposed, label: \.label)
        let run = try await req.matchmaking.latestRun(id)
        let exclusions = try await Exclusion.query(on: req.database).filter(\.$program.$id == id).filter(\.$reason ~~ ["declined", "rematch"])
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt, .descending).all()
        let stepBacks = exclusions.map { exclusion in
            let by = exclusion.byParticipantID == exclusion.mentee.id ? exclusion.mentee.person.name : exclusion.mentor.person.name
            return StepBack(
                pair: "\(exclusion.mentee.person.name) – \(exclusion.mentor.person.name)",
                kind: exclusion.reason == "rematch" ? "Rematch requested" : "Declined",
                note: exclusion.note ?? "(no note)", by: by)
        }
        let key = id.text
        return ReviewPage(
            layout: try await LayoutContext.rendered(req, title: "Matching · \(program.name)"), program: ProgramSummary(program), notice: req.notice,
            run: run.map {
                RunSummary(
                    when: DateText.iso8601($0.createdAt), objective: $0.objective, matched: $0.matched, total: String(format: "%.1f", $0.totalScore),
                    proof: $0.proof, seconds: String(format: "%.3f", $0.solverSeconds))
            },
            pairs: rows, paging: ProgramPages.Paging(page: page, total: total, key: "page", keep: ("find", finder.text), anchor: "pairs"),
            unmatched: run.flatMap { JSONText.decode($0.unmatchedJSON) } ?? [],
            mentees: mentees.shown.map { Choice(id: $0.id.text, label: label($0)) }, mentors: mentors.shown.map { Choice(id: $0.id.text, label: label($0)) },
            proposed: proposed.shown, proposedCount: allProposed.count, find: finder.text,
            choicesNote: Self.choicesNote(finder, mentees, mentors, proposed), findPath: SiteRoute.matching.path(key), stepBacks: stepBacks,
            paths: [
                "run": SiteRoute.matchingRun.path(key), "assign": SiteRoute.matchingAssign.path(key), "swap": SiteRoute.matchingSwap.path(key),
                "approve": SiteRoute.matchingApprove.path(key), "program": SitePath.program(id),
            ],
            canMatch: [.matching, .active].contains(program.programStatus))
    }

    @Sendable func review(req: Request) async throws -> View {
        let program = try await ProgramPages.managed(req)
        let query = try req.query.decode(ReviewQuery.self)
        let page = try ProgramPages.ShowQuery.page(query.page, "page")
        guard let finder = ChoiceFinder(query.find, limit: Self.choiceLimit) else {
            throw Abort(.badRequest, reason: "find must be at most \(ChoiceFinder.maximumLength) characters.")
        }
        return try await req.view.render("matching", try await reviewPage(req, program: program, page: page, finder: finder))
    }

    @Sendable func run(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let run = try await req.matchmaking.run(program, by: try req.viewer)
        return req.redirect(SiteRoute.matching.path(program.id!.text), notice: "Matching ran: \(run.matched) pairs. Review them, then approve.")
    }

    struct AssignForm: Content {
        var menteeId: String?
        var mentorId: String?
        var reason: String?
    }

    /// Refusals of a manual pair re-render the review page with the problem named.
    func refused(_ req: Request, program: Program, _ failure: ValidationFailure) async throws -> Response {
        var page = try await reviewPage(req, program: program)
        page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
        return try await req.view.render("matching", page).encodeResponse(status: .unprocessableEntity, for: req)
    }

    @Sendable func assign(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let form = try req.form(AssignForm.self)
        do {
            let mentee = try IDParameter.parse(form.menteeId, field: "menteeId")
            let mentor = try IDParameter.parse(form.mentorId, field: "mentorId")
            _ = try await req.matchmaking.assign(program, mentee: mentee, mentor: mentor, reason: form.reason, by: try req.viewer)
            return req.redirect(SiteRoute.matching.path(program.id!.text), notice: "Pair made by hand and locked.")
        } catch let failure as ValidationFailure {
            return try await refused(req, program: program, failure)
        }
    }

    struct SwapForm: Content {
        var pair: String?
        var with: String?
        var reason: String?
    }

    @Sendable func swap(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let form = try req.form(SwapForm.self)
        do {
            let first = try IDParameter.parse(form.pair, field: "pair")
            let second = try IDParameter.parse(form.with, field: "with")
            try await req.matchmaking.swap(program, first, second, reason: form.reason, by: try req.viewer)
            return req.redirect(SiteRoute.matching.path(program.id!.text), notice: "Mentors swapped; both pairs are locked.")
        } catch let failure as ValidationFailure {
            return try await refused(req, program: program, failure)
        }
    }

    struct LockForm: Content { var locked: String? }

    static func pair(_ req: Request, in program: Program) async throws -> Pair {
        let id = try IDParameter.parse(req, "pairID")
        guard let pair = try await Pair.query(on: req.database).filter(\.$id == id).filter(\.$program.$id == program.id!).first() else {
            throw Abort(.notFound, reason: "No pair with id \(id.text) is in this program.")
        }
        return pair
    }

    @Sendable func lock(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let pair = try await Self.pair(req, in: program)
        let form = try req.form(LockForm.self)
        try await req.matchmaking.setLocked(pair, form.locked == "true", in: program, by: try req.viewer)
        return req.redirect(SiteRoute.matching.path(program.id!.text), notice: form.locked == "true" ? "Pair locked." : "Pair unlocked.")
    }

    @Sendable func approve(req: Request) async throws -> Response {
        let program = try await ProgramPages.managed(req)
        let count = try await req.matchmaking.approve(program, by: try req.viewer)
        return req.redirect(SiteRoute.matching.path(program.id!.text), notice: "\(count) pairs approved and published.")
    }
}
