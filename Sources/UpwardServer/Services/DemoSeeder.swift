import Fluent
import Foundation
import UpwardCore
import Vapor

/// Fills an empty database with the demo organization, an active pilot with live pairs and a
/// second program still enrolling. Everything goes through the same services as the pages.
struct DemoSeeder {
    let db: any Database
    let accounts: Accounts

    struct Credential: Sendable {
        let role: String
        let name: String
        let email: String
        let password: String
    }

    var clock: any UpwardClock { accounts.environment.clock }

    func seed() async throws -> [Credential] {
        _ = try await PeopleDirectory(db: db).importPeople(PeopleFile(records: DemoOrganization.people()))
        var credentials: [Credential] = []
        let adminPassword = Self.generatePassword()
        let admin = try await accounts.createUser(
            email: "admin@upward.example", name: "Morgan Reyes", password: adminPassword, role: .admin, organizationAdmin: true)
        credentials.append(Credential(role: "program manager", name: "Morgan Reyes", email: "admin@upward.example", password: adminPassword))
        let scopedPassword = Self.generatePassword()
        let scoped = try await accounts.createUser(email: "pm@upward.example", name: "Jordan Lee", password: scopedPassword, role: .admin)
        credentials.append(Credential(role: "manager (spring only)", name: "Jordan Lee", email: "pm@upward.example", password: scopedPassword))

        // Round-robin over departments, so pairs can cross departments and reporting chains.
        let juniors = Self.spread(
            try await Person.query(on: db).filter(\.$level <= 3).filter(\.$generation == Generation.genZ.rawValue)
                .filter(\.$terminationDate == nil).sort(\.$employeeID).all(), count: 26)
        let seniors = Self.spread(
            try await Person.query(on: db).filter(\.$level >= 11).filter(\.$chainDepth >= 1).sort(\.$employeeID).all(), count: 12)
        let manager = Viewer(admin)
        let programs = Programs(db: db, clock: clock)
        let invitations = Invitations(db: db, clock: clock, lifetime: accounts.environment.configuration.invitationLifetime)
        let enrollments = Enrollments(db: db, clock: clock)
        var random = SeededGenerator(seed: 7)

        // The pilot: invited, enrolled, trained, matched, approved and live.
        let pilot = try await programs.create(
            try ProgramSettings.validate(Self.settings(name: "Digital Leadership Pilot", pilot: true, today: clock.now)), by: manager)
        let livePeople = try await enrollAndMatch(
            pilot, mentors: Array(juniors.prefix(6)), mentees: Array(seniors.prefix(6)), by: manager, random: &random)
        // Print one live mentor and one live mentee.
        let live = try await Pair.query(on: db).filter(\.$program.$id == pilot.requireID()).filter(\.$status == Pair.Status.live.rawValue)
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt).first()
        if let live {
            for (person, password, role) in livePeople where person.id == live.mentor.$person.id || person.id == live.mentee.$person.id {
                credentials.append(Credential(role: "pilot \(role.rawValue) (live)", name: person.name, email: person.email, password: password))
            }
        }

        try await seedPairWork(pilot, manager: manager)

        // Last year's completed pilot, with its whole record: the outcomes report shows real shapes.
        let managers = Self.spread(
            try await Person.query(on: db).filter(\.$level >= 8).filter(\.$level <= 10).filter(\.$chainDepth >= 1).sort(\.$employeeID).all(), count: 10)
        try await seedCompletedProgram(mentors: Array(juniors.dropFirst(12).prefix(10)), mentees: managers, by: manager, random: &random)

