import Fluent
import Foundation
import UpwardCore
import Vapor

// Surveys and outcomes in the JSON API, on the same services as the pages.

extension APIRoute {
    static let measurementRoutes: [APIRoute] = [
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/surveys", access: .signedIn, operationId: "listSurveys",
            summary: "Surveys: every one for managers, the open ones addressed to the caller for participants.", tag: "measurement",
            success: (200, "SurveyList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/programs/{programId}/surveys", access: .programManager, operationId: "createSurvey",
            summary: "Open a survey from a phase template (named or anonymous).", tag: "measurement", body: .json("SurveyInput"), success: (201, "Survey")),
        APIRoute(
            method: .POST, path: "/api/v1/surveys/{surveyId}/answers", access: .signedIn, operationId: "answerSurvey",
            summary: "Answer a survey once; anonymous answers are stored only as counts.", tag: "measurement", body: .json("SurveyAnswerInput"),
            success: (204, nil)),
        APIRoute(
            method: .GET, path: "/api/v1/surveys/{surveyId}/results", access: .programManager, operationId: "getSurveyResults",
            summary: "Results under the anonymity rule (figures need five answers, comments ten); named surveys break down by side and department.",
            tag: "measurement", success: (200, "SurveyResults"),
            query: [
                .init(name: "side", schema: .enumeration(["mentee", "mentor"]), description: "Only answers from mentees or from mentors (named surveys)."),
                .init(name: "department", schema: .string(maxLength: 200), description: "Only answers from one department (named surveys)."),
            ], conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/outcomes", access: .programManager, operationId: "getOutcomes",
            summary: "Every figure of the outcomes report, under the anonymity rule.", tag: "measurement", success: (200, "FigureList"), conflicts: false),
    ]
}

extension OpenAPIDocument {
    static var measurementSchemas: [String: Schema] {
        let question = Schema.object([
            "id": .string(), "text": .string(), "kind": .enumeration(["likert", "scale", "choice", "text"]), "options": .array(.string()),
            "skill": Schema.string().orNull,
        ])
        return [
            "Survey": .object([
                "id": .uuid, "programId": .uuid, "phase": .enumeration(SurveyPhase.allCases.map(\.rawValue)), "title": .string(), "anonymous": .boolean,
                "audience": .enumeration(["both", "mentor", "mentee"]), "questions": .array(question), "closed": .boolean,
            ]),
            "SurveyList": .array(.ref("Survey")),
            "SurveyInput": .object(
                [
                    "phase": .enumeration(SurveyPhase.allCases.map(\.rawValue)), "anonymous": Schema.boolean.orNull,
                    "audience": Schema.enumeration(["both", "mentor", "mentee"]).orNull,
                ], required: ["phase"]),
            "SurveyAnswerInput": .object(
                ["answers": .object([:], required: [], additional: .string(maxLength: 2000))], required: ["answers"]),
            "SurveyResults": .object([
                "surveyId": .uuid, "answered": .integer(0), "invited": .integer(0),
                "questions": .array(
                    .object([
                        "id": .string(), "text": .string(), "respondents": .integer(0), "hidden": .boolean,
                        "distribution": Schema.array(.object(["value": .string(), "count": .integer(0)])).orNull, "mean": Schema.number().orNull,
                        "netScore": Schema.number().orNull, "comments": Schema.array(.string()).orNull,
                    ])),
                "skills": .array(
                    .object([
                        "skill": .string(), "hidden": .boolean, "n": Schema.integer(0).orNull, "meanChange": Schema.number().orNull,
                        "ciLow": Schema.number().orNull, "ciHigh": Schema.number().orNull, "tP": Schema.number().orNull,
                        "wilcoxonP": Schema.number().orNull, "dZ": Schema.number().orNull, "rankBiserial": Schema.number().orNull,
                    ])),
            ]),
            "FigureList": .array(.object(["section": .string(), "label": .string(), "value": .string()])),
        ]
    }
}

extension APIModel {
    struct SurveyOut: Content {
        let id: UUID
        let programId: UUID
        let phase: String
        let title: String
        let anonymous: Bool
        let audience: String
        let questions: [SurveyQuestion]
        let closed: Bool
        init(_ survey: Survey) {
            id = survey.id!
            programId = survey.$program.id
            phase = survey.phase
            title = survey.title
            anonymous = survey.anonymous
            audience = survey.audience
            questions = survey.questions
            closed = survey.closedAt != nil
        }
    }

