import Fluent
import Foundation
import UpwardCore
import Vapor

/// Surveys: the manager creates one from a phase template; participants answer once; the manager
/// reads results under the anonymity rule, with self-assessed growth per skill.
struct SurveyPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.surveyCreate, use: create)
        router.on(.survey, use: form)
        router.on(.surveyAnswer, use: answer)
        router.on(.surveyResults, use: results)
    }

    struct CreateForm: Content {
        var phase: String?
        var anonymous: String?
        var audience: String?
    }

    @Sendable func create(req: Request) async throws -> Response {
        let viewer = try req.viewer
        let program = try await req.programs.managed(try IDParameter.parse(req, "programID"), by: viewer)
        let form = try req.form(CreateForm.self)
        let survey = try await req.surveys.create(in: program, phase: form.phase, anonymous: form.anonymous != nil, audience: form.audience, by: viewer)
        for participant in try await Participant.query(on: req.database).filter(\.$program.$id == program.requireID()).filter(\.$acceptedAt != nil).all()
        where survey.includes(participant.enrollmentRole) {
            try await req.notifications.send(
                to: participant.$person.id, kind: "survey.opened", title: "\(survey.title): \(program.name)",
                body: survey.anonymous
                    ? "A short anonymous survey: nobody, not even the program manager, can see your answers." : "A short survey about your progress.",
                link: SiteRoute.survey.path(survey.id!.text))
        }
        return req.redirect(SitePath.program(program.id!), notice: "\(survey.title) opened; participants were told.")
    }

    struct Question: Encodable {
        let id: String
        let text: String
        let kind: String
        let options: [String]
        let scale: [Int]
        let value: String
    }

    struct FormPage: Encodable {
        let layout: LayoutContext
        let title: String
        let programName: String
        let anonymous: Bool
        let questions: [Question]
        let action: String
        let answered: Bool
        var issues: [Issue] = []
    }

    func page(_ req: Request, _ survey: Survey, _ participant: Participant, values: [String: String] = [:]) async throws -> FormPage {
        let program = try await Program.fetch(survey.$program.id, on: req.database)
        let answered = try await req.surveys.hasAnswered(survey, person: participant.$person.id)
        return FormPage(
            layout: try await LayoutContext.rendered(req, title: survey.title), title: survey.title, programName: program?.name ?? "",
            anonymous: survey.anonymous,
            questions: survey.questions.map {
                Question(
                    id: $0.id, text: $0.text, kind: $0.kind.rawValue, options: $0.options,
                    scale: $0.kind == .likert ? Array(1...5) : $0.kind == .scale ? Array(0...10) : [], value: values[$0.id] ?? "")
            }, action: SiteRoute.surveyAnswer.path(survey.id!.text), answered: answered)
    }

    @Sendable func form(req: Request) async throws -> View {
        let (survey, participant) = try await req.surveys.forParticipant(try IDParameter.parse(req, "surveyID"), viewer: try req.viewer)
        return try await req.view.render("survey", try await page(req, survey, participant))
    }

    @Sendable func answer(req: Request) async throws -> Response {
        let (survey, participant) = try await req.surveys.forParticipant(try IDParameter.parse(req, "surveyID"), viewer: try req.viewer)
        let form = try req.content.decode([String: String].self, as: .urlEncodedForm).filter { $0.key != "_csrf" }
        do {
            try await req.surveys.answer(survey, by: participant, raw: form)
            return req.redirect(SitePath.program(survey.$program.id), notice: "Thank you! Your answers were saved.")
        } catch let failure as ValidationFailure {
            var page = try await page(req, survey, participant, values: form)
            page.issues = failure.issues.map { Issue(field: $0.field, message: $0.message) }
            return try await req.view.render("survey", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    struct Bar: Encodable {
        let label: String
        let count: Int
        let width: Int
        let y: Int
        let countX: Int
    }

    struct ResultRow: Encodable {
        let text: String
        let respondents: Int
        let hidden: Bool
        let bars: [Bar]
        let summary: String?
        let comments: [String]?
        let height: Int
    }

    struct SkillRow: Encodable {
        let skill: String
        let hidden: Bool
        let n: Int
        let change: String
        let interval: String
        let p: String
        let effect: String
    }

    struct ResultsPage: Encodable {
        let layout: LayoutContext
        let title: String
        let program: ProgramSummary
        let anonymous: Bool
        let responseRate: String
        let rows: [ResultRow]
        let skills: [SkillRow]
        let minimum: Int
        let side: String
        let department: String
        let departments: [Choice]
    }

    struct Choice: Encodable {
        let value: String
        let selected: Bool
    }

    static func format(_ value: Double, _ digits: Int = 2) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "–"
    }

    @Sendable func results(req: Request) async throws -> View {
        let service = req.surveys
        let (survey, program, invited) = try await service.managed(try IDParameter.parse(req, "surveyID"), by: try req.viewer)
        let breakdown = try SurveyService.Breakdown(side: req.query["side"], department: req.query["department"])
        let answered = try await service.answeredCount(survey)
        let rows = try await service.results(survey, breakdown: breakdown).map { result -> ResultRow in
            let top = max(1, result.distribution?.map(\.count).max() ?? 1)
            var summary: String?
            if let mean = result.mean { summary = "mean \(Self.format(mean)) of 5" }
            if let net = result.netScore { summary = "promoters minus detractors: \(Self.format(net, 0))" }
            return ResultRow(
                text: result.question.text, respondents: result.respondents, hidden: result.distribution == nil && result.comments == nil,
                bars: (result.distribution ?? []).enumerated().map {
                    Bar(
                        label: $0.element.value, count: $0.element.count, width: $0.element.count * 200 / top, y: $0.offset * 22,
                        countX: $0.element.count * 200 / top + 114)
                }, summary: summary,
                comments: result.comments, height: (result.distribution?.count ?? 0) * 22)
        }
        let skills = survey.surveyPhase == .final ? try await service.skillChange(program: program, breakdown: breakdown) : []
        let departments = try await service.departments(survey)
        return try await req.view.render(
            "survey-results",
            ResultsPage(
                layout: try await LayoutContext.rendered(req, title: survey.title), title: survey.title, program: ProgramSummary(program),
                anonymous: survey.anonymous,
                responseRate: invited > 0 ? "\(answered) of \(invited) answered (\(answered * 100 / invited)%)" : "nobody invited yet", rows: rows,
                skills: skills.map { skill, s in
                    SkillRow(
                        skill: skill, hidden: s == nil, n: s?.n ?? 0, change: s.map { Self.format($0.meanChange) } ?? "",
                        interval: s.map { "\(Self.format($0.ciLow)) to \(Self.format($0.ciHigh))" } ?? "",
                        p: s.map { "t-test \(Self.format($0.tP, 3)), Wilcoxon \(Self.format($0.wilcoxonP, 3))" } ?? "",
                        effect: s.map { "d_z \(Self.format($0.dZ)), r \(Self.format($0.rankBiserial))" } ?? "")
                }, minimum: service.rule.minimum, side: breakdown.side ?? "", department: breakdown.department ?? "",
                departments: departments.map { Choice(value: $0, selected: $0 == breakdown.department) }))
    }
}
