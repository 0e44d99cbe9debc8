import Foundation

public enum SurveyPhase: String, CaseIterable, Sendable, Codable {
    case baseline, midpoint, final, pulse

    public var label: String {
        switch self {
        case .baseline: "Baseline (at enrollment)"
        case .midpoint: "Midpoint"
        case .final: "Final"
        case .pulse: "Pulse check-in"
        }
    }
}

public enum QuestionKind: String, Sendable, Codable {
    /// 1 (not at all) to 5 (very).
    case likert
    /// 0 to 10 ("how likely would you recommend…"); reported as promoters minus detractors.
    case scale
    case choice
    case text
}

public struct SurveyQuestion: Sendable, Codable, Equatable {
    public var id: String
    public var text: String
    public var kind: QuestionKind
    public var options: [String]
    /// For self-assessments: the focus area the answer rates.
    public var skill: String?

    public init(id: String, text: String, kind: QuestionKind, options: [String] = [], skill: String? = nil) {
        self.id = id
        self.text = text
        self.kind = kind
        self.options = options
        self.skill = skill
    }
}

/// The questions each phase starts with: self-assessments on every focus area at baseline and
/// at the end (both sides rate themselves on what they came to learn), satisfaction and fit midway
/// and in pulses, the 0-10 question and room for comments.
public enum SurveyTemplates {
    public static func questions(_ phase: SurveyPhase, focusAreas: [String]) -> [SurveyQuestion] {
        let skills = (focusAreas + ["Leadership and strategic thinking", "Communication"]).enumerated().map { index, area in
            SurveyQuestion(id: "skill\(index)", text: "How confident are you today in: \(area)?", kind: .likert, skill: area)
        }
        let recommend = SurveyQuestion(id: "recommend", text: "How likely are you to recommend the program to a colleague? (0-10)", kind: .scale)
        let fit = SurveyQuestion(id: "fit", text: "How well does your pairing work for you?", kind: .likert)
        switch phase {
        case .baseline:
            return skills + [SurveyQuestion(id: "hopes", text: "What do you hope to get out of the program?", kind: .text)]
        case .midpoint:
            return [
                fit, SurveyQuestion(id: "satisfaction", text: "How satisfied are you with the program so far?", kind: .likert),
                SurveyQuestion(id: "pace", text: "How often do you meet?", kind: .choice, options: ["Less than planned", "As planned", "More than planned"]),
                recommend, SurveyQuestion(id: "comments", text: "Anything we should change?", kind: .text),
            ]
        case .final:
            return skills + [
                SurveyQuestion(
                    id: "partnerGrowth", text: "How much has your partner grown in what they came to learn? (1 not at all, 5 a great deal)", kind: .likert),
                SurveyQuestion(id: "satisfaction", text: "How satisfied are you with the program overall?", kind: .likert), recommend,
                SurveyQuestion(id: "comments", text: "What was the most valuable thing you learned?", kind: .text),
            ]
        case .pulse:
            return [fit, SurveyQuestion(id: "comments", text: "Anything on your mind? (optional)", kind: .text)]
        }
    }
}

/// One person's answers, checked against the questions: numbers in range, choices from the list,
/// text at most 2,000 characters; unanswered questions are left out.
public enum SurveyAnswers {
    public static func validate(_ raw: [String: String], questions: [SurveyQuestion]) throws(ValidationFailure) -> [String: String] {
        var check = FieldChecker()
        var answers: [String: String] = [:]
        let known = Set(questions.map(\.id))
        for key in raw.keys where !known.contains(key) { check.add(key, "is not a question of this survey") }
        for question in questions {
            guard let value = raw[question.id]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { continue }
            switch question.kind {
            case .likert, .scale:
                let range = question.kind == .likert ? 1...5 : 0...10
                guard value.count <= 2, let number = Int(value), range.contains(number) else {
                    check.add(question.id, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                    continue
                }
                answers[question.id] = String(number)
            case .choice:
                guard question.options.contains(value) else {
                    check.add(question.id, "must be one of: \(question.options.joined(separator: ", "))")
                    continue
                }
                answers[question.id] = value
            case .text:
                answers[question.id] = check.text(value, field: question.id, required: false, limit: 2000, multiline: true)
            }
        }
        if answers.isEmpty && check.issues.isEmpty { check.add("answers", "answer at least one question") }
        try check.finish()
        return answers
    }
}
