import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Surveys: created from the phase templates, answered once per person, reported under the anonymity rule.
struct SurveyService {
    let db: any Database
    let clock: any UpwardClock
    var rule = AnonymityRule()

    func create(
        in program: Program, phase raw: String?, anonymous: Bool, audience rawAudience: String?, by viewer: Viewer?, pair: UUID? = nil, window: String? = nil
    ) async throws -> Survey {
        var check = FieldChecker()
        let phase = SurveyPhase(rawValue: raw ?? "")
        if phase == nil { check.add("phase", "must be baseline, midpoint, final or pulse") }
        let audience = rawAudience ?? "both"
        if !["both", "mentor", "mentee"].contains(audience) { check.add("audience", "must be both, mentor or mentee") }
        try check.finish()
        guard let phase else { throw ValidationFailure("phase", "must be baseline, midpoint, final or pulse") }
        let survey = Survey()
        survey.$program.id = try program.requireID()
        survey.phase = phase.rawValue
        survey.title = "\(phase.label) survey"
        survey.anonymous = anonymous
        survey.audience = audience
        survey.questionsJSON = JSONText.encode(SurveyTemplates.questions(phase, focusAreas: program.settings.focusAreas))
        survey.createdAt = clock.now
        survey.pairID = pair
        survey.window = window
        if let window { survey.title = "Pulse check-in (\(window.replacingOccurrences(of: "-", with: " ")))" }
        try await db.writeTransaction { db in
            try await survey.create(on: db)
            if anonymous {
                // Every count and comment list exists from the start, so no row's creation marks a first answer.
                let id = try survey.requireID()
                for question in survey.questions {
                    if question.kind == .text {
                        let row = SurveyComments()
                        row.surveyID = id
                        row.question = question.id
                        row.commentsJSON = "[]"
                        try await row.create(on: db)
                        continue
                    }
                    let values = question.kind == .likert ? (1...5).map(String.init) : question.kind == .scale ? (0...10).map(String.init) : question.options
                    for value in values {
                        let tally = SurveyTally()
                        tally.surveyID = id
                        tally.question = question.id
                        tally.value = value
                        tally.count = 0
                        try await tally.create(on: db)
                    }
                }
            }
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "survey.created", object: "survey", id: survey.id,
                detail: "\(phase.rawValue), \(anonymous ? "anonymous" : "named")")
        }
        return survey
    }

    /// The program's surveys (a pair's own pulses are left out).
    func list(program: UUID) async throws -> [Survey] {
        try await Survey.query(on: db).filter(\.$program.$id == program).filter(\.$pairID == nil).sort(\.$createdAt).all()
    }

    /// Whether the participant is one of the two people of a pair's pulse (always true for program surveys).
    func concerns(_ survey: Survey, _ participant: Participant) async throws -> Bool {
        guard let pairID = survey.pairID else { return true }
        guard let pair = try await Pair.fetch(pairID, on: db) else { return false }
        return pair.$mentee.id == participant.id || pair.$mentor.id == participant.id
    }

    /// How many people answered the survey.
    func answeredCount(_ survey: Survey) async throws -> Int {
        let row = try await db.sql().select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(CreateSurveyAnsweredPeople.schema).where("survey_id", .equal, survey.requireID()).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Whether the person answered the survey.
    func hasAnswered(_ survey: Survey, person: UUID) async throws -> Bool {
        try await db.sql().select().column("person_id").from(CreateSurveyAnsweredPeople.schema)
            .where("survey_id", .equal, survey.requireID()).where("person_id", .equal, person).limit(1).first() != nil
    }

    /// The open surveys a participant has not answered yet.
    ///
    /// Pair surveys (pulses) are asked of their own pair only: the program's surveys for everyone,
    /// and those of the participant's own pairs, are read, not every pair's (a program of 2,500
    /// pairs holds thousands of open pulses; reading each one's pair made a participant's program
    /// page 1,950 statements and 0.2 s).
    func open(for participant: Participant) async throws -> [Survey] {
        let participantID = try participant.requireID()
        let own = try await Pair.query(on: db).group(.or) { $0.filter(\.$mentee.$id == participantID).filter(\.$mentor.$id == participantID) }
            .all(\.$id)
        let surveys = try await Survey.query(on: db).filter(\.$program.$id == participant.$program.id).filter(\.$closedAt == nil)
            .group(.or) { scope in
                scope.filter(\.$pairID == nil)
                if !own.isEmpty { scope.filter(\.$pairID ~~ own) }
            }
            .sort(\.$createdAt).all()
        // The query keeps only this participant's own pairs' pulses: no pair is read again here.
        var result: [Survey] = []
        for survey in surveys where survey.includes(participant.enrollmentRole) {
            if !(try await hasAnswered(survey, person: participant.$person.id)) { result.append(survey) }
        }
        return result
    }

    /// A survey the viewer may answer (an accepted participant of its program and audience), or 404.
    func forParticipant(_ id: UUID, viewer: Viewer) async throws -> (Survey, Participant) {
        let notFound = Abort(.notFound, reason: "No survey with id \(id.text) is open to you.")
        guard let survey = try await Survey.fetch(id, on: db), let person = viewer.personID,
            let participant = try await acceptedParticipant(program: survey.$program.id, person: person),
            survey.includes(participant.enrollmentRole), try await concerns(survey, participant)
        else { throw notFound }
        return (survey, participant)
    }

    /// A person's accepted place in a program, with the person loaded, in one plain query.
    private func acceptedParticipant(program: UUID, person: UUID) async throws -> Participant? {
        let query: SQLQueryString = """
            SELECT \(unsafeRaw: Self.participantColumns) FROM participants pa JOIN people pe ON pe.id = pa.person_id
            WHERE pa.program_id = \(bind: program) AND pa.person_id = \(bind: person) AND pa.accepted_at IS NOT NULL LIMIT 1
            """
        guard let row = try await db.sql().raw(query).first() else { return nil }
        let participant: Participant = try PrefixedOutput.model(row, "pa_")
        participant.$person.value = try PrefixedOutput.model(row, "pe_") as Person
        return participant
    }

    private static let participantColumns = PrefixedOutput.columns(Participant.self, "pa") + ", " + PrefixedOutput.columns(Person.self, "pe")

    /// Stores one person's answers. Anonymous answers become counts and sorted comments only; the
    /// "answered" mark is a row of (survey, person) kept apart, so nothing links an answer to its person.
    func answer(_ survey: Survey, by participant: Participant, raw: [String: String]) async throws {
        guard survey.closedAt == nil else { throw Abort(.conflict, reason: "This survey is closed.") }
        let answers = try SurveyAnswers.validate(raw, questions: survey.questions)
        let surveyID = try survey.requireID()
        try await db.writeTransaction { db in
            let sql = try db.sql()
            // The mark's key takes one answer per person; a second (or a concurrent twin) inserts nothing.
            let marked = try await sql.insert(into: CreateSurveyAnsweredPeople.schema).columns("survey_id", "person_id")
                .values(SQLBind(surveyID), SQLBind(participant.$person.id)).ignoringConflicts(with: ["survey_id", "person_id"])
                .returning("person_id").all()
            guard !marked.isEmpty else { throw Abort(.conflict, reason: "You have already answered this survey.") }
            if survey.anonymous {
                // Without a shared lock, answers to one survey run side by side on PostgreSQL: counts
                // go up in one statement each, and a comment list is locked while it changes.
                let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
                for question in survey.questions {
                    guard let value = answers[question.id] else { continue }
                    if question.kind == .text {
                        struct Comments: Decodable {
                            let id: UUID
                            let comments: String
                        }
                        try await sql.insert(into: SurveyComments.schema).columns("id", "survey_id", "question", "comments")
                            .values(SQLBind(UUID()), SQLBind(surveyID), SQLBind(question.id), SQLBind("[]"))
                            .ignoringConflicts(with: ["survey_id", "question"]).run()
                        let row = try await sql.raw(
                            "SELECT id, comments FROM \(ident: SurveyComments.schema) WHERE survey_id = \(bind: surveyID) AND question = \(bind: question.id)\(unsafeRaw: lock)"
                        ).first(decoding: Comments.self)
                        guard let row else { continue }
                        var comments: [String] = JSONText.decode(row.comments) ?? []
                        comments.append(value)
                        comments.sort()
                        try await sql.update(SurveyComments.schema).set("comments", to: JSONText.encode(comments)).where("id", .equal, row.id).run()
                    } else {
                        try await sql.insert(into: SurveyTally.schema).columns("id", "survey_id", "question", "value", "count")
                            .values(SQLBind(UUID()), SQLBind(surveyID), SQLBind(question.id), SQLBind(value), SQLBind(0))
                            .ignoringConflicts(with: ["survey_id", "question", "value"]).run()
                        try await sql.update(SurveyTally.schema).set("count", to: SQLBinaryExpression(SQLColumn("count"), .add, SQLLiteral.numeric("1")))
                            .where("survey_id", .equal, surveyID).where("question", .equal, question.id).where("value", .equal, value).run()
                    }
                }
            } else {
                // A plain INSERT, not a model's create, as for notes (``Notes/create(text:visibility:in:by:)``).
                try await sql.raw(
                    """
                    INSERT INTO survey_responses (id, survey_id, person_id, role, answers, created_at)
                    VALUES (\(bind: UUID()), \(bind: surveyID), \(bind: participant.$person.id), \(bind: participant.role),
                      \(bind: JSONText.encode(answers)), \(bind: clock.now))
                    """
                ).run()
            }
        }
    }

    // MARK: - Results

    /// A survey of a program the viewer manages, and how many people it was sent to.
    func managed(_ id: UUID, by viewer: Viewer) async throws -> (survey: Survey, program: Program, invited: Int) {
        guard let survey = try await Survey.fetch(id, on: db), let program = try await Program.fetch(survey.$program.id, on: db),
            try await Programs(db: db, clock: clock).manages(program, viewer)
        else { throw Abort(.notFound, reason: "No survey with id \(id.text) is visible to you.") }
        // Counted by role in the database (a program may have thousands of participants).
        struct Count: SQLRowReadable {
            let role: String
            let n: Int
            init(row: some SQLRow) throws {
                role = try row.read("role")
                n = try row.read("n")
            }
        }
        let counts = try await db.sql().raw(
            "SELECT role, COUNT(*) AS n FROM participants WHERE program_id = \(bind: program.requireID()) AND accepted_at IS NOT NULL GROUP BY role"
        ).all(reading: Count.self)
        let invited = counts.filter { survey.includes(Enrollment.Role(rawValue: $0.role) ?? .mentee) }.map(\.n).reduce(0, +)
        return (survey, program, invited)
    }

    struct QuestionResult: Sendable {
        let question: SurveyQuestion
        let respondents: Int
        /// nil when under the threshold.
        let distribution: [(value: String, count: Int)]?
        let mean: Double?
        let netScore: Double?
        let comments: [String]?
    }

    /// A breakdown of named answers by side and department; anonymous answers carry neither, by design
    /// (in a small department the department would be the person).
    struct Breakdown: Sendable, Equatable {
        var side: String?
        var department: String?

        init(side: String? = nil, department: String? = nil) throws {
            func trimmed(_ value: String?) -> String? {
                guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
                return value
            }
            let side = trimmed(side)
            let department = trimmed(department)
            // Query values: a wrong one is a bad request (400) naming the parameter.
            if let side, !["mentee", "mentor"].contains(side) {
                throw Abort(.badRequest, reason: "side: \"\(side.prefix(40))\" must be mentee or mentor (or left out for both)")
            }
            if let department, department.count > 200 { throw Abort(.badRequest, reason: "department: must be at most 200 characters") }
            self.side = side
            self.department = department
        }

        /// Whether a cell (side, department) is inside the breakdown.
        func includes(_ cell: [String]) -> Bool { zip(cell, filter).allSatisfy { $1 == nil || $0 == $1 } }

        var isEmpty: Bool { side == nil && department == nil }
        var filter: [String?] { [side, department] }
    }

    /// One named answer set with the cell it falls in (side, department).
    private struct Answered {
        let person: UUID
        let cell: [String]
        let answers: [String: String]
    }

    /// Each named answer set with its person's side and department, read as plain rows (a program's
    /// survey may hold thousands: as models with their people, 0.3 s of the results page).
    private func named(_ survey: Survey) async throws -> [Answered] {
        struct Row: SQLRowReadable {
            let person_id: UUID
            let role: String
            let department: String
            let answers: String
            init(row: some SQLRow) throws {
                person_id = try row.read("person_id")
                role = try row.read("role")
                department = try row.read("department")
                answers = try row.read("answers")
            }
        }
        return try await db.sql().raw(
            """
            SELECT r.person_id, r.role, pe.department, r.answers FROM survey_responses r JOIN people pe ON pe.id = r.person_id
            WHERE r.survey_id = \(bind: survey.requireID())
            """
        ).all(reading: Row.self).map {
            Answered(person: $0.person_id, cell: [$0.role, $0.department], answers: JSONText.decode($0.answers) ?? [:])
        }
    }

    /// Departments that appear among a survey's named answers, for the breakdown's choices.
    func departments(_ survey: Survey) async throws -> [String] {
        struct Row: SQLRowReadable {
            let department: String
            init(row: some SQLRow) throws { department = try row.read("department") }
        }
        guard !survey.anonymous else { return [] }
        return try await db.sql().raw(
            """
            SELECT DISTINCT pe.department FROM survey_responses r JOIN people pe ON pe.id = r.person_id
            WHERE r.survey_id = \(bind: survey.requireID())
            """
        ).all(reading: Row.self).map(\.department).sorted()
    }

    /// Results per question under the anonymity rule. With a breakdown, a question's figures show
    /// only when the chosen cells reach the threshold together and no sum or difference of the
    /// views on offer can single out a smaller group (``AnonymityRule/views(_:comments:)``).
    func results(_ survey: Survey, breakdown: Breakdown? = nil) async throws -> [QuestionResult] {
        let breakdown = try breakdown ?? Breakdown()
        if survey.anonymous && !breakdown.isEmpty {
            throw Abort(.conflict, reason: "An anonymous survey cannot be broken down by side or department: its answers carry neither.")
        }
        var tallies: [String: [String: Int]] = [:]
        var comments: [String: [String]] = [:]
        var answered: [Answered] = []
        if survey.anonymous {
            for tally in try await SurveyTally.query(on: db).filter(\.$surveyID == survey.requireID()).all() {
                tallies[tally.question, default: [:]][tally.value, default: 0] += tally.count
            }
            for row in try await SurveyComments.query(on: db).filter(\.$surveyID == survey.requireID()).all() {
                comments[row.question] = JSONText.decode(row.commentsJSON) ?? []
            }
        } else {
            answered = try await named(survey)
        }
        return survey.questions.map { question in
            let text = question.kind == .text
            // Respondents per cell for this question, and the values of the cells the breakdown selects.
            var cells: [[String]: Int] = [:]
            var counts: [String: Int] = [:]
            var list: [String] = []
            if survey.anonymous {
                list = comments[question.id] ?? []
                counts = tallies[question.id] ?? [:]
                cells[["", ""]] = text ? list.count : counts.values.reduce(0, +)
            } else {
                for item in answered {
                    guard let value = item.answers[question.id] else { continue }
                    cells[item.cell, default: 0] += 1
                    guard breakdown.includes(item.cell) else { continue }
                    if text { list.append(value) } else { counts[value, default: 0] += 1 }
                }
                list.sort()
            }
            let views = rule.views(cells, comments: text)
            let shown = views.shows(breakdown.filter)
            let n = views.respondents(breakdown.filter)
            if text {
                return QuestionResult(question: question, respondents: n, distribution: nil, mean: nil, netScore: nil, comments: shown ? list : nil)
            }
            guard shown else {
                return QuestionResult(question: question, respondents: n, distribution: nil, mean: nil, netScore: nil, comments: nil)
            }
            let ordered: [(value: String, count: Int)]
            switch question.kind {
            case .likert: ordered = (1...5).map { (String($0), counts[String($0)] ?? 0) }
            case .scale: ordered = (0...10).map { (String($0), counts[String($0)] ?? 0) }
            default: ordered = question.options.map { ($0, counts[$0] ?? 0) }
            }
            let numbers = counts.flatMap { value, count in Array(repeating: Int(value) ?? 0, count: count) }
            let mean = question.kind == .likert ? Double(numbers.reduce(0, +)) / Double(max(1, numbers.count)) : nil
            let net = question.kind == .scale ? PairedStatistics.netScore(numbers) : nil
            return QuestionResult(question: question, respondents: n, distribution: ordered, mean: mean, netScore: net, comments: nil)
        }
    }

    /// Self-assessed growth per skill: named baseline and final answers of the same people, for the
    /// breakdown's cells, under the same rule as the results.
    func skillChange(program: Program, breakdown: Breakdown? = nil) async throws -> [(skill: String, summary: PrePostSummary?)] {
        let breakdown = try breakdown ?? Breakdown()
        let surveys = try await list(program: program.requireID()).filter { !$0.anonymous }
        guard let baseline = surveys.first(where: { $0.surveyPhase == .baseline }), let final = surveys.last(where: { $0.surveyPhase == .final }) else {
            return []
        }
        let before = Dictionary(try await named(baseline).map { ($0.person, $0.answers) }, uniquingKeysWith: { a, _ in a })
        let after = try await named(final)
        var result: [(skill: String, summary: PrePostSummary?)] = []
        // Pooled over skills, a person counts once.
        var pooled: (before: [Double], after: [Double], people: [[String]: Set<UUID>]) = ([], [], [:])
        for question in final.questions where question.skill != nil {
            guard let skill = question.skill, let earlier = baseline.questions.first(where: { $0.skill == skill }) else { continue }
            var b: [Double] = []
            var a: [Double] = []
            var cells: [[String]: Int] = [:]
            for item in after {
                guard let first = before[item.person]?[earlier.id].flatMap(Double.init), let last = item.answers[question.id].flatMap(Double.init) else {
                    continue
                }
                cells[item.cell, default: 0] += 1
                pooled.people[item.cell, default: []].insert(item.person)
                guard breakdown.includes(item.cell) else { continue }
                b.append(first)
                a.append(last)
            }
            pooled.before += b
            pooled.after += a
            let shown = !b.isEmpty && rule.views(cells).shows(breakdown.filter)
            result.append((skill, shown ? PairedStatistics.summary(before: b, after: a) : nil))
        }
        if !pooled.people.isEmpty {
            let shown = !pooled.before.isEmpty && rule.views(pooled.people.mapValues(\.count)).shows(breakdown.filter)
            result.append(("All skills", shown ? PairedStatistics.summary(before: pooled.before, after: pooled.after) : nil))
        }
        return result
    }
}

extension Request {
    var surveys: SurveyService { SurveyService(db: database, clock: upward.clock, rule: upward.configuration.anonymity) }
}
