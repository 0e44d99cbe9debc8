import Fluent
import Foundation
import UpwardCore
import Vapor

/// `upward demo --size large`: an organization of 10,333 people with three running programs and
/// 5,000 live pairs with goals, past meetings, notes and answered baseline surveys, for load tests.
///
/// Programs, matching, approval, going live (meeting series, notifications) and survey answers go
/// through the same services as the pages. Only what a person would do by hand before matching is
/// written in bulk: accepting the invitation (every participant account shares one password, hashed
/// once, since bcrypt per account would take minutes), the enrollment form, training and the code
/// of conduct; and the pairs' past weeks (goals, meetings held, notes).
struct LargeDemoSeeder {
    let db: any Database
    let accounts: Accounts

    var clock: any UpwardClock { accounts.environment.clock }

    struct Plan: Sendable {
        let name: String
        let pairs: Int
        let focusAreas: [String]
    }

    static let plans = [
        Plan(name: "Company-wide Reverse Mentoring", pairs: 2_500, focusAreas: ["AI tools", "Digital collaboration tools", "Social media"]),
        Plan(name: "AI for Leaders", pairs: 1_500, focusAreas: ["AI tools", "Data literacy"]),
        Plan(name: "Inclusive Leadership", pairs: 1_000, focusAreas: ["How Gen Z and Millennials work", "Diversity and inclusion"]),
    ]

