import Fluent
import Foundation
import UpwardCore

/// An innovation idea a pair raised; the program's managers move it to piloted or adopted.
final class Idea: Model, @unchecked Sendable {
    static let schema = "ideas"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "pair_id") var pair: Pair
    @Parent(key: "raised_by_person_id") var raisedBy: Person
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
    var ideaStatus: IdeaStatus { IdeaStatus(rawValue: status) ?? .proposed }
}

/// A pair's success story; public to the program only while both people consent.
final class Story: Model, @unchecked Sendable {
    static let schema = "stories"
    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: Program
    @Parent(key: "pair_id") var pair: Pair
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @OptionalField(key: "mentee_consent_at") var menteeConsentAt: Date?
    @OptionalField(key: "mentor_consent_at") var mentorConsentAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
    var consent: StoryConsent { StoryConsent(mentee: menteeConsentAt != nil, mentor: mentorConsentAt != nil) }
    func apply(_ consent: StoryConsent, at now: Date) {
        menteeConsentAt = consent.mentee ? (menteeConsentAt ?? now) : nil
        mentorConsentAt = consent.mentor ? (mentorConsentAt ?? now) : nil
    }
}
