import Fluent
import Foundation
import SQLKit
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

extension AppTests {
    @Suite("Surveys")
    struct SurveyTests {
        static let everyone = ["S1", "S2", "S3", "J1", "J2", "J3", "J4"]

        @Test("an anonymous survey keeps only counts and sorted comments; the answered mark is apart; small groups are hidden")
        func anonymous() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let manager = try await world.signIn(manager: world.managerA)
                _ = try await manager.get(SitePath.program(world.programA.id!))
                let created = try await manager.post(
                    SiteRoute.surveyCreate.path(world.programA.id!.uuidString), form: ["phase": "midpoint", "anonymous": "on"])
                #expect(created.status == .seeOther)
                let survey = try #require(try await Survey.query(on: app.db).first())
                #expect(survey.anonymous)
                for (index, id) in Self.everyone.enumerated() {
                    let browser = try await world.signIn(id)
                    let program = try await browser.get(SitePath.program(world.programA.id!))
                    #expect(program.body.string.contains("Surveys for you"))
                    let form = try await browser.get(SiteRoute.survey.path(survey.id!.uuidString))
                    #expect(form.status == .ok)
                    let sent = try await browser.post(
                        SiteRoute.surveyAnswer.path(survey.id!.uuidString),
                        form: [
                            "fit": "\(index % 5 + 1)", "satisfaction": "4", "pace": "As planned", "recommend": "\(index + 4)", "comments": "comment from \(id)",
                        ])
                    #expect(sent.status == .seeOther, "\(id)")
                    if index == 0 {
                        _ = try await browser.get(SiteRoute.survey.path(survey.id!.uuidString))
                        let again = try await browser.post(SiteRoute.surveyAnswer.path(survey.id!.uuidString), form: ["fit": "1"])
                        #expect(again.status == .conflict)
                        _ = try await browser.get(SiteRoute.survey.path(survey.id!.uuidString))
                    }
                }
                // Nothing links an answer to a person.
                #expect(try await SurveyResponse.query(on: app.db).count() == 0)
                let tallies = try await SurveyTally.query(on: app.db).filter(\.$surveyID == survey.id!).all()
                #expect(tallies.filter { $0.question == "satisfaction" && $0.value == "4" }.first?.count == 7)
                #expect(tallies.map(\.count).reduce(0, +) == 7 * 4)
                let comments: [String] = JSONText.decode(try #require(try await SurveyComments.query(on: app.db).first()).commentsJSON) ?? []
                #expect(comments == comments.sorted() && comments.count == 7)
                // The marks say who answered, and nothing more: two columns, no time, no answer.
                #expect(try await SurveyService(db: app.db, clock: app.upward.clock).answeredCount(survey) == 7)
                let mark = try #require(try await (app.db as! any SQLDatabase).raw("SELECT * FROM survey_answered_people").first())
                #expect(Set(mark.allColumns) == ["survey_id", "person_id"])
                let personIDs = Set(try await Person.query(on: app.db).all().map { $0.id!.uuidString })
                for row in tallies { #expect(!personIDs.contains(row.value)) }
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "survey.answered").count() == 0)
                // Results: 7 answers show, comments (under 10) do not.
                let results = try await manager.get(SiteRoute.surveyResults.path(survey.id!.uuidString))
                #expect(results.status == .ok)
                #expect(results.body.string.contains("7 of 7 answered"))
                #expect(results.body.string.contains("mean 4.00 of 5"))
                #expect(results.body.string.contains("Too few answers to show"))
                #expect(!results.body.string.contains("comment from"))
                // A mentee-only survey with three mentees shows nothing.
                _ = try await manager.get(SitePath.program(world.programA.id!))
                _ = try await manager.post(
                    SiteRoute.surveyCreate.path(world.programA.id!.uuidString), form: ["phase": "pulse", "audience": "mentee", "anonymous": "on"])
                let pulse = try #require(try await Survey.query(on: app.db).filter(\.$phase == "pulse").first())
                for id in ["S1", "S2", "S3"] {
                    let browser = try await world.signIn(id)
                    _ = try await browser.get(SiteRoute.survey.path(pulse.id!.uuidString))
                    #expect(try await browser.post(SiteRoute.surveyAnswer.path(pulse.id!.uuidString), form: ["fit": "2"]).status == .seeOther)
                }
                let small = try await manager.get(SiteRoute.surveyResults.path(pulse.id!.uuidString)).body.string
                #expect(small.contains("Too few answers to show") && !small.contains("mean 2.00"))
                // Only the mentees were asked: three of the program's seven.
                #expect(small.contains("3 of 3 answered"))
                // Mentors are not asked; other people get 404; participants cannot read results; bad answers are named.
                let mentor = try await world.signIn("J1")
                #expect(try await mentor.get(SiteRoute.survey.path(pulse.id!.uuidString)).status == .notFound)
                #expect(try await mentor.get(SiteRoute.surveyResults.path(survey.id!.uuidString)).status == .forbidden)
                let otherManager = try await world.signIn(manager: world.managerB)
                #expect(try await otherManager.get(SiteRoute.surveyResults.path(survey.id!.uuidString)).status == .notFound)
                _ = try await manager.get(SitePath.program(world.programA.id!))
                _ = try await manager.post(SiteRoute.surveyCreate.path(world.programA.id!.uuidString), form: ["phase": "baseline"])
                let baseline = try #require(try await Survey.query(on: app.db).filter(\.$phase == "baseline").first())
                _ = try await mentor.get(SiteRoute.survey.path(baseline.id!.uuidString))
                let bad = try await mentor.post(SiteRoute.surveyAnswer.path(baseline.id!.uuidString), form: ["skill0": "9", "nonsense": "x"])
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.body.string.contains("skill0") && bad.body.string.contains("nonsense"))
                #expect(try await SurveyResponse.query(on: app.db).count() == 0)
            }
        }

        @Test("a raised threshold hides what the default would show; a lowered one is refused at start-up")
        func raisedThreshold() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring), configure: { $0.anonymity = AnonymityRule(minimum: 8) }) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let service = SurveyService(db: app.db, clock: world.clock, rule: app.upward.configuration.anonymity)
                let survey = try await service.create(in: world.programA, phase: "midpoint", anonymous: true, audience: "both", by: Viewer(world.managerA))
                for id in Self.everyone { try await service.answer(survey, by: world.participants[id]!, raw: ["satisfaction": "4"]) }
                let token = try await world.token(world.managerA)
                let results = try await world.api(.GET, "/api/v1/surveys/\(survey.id!)/results", token: token).content.decode(APIModel.SurveyResultsOut.self)
                // Seven answers: shown under the default of five, hidden under eight.
                #expect(results.questions.first { $0.id == "satisfaction" }.map { $0.hidden && $0.respondents == 7 } == true)
                let page = try await (try await world.signIn(manager: world.managerA)).get(SiteRoute.dashboard.path(world.programA.id!.uuidString))
                #expect(page.body.string.contains("figures under 8 answers are not shown"))
            }
            #expect(throws: (any Error).self) { try UpwardConfiguration.from(environment: ["UPWARD_ANONYMITY_MIN": "3"]) }
            #expect(try UpwardConfiguration.from(environment: ["UPWARD_ANONYMITY_MIN": "7"]).anonymity.minimum == 7)
        }

        @Test("named baseline and final answers of the same people give each skill's change with scipy's statistics")
        func growth() async throws {
            try await withUpward(clock: FixedClock(ProgramWorld.spring)) { app in
                let world = try await ProgramWorld.make(app, clock: app.upward.clock as! FixedClock)
                let service = SurveyService(db: app.db, clock: world.clock)
                let viewer = Viewer(world.managerA)
                let baseline = try await service.create(in: world.programA, phase: "baseline", anonymous: false, audience: "both", by: viewer)
                let final = try await service.create(in: world.programA, phase: "final", anonymous: false, audience: "both", by: viewer)
                let before = [1, 2, 2, 3, 1, 2, 3]
                let after = [3, 3, 2, 4, 3, 4, 3]
                for (index, id) in Self.everyone.enumerated() {
                    let participant = world.participants[id]!
                    try await service.answer(baseline, by: participant, raw: ["skill0": "\(before[index])"])
                    try await service.answer(final, by: participant, raw: ["skill0": "\(after[index])", "recommend": "9"])
                }
                let change = try await service.skillChange(program: world.programA)
                let ai = try #require(change.first { $0.skill == "AI tools" }?.summary)
                let expected = PairedStatistics.summary(before: before.map(Double.init), after: after.map(Double.init))
                #expect(ai == expected)
                #expect(ai.n == 7 && abs(ai.meanChange - 8.0 / 7.0) < 1e-12)
                // Skills nobody rated are hidden, not shown as zero.
                #expect(change.first { $0.skill == "Communication" }?.summary == nil)
                let page = try await (try await world.signIn(manager: world.managerA)).get(SiteRoute.surveyResults.path(final.id!.uuidString)).body.string
                #expect(page.contains("Self-assessed growth") && page.contains("1.14"))
                // The outcomes report: charts as SVG with their numbers, the same figures as CSV, nothing under five shown.
                _ = try await world.goLive()
                let manager = try await world.signIn(manager: world.managerA)
                let report = try await manager.get(SiteRoute.dashboard.path(world.programA.id!.uuidString))
                #expect(report.status == .ok)
                let html = report.body.string
                #expect(html.contains("<svg class=\"chart\"") && html.contains("Participation funnel") && html.contains("Mean change per skill"))
                #expect(html.contains("too few answers to show"))
                let csv = try await manager.get(SiteRoute.dashboard.path(world.programA.id!.uuidString) + "?format=csv")
                #expect(csv.headers.contentType?.description.hasPrefix("text/csv") == true)
                let lines = csv.body.string.components(separatedBy: "\r\n")
                #expect(lines.first == "section,label,value")
                #expect(lines.contains("\"Participation\",\"Invited\",\"7\""))
                #expect(lines.contains("\"Participation\",\"Active\",\"6\""))
                #expect(lines.contains { $0.hasPrefix("\"Growth\",\"AI tools\",\"change 1.14") })
                #expect(lines.contains("\"Growth\",\"Communication\",\"too few answers to show\""))
                // Four junior mentors are too few to compare.
                #expect(lines.contains("\"Retention\",\"mentors still employed\",\"too few people to show\""))
                #expect(try await manager.get(SiteRoute.dashboard.path(world.programA.id!.uuidString) + "?format=pdf").status == .badRequest)
                // The same through the API.
                let token = try await world.token(world.managerA)
                let outcomes = try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/outcomes", token: token)
                #expect(try outcomes.content.decode([DashboardPages.Figure].self).contains { $0.label == "Invited" && $0.value == "7" })
                let results = try await world.api(.GET, "/api/v1/surveys/\(final.id!)/results", token: token)
                let decoded = try results.content.decode(APIModel.SurveyResultsOut.self)
                #expect(decoded.skills.first { $0.skill == "AI tools" }?.meanChange == ai.meanChange)
                #expect(decoded.skills.first { $0.skill == "Communication" }?.hidden == true)
                // A breakdown must reach the threshold on its own: seven answered, but only four mentors.
                #expect(decoded.questions.first { $0.id == "recommend" }?.hidden == false)
                let mentors = try await world.api(.GET, "/api/v1/surveys/\(final.id!)/results?side=mentor", token: token)
                    .content.decode(APIModel.SurveyResultsOut.self)
                #expect(mentors.questions.first { $0.id == "recommend" }.map { $0.hidden && $0.respondents == 4 } == true)
                #expect(mentors.skills.allSatisfy { $0.hidden })
                #expect(try await world.api(.GET, "/api/v1/surveys/\(final.id!)/results?side=senior", token: token).status == .badRequest)
                let filtered = try await manager.get(SiteRoute.surveyResults.path(final.id!.uuidString) + "?side=mentee&department=Sales").body.string
                #expect(filtered.contains("<option value=\"mentee\" selected>") && filtered.contains("Too few answers to show."))
                // The department choices: those of the people who answered, each once, in order.
                let offered = filtered.matches(of: /<option(?: selected)?>([^<]+)<\/option>/).map { String($0.output.1) }
                let answering = try await SurveyResponse.query(on: app.db).filter(\.$survey.$id == final.id!).with(\.$person).all()
                #expect(offered == Set(answering.map(\.person.department)).sorted() && offered.contains("Sales"))
                #expect(filtered.contains("<option selected>Sales</option>"))
                let pulse = try await world.api(
                    .POST, "/api/v1/programs/\(world.programA.id!)/surveys", token: token, json: #"{"phase":"pulse","anonymous":true}"#)
                #expect(pulse.status == .created)
                let pulseID = try pulse.content.decode(APIModel.SurveyOut.self).id
                let mentorToken = try await world.token(world.users["J2"]!)
                let open = try await world.api(.GET, "/api/v1/programs/\(world.programA.id!)/surveys", token: mentorToken)
                #expect(try open.content.decode([APIModel.SurveyOut].self).map(\.id) == [pulseID])
                #expect(
                    try await world.api(.POST, "/api/v1/surveys/\(pulseID)/answers", token: mentorToken, json: #"{"answers":{"fit":"6"}}"#).status
                        == .unprocessableEntity)
                #expect(
                    try await world.api(.POST, "/api/v1/surveys/\(pulseID)/answers", token: mentorToken, json: #"{"answers":{"fit":"4"}}"#).status == .noContent
                )
                #expect(
                    try await world.api(.POST, "/api/v1/surveys/\(pulseID)/answers", token: mentorToken, json: #"{"answers":{"fit":"4"}}"#).status == .conflict)
                #expect(try await world.api(.GET, "/api/v1/surveys/\(pulseID)/results", token: mentorToken).status == .forbidden)
                let hidden = try await world.api(.GET, "/api/v1/surveys/\(pulseID)/results", token: token).content.decode(APIModel.SurveyResultsOut.self)
                #expect(hidden.answered == 1 && hidden.questions.allSatisfy { $0.hidden })
                // Anonymous answers carry no side or department, so they cannot be broken down.
                #expect(try await world.api(.GET, "/api/v1/surveys/\(pulseID)/results?side=mentee", token: token).status == .conflict)
            }
        }
    }
}