    /// Seeds everything; `progress` hears one line per step with its time. With `tokensFile`, every
    /// participant also gets an API token, written there as `email,program_id,role,token` lines (mode 0600):
    /// load tests act as thousands of people without signing each one in.
    func seed(tokensFile: String? = nil, progress: @Sendable (String) -> Void) async throws -> [DemoSeeder.Credential] {
        var started = Date()
        func step(_ line: String) {
            progress(String(format: "  %@ (%.1f s)", line, Date().timeIntervalSince(started)))
            started = Date()
        }
        _ = try await PeopleDirectory(db: db).importPeople(PeopleFile(records: DemoOrganization.people(shape: .large)))
        step("10,333 people imported")
        var credentials: [DemoSeeder.Credential] = []
        let adminPassword = DemoSeeder.generatePassword()
        let admin = try await accounts.createUser(
            email: "admin@upward.example", name: "Morgan Reyes", password: adminPassword, role: .admin, organizationAdmin: true)
        credentials.append(.init(role: "program manager", name: "Morgan Reyes", email: "admin@upward.example", password: adminPassword))
        let participantPassword = DemoSeeder.generatePassword()
        let sharedHash = try await accounts.hasher.hash(participantPassword)
        let manager = Viewer(admin)

        let people = try await Person.query(on: db).filter(\.$terminationDate == nil).sort(\.$employeeID).all()
        var random = SeededGenerator(seed: 2027)
        let seniors = people.filter { $0.level >= 5 && $0.level <= 12 }.shuffled(using: &random)
        let juniors = people.filter { $0.level <= 4 }.shuffled(using: &random)
        var users: [UUID: UUID] = [:]  // person → user
        var juniorOffset = 0
        for (index, plan) in Self.plans.enumerated() {
            // Mentors are never reused across programs while there are juniors left; mentees (fewer seniors) are.
            let mentors = Array(juniors[juniorOffset..<min(juniors.count, juniorOffset + plan.pairs)])
            juniorOffset += plan.pairs
            let mentees = Array(seniors.shuffled(using: &random).prefix(plan.pairs))
            let program = try await enrolledProgram(
                plan, index: index, mentors: mentors, mentees: mentees, users: &users, hash: sharedHash, by: manager, random: &random)
            step("\(plan.name): \(mentors.count) mentors and \(mentees.count) mentees enrolled and trained")
            let run = try await Matchmaking(db: db, clock: clock).run(program, by: manager)
            step("\(plan.name): matching \(run.matched) pairs (solver \(String(format: "%.2f", run.solverSeconds)) s)")
            _ = try await Matchmaking(db: db, clock: clock).approve(program, by: manager)
            step("\(plan.name): approved; pairs live with their meeting series")
            try await pairHistory(program, random: &random)
            step("\(plan.name): goals, past meetings and notes")
            try await baselineAnswers(program, by: manager, random: &random)
            step("\(plan.name): baseline survey answered")
        }
        if let tokensFile { try await writeTokens(to: tokensFile, users: Array(users.values)) }
        // One live mentee and mentor to sign in as.
        let first = try await Pair.query(on: db).filter(\.$status == Pair.Status.live.rawValue).with(\.$mentee) { $0.with(\.$person) }
            .with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt).first()
        if let pair = first {
            for (participant, role) in [(pair.mentee, "mentee"), (pair.mentor, "mentor")] {
                credentials.append(.init(role: "\(role) (live)", name: participant.person.name, email: participant.person.email, password: participantPassword))
            }
        }
        credentials.append(.init(role: "every participant", name: "", email: "(any participant's email)", password: participantPassword))
        return credentials
    }

    /// Creates the program and its enrolled, trained participants, ready for matching.
    func enrolledProgram(
        _ plan: Plan, index: Int, mentors: [Person], mentees: [Person], users: inout [UUID: UUID], hash: String, by manager: Viewer,
        random: inout SeededGenerator
    ) async throws -> Program {
        let now = clock.now
        var input = DemoSeeder.settings(name: plan.name, pilot: false, today: now)
        input.description = "\(plan.pairs) pairs across every department, every two weeks for six months."
        input.focusAreas = plan.focusAreas
        input.startsOn = DemoSeeder.day(now, plus: -56 + 7 * index)
        input.endsOn = DemoSeeder.day(now, plus: 126 + 7 * index)
        input.minimumLevelGap = 1
        let programs = Programs(db: db, clock: clock)
        let program = try await programs.create(try ProgramSettings.validate(input), by: manager)
        let enrollments = Enrollments(db: db, clock: clock)
        for module in DemoSeeder.modules { _ = try await enrollments.addModule(module, to: program, by: manager) }
        try await programs.transition(program, to: .enrolling, by: manager)
        let modules = try await enrollments.modules(of: program.requireID())
        let programID = try program.requireID()
        let enrolledAt = now.addingTimeInterval(-70 * 86_400)

        var newUsers: [User] = []
        var participants: [Participant] = []
        var completions: [TrainingCompletion] = []
        for (person, role) in mentors.map({ ($0, Enrollment.Role.mentor) }) + mentees.map({ ($0, Enrollment.Role.mentee) }) {
            let personID = try person.requireID()
            let userID: UUID
            if let existing = users[personID] {
                userID = existing
            } else {
                userID = UUID()
                let user = User(id: userID, email: person.email, name: person.name, passwordHash: hash, role: .participant, personID: personID)
                newUsers.append(user)
                users[personID] = userID
            }
            let answers = try EnrollmentForm.validate(
                DemoSeeder.answers(role: role, using: &random), role: role, maximumCapacity: program.maximumMenteesPerMentor, knownEmployeeIDs: { _ in false })
            let participant = Participant()
            participant.id = UUID()
            participant.$program.id = programID
            participant.$person.id = personID
            participant.$user.id = userID
            participant.role = role.rawValue
            participant.invitedAt = enrolledAt
            participant.invitationExpiresAt = enrolledAt.addingTimeInterval(14 * 86_400)
            participant.acceptedAt = enrolledAt
            participant.answersJSON = JSONText.encode(answers)
            participant.enrolledAt = enrolledAt
            participant.agreedAt = enrolledAt
            participants.append(participant)
            for module in modules where module.moduleAudience.applies(to: role) {
                let completion = TrainingCompletion()
                completion.$participant.id = participant.id!
                completion.$module.id = try module.requireID()
                completion.completedAt = enrolledAt
                completions.append(completion)
            }
        }
        let (newUsersCopy, participantsCopy, completionsCopy) = (newUsers, participants, completions)
        try await db.writeTransaction { db in
            for chunk in newUsersCopy.chunks(of: 500) { try await chunk.create(on: db) }
            for chunk in participantsCopy.chunks(of: 500) { try await chunk.create(on: db) }
            for chunk in completionsCopy.chunks(of: 1000) { try await chunk.create(on: db) }
        }
        try await programs.transition(program, to: .matching, by: manager)
        return program
    }

    /// Six weeks of work for every live pair: two goals, three past meetings (one in four missed
    /// once), a shared note and, for every third pair, a private note sealed like any other.
    func pairHistory(_ program: Program, random: inout SeededGenerator) async throws {
        let now = clock.now
        let sealer = accounts.environment.noteSealer
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == program.requireID()).filter(\.$status == Pair.Status.live.rawValue)
            .with(\.$mentee).with(\.$mentor).all()
        let firstMeetings = try await Meeting.query(on: db).filter(\.$pair.$id ~~ pairs.compactMap(\.id)).sort(\.$startsAt).all()
        var template: [UUID: Meeting] = [:]
        for meeting in firstMeetings { if let id = meeting.$pair.id, template[id] == nil { template[id] = meeting } }
        var goals: [Goal] = []
        var meetings: [Meeting] = []
        var notes: [PairNote] = []
        let focus = program.settings.focusAreas
        for (index, pair) in pairs.enumerated() {
            let pairID = try pair.requireID()
            pair.liveAt = now.addingTimeInterval(-45 * 86_400)
            for (owner, title) in [("mentee", "Use \(focus[index % focus.count]) in my weekly work"), ("mentor", "Present to the leadership team")] {
                let goal = Goal()
                goal.$pair.id = pairID
                goal.owner = owner
                goal.title = title
                goal.why = "Agreed in our first meeting."
                goal.measure = "Three real examples shown to my partner"
                goal.targetDate = DemoSeeder.day(now, plus: 30 + index % 40)
                goal.focusArea = owner == "mentee" ? focus[index % focus.count] : nil
                let done = Int.random(in: 0...3, using: &random)
                goal.milestonesJSON = JSONText.encode((0..<3).map { Milestone(title: "Step \($0 + 1)", done: $0 < done) })
                goal.status = (done == 3 ? GoalStatus.achieved : .open).rawValue
                goal.createdAt = now.addingTimeInterval(-40 * 86_400)
                goal.updatedAt = now.addingTimeInterval(-TimeInterval(index % 20) * 86_400)
                goals.append(goal)
            }
            let base = template[pairID]
            for (step, weeksAgo) in [6, 4, 2].enumerated() {
                let meeting = Meeting()
                meeting.$pair.id = pairID
                meeting.startsAt = (base?.startsAt ?? now).addingTimeInterval(-TimeInterval(weeksAgo * 7 + 2) * 86_400)
                meeting.durationMinutes = base?.durationMinutes ?? Meetings.defaultDuration
                meeting.timeZone = base?.timeZone ?? "UTC"
                meeting.location = "Video call"
                meeting.agenda = MeetingDraft.agendaTemplate(
                    topics: step == 0 ? ["Getting to know each other", "Agree on your goals"] : [focus[step % focus.count]])
                let missed = step == 1 && index % 4 == 0
                meeting.status = (missed ? MeetingStatus.missed : .held).rawValue
                meeting.summary = missed ? "Clashed with another meeting; moved to next time." : "Worked through \(focus[step % focus.count]) on a real task."
                meeting.followUps = missed ? nil : "Try it before the next session."
                meeting.sequence = 0
                meeting.createdAt = now.addingTimeInterval(-45 * 86_400)
                meeting.updatedAt = meeting.startsAt
                meeting.reminderSentAt = meeting.startsAt
                meeting.unloggedSentAt = meeting.startsAt
                meetings.append(meeting)
            }
            let shared = PairNote()
            shared.$pair.id = pairID
            shared.$author.id = pair.mentor.$person.id
            shared.visibility = "shared"
            shared.body = "Links from our last session: the prompt guide and the team's channel etiquette."
            shared.createdAt = now.addingTimeInterval(-14 * 86_400)
            notes.append(shared)
            if index % 3 == 0 {
                let id = UUID()
                let author = pair.mentee.$person.id
                let note = PairNote()
                note.id = id
                note.$pair.id = pairID
                note.$author.id = author
                note.visibility = "private"
                note.body = try sealer.seal("Ask about how the team decides what to automate.", context: Notes.context(note: id, pair: pairID, author: author))
                note.createdAt = now.addingTimeInterval(-7 * 86_400)
                notes.append(note)
            }
        }
        let (goalsCopy, meetingsCopy, notesCopy) = (goals, meetings, notes)
        try await db.writeTransaction { db in
            for pair in pairs { try await pair.save(on: db) }
            for chunk in goalsCopy.chunks(of: 500) { try await chunk.create(on: db) }
            for chunk in meetingsCopy.chunks(of: 500) { try await chunk.create(on: db) }
            for chunk in notesCopy.chunks(of: 500) { try await chunk.create(on: db) }
        }
    }

    func writeTokens(to file: String, users ids: [UUID]) async throws {
        var secrets: [UUID: String] = [:]
        var tokens: [APIToken] = []
        for id in ids {
            let (token, secret) = APITokens.mint(for: id, name: "load test (demo)", at: clock.now)
            tokens.append(token)
            secrets[id] = secret
        }
        let copy = tokens
        try await db.writeTransaction { db in for chunk in copy.chunks(of: 500) { try await chunk.create(on: db) } }
        // One line per participant: a person in two programs has two lines and one token.
        let participants = try await Participant.query(on: db).filter(\.$user.$id ~~ ids).with(\.$program).with(\.$person).all()
        var lines = ["email,program_id,role,token"]
        for participant in participants.sorted(by: { ($0.person.email, $0.program.name) < ($1.person.email, $1.program.name) }) {
            guard let user = participant.$user.id, let secret = secrets[user] else { continue }
            lines.append("\(participant.person.email),\(participant.$program.id.text),\(participant.role),\(secret)")
        }
        guard FileManager.default.createFile(atPath: file, contents: Data((lines.joined(separator: "\n") + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else { throw CommandFailure("cannot write the tokens file \(file)") }
    }

    /// A named baseline survey; four in five participants answered it through the survey service.
    func baselineAnswers(_ program: Program, by manager: Viewer, random: inout SeededGenerator) async throws {
        let surveys = SurveyService(db: db, clock: clock)
        let baseline = try await surveys.create(in: program, phase: SurveyPhase.baseline.rawValue, anonymous: false, audience: "both", by: manager)
        let participants = try await Participant.query(on: db).filter(\.$program.$id == program.requireID()).all()
        for (index, participant) in participants.enumerated() where index % 5 != 4 {
            var answers: [String: String] = [:]
            for question in baseline.questions where question.kind == .likert { answers[question.id] = String(Int.random(in: 1...4, using: &random)) }
            try await surveys.answer(baseline, by: participant, raw: answers)
        }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (bulk inserts stay under the database's parameter limit).
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min(count, $0 + size)] }
    }
}
