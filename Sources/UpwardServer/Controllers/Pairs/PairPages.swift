import Fluent
import Foundation
import UpwardCore
import Vapor

/// The pair page: goals, meetings, notes, concerns, pause and end; and the meeting's `.ics`.
struct PairPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.pair, use: show)
        router.on(.goalCreate, use: createGoal)
        router.on(.goalUpdate, use: updateGoal)
        router.on(.meetingCreate, use: createMeeting)
        router.on(.meetingUpdate, use: updateMeeting)
        router.on(.meetingCancel, use: cancelMeeting)
        router.on(.meetingLog, use: logMeeting)
        router.on(.meetingICS, use: meetingICS)
        router.on(.noteCreate, use: createNote)
        router.on(.noteDelete, use: deleteNote)
        router.on(.concernRaise, use: raiseConcern)
        router.on(.pairPause, use: pause)
        router.on(.pairResume, use: resume)
        router.on(.pairEnd, use: end)
        router.on(.calendarFeed, use: feed)
    }

    /// `/calendar/{token}.ics`: anyone holding the secret address; calendar apps send no cookies.
    @Sendable func feed(req: Request) async throws -> Response {
        let raw = req.parameters.get("feedFile") ?? ""
        guard raw.hasSuffix(".ics") else { throw Abort(.notFound, reason: "This calendar address is not valid; it may have been revoked or replaced.") }
        let text = try await req.calendars.feed(token: String(raw.dropLast(4)))
        let response = Self.icsResponse(text, filename: "upward.ics")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"upward.ics\"")
        return response
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct MilestoneRow: Encodable {
        let index: Int
        let title: String
        let done: Bool
    }

    struct GoalRow: Encodable {
        let id: String
        let title: String
        let why: String
        let measure: String
        let target: String
        let focusArea: String
        let owner: String
        let status: String
        let progress: Int
        let milestones: [MilestoneRow]
        let statuses: [Option]
        let manualProgress: String
        let action: String
    }

    struct MeetingRow: Encodable {
        let id: String
        let when: String
        let whenPartner: String?
        let localStart: String
        let timeZone: String
        let duration: Int
        let location: String
        let agenda: String
        let status: String
        let summary: String?
        let followUps: String?
        let sequence: Int
        let icsPath: String
        let updatePath: String
        let cancelPath: String
        let logPath: String
        let canChange: Bool
        let canLog: Bool
        /// The form token, so the meeting's forms are written with the meeting as the template's
        /// context (`#with`): each field is then one lookup, not a path walked from the page's top.
        let csrf: String
    }

    struct NoteRow: Encodable {
        let author: String
        let isPrivate: Bool
        let mine: Bool
        let body: String?
        let when: String
        let deletePath: String
    }

    struct ConcernRow: Encodable {
        let category: String
        let status: String
        let when: String
    }

    struct IdeaLine: Encodable {
        let title: String
        let description: String
        let status: String
        let raisedBy: String
    }

    struct StoryRow: Encodable {
        let title: String
        let body: String
        let published: Bool
        let menteeAgreed: Bool
        let mentorAgreed: Bool
        let iAgreed: Bool
        let updatePath: String
        let consentPath: String
    }

    struct Page: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let mentee: PersonSummary
        let mentor: PersonSummary
        let score: Int
        let reasons: [String]
        let status: String
        let statusLabel: String
        let isParticipant: Bool
        let isWorking: Bool
        let isLive: Bool
        let isPaused: Bool
        let canDecline: Bool
        let canRematch: Bool
        let declinePath: String
        let waitingFor: [String]
        let goals: [GoalRow]
        let focusAreas: [String]
        let upcoming: [MeetingRow]
        let past: [MeetingRow]
        let notes: [NoteRow]
        let concerns: [ConcernRow]
        let categories: [Option]
        let myZone: String
        let ideas: [IdeaLine]
        let stories: [StoryRow]
        let canWriteStory: Bool
        let storiesPath: String
        let paths: [String: String]
        let notice: String?
        var issues: [Issue] = []
    }

    static func page(_ req: Request, _ context: PairContext) async throws -> Page {
        let pair = context.pair
        let program = context.program
        let lists = try await req.enrollments.checklists(program.id!, participants: [pair.mentee, pair.mentor])
        let key = pair.id!.text
        let myZone = context.me.flatMap { Meetings.zone($0.person) } ?? Meetings.zone(pair.mentee.person) ?? TimeZone(identifier: "UTC")!
        let partnerZone = context.partner.flatMap { Meetings.zone($0.person) }
        let goals = try await req.goals.list(context).map { goal in
            GoalRow(
                id: goal.id!.text, title: goal.title, why: goal.why, measure: goal.measure, target: goal.targetDate ?? "",
                focusArea: goal.focusArea ?? "",
                owner: goal.owner == GoalOwner.mentee.rawValue ? "\(pair.mentee.person.name) (mentee)" : "\(pair.mentor.person.name) (mentor)",
                status: goal.status, progress: goal.progress,
                milestones: goal.milestones.enumerated().map { MilestoneRow(index: $0.offset, title: $0.element.title, done: $0.element.done) },
                statuses: GoalStatus.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0.rawValue == goal.status) },
                manualProgress: goal.manualProgress.map(String.init) ?? "", action: SiteRoute.goalUpdate.path(key, goal.id!.text))
        }
        let now = req.upward.clock.now
        let csrf = req.csrfToken()
        let meetings = try await req.meetings.list(pair: pair.id!).map { meeting -> (MeetingRow, Bool) in
            let zone = TimeZone(identifier: meeting.timeZone) ?? myZone
            let id = meeting.id!.text
            let row = MeetingRow(
                id: id, when: Meetings.display(meeting.startsAt, in: myZone),
                whenPartner: partnerZone.flatMap { $0.identifier == myZone.identifier ? nil : Meetings.display(meeting.startsAt, in: $0) },
                localStart: Meetings.localText(meeting.startsAt, in: zone), timeZone: meeting.timeZone, duration: meeting.durationMinutes,
                location: meeting.location, agenda: meeting.agenda, status: meeting.status, summary: meeting.summary, followUps: meeting.followUps,
                sequence: meeting.sequence, icsPath: SitePath.meetingICS(meeting.id!), updatePath: SiteRoute.meetingUpdate.path(key, id),
                cancelPath: SiteRoute.meetingCancel.path(key, id), logPath: SiteRoute.meetingLog.path(key, id),
                canChange: context.isParticipant && pair.pairStatus.isWorking && meeting.meetingStatus == .scheduled,
                canLog: context.isParticipant && pair.pairStatus.isWorking && meeting.startsAt <= now && meeting.meetingStatus != .cancelled, csrf: csrf)
            return (row, meeting.endsAt < now || meeting.meetingStatus == .held || meeting.meetingStatus == .missed)
        }
        let notes = context.isParticipant ? try await req.notes.list(context) : []
        let concerns = try await req.concerns.mine(context)
        let mySide = context.me.map { Recognition.side(context, $0) }
        let stories = try await req.recognition.stories(pair: pair.id!).map { story in
            let consent = story.consent
            return StoryRow(
                title: story.title, body: story.body, published: consent.isPublished, menteeAgreed: consent.mentee, mentorAgreed: consent.mentor,
                iAgreed: mySide == .mentee ? consent.mentee : (mySide == .mentor ? consent.mentor : false),
                updatePath: SiteRoute.storyUpdate.path(key, story.id!.text), consentPath: SiteRoute.storyConsent.path(key, story.id!.text))
        }
        return Page(
            layout: try await LayoutContext.rendered(req, title: "\(pair.mentee.person.name) & \(pair.mentor.person.name)"), program: ProgramSummary(program),
            mentee: PersonSummary(pair.mentee.person), mentor: PersonSummary(pair.mentor.person), score: Int(pair.score.rounded()), reasons: pair.reasons,
            status: pair.status, statusLabel: pair.pairStatus.label, isParticipant: context.isParticipant,
            isWorking: pair.pairStatus.isWorking, isLive: pair.pairStatus == .live, isPaused: pair.pairStatus == .paused,
            canDecline: context.isParticipant && pair.pairStatus == .waiting, canRematch: context.isParticipant && pair.pairStatus.isWorking,
            declinePath: SiteRoute.pairDecline.path(key), waitingFor: MatchingPages.waitingFor(pair, lists: lists),
            goals: goals, focusAreas: program.settings.focusAreas,
            upcoming: meetings.filter { !$0.1 }.map(\.0), past: meetings.filter(\.1).map(\.0).reversed(),
            notes: notes.map {
                NoteRow(
                    author: $0.authorName, isPrivate: $0.isPrivate, mine: $0.mine, body: $0.body, when: DateText.iso8601($0.createdAt),
                    deletePath: SiteRoute.noteDelete.path(key, $0.id.text))
            },
            concerns: concerns.map {
                ConcernRow(category: $0.concernCategory.label, status: $0.concernStatus.label, when: DateText.iso8601($0.createdAt))
            },
            categories: ConcernCategory.allCases.map { Option(value: $0.rawValue, label: $0.label, selected: false) }, myZone: myZone.identifier,
            ideas: try await req.recognition.ideas(pair: pair.id!).map {
                IdeaLine(title: $0.title, description: $0.description, status: $0.ideaStatus.label, raisedBy: $0.raisedBy.name)
            }, stories: stories, canWriteStory: context.isParticipant && (pair.pairStatus.isWorking || pair.pairStatus == .ended),
            storiesPath: SiteRoute.stories.path(program.id!.text),
            paths: [
                "goal": SiteRoute.goalCreate.path(key), "meeting": SiteRoute.meetingCreate.path(key), "note": SiteRoute.noteCreate.path(key),
                "concern": SiteRoute.concernRaise.path(key), "pause": SiteRoute.pairPause.path(key), "resume": SiteRoute.pairResume.path(key),
                "end": SiteRoute.pairEnd.path(key), "idea": SiteRoute.ideaCreate.path(key), "story": SiteRoute.storyCreate.path(key),
            ],
            notice: req.notice)
    }

    @Sendable func show(req: Request) async throws -> View {
        try await req.view.render("pair", try await Self.page(req, try await req.pairContext()))
    }

    /// Runs a change; a validation failure shows the page again with the problems named (422).
    static func change(_ req: Request, notice: String, _ body: (PairContext, Viewer) async throws -> Void) async throws -> Response {
        let context = try await req.pairContext()
        do {
            try await body(context, try req.viewer)
            return req.redirect(SitePath.pair(context.pairID), notice: notice)
        } catch let failure as ValidationFailure {
            var page = try await page(req, try await req.pairContext())
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("pair", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    // MARK: - Goals

    struct GoalForm: Content {
        var title: String?
        var why: String?
        var measure: String?
        var targetDate: String?
        var focusArea: String?
        var owner: String?
        var milestones: String?
        var status: String?
        var progress: String?
        var done: [String]?
        var newMilestone: String?
    }

    static func progressValue(_ raw: String?) throws -> Int? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard raw.count <= 3, let value = Int(raw) else { throw ValidationFailure("progress", "must be a whole number from 0 to 100") }
        return value
    }

    @Sendable func createGoal(req: Request) async throws -> Response {
        let form = try req.form(GoalForm.self)
        return try await Self.change(req, notice: "Goal added.") { context, viewer in
            let milestones = (form.milestones ?? "").split(whereSeparator: \.isNewline).map { Milestone(title: String($0), done: false) }
            let input = GoalDraft.Input(
                title: form.title, why: form.why, measure: form.measure, targetDate: form.targetDate, focusArea: form.focusArea, owner: form.owner,
                milestones: milestones, progress: try Self.progressValue(form.progress), status: form.status)
            _ = try await req.goals.create(input, in: context, by: viewer)
        }
    }

    @Sendable func updateGoal(req: Request) async throws -> Response {
        let form = try req.form(GoalForm.self)
        return try await Self.change(req, notice: "Goal updated.") { context, viewer in
            let goal = try await req.goals.find(try IDParameter.parse(req, "goalID"), in: context)
            let done = Set(form.done ?? [])
            var milestones = goal.milestones.enumerated().map { Milestone(title: $0.element.title, done: done.contains(String($0.offset))) }
            if let extra = form.newMilestone?.trimmingCharacters(in: .whitespaces), !extra.isEmpty { milestones.append(Milestone(title: extra, done: false)) }
            let input = GoalDraft.Input(milestones: milestones, progress: try Self.progressValue(form.progress), status: form.status)
            // An emptied progress box returns the goal to progress from milestones.
            let cleared = form.progress?.trimmingCharacters(in: .whitespaces).isEmpty == true
            _ = try await req.goals.update(goal, with: input, clearProgress: cleared, in: context, by: viewer)
        }
    }

    // MARK: - Meetings

    struct MeetingForm: Content {
        var start: String?
        var timeZone: String?
        var durationMinutes: String?
        var location: String?
        var agenda: String?
        var outcome: String?
        var summary: String?
        var followUps: String?
    }

    static func input(_ form: MeetingForm) throws -> MeetingDraft.Input {
        var duration: Int?
        if let raw = form.durationMinutes?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            guard raw.count <= 4, let value = Int(raw) else { throw ValidationFailure("durationMinutes", "must be a whole number of minutes from 15 to 480") }
            duration = value
        }
        return MeetingDraft.Input(start: form.start, timeZone: form.timeZone, durationMinutes: duration, location: form.location, agenda: form.agenda)
    }

    @Sendable func createMeeting(req: Request) async throws -> Response {
        let form = try req.form(MeetingForm.self)
        return try await Self.change(req, notice: "Meeting added; your partner was told.") { context, viewer in
            _ = try await req.meetings.create(try Self.input(form), in: context, by: viewer)
        }
    }

    @Sendable func updateMeeting(req: Request) async throws -> Response {
        let form = try req.form(MeetingForm.self)
        return try await Self.change(req, notice: "Meeting updated; your partner was told.") { context, viewer in
            let meeting = try await req.meetings.find(try IDParameter.parse(req, "meetingID"), in: context)
            _ = try await req.meetings.update(meeting, with: try Self.input(form), in: context, by: viewer)
        }
    }

    @Sendable func cancelMeeting(req: Request) async throws -> Response {
        try await Self.change(req, notice: "Meeting cancelled; your partner was told.") { context, viewer in
            let meeting = try await req.meetings.find(try IDParameter.parse(req, "meetingID"), in: context)
            _ = try await req.meetings.cancel(meeting, in: context, by: viewer)
        }
    }

    @Sendable func logMeeting(req: Request) async throws -> Response {
        let form = try req.form(MeetingForm.self)
        return try await Self.change(req, notice: "Meeting logged.") { context, viewer in
            let meeting = try await req.meetings.find(try IDParameter.parse(req, "meetingID"), in: context)
            _ = try await req.meetings.log(meeting, outcome: form.outcome, summary: form.summary, followUps: form.followUps, in: context, by: viewer)
        }
    }

    /// `/meetings/{id}.ics`: the id with its `.ics` ending.
    static func meetingID(_ req: Request, _ parameter: String) throws -> UUID {
        let raw = req.parameters.get(parameter) ?? ""
        guard raw.hasSuffix(".ics"), let id = UUID(uuidString: String(raw.dropLast(4))) else {
            throw Abort(.badRequest, reason: "\(parameter): \"\(raw.prefix(60))\" is not a meeting id followed by .ics")
        }
        return id
    }

    static func icsResponse(_ text: String, filename: String) -> Response {
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        return response
    }

    @Sendable func meetingICS(req: Request) async throws -> Response {
        let (_, event) = try await req.calendars.meeting(try Self.meetingID(req, "meetingFile"), viewer: try req.viewer)
        return Self.icsResponse(ICalendar.document([event], method: "PUBLISH"), filename: "upward-meeting.ics")
    }

    // MARK: - Notes

    struct NoteForm: Content {
        var body: String?
        var visibility: String?
    }

    @Sendable func createNote(req: Request) async throws -> Response {
        let form = try req.form(NoteForm.self)
        return try await Self.change(req, notice: form.visibility == "private" ? "Private note saved; only you can read it." : "Note shared with your partner.")
        {
            context, viewer in
            _ = try await req.notes.create(text: form.body, visibility: form.visibility, in: context, by: viewer)
        }
    }

    @Sendable func deleteNote(req: Request) async throws -> Response {
        try await Self.change(req, notice: "Note deleted.") { context, _ in
            try await req.notes.delete(try IDParameter.parse(req, "noteID"), in: context)
        }
    }

    // MARK: - Concerns, pause, end

    struct ConcernForm: Content {
        var category: String?
        var body: String?
    }

    @Sendable func raiseConcern(req: Request) async throws -> Response {
        let form = try req.form(ConcernForm.self)
        return try await Self.change(req, notice: "Your concern went to your program manager only. Your partner is not told.") { context, viewer in
            _ = try await req.concerns.raise(category: form.category, body: form.body, in: context, by: viewer)
        }
    }

    @Sendable func pause(req: Request) async throws -> Response {
        try await Self.change(req, notice: "Pair paused; upcoming meetings are cancelled.") { try await req.concerns.pause($0, by: $1) }
    }

    @Sendable func resume(req: Request) async throws -> Response {
        try await Self.change(req, notice: "Welcome back: a new meeting series is planned.") { try await req.concerns.resume($0, by: $1) }
    }

    @Sendable func end(req: Request) async throws -> Response {
        try await Self.change(req, notice: "The pair has ended. Thank you for taking part.") { try await req.concerns.end($0, by: $1) }
    }
}