extension AppTests {
    @Suite("SQLite write concurrency")
    struct WriteConcurrencyTests {
        @Test("concurrent read-then-write transactions on a SQLite file all succeed: each takes the write lock first")
        func concurrentAnswers() async throws {
            let clock = FixedClock(ProgramWorld.spring)
            try await withSQLiteFile(clock: clock) { app in
                let world = try await ProgramWorld.make(app, clock: clock)
                let loops = Array(app.eventLoopGroup.makeIterator())
                #expect(loops.count >= 2)
                for round in 0..<15 {
                    let survey = try await SurveyService(db: app.db, clock: clock).create(
                        in: world.programA, phase: "pulse", anonymous: round % 2 == 0, audience: "both", by: Viewer(world.managerA))
                    // Every participant answers at once, each on its own connection.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (index, id) in SurveyTests.everyone.enumerated() {
                            let participant = world.participants[id]!
                            let db = app.databases.database(logger: app.logger, on: loops[index % loops.count])!
                            group.addTask { try await SurveyService(db: db, clock: clock).answer(survey, by: participant, raw: ["fit": "4"]) }
                        }
                        try await group.waitForAll()
                    }
                    #expect(try await SurveyService(db: app.db, clock: clock).answeredCount(survey) == SurveyTests.everyone.count)
                }
                // One person answering four times at once: one answer is stored, three are refused as repeats.
                let twice = try await SurveyService(db: app.db, clock: clock).create(
                    in: world.programA, phase: "pulse", anonymous: true, audience: "both", by: Viewer(world.managerA))
                let outcomes = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for index in 0..<4 {
                        let db = app.databases.database(logger: app.logger, on: loops[index % loops.count])!
                        group.addTask {
                            do {
                                try await SurveyService(db: db, clock: clock).answer(twice, by: world.participants["J1"]!, raw: ["fit": "5"])
                                return .ok
                            } catch let abort as Abort { return abort.status }
                        }
                    }
                    return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .ok }.count == 1 && outcomes.filter { $0 == .conflict }.count == 3)
                let fit = try await SurveyTally.query(on: app.db).filter(\.$surveyID == twice.id!).filter(\.$question == "fit").all()
                #expect(fit.map(\.count).reduce(0, +) == 1)
                // Upgrading from the earlier per-survey lists: revert rebuilds them, prepare copies them back.
                let surveys = try await Survey.query(on: app.db).all()
                try await CreateSurveyAnsweredPeople().revert(on: app.db)
                #expect(try await SurveyAnswered.query(on: app.db).count() == surveys.count)
                try await CreateSurveyAnsweredPeople().prepare(on: app.db)
                #expect(try await SurveyAnswered.query(on: app.db).count() == 0)
                for survey in surveys {
                    let expected = survey.id == twice.id ? 1 : SurveyTests.everyone.count
                    #expect(try await SurveyService(db: app.db, clock: clock).answeredCount(survey) == expected)
                }
            }
        }
    }
}
