import Fluent
import Foundation
import UpwardCore

/// A survey of one program phase, for mentors, mentees or both; named or anonymous.
final class Survey: Model, @unchecked Sendable {
    static let schema = "surveys"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Field(key: "phase") var phase: String
    @Field(key: "title") var title: String
    @Field(key: "anonymous") var anonymous: Bool
    /// both, mentor or mentee.
    @Field(key: "audience") var audience: String
    /// JSON array of ``SurveyQuestion``.
    @Field(key: "questions") var questionsJSON: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    /// Pulses: the pair asked, and the window (first-meeting, day-30, day-90 …).
    @OptionalField(key: "pair_id") var pairID: UUID?
    @OptionalField(key: "window") var window: String?
    init() {}
    var questions: [SurveyQuestion] { JSONText.decode(questionsJSON) ?? [] }
    var surveyPhase: SurveyPhase { SurveyPhase(rawValue: phase) ?? .pulse }
    func includes(_ role: Enrollment.Role) -> Bool { audience == "both" || audience == role.rawValue }
}

/// A named survey's answers from one person.
final class SurveyResponse: Model, @unchecked Sendable {
    static let schema = "survey_responses"
    @ID(key: .id) var id: UUID?
    @Parent(key: "survey_id") var survey: Survey
    @Parent(key: "person_id") var person: Person
    @Field(key: "role") var role: String
    @Field(key: "answers") var answersJSON: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
    var answers: [String: String] { JSONText.decode(answersJSON) ?? [:] }
}

/// Anonymous answers are kept only as counts per question and value: no row per person, no time, no order.
final class SurveyTally: Model, @unchecked Sendable {
    static let schema = "survey_tallies"
    @ID(key: .id) var id: UUID?
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "question") var question: String
    @Field(key: "value") var value: String
    @Field(key: "count") var count: Int
    init() {}
}

/// Anonymous free-text answers to one question, kept sorted so their order says nothing about who wrote them.
final class SurveyComments: Model, @unchecked Sendable {
    static let schema = "survey_comments"
    @ID(key: .id) var id: UUID?
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "question") var question: String
    @Field(key: "comments") var commentsJSON: String
    init() {}
}

/// Who has answered a survey: one row per survey, the person ids sorted, kept apart from the answers.
final class SurveyAnswered: Model, @unchecked Sendable {
    static let schema = "survey_answered"
    @ID(key: .id) var id: UUID?
    @Field(key: "survey_id") var surveyID: UUID
    @Field(key: "people") var peopleJSON: String
    init() {}
    var people: [String] { JSONText.decode(peopleJSON) ?? [] }
}
