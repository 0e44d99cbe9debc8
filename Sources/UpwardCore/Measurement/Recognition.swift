import Foundation

/// Where an idea a pair raised stands: most ideas stay proposals; the program counts the ones
/// the organization tried (piloted) and kept (adopted).
public enum IdeaStatus: String, CaseIterable, Sendable, Codable {
    case proposed, piloted, adopted

    public var label: String {
        switch self {
        case .proposed: "Proposed"
        case .piloted: "Piloted"
        case .adopted: "Adopted"
        }
    }
}

/// An innovation idea raised by a pair: a title and what it would change.
public struct IdeaDraft: Sendable, Equatable {
    public let title: String
    public let description: String

    public static func validate(title: String?, description: String?) throws(ValidationFailure) -> IdeaDraft {
        var check = FieldChecker()
        let title = check.text(title, field: "title", limit: 200)
        let description = check.text(description, field: "description", limit: 4_000, multiline: true)
        try check.finish()
        return IdeaDraft(title: title, description: description)
    }

    public static func status(_ raw: String?) throws(ValidationFailure) -> IdeaStatus {
        guard let status = IdeaStatus(rawValue: raw ?? "") else { throw ValidationFailure("status", "must be proposed, piloted or adopted") }
        return status
    }
}

/// A success story written by a pair. It is published only while both people consent; a change
/// to the text asks the partner again, and either can withdraw at any time.
public struct StoryConsent: Sendable, Equatable {
    public var mentee: Bool
    public var mentor: Bool

    public init(mentee: Bool, mentor: Bool) {
        self.mentee = mentee
        self.mentor = mentor
    }

    public var isPublished: Bool { mentee && mentor }

    public enum Side: String, Sendable { case mentee, mentor }

    /// After `side` saves a new text: their own choice stands, the partner must agree again.
    public func edited(by side: Side, consenting: Bool) -> StoryConsent {
        side == .mentee ? StoryConsent(mentee: consenting, mentor: false) : StoryConsent(mentee: false, mentor: consenting)
    }

    /// After `side` gives or withdraws consent.
    public func setting(_ side: Side, to consent: Bool) -> StoryConsent {
        side == .mentee ? StoryConsent(mentee: consent, mentor: mentor) : StoryConsent(mentee: mentee, mentor: consent)
    }
}

public struct StoryDraft: Sendable, Equatable {
    public let title: String
    public let body: String

    public static func validate(title: String?, body: String?) throws(ValidationFailure) -> StoryDraft {
        var check = FieldChecker()
        let title = check.text(title, field: "title", limit: 200)
        let body = check.text(body, field: "body", limit: 10_000, multiline: true)
        try check.finish()
        return StoryDraft(title: title, body: body)
    }
}
