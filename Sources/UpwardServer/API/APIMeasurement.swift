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
            ]),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/outcomes", access: .programManager, operationId: "getOutcomes",
            summary: "Every figure of the outcomes report, under the anonymity rule.", tag: "measurement", success: (200, "FigureList"), conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/pairs/{pairId}/ideas", access: .signedIn, operationId: "listPairIdeas",
            summary: "The ideas a pair raised.", tag: "recognition", success: (200, "IdeaList"), conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/ideas", access: .signedIn, operationId: "raiseIdea",
            summary: "Raise an idea for the organization (either person in a live or paused pair); the managers hear of it.", tag: "recognition",
            body: .json("IdeaInput"), success: (201, "Idea")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/ideas", access: .programManager, operationId: "listProgramIdeas",
            summary: "Every idea the program's pairs raised.", tag: "recognition", success: (200, "IdeaList"), conflicts: false),
        APIRoute(
            method: .PUT, path: "/api/v1/programs/{programId}/ideas/{ideaId}/status", access: .programManager, operationId: "setIdeaStatus",
            summary: "Move an idea to proposed, piloted or adopted; the pair is told.", tag: "recognition", body: .json("IdeaStatusInput"),
            success: (200, "Idea")),
        APIRoute(
            method: .GET, path: "/api/v1/pairs/{pairId}/stories", access: .signedIn, operationId: "listPairStories",
            summary: "The pair's success stories with each side's consent (its two people).", tag: "recognition", success: (200, "StoryList"),
            conflicts: false),
        APIRoute(
            method: .POST, path: "/api/v1/pairs/{pairId}/stories", access: .signedIn, operationId: "writeStory",
            summary: "Write a success story; it is published only when both consent.", tag: "recognition", body: .json("StoryInput"),
            success: (201, "Story")),
        APIRoute(
            method: .PUT, path: "/api/v1/pairs/{pairId}/stories/{storyId}", access: .signedIn, operationId: "updateStory",
            summary: "Change a story's text; the partner is asked to consent again.", tag: "recognition", body: .json("StoryInput"),
            success: (200, "Story")),
        APIRoute(
            method: .PUT, path: "/api/v1/pairs/{pairId}/stories/{storyId}/consent", access: .signedIn, operationId: "setStoryConsent",
            summary: "Give or withdraw the caller's consent to publish.", tag: "recognition", body: .json("StoryConsentInput"), success: (200, "Story")),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/stories", access: .signedIn, operationId: "listPublishedStories",
            summary: "Stories both people consented to (the program's people and managers).", tag: "recognition", success: (200, "PublishedStoryList"),
            conflicts: false),
        APIRoute(
            method: .GET, path: "/api/v1/programs/{programId}/certificates/{participantId}", access: .signedIn, operationId: "getCertificate",
            summary: "A participant's certificate after a completed program (their own, or any for the program's managers).", tag: "recognition",
            success: (200, "Certificate")),
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
            "Idea": .object([
                "id": .uuid, "pairId": .uuid, "title": .string(), "description": .string(), "status": .enumeration(IdeaStatus.allCases.map(\.rawValue)),
                "raisedBy": .string(), "createdAt": .string(format: "date-time"),
            ]),
            "IdeaList": .array(.ref("Idea")),
            "IdeaInput": .object(
                ["title": .string(minLength: 1, maxLength: 200, pattern: plainText), "description": .string(minLength: 1, maxLength: 4000)],
                required: ["title", "description"]),
            "IdeaStatusInput": .object(["status": .enumeration(IdeaStatus.allCases.map(\.rawValue))], required: ["status"]),
            "Story": .object([
                "id": .uuid, "pairId": .uuid, "title": .string(), "body": .string(), "menteeConsents": .boolean, "mentorConsents": .boolean,
                "published": .boolean,
            ]),
            "StoryList": .array(.ref("Story")),
            "StoryInput": .object(
                [
                    "title": .string(minLength: 1, maxLength: 200, pattern: plainText), "body": .string(minLength: 1, maxLength: 10000),
                    "consent": Schema.boolean.orNull,
                ], required: ["title", "body"]),
            "StoryConsentInput": .object(["agree": .boolean], required: ["agree"]),
            "PublishedStoryList": .array(.object(["id": .uuid, "title": .string(), "body": .string(), "mentee": .string(), "mentor": .string()])),
            "Certificate": .object([
                "name": .string(), "role": .enumeration(["mentor", "mentee"]), "programId": .uuid, "programName": .string(),
                "startsOn": .string(format: "date"), "endsOn": .string(format: "date"), "partners": .array(.string()), "meetingsHeld": .integer(1),
                "goalsAchieved": .integer(0), "ideasRaised": .integer(0),
            ]),
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

extension APIModel {
    struct IdeaOut: Content {
        let id: UUID
        let pairId: UUID
        let title: String
        let description: String
        let status: String
        let raisedBy: String
        let createdAt: String
        init(_ idea: Idea, raisedBy: String) {
            id = idea.id!
            pairId = idea.$pair.id
            title = idea.title
            description = idea.description
            status = idea.status
            self.raisedBy = raisedBy
            createdAt = ISO.string(from: idea.createdAt)
        }
    }

