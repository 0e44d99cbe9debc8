/// What a participant tells the program when enrolling: validated answers, stored as they are.
public struct EnrollmentAnswers: Codable, Sendable, Equatable {
    public struct Skill: Codable, Sendable, Equatable {
        public var skill: String
        public var level: Int
        public init(skill: String, level: Int) {
            self.skill = skill
            self.level = level
        }
    }

    public struct Goal: Codable, Sendable, Equatable {
        public var skill: String
        public var current: Int
        public var target: Int
        public init(skill: String, current: Int, target: Int) {
            self.skill = skill
            self.current = current
            self.target = target
        }
    }

    public var offers: [Skill]
    public var goals: [Goal]
    public var interests: [String]
    public var style: String?
    /// Mentors only: how many mentees they take, up to the program's maximum.
    public var capacity: Int
    /// Employee ids of people not to be paired with; private to the participant and the program manager.
    public var avoid: [String]
    /// Optional, only with consent; never shown to the partner, never exported per person.
    public var diversity: [String: String]

    public init(
        offers: [Skill] = [], goals: [Goal] = [], interests: [String] = [], style: String? = nil, capacity: Int = 1, avoid: [String] = [],
        diversity: [String: String] = [:]
    ) {
        self.offers = offers
        self.goals = goals
        self.interests = interests
        self.style = style
        self.capacity = capacity
        self.avoid = avoid
        self.diversity = diversity
    }

    /// The engine's view of these answers.
    public func enrollment(email: String, role: Enrollment.Role, avoidEmails: Set<String>) -> Enrollment {
        var offered: [String: Int] = [:]
        var display: [String: String] = [:]
        for skill in offers {
            let key = EnrollmentsFile.normalize(skill.skill)
            offered[key] = max(offered[key] ?? 0, skill.level)
            display[key] = display[key] ?? skill.skill
        }
        let wants = goals.map { goal -> Enrollment.Goal in
            let key = EnrollmentsFile.normalize(goal.skill)
            display[key] = display[key] ?? goal.skill
            return Enrollment.Goal(skill: key, current: goal.current, target: goal.target)
        }
        var enrollment = Enrollment(
            email: email, role: role, offers: offered, wants: wants, interests: Set(interests.map(EnrollmentsFile.normalize)),
            style: style.map(EnrollmentsFile.normalize), capacity: role == .mentor ? capacity : 1, avoid: avoidEmails)
        enrollment.displayNames = display
        return enrollment
    }
}

/// The enrollment form: every problem is named by its field.
public enum EnrollmentForm {
    public static let styles = ["direct", "reflective", "structured", "informal"]
    public static let diversityAttributes = ["gender", "ethnicity", "disability", "lgbtq", "caregiver", "first generation professional"]

    /// The raw values of the form or API body.
    public struct Input: Codable, Sendable, Equatable {
        public var offers: [EnrollmentAnswers.Skill]?
        public var goals: [EnrollmentAnswers.Goal]?
        public var interests: [String]?
        public var style: String?
        public var capacity: Int?
        public var avoid: [String]?
        public var diversityConsent: Bool?
        public var diversity: [String: String]?
        public init() {}
    }

    /// Validates the answers for `role`; `maximumCapacity` is the program's mentees-per-mentor limit;
    /// `knownEmployeeIDs` tells which avoid entries name someone in the directory.
    public static func validate(
        _ input: Input, role: Enrollment.Role, maximumCapacity: Int, knownEmployeeIDs: (String) -> Bool
    ) throws(ValidationFailure) -> EnrollmentAnswers {
        var check = FieldChecker()
        var offers: [EnrollmentAnswers.Skill] = []
        var seen: Set<String> = []
        for (index, entry) in (input.offers ?? []).enumerated() {
            let skill = check.text(entry.skill, field: "offers[\(index)].skill", limit: 60)
            if !(1...5).contains(entry.level) { check.add("offers[\(index)].level", "must be from 1 to 5 (got \(entry.level))") }
            let key = EnrollmentsFile.normalize(skill)
            if !skill.isEmpty, !seen.insert(key).inserted { check.add("offers[\(index)].skill", "\"\(skill)\" is listed twice") }
            offers.append(.init(skill: skill, level: entry.level))
        }
        if offers.count > 20 { check.add("offers", "at most 20 skills") }
        var goals: [EnrollmentAnswers.Goal] = []
        seen = []
        for (index, entry) in (input.goals ?? []).enumerated() {
            let skill = check.text(entry.skill, field: "goals[\(index)].skill", limit: 60)
            if !(0...4).contains(entry.current) { check.add("goals[\(index)].current", "must be from 0 to 4 (got \(entry.current))") }
            if !(1...5).contains(entry.target) {
                check.add("goals[\(index)].target", "must be from 1 to 5 (got \(entry.target))")
            } else if entry.target <= entry.current {
                check.add("goals[\(index)].target", "must be above the current level (\(entry.current))")
            }
            let key = EnrollmentsFile.normalize(skill)
            if !skill.isEmpty, !seen.insert(key).inserted { check.add("goals[\(index)].skill", "\"\(skill)\" is listed twice") }
            goals.append(.init(skill: skill, current: entry.current, target: entry.target))
        }
        if goals.isEmpty { check.add("goals", "add at least one learning goal") }
        if goals.count > 20 { check.add("goals", "at most 20 learning goals") }
        if role == .mentor, offers.isEmpty { check.add("offers", "a mentor offers at least one skill") }
        var interests: [String] = []
        for (index, raw) in (input.interests ?? []).enumerated() {
            let interest = check.text(raw, field: "interests[\(index)]", required: false, limit: 60)
            if !interest.isEmpty, !interests.contains(interest) { interests.append(interest) }
        }
        if interests.count > 20 { check.add("interests", "at most 20 interests") }
        var style: String?
        if let raw = input.style?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if styles.contains(raw.lowercased()) {
                style = raw.lowercased()
            } else {
                check.add("style", "must be one of \(styles.joined(separator: ", "))")
            }
        }
        var capacity = 1
        if role == .mentor {
            capacity = check.integer(input.capacity ?? 1, field: "capacity", in: 1...maximumCapacity)
        }
        var avoid: [String] = []
        for (index, raw) in (input.avoid ?? []).enumerated() {
            let id = raw.trimmingCharacters(in: .whitespaces)
            if id.isEmpty { continue }
            if id.count > 40 || !knownEmployeeIDs(id) {
                check.add("avoid[\(index)]", "\"\(id.prefix(40))\" is not an employee id in the directory")
            } else if !avoid.contains(id) {
                avoid.append(id)
            }
        }
        if avoid.count > 20 { check.add("avoid", "at most 20 people") }
        var diversity: [String: String] = [:]
        let given = (input.diversity ?? [:]).filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
        if !given.isEmpty {
            if input.diversityConsent != true {
                check.add("diversityConsent", "diversity answers are kept only with your explicit consent; tick the box or leave them empty")
            }
            for (key, value) in given.sorted(by: { $0.key < $1.key }) {
                guard diversityAttributes.contains(key) else {
                    check.add("diversity.\(key)", "is not an attribute; use \(diversityAttributes.joined(separator: ", "))")
                    continue
                }
                diversity[key] = check.text(value, field: "diversity.\(key)", limit: 60)
            }
        }
        try check.finish()
        return EnrollmentAnswers(
            offers: offers, goals: goals, interests: interests, style: style, capacity: capacity, avoid: avoid,
            diversity: input.diversityConsent == true ? diversity : [:])
    }
}
