/// What a program manager should look at twice in a proposed pair, and the checks on a pair made by hand.
extension CompatibilityModel {
    /// Warnings for a pair: a low score, a shared location, the same department, few shared hours.
    public func warnings(mentee i: Int, mentor j: Int, threshold: Double) -> [String] {
        var warnings: [String] = []
        let score = unrestrictedScore(mentee: i, mentor: j)
        if score < threshold { warnings.append("low score (\(Int(score.rounded())) is below the review threshold of \(Int(threshold.rounded())))") }
        let a = mentees[i].person
        let b = mentors[j].person
        if let place = a.location, place == b.location { warnings.append("both work in \(place): they may already know each other") }
        if a.department == b.department { warnings.append("same department (\(a.department))") }
        if let hours = sharedHours(mentee: i, mentor: j), hours < 2 {
            warnings.append(hours == 0 ? "no shared working hours" : "under 2 shared working hours")
        }
        return warnings
    }

    /// Why a pair made by hand is refused: the hard rule it breaks, in words naming both people.
    public func manualRefusal(mentee i: Int, mentor j: Int) -> String? {
        guard let rule = violation(mentee: i, mentor: j) else { return nil }
        let mentee = mentees[i].person
        let mentor = mentors[j].person
        let detail: String
        switch rule {
        case .levelGap:
            detail =
                "\(mentor.name) (level \(mentor.level)) must be at least \(rules.minimumLevelGap) levels more junior than \(mentee.name) (level \(mentee.level))"
        case .reportingChain: detail = "\(mentor.name) and \(mentee.name) are in the same reporting chain"
        case .avoided: detail = "one of them asked not to be paired with the other"
        case .excluded: detail = "this pair was excluded, declined or sent back for a rematch"
        case .sameDepartment: detail = "both are in \(mentee.department) and the program pairs across departments only"
        }
        return "This pair breaks the hard rule \"\(rule.rawValue)\": \(detail)."
    }
}

/// What a participant still has to do before their pair can go live.
public struct ParticipantChecklist: Sendable, Equatable {
    public struct Module: Sendable, Equatable {
        public let id: String
        public let title: String
        public init(id: String, title: String) {
            self.id = id
            self.title = title
        }
    }

    public var enrolled: Bool
    public var agreed: Bool
    public var missingModules: [Module]

    public init(enrolled: Bool, agreed: Bool, requiredModules: [Module], completed: Set<String>) {
        self.enrolled = enrolled
        self.agreed = agreed
        self.missingModules = requiredModules.filter { !completed.contains($0.id) }
    }

    /// Training done and agreement accepted: a pair waits for nothing more from this person.
    public var isReady: Bool { agreed && missingModules.isEmpty }

    /// The things still missing, in words.
    public var missing: [String] {
        var items: [String] = []
        if !enrolled { items.append("enrollment form") }
        items += missingModules.map { "training: \($0.title)" }
        if !agreed { items.append("code of conduct") }
        return items
    }
}