    struct IdeaIn: Content {
        var title: String?
        var description: String?
    }

    struct IdeaStatusIn: Content { var status: String? }

    struct StoryOut: Content {
        let id: UUID
        let pairId: UUID
        let title: String
        let body: String
        let menteeConsents: Bool
        let mentorConsents: Bool
        let published: Bool
        init(_ story: Story) {
            id = story.id!
            pairId = story.$pair.id
            title = story.title
            body = story.body
            menteeConsents = story.consent.mentee
            mentorConsents = story.consent.mentor
            published = story.consent.isPublished
        }
    }

    struct StoryIn: Content {
        var title: String?
        var body: String?
        var consent: Bool?
    }

    struct StoryConsentIn: Content { var agree: Bool }

    struct PublishedStoryOut: Content {
        let id: UUID
        let title: String
        let body: String
        let mentee: String
        let mentor: String
    }

    struct CertificateOut: Content {
        let name: String
        let role: String
        let programId: UUID
        let programName: String
        let startsOn: String
        let endsOn: String
        let partners: [String]
        let meetingsHeld: Int
        let goalsAchieved: Int
        let ideasRaised: Int
    }
}

extension APIController {
    static func ideaOut(_ idea: Idea, on db: any Database) async throws -> APIModel.IdeaOut {
        let name = try await Person.fetch(idea.$raisedBy.id, on: db)?.name ?? ""
        return APIModel.IdeaOut(idea, raisedBy: name)
    }

    var recognitionHandlers: [String: Handler] {
        [
            "listPairIdeas": { req in
                let context = try await req.pairContext("pairId")
                return try Self.json(try await req.recognition.ideas(pair: context.pairID).map { APIModel.IdeaOut($0, raisedBy: $0.raisedBy.name) })
            },
            "raiseIdea": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.IdeaIn.self)
                let idea = try await req.recognition.raiseIdea(title: input.title, description: input.description, in: context, by: try req.viewer)
                return try Self.json(try await Self.ideaOut(idea, on: req.database), .created)
            },
            "listProgramIdeas": { req in
                let (program, _) = try await Self.managed(req)
                return try Self.json(
                    try await req.recognition.ideas(program: program.requireID()).map { APIModel.IdeaOut($0, raisedBy: $0.raisedBy.name) })
            },
            "setIdeaStatus": { req in
                let (program, viewer) = try await Self.managed(req)
                let input = try Self.body(req, APIModel.IdeaStatusIn.self)
                let idea = try await req.recognition.setStatus(try IDParameter.parse(req, "ideaId"), in: program, to: input.status, by: viewer)
                return try Self.json(try await Self.ideaOut(idea, on: req.database))
            },
            "listPairStories": { req in
                let context = try await req.pairContext("pairId")
                _ = try context.requireParticipant("read the pair's story drafts")
                return try Self.json(try await req.recognition.stories(pair: context.pairID).map(APIModel.StoryOut.init))
            },
            "writeStory": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.StoryIn.self)
                let story = try await req.recognition.writeStory(
                    nil, title: input.title, body: input.body, consent: input.consent ?? false, in: context, by: try req.viewer)
                return try Self.json(APIModel.StoryOut(story), .created)
            },
            "updateStory": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.StoryIn.self)
                let story = try await req.recognition.writeStory(
                    try IDParameter.parse(req, "storyId"), title: input.title, body: input.body, consent: input.consent ?? false, in: context,
                    by: try req.viewer)
                return try Self.json(APIModel.StoryOut(story))
            },
            "setStoryConsent": { req in
                let context = try await req.pairContext("pairId")
                let input = try Self.body(req, APIModel.StoryConsentIn.self)
                let story = try await req.recognition.consent(try IDParameter.parse(req, "storyId"), agree: input.agree, in: context, by: try req.viewer)
                return try Self.json(APIModel.StoryOut(story))
            },
            "listPublishedStories": { req in
                let (program, _) = try await req.programs.visible(try IDParameter.parse(req, "programId"), to: try req.viewer)
                return try Self.json(
                    try await req.recognition.published(program: program.requireID()).map {
                        APIModel.PublishedStoryOut(
                            id: $0.story.id!, title: $0.story.title, body: $0.story.body, mentee: $0.pair.mentee.person.name,
                            mentor: $0.pair.mentor.person.name)
                    })
            },
            "getCertificate": { req in
                let certificate = try await req.recognition.certificate(
                    try IDParameter.parse(req, "participantId"), program: try IDParameter.parse(req, "programId"), viewer: try req.viewer)
                let settings = certificate.program.settings
                return try Self.json(
                    APIModel.CertificateOut(
                        name: certificate.person.name, role: certificate.role.rawValue, programId: certificate.program.id!,
                        programName: certificate.program.name, startsOn: settings.startsOn.description, endsOn: settings.endsOn.description,
                        partners: certificate.partners, meetingsHeld: certificate.meetingsHeld, goalsAchieved: certificate.goalsAchieved,
                        ideasRaised: certificate.ideas))
            },
        ]
    }

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
                        surveyId: id, answered: try await req.surveys.answeredCount(survey), invited: invited, questions: questions,
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
