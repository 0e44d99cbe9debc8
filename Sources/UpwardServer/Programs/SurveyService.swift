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
        try await db.transaction { db in
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
            let mark = SurveyAnswered()
            mark.surveyID = try survey.requireID()
            mark.peopleJSON = "[]"
            try await mark.create(on: db)
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
        guard let pair = try await Pair.find(pairID, on: db) else { return false }
        return pair.$mentee.id == participant.id || pair.$mentor.id == participant.id
    }

    func answered(_ survey: Survey) async throws -> [String] {
        try await SurveyAnswered.query(on: db).filter(\.$surveyID == survey.requireID()).first()?.people ?? []
    }

    /// The open surveys a participant has not answered yet.
    func open(for participant: Participant) async throws -> [Survey] {
        let surveys = try await Survey.query(on: db).filter(\.$program.$id == participant.$program.id).filter(\.$closedAt == nil).sort(\.$createdAt).all()
        var result: [Survey] = []
        for survey in surveys where survey.includes(participant.enrollmentRole) {
            guard try await concerns(survey, participant) else { continue }
            if !(try await answered(survey).contains(participant.$person.id.uuidString)) { result.append(survey) }
        }
        return result
    }

    /// A survey the viewer may answer (an accepted participant of its program and audience), or 404.
    func forParticipant(_ id: UUID, viewer: Viewer) async throws -> (Survey, Participant) {
        let notFound = Abort(.notFound, reason: "No survey with id \(id.uuidString) is open to you.")
        guard let survey = try await Survey.find(id, on: db), let person = viewer.personID,
            let participant = try await Participant.query(on: db).filter(\.$program.$id == survey.$program.id).filter(\.$person.$id == person)
                .filter(\.$acceptedAt != nil).with(\.$person).first(),
            survey.includes(participant.enrollmentRole), try await concerns(survey, participant)
        else { throw notFound }
        return (survey, participant)
    }

    /// Stores one person's answers. Anonymous answers become counts and sorted comments only; the
    /// "answered" mark is a sorted list kept apart, so nothing links an answer to its person.
    func answer(_ survey: Survey, by participant: Participant, raw: [String: String]) async throws {
        guard survey.closedAt == nil else { throw Abort(.conflict, reason: "This survey is closed.") }
        let answers = try SurveyAnswers.validate(raw, questions: survey.questions)
        let surveyID = try survey.requireID()
        let person = participant.$person.id.uuidString
        try await db.transaction { db in
            let sql = try Outbox.sql(db)
            let lock = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
            // One mark row per survey, locked while it changes (SQLite has one writer anyway).
            _ = try await sql.raw("SELECT id FROM survey_answered WHERE survey_id = \(bind: surveyID)\(unsafeRaw: lock)").all()
            let mark = try await SurveyAnswered.query(on: db).filter(\.$surveyID == surveyID).first() ?? SurveyAnswered()
            var people = mark.people
            guard !people.contains(person) else { throw Abort(.conflict, reason: "You have already answered this survey.") }
            people.append(person)
            people.sort()
            mark.surveyID = surveyID
            mark.peopleJSON = JSONText.encode(people)
            try await mark.save(on: db)
            if survey.anonymous {
                for question in survey.questions {
                    guard let value = answers[question.id] else { continue }
                    if question.kind == .text {
                        let row =
                            try await SurveyComments.query(on: db).filter(\.$surveyID == surveyID).filter(\.$question == question.id).first()
                            ?? SurveyComments()
                        var comments: [String] = row.id == nil ? [] : (JSONText.decode(row.commentsJSON) ?? [])
                        comments.append(value)
                        comments.sort()
                        row.surveyID = surveyID
                        row.question = question.id
                        row.commentsJSON = JSONText.encode(comments)
                        try await row.save(on: db)
                    } else {
                        let tally = try await SurveyTally.query(on: db).filter(\.$surveyID == surveyID).filter(\.$question == question.id)
                            .filter(\.$value == value).first()
                        if let tally {
                            tally.count += 1
                            try await tally.save(on: db)
                        } else {
                            let fresh = SurveyTally()
                            fresh.surveyID = surveyID
                            fresh.question = question.id
                            fresh.value = value
                            fresh.count = 1
                            try await fresh.create(on: db)
                        }
                    }
                }
            } else {
                let response = SurveyResponse()
                response.$survey.id = surveyID
                response.$person.id = participant.$person.id
                response.role = participant.role
                response.answersJSON = JSONText.encode(answers)
                response.createdAt = clock.now
                try await response.create(on: db)
            }
        }
    }

    // MARK: - Results

    struct QuestionResult: Sendable {
        let question: SurveyQuestion
        let respondents: Int
        /// nil when under the threshold.
        let distribution: [(value: String, count: Int)]?
        let mean: Double?
        let netScore: Double?
        let comments: [String]?
    }

    /// Values per question, whoever answered: from tallies (anonymous) or responses (named).
    func values(_ survey: Survey) async throws -> [String: [String: Int]] {
        var values: [String: [String: Int]] = [:]
        if survey.anonymous {
            for tally in try await SurveyTally.query(on: db).filter(\.$surveyID == survey.requireID()).all() {
                values[tally.question, default: [:]][tally.value, default: 0] += tally.count
            }
        } else {
            for response in try await SurveyResponse.query(on: db).filter(\.$survey.$id == survey.requireID()).all() {
                for (question, value) in response.answers { values[question, default: [:]][value, default: 0] += 1 }
            }
        }
        return values
    }

    func results(_ survey: Survey) async throws -> [QuestionResult] {
        let values = try await values(survey)
        var comments: [String: [String]] = [:]
        if survey.anonymous {
            for row in try await SurveyComments.query(on: db).filter(\.$surveyID == survey.requireID()).all() {
                comments[row.question] = JSONText.decode(row.commentsJSON) ?? []
            }
        }
        return survey.questions.map { question in
            let counts = values[question.id] ?? [:]
            if question.kind == .text {
                let list = survey.anonymous ? (comments[question.id] ?? []) : counts.keys.sorted()
                let shown = rule.shows(respondents: list.count, comments: true)
                return QuestionResult(question: question, respondents: list.count, distribution: nil, mean: nil, netScore: nil, comments: shown ? list : nil)
            }
            let n = counts.values.reduce(0, +)
            guard rule.shows(respondents: n) else {
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

    /// Self-assessed growth per skill: named baseline and final answers of the same people.
    func skillChange(program: Program) async throws -> [(skill: String, summary: PrePostSummary?)] {
        let surveys = try await list(program: program.requireID()).filter { !$0.anonymous }
        guard let baseline = surveys.first(where: { $0.surveyPhase == .baseline }), let final = surveys.last(where: { $0.surveyPhase == .final }) else {
            return []
        }
        let before = Dictionary(
            try await SurveyResponse.query(on: db).filter(\.$survey.$id == baseline.requireID()).all().map { ($0.$person.id, $0.answers) },
            uniquingKeysWith: { a, _ in a })
        let after = try await SurveyResponse.query(on: db).filter(\.$survey.$id == final.requireID()).all()
        var result: [(skill: String, summary: PrePostSummary?)] = []
        var pooledBefore: [Double] = []
        var pooledAfter: [Double] = []
        for question in final.questions where question.skill != nil {
            guard let skill = question.skill, let earlier = baseline.questions.first(where: { $0.skill == skill }) else { continue }
            var b: [Double] = []
            var a: [Double] = []
            for response in after {
                guard let first = before[response.$person.id]?[earlier.id].flatMap(Double.init), let last = response.answers[question.id].flatMap(Double.init)
                else {
                    continue
                }
                b.append(first)
                a.append(last)
            }
            pooledBefore += b
            pooledAfter += a
            result.append((skill, rule.shows(respondents: b.count) ? PairedStatistics.summary(before: b, after: a) : nil))
        }
        if !pooledBefore.isEmpty {
            result.append(
                ("All skills", rule.shows(respondents: pooledBefore.count) ? PairedStatistics.summary(before: pooledBefore, after: pooledAfter) : nil))
        }
        return result
    }
}

extension Request {
    var surveys: SurveyService { SurveyService(db: db, clock: upward.clock) }
}
