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
        let (title, text) = try titled(title, text: description, field: "description", limit: 4_000)
        return IdeaDraft(title: title, description: text)
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
        let (title, text) = try titled(title, text: body, field: "body", limit: 10_000)
        return StoryDraft(title: title, body: text)
    }
}

/// A required title (200 characters) and a required multi-line text, each problem named by field.
func titled(_ title: String?, text: String?, field: String, limit: Int) throws(ValidationFailure) -> (String, String) {
    var check = FieldChecker()
    let title = check.text(title, field: "title", limit: 200)
    let text = check.text(text, field: field, limit: limit, multiline: true)
    try check.finish()
    return (title, text)
}
