import Foundation

/// How much each part of compatibility counts. Any non-negative numbers; they are normalized.
public struct ScoringWeights: Codable, Equatable, Sendable {
    /// The mentor's offered skills cover the mentee's learning goals (level offered vs. the gap).
    public var goals: Double = 0.35
    /// The reverse: what the senior can offer the junior's own growth goals (leadership, strategy…).
    public var growth: Double = 0.15
    /// Shared interests (Jaccard overlap).
    public var interests: Double = 0.10
    /// Same communication style.
    public var style: Double = 0.05
    /// Different department (or, better, business unit): reverse mentoring crosses silos.
    public var crossDepartment: Double = 0.10
    /// Generational distance: the point of reverse mentoring.
    public var generation: Double = 0.10
    /// Overlap of 9-to-5 working hours across time zones.
    public var workingHours: Double = 0.15

    public init() {}

    public static let componentNames = ["goals", "growth", "interests", "style", "crossDepartment", "generation", "workingHours"]

    var values: [Double] { [goals, growth, interests, style, crossDepartment, generation, workingHours] }

    /// Reads a weights JSON object (`{"goals": 0.5, …}`); missing keys keep their defaults, unknown keys are an error.
    public static func parse(_ data: Data) throws(ImportFailure) -> ScoringWeights {
        let object: [String: Double]
        do {
            object = try JSONDecoder().decode([String: Double].self, from: data)
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            throw ImportFailure([ImportIssue(line: nil, column: context.codingPath.last!.stringValue, message: "must be a number of 0 or more")])
        } catch {
            throw ImportFailure([ImportIssue(line: nil, column: nil, message: "weights must be a JSON object of numbers such as {\"goals\": 0.5}")])
        }
        var weights = ScoringWeights()
        var issues: [ImportIssue] = []
        for (key, number) in object.sorted(by: { $0.key < $1.key }) {
            guard number.isFinite, number >= 0 else {
                issues.append(ImportIssue(line: nil, column: key, message: "must be a number of 0 or more"))
                continue
            }
            if !weights.set(key, number) {
                issues.append(ImportIssue(line: nil, column: key, message: "is not a weight; use \(componentNames.joined(separator: ", "))"))
            }
        }
        if issues.isEmpty, weights.values.reduce(0, +) <= 0 {
            issues.append(ImportIssue(line: nil, column: nil, message: "at least one weight must be above 0"))
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }
        return weights
    }
}

/// The hard rules of a program, never broken by any objective.
public struct MatchingRules: Sendable {
    /// The mentee's level minus the mentor's must be at least this.
    public var minimumLevelGap: Int = 2
    /// Only pair people from different departments.
    public var differentDepartmentOnly: Bool = false
    /// Pairs the program manager excluded, or that a participant declined or asked to rematch (mentee email, mentor email).
    public var excludedPairs: Set<EmailPair> = []

    public init(minimumLevelGap: Int = 2, differentDepartmentOnly: Bool = false, excludedPairs: Set<EmailPair> = []) {
        self.minimumLevelGap = minimumLevelGap
        self.differentDepartmentOnly = differentDepartmentOnly
        self.excludedPairs = excludedPairs
    }

    public struct EmailPair: Hashable, Sendable {
        public var mentee: String
        public var mentor: String
        public init(mentee: String, mentor: String) {
            self.mentee = mentee
            self.mentor = mentor
        }
    }

    /// Why a pair is not allowed.
    public enum Violation: String, CaseIterable, Sendable {
        case levelGap = "not at least the minimum level gap more junior"
        case reportingChain = "in the same reporting chain"
        case avoided = "on an avoid list"
        case excluded = "excluded by the program manager or an earlier decline"
        case sameDepartment = "in the same department"
    }
}