    struct SurveyIn: Content {
        var phase: String?
        var anonymous: Bool?
        var audience: String?
    }

    struct SurveyAnswerIn: Content { var answers: [String: String] }

    struct SurveyResultsOut: Content {
        struct Count: Content {
            let value: String
            let count: Int
        }
        struct Question: Content {
            let id: String
            let text: String
            let respondents: Int
            let hidden: Bool
            let distribution: [Count]?
            let mean: Double?
            let netScore: Double?
            let comments: [String]?
        }
        struct Skill: Content {
            let skill: String
            let hidden: Bool
            let n: Int?
            let meanChange: Double?
            let ciLow: Double?
            let ciHigh: Double?
            let tP: Double?
            let wilcoxonP: Double?
            let dZ: Double?
            let rankBiserial: Double?
        }
        let surveyId: UUID
        let answered: Int
        let invited: Int
        let questions: [Question]
        let skills: [Skill]
    }
}

extension APIController {
    /// A finite number or nil (JSON has no NaN).
    static func finite(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }

    var measurementHandlers: [String: Handler] {
        [
            "listSurveys": { req in
                let (program, participant, _) = try await Self.program(req)
                let surveys: [Survey]
                if let participant {
                    surveys = try await req.surveys.open(for: participant)
                } else {
                    surveys = try await req.surveys.list(program: program.requireID())
                }
                return try Self.json(surveys.map(APIModel.SurveyOut.init))
            },
            "createSurvey": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.SurveyIn.self)
                let survey = try await req.surveys.create(
                    in: program, phase: input.phase, anonymous: input.anonymous ?? false, audience: input.audience, by: viewer)
                return try Self.json(APIModel.SurveyOut(survey), .created)
            },
            "answerSurvey": { req in
                let (survey, participant) = try await req.surveys.forParticipant(try IDParameter.parse(req, "surveyId"), viewer: try req.viewer)
                let input = try Self.body(req, APIModel.SurveyAnswerIn.self)
                try await req.surveys.answer(survey, by: participant, raw: input.answers)
                return Response(status: .noContent)
            },
            "getSurveyResults": { req in
                let id = try IDParameter.parse(req, "surveyId")
                let (survey, program, invited) = try await req.surveys.managed(id, by: try req.viewer)
                let breakdown = try SurveyService.Breakdown(side: req.query["side"], department: req.query["department"])
                let questions = try await req.surveys.results(survey, breakdown: breakdown).map {
                    APIModel.SurveyResultsOut.Question(
                        id: $0.question.id, text: $0.question.text, respondents: $0.respondents, hidden: $0.distribution == nil && $0.comments == nil,
                        distribution: $0.distribution?.map { APIModel.SurveyResultsOut.Count(value: $0.value, count: $0.count) }, mean: Self.finite($0.mean),
                        netScore: Self.finite($0.netScore), comments: $0.comments)
                }
                let skills = survey.surveyPhase == .final ? try await req.surveys.skillChange(program: program, breakdown: breakdown) : []
                return try Self.json(
                    APIModel.SurveyResultsOut(
                        surveyId: id, answered: try await req.surveys.answered(survey).count, invited: invited, questions: questions,
                        skills: skills.map { item in
                            let s = item.summary
                            return APIModel.SurveyResultsOut.Skill(
                                skill: item.skill, hidden: s == nil, n: s?.n, meanChange: Self.finite(s?.meanChange), ciLow: Self.finite(s?.ciLow),
                                ciHigh: Self.finite(s?.ciHigh), tP: Self.finite(s?.tP), wilcoxonP: Self.finite(s?.wilcoxonP), dZ: Self.finite(s?.dZ),
                                rankBiserial: Self.finite(s?.rankBiserial))
                        }))
            },
            "getOutcomes": { req in
                let (program, _) = try await Self.managed(req)
                return try Self.json(try await DashboardPages.charts(req, program: program).flatMap(\.rows))
            },
        ]
    }
}