        // The spring cohort: enrolling, with invitations out, some accepted, some enrollments in progress.
        let spring = try await programs.create(
            try ProgramSettings.validate(Self.settings(name: "Spring Cohort: AI and Social Media", pilot: false, today: clock.now)), by: manager)
        try await programs.addManager(spring, email: "pm@upward.example", by: manager)
        for module in Self.modules { _ = try await enrollments.addModule(module, to: spring, by: manager) }
        try await programs.transition(spring, to: .enrolling, by: manager)
        let springMentors = try await invitations.invite(juniors.dropFirst(6).prefix(6).compactMap(\.id), role: .mentor, to: spring, by: Viewer(scoped))
        let springMentees = try await invitations.invite(seniors.dropFirst(6).prefix(4).compactMap(\.id), role: .mentee, to: spring, by: Viewer(scoped))
        for (index, link) in (springMentors.links.prefix(3) + springMentees.links.prefix(2)).enumerated() {
            let role = link.participant.enrollmentRole
            let password = Self.generatePassword()
            let user = try await invitations.accept(token: link.token, password: password, name: nil, signedIn: nil, accounts: accounts)
            if index == 0 {
                credentials.append(Credential(role: "spring mentor (to enroll)", name: link.person.name, email: link.person.email, password: password))
                continue
            }
            try await enrollments.submit(Self.answers(role: role, using: &random), for: link.participant, in: spring, by: Viewer(user))
            if index.isMultiple(of: 2) { try await enrollments.agree(link.participant, in: spring, by: Viewer(user)) }
        }
        return credentials
    }

    /// Invites the people, accepts for them, enrolls, trains, agrees, runs the matching and approves it.
    func enrollAndMatch(_ program: Program, mentors: [Person], mentees: [Person], by manager: Viewer, random: inout SeededGenerator) async throws
        -> [(Person, String, Enrollment.Role)]
    {
        let programs = Programs(db: db, clock: clock)
        let invitations = Invitations(db: db, clock: clock, lifetime: accounts.environment.configuration.invitationLifetime)
        let enrollments = Enrollments(db: db, clock: clock)
        for module in Self.modules { _ = try await enrollments.addModule(module, to: program, by: manager) }
        try await programs.transition(program, to: .enrolling, by: manager)
        let mentorLinks = try await invitations.invite(mentors.compactMap(\.id), role: .mentor, to: program, by: manager)
        let menteeLinks = try await invitations.invite(mentees.compactMap(\.id), role: .mentee, to: program, by: manager)
        var people: [(Person, String, Enrollment.Role)] = []
        for (link, role) in mentorLinks.links.map({ ($0, Enrollment.Role.mentor) }) + menteeLinks.links.map({ ($0, Enrollment.Role.mentee) }) {
            let password = Self.generatePassword()
            let user = try await invitations.accept(token: link.token, password: password, name: nil, signedIn: nil, accounts: accounts)
            let viewer = Viewer(user)
            try await enrollments.submit(Self.answers(role: role, using: &random), for: link.participant, in: program, by: viewer)
            for module in try await enrollments.modules(of: program.requireID()) where module.moduleAudience.applies(to: role) {
                try await enrollments.completeModule(module.requireID(), for: link.participant, in: program, by: viewer)
            }
            try await enrollments.agree(link.participant, in: program, by: viewer)
            people.append((link.person, password, role))
        }
        try await programs.transition(program, to: .matching, by: manager)
        _ = try await Matchmaking(db: db, clock: clock).run(program, by: manager)
        _ = try await Matchmaking(db: db, clock: clock).approve(program, by: manager)
        return people
    }

    /// A pilot that ran from 230 to 40 days ago: a meeting every two weeks (most held), goals
    /// mostly achieved, baseline and final self-assessments that grew, an anonymous midpoint,
    /// ideas piloted and adopted, two published stories; then completed.
    func seedCompletedProgram(mentors: [Person], mentees: [Person], by manager: Viewer, random: inout SeededGenerator) async throws {
        let now = clock.now
        var input = Self.settings(name: "Autumn Pilot: Digital Tools for Leaders", pilot: true, today: now)
        input.description = "Last year's first cohort: ten junior colleagues and ten managers, every two weeks for six months. Completed."
        input.focusAreas = ["AI tools", "Collaboration tools", "Social media"]
        input.startsOn = Self.day(now, plus: -230)
        input.endsOn = Self.day(now, plus: -40)
        let program = try await Programs(db: db, clock: clock).create(try ProgramSettings.validate(input), by: manager)
        _ = try await enrollAndMatch(program, mentors: mentors, mentees: mentees, by: manager, random: &random)
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == program.requireID()).filter(\.$status == Pair.Status.live.rawValue)
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt).all()
        let start = now.addingTimeInterval(-223 * 86_400)
        let ideas = [
            (
                "A shared prompt library for the finance team", "Collect the prompts that worked in our sessions so every analyst can reuse them.",
                IdeaStatus.adopted
            ),
            ("Replace the weekly status email with a channel", "Leaders post three lines on Friday; everyone reads them in one place.", .piloted),
            ("Short video updates from the leadership team", "Two-minute phone videos instead of long memos, as the juniors suggested.", .piloted),
            ("Reverse mentoring for new managers", "Offer every newly promoted manager a junior mentor in their first quarter.", .proposed),
        ]
        for (index, pair) in pairs.enumerated() {
            guard let menteeUser = try await User.query(on: db).filter(\.$person.$id == pair.mentee.$person.id).first(),
                let mentorUser = try await User.query(on: db).filter(\.$person.$id == pair.mentor.$person.id).first()
            else { continue }
            let menteeContext = PairContext(pair: pair, program: program, me: pair.mentee)
            let mentorContext = PairContext(pair: pair, program: program, me: pair.mentor)
            // Thirteen fortnightly meetings; a few missed, the last ones of two pairs never logged.
            for step in 0..<13 {
                let meeting = Meeting()
                meeting.$pair.id = try pair.requireID()
                meeting.startsAt = start.addingTimeInterval(TimeInterval(step * 14) * 86_400 + TimeInterval(9 + index % 6) * 3600)
                meeting.durationMinutes = Meetings.defaultDuration
                meeting.timeZone = "UTC"
                meeting.location = "Video call"
                meeting.agenda = MeetingDraft.agendaTemplate(topics: [program.settings.focusAreas[step % 3]])
                let roll = Int.random(in: 0..<100, using: &random)
                let status: MeetingStatus = step > 10 && index % 5 == 3 ? .scheduled : (roll < 12 + index * 2 ? .missed : .held)
                meeting.status = status.rawValue
                meeting.summary = status == .held ? "Worked through \(program.settings.focusAreas[step % 3].lowercased()) with a real task." : nil
                meeting.sequence = 0
                meeting.createdAt = start
                meeting.updatedAt = meeting.startsAt
                meeting.reminderSentAt = meeting.startsAt
                meeting.unloggedSentAt = meeting.startsAt
                try await meeting.create(on: db)
            }
            for (owner, title, area) in [
                ("mentee", "Run a team meeting with a shared digital whiteboard", "Collaboration tools"),
                ("mentor", "Lead a cross-team workshop", nil as String?),
            ] {
                let goal = try await Goals(db: db, clock: clock).create(
                    GoalDraft.Input(
                        title: title, why: "Asked for in our first session", measure: "Done once, with feedback", focusArea: area, owner: owner,
                        milestones: [Milestone(title: "Plan it", done: true), Milestone(title: "Do it", done: index % 4 != 1)]),
                    in: owner == "mentee" ? menteeContext : mentorContext, by: Viewer(owner == "mentee" ? menteeUser : mentorUser))
                if index % 4 != 1 {
                    _ = try await Goals(db: db, clock: clock).update(
                        goal, with: GoalDraft.Input(status: GoalStatus.achieved.rawValue), in: owner == "mentee" ? menteeContext : mentorContext,
                        by: Viewer(owner == "mentee" ? menteeUser : mentorUser))
                }
            }
            if index < ideas.count {
                let (title, description, status) = ideas[index]
                let idea = try await Recognition(db: db, clock: clock).raiseIdea(
                    title: title, description: description, in: index % 2 == 0 ? mentorContext : menteeContext,
                    by: Viewer(index % 2 == 0 ? mentorUser : menteeUser))
                if status != .proposed {
                    _ = try await Recognition(db: db, clock: clock).setStatus(idea.requireID(), in: program, to: status.rawValue, by: manager)
                }
            }
            if index < 3 {
                let story = try await Recognition(db: db, clock: clock).writeStory(
                    nil, title: ["From memos to a team channel", "Teaching my director to prompt", "What a 24-year-old taught me about feedback"][index],
                    body: [
                        "We started with my inbox: 140 emails a day. Six months later the leadership team runs its Friday update in a channel, and I learned how decisions are really made.",
                        "Every second Tuesday we took one real task and did it with an AI assistant. The prompt library we built is now used by the whole finance team.",
                        "I expected to teach tools. I ended up learning how to give feedback upward, and my mentee started asking for it too.",
                    ][index], consent: true, in: mentorContext, by: Viewer(mentorUser))
                if index < 2 {
                    _ = try await Recognition(db: db, clock: clock).consent(story.requireID(), agree: true, in: menteeContext, by: Viewer(menteeUser))
                }
            }
        }
        // Baseline and final self-assessments (named), an anonymous midpoint.
        let surveys = SurveyService(db: db, clock: clock)
        let baseline = try await surveys.create(in: program, phase: SurveyPhase.baseline.rawValue, anonymous: false, audience: "both", by: manager)
        let midpoint = try await surveys.create(in: program, phase: SurveyPhase.midpoint.rawValue, anonymous: true, audience: "both", by: manager)
        let final = try await surveys.create(in: program, phase: SurveyPhase.final.rawValue, anonymous: false, audience: "both", by: manager)
        let participants = try await Participant.query(on: db).filter(\.$program.$id == program.requireID()).filter(\.$acceptedAt != nil).all()
        for (index, participant) in participants.enumerated() {
            var before: [String: String] = [:]
            var after: [String: String] = [:]
            for question in baseline.questions where question.skill != nil {
                let first = Int.random(in: 1...3, using: &random)
                // Each side grows most in what it came to learn.
                let learns = (participant.enrollmentRole == .mentee) == program.settings.focusAreas.contains(question.skill ?? "")
                let gain = learns ? Int.random(in: 0...2, using: &random) : Int.random(in: -1...1, using: &random)
                before[question.id] = String(first)
                after[question.id] = String(min(5, max(1, first + gain)))
            }
            before["hopes"] = "Learn from someone who sees work differently."
            try await surveys.answer(baseline, by: participant, raw: before)
            if index % 7 != 6 {
                try await surveys.answer(
                    midpoint, by: participant,
                    raw: [
                        "fit": String(Int.random(in: 3...5, using: &random)), "satisfaction": String(Int.random(in: 3...5, using: &random)),
                        "pace": ["As planned", "As planned", "Less than planned"][index % 3], "recommend": String(Int.random(in: 5...10, using: &random)),
                    ])
            }
            guard index % 10 != 9 else { continue }
            after["partnerGrowth"] = String(Int.random(in: 3...5, using: &random))
            after["satisfaction"] = String(Int.random(in: 2...5, using: &random) == 2 ? 3 : Int.random(in: 4...5, using: &random))
            after["recommend"] = String(Int.random(in: 6...10, using: &random))
            after["comments"] = ["The open time at the end of each session.", "Seeing my own habits through someone else's eyes.", "Prompting."][index % 3]
            try await surveys.answer(final, by: participant, raw: after)
        }
        try await Programs(db: db, clock: clock).transition(program, to: .completed, by: manager)
    }

    /// The pilot's pairs at work: goals with milestones, past meetings (held and missed) with
    /// summaries, the series ahead, shared and private notes, an open concern and a mentor circle.
    func seedPairWork(_ pilot: Program, manager: Viewer) async throws {
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == pilot.requireID()).filter(\.$status == Pair.Status.live.rawValue)
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt).all()
        let goals = Goals(db: db, clock: clock)
        let notes = Notes(db: db, clock: clock, sealer: accounts.environment.noteSealer)
        let now = clock.now
        let summaries = [
            ("Tried three AI assistants on a real board memo; compared drafts.", "Pick one assistant for the weekly report."),
            ("Walked through how the team uses shared channels instead of email.", "Set up a channel for the leadership team."),
        ]
        for (index, pair) in pairs.enumerated() {
            guard let menteeUser = try await User.query(on: db).filter(\.$person.$id == pair.mentee.$person.id).first(),
                let mentorUser = try await User.query(on: db).filter(\.$person.$id == pair.mentor.$person.id).first()
            else { continue }
            let menteeContext = PairContext(pair: pair, program: pilot, me: pair.mentee)
            let mentorContext = PairContext(pair: pair, program: pilot, me: pair.mentor)
            _ = try await goals.create(
                GoalDraft.Input(
                    title: "Use an AI assistant for my weekly reports", why: "Save time and understand what the team already does",
                    measure: "Three reports drafted with an assistant", targetDate: Self.day(now, plus: 40), focusArea: "AI tools", owner: "mentee",
                    milestones: [
                        Milestone(title: "Try three assistants", done: true), Milestone(title: "Pick one and set it up", done: index % 2 == 0),
                        Milestone(title: "Draft three reports", done: false),
                    ]), in: menteeContext, by: Viewer(menteeUser))
            _ = try await goals.create(
                GoalDraft.Input(
                    title: "Present to the leadership team", why: "Grow my executive communication", measure: "A ten-minute slot at the monthly review",
                    targetDate: Self.day(now, plus: 55), owner: "mentor",
                    milestones: [Milestone(title: "Outline the story", done: true), Milestone(title: "Rehearse with my mentee", done: false)]),
                in: mentorContext, by: Viewer(mentorUser))
            // Past meetings at the series' own time: two held, one missed.
            let upcoming = try await Meetings(db: db, clock: clock).list(pair: pair.requireID())
            let template = upcoming.first
            for (step, weeksAgo) in [6, 4, 2].enumerated() {
                let meeting = Meeting()
                meeting.$pair.id = try pair.requireID()
                meeting.startsAt = (template?.startsAt ?? now).addingTimeInterval(-TimeInterval(weeksAgo * 7 + 2) * 86_400)
                meeting.durationMinutes = template?.durationMinutes ?? Meetings.defaultDuration
                meeting.timeZone = template?.timeZone ?? "UTC"
                meeting.location = step == 0 ? "Coffee corner, 3rd floor" : "Video call"
                meeting.agenda = MeetingDraft.agendaTemplate(topics: step == 0 ? ["Getting to know each other", "Agree on your goals"] : ["AI tools"])
                let missed = step == 1 && index % 3 == 0
                meeting.status = (missed ? MeetingStatus.missed : .held).rawValue
                meeting.summary = missed ? "Clashed with a board meeting; rescheduled." : summaries[step % 2].0
                meeting.followUps = missed ? nil : summaries[step % 2].1
                meeting.sequence = 0
                meeting.createdAt = now.addingTimeInterval(-60 * 86_400)
                meeting.updatedAt = meeting.startsAt
                meeting.reminderSentAt = meeting.startsAt
                meeting.unloggedSentAt = meeting.startsAt
                try await meeting.create(on: db)
            }
            _ = try await notes.create(
                text: "Great session! Links from today: the prompt library and the team's channel guide.", visibility: "shared", in: mentorContext,
                by: Viewer(mentorUser))
            _ = try await notes.create(
                text: "Private: I still find it hard to admit what I don't know. Try asking more open questions next time.", visibility: "private",
                in: menteeContext, by: Viewer(menteeUser))
            if index == 1 {
                _ = try await Concerns(db: db, clock: clock).raise(
                    category: ConcernCategory.lostInterest.rawValue,
                    body: "My mentee has cancelled twice and seems distracted when we meet. I'd like advice on how to restart.", in: mentorContext,
                    by: Viewer(mentorUser))
            }
        }
        // Surveys: a named baseline everyone answered at enrollment, an anonymous midpoint most answered.
        let surveys = SurveyService(db: db, clock: clock)
        let baseline = try await surveys.create(in: pilot, phase: SurveyPhase.baseline.rawValue, anonymous: false, audience: "both", by: manager)
        let midpoint = try await surveys.create(in: pilot, phase: SurveyPhase.midpoint.rawValue, anonymous: true, audience: "both", by: manager)
        let participants = try await Participant.query(on: db).filter(\.$program.$id == pilot.requireID()).filter(\.$acceptedAt != nil).all()
        var random = SeededGenerator(seed: 42)
        for (index, participant) in participants.enumerated() {
            var answers: [String: String] = [:]
            for question in baseline.questions where question.kind == .likert { answers[question.id] = String(Int.random(in: 1...3, using: &random)) }
            answers["hopes"] = participant.enrollmentRole == .mentee ? "Use AI in my daily work without feeling lost." : "Learn how senior leaders think."
            try await surveys.answer(baseline, by: participant, raw: answers)
            guard index < participants.count - 1 else { continue }
            try await surveys.answer(
                midpoint, by: participant,
                raw: [
                    "fit": String(Int.random(in: 3...5, using: &random)), "satisfaction": String(Int.random(in: 3...5, using: &random)),
                    "pace": ["As planned", "As planned", "Less than planned"][index % 3], "recommend": String(Int.random(in: 6...10, using: &random)),
                    "comments": ["More time for open questions.", "Great format!", "Monthly would be enough for me."][index % 3],
                ])
        }
        var circle = MeetingDraft.Input()
        circle.start = Self.day(now, plus: 9) + "T16:00"
        circle.timeZone = "Europe/Berlin"
        circle.durationMinutes = 60
        circle.location = "Video call"
        _ = try await Circles(db: db, clock: clock).schedule(
            in: pilot, audience: "mentor", title: "Mentor circle: what's working", meeting: circle, by: manager)
    }

    /// The first `count` people taking one from each department in turn.
    static func spread(_ people: [Person], count: Int) -> [Person] {
        var byDepartment: [String: [Person]] = [:]
        var order: [String] = []
        for person in people {
            if byDepartment[person.department] == nil { order.append(person.department) }
            byDepartment[person.department, default: []].append(person)
        }
        var result: [Person] = []
        var round = 0
        while result.count < count, round < people.count {
            for department in order where result.count < count {
                if let list = byDepartment[department], round < list.count { result.append(list[round]) }
            }
            round += 1
        }
        return result
    }

    /// The day `days` from `date`, as a calendar date.
    static func day(_ date: Date, plus days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date.addingTimeInterval(TimeInterval(days) * 86_400))
    }

    /// The pilot runs from seven weeks ago to two months ahead; the spring cohort starts after it.
    static func settings(name: String, pilot: Bool, today: Date) -> ProgramSettings.Input {
        var input = ProgramSettings.Input()
        input.name = name
        input.description =
            pilot
            ? "Six junior colleagues coach six senior leaders on AI tools and digital collaboration, every two weeks for a quarter."
            : "The second cohort, open to more departments: AI, social media and how Gen Z works."
        input.focusAreas = pilot ? ["AI tools", "Digital collaboration tools"] : ["AI tools", "Social media", "How Gen Z and Millennials work"]
        input.cadenceDays = 14
        input.startsOn = pilot ? day(today, plus: -49) : day(today, plus: 70)
        input.endsOn = pilot ? day(today, plus: 63) : day(today, plus: 250)
        input.isPilot = pilot
        input.minimumLevelGap = 4
        input.maximumMenteesPerMentor = 1
        input.differentDepartmentOnly = false
        input.objective = "participation"
        input.selectionMode = "manager"
        return input
    }

    static let modules: [Enrollments.ModuleInput] = [
        .init(
            title: "What reverse mentoring is",
            content: """
                ## Both sides teach, both sides learn
                The junior colleague shares **digital skills** and a fresh view; the senior leader shares **leadership, strategy and context**.

                - Agree on goals in the first meeting
                - Keep a regular rhythm, with room for open talk
                - What is said in a session stays there

                Read more in the [program guide](https://upward.example/guide).
                """, audience: "both"),
        .init(
            title: "Mentoring a senior leader",
            content: """
                ## Speaking up
                You are the expert here. Bring examples from your own work, ask what your mentee wants to try, and give honest feedback.
                """, audience: "mentors"),
    ]

    static let skills = ["AI tools", "Social media", "Collaboration tools", "Data literacy", "Video editing", "Prompt writing"]
    static let growth = ["Leadership", "Strategic thinking", "Public speaking", "Negotiation", "Stakeholder management"]
    static let interests = ["music", "running", "cooking", "travel", "gaming", "photography", "books", "climate"]

    static func answers(role: Enrollment.Role, using random: inout SeededGenerator) -> EnrollmentForm.Input {
        var input = EnrollmentForm.Input()
        let teach = role == .mentor ? skills : growth
        let learn = role == .mentor ? growth : skills
        input.offers = teach.shuffled(using: &random).prefix(3).map { .init(skill: $0, level: Int.random(in: 3...5, using: &random)) }
        input.goals = learn.shuffled(using: &random).prefix(2).map {
            let current = Int.random(in: 0...2, using: &random)
            return .init(skill: $0, current: current, target: min(5, current + Int.random(in: 2...3, using: &random)))
        }
        input.interests = Array(interests.shuffled(using: &random).prefix(3))
        input.style = EnrollmentForm.styles.randomElement(using: &random)
        input.capacity = 1
        return input
    }

    /// 20 characters from an alphabet without look-alikes, from the system's secure generator.
    static func generatePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<20).map { _ in alphabet.randomElement(using: &generator)! }
        return stride(from: 0, to: 20, by: 5).map { String(characters[$0..<$0 + 5]) }.joined(separator: "-")
    }
}
