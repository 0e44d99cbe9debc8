/// Plain-words explanations: why a pair was made, and why someone was left unmatched.
extension CompatibilityModel {
    /// One reason per component that counts for this pair, strongest contribution first.
    public func reasons(mentee i: Int, mentor j: Int, limit: Int = 3) -> [String] {
        let parts = components(mentee: i, mentor: j)
        let mentee = mentees[i]
        let mentor = mentors[j]
        var reasons: [(weight: Double, text: String)] = []
        let w = normalizedWeights

        if parts.goals > 0 {
            reasons.append((w[0] * parts.goals, goalsText(learner: mentee.enrollment, teacher: mentor.enrollment, whose: "learning goals")))
        }
        if parts.growth > 0 {
            reasons.append((w[1] * parts.growth, goalsText(learner: mentor.enrollment, teacher: mentee.enrollment, whose: "growth goals of the mentor")))
        }
        if parts.interests > 0 {
            let shared = mentee.enrollment.interests.intersection(mentor.enrollment.interests).sorted()
            reasons.append(
                (w[2] * parts.interests, "shares \(shared.count == 1 ? "an interest" : "\(shared.count) interests"): \(shared.joined(separator: ", "))"))
        }
        if parts.style == 1, let style = mentee.enrollment.style {
            reasons.append((w[3], "same communication style (\(style))"))
        }
        if parts.crossDepartment == 1 {
            let units = [mentee.person.businessUnit, mentor.person.businessUnit].compactMap { $0 }
            reasons.append(
                (
                    w[4],
                    units.count == 2
                        ? "different business units (\(units[0]) / \(units[1]))"
                        : "different departments (\(mentee.person.department) / \(mentor.person.department))"
                ))
        } else if parts.crossDepartment > 0 {
            reasons.append((w[4] * parts.crossDepartment, "different departments (\(mentee.person.department) / \(mentor.person.department))"))
        }
        if parts.generation > 0, let a = mentee.person.generation, let b = mentor.person.generation, a != b {
            let apart = abs(a.order - b.order)
            reasons.append((w[5] * parts.generation, "\(a.rawValue) and \(b.rawValue): \(apart) generation\(apart == 1 ? "" : "s") apart"))
        }
        if let hours = sharedHours(mentee: i, mentor: j) {
            let whole = Int(hours.rounded())
            reasons.append((w[6] * parts.workingHours, whole == 0 ? "no shared working hours" : "\(whole) hour\(whole == 1 ? "" : "s") of shared working time"))
        }
        return reasons.filter { $0.weight > 0 }.sorted { $0.weight > $1.weight }.prefix(limit).map(\.text)
    }

    /// "covers 3 of 4 learning goals: AI tools (offers 5, needs 1 to 4), …"
    func goalsText(learner: Enrollment, teacher: Enrollment, whose: String) -> String {
        let helped = learner.wants.filter { (teacher.offers[$0.skill] ?? 0) > $0.current }
        let details = helped.sorted { $0.gap > $1.gap }.prefix(3).map { goal in
            "\(displayName(ofSkill: goal.skill)) (offers \(teacher.offers[goal.skill]!), needs \(goal.current) to \(goal.target))"
        }
        return "covers \(helped.count) of \(learner.wants.count) \(whose): \(details.joined(separator: ", "))"
    }

    /// Why mentee `i` has no mentor in `assignment` (one entry per mentee).
    public func whyUnmatched(mentee i: Int, assignment: [Int?], objective: MatchingObjective) -> String {
        let (byRule, allowed) = Self.tally(mentors.indices) { violation(mentee: i, mentor: $0) }
        if mentors.isEmpty { return "the program has no mentors" }
        if allowed.isEmpty {
            // Name the mentee's biggest learning goal when the mentors who offer it are all ruled out.
            if let goal = mentees[i].enrollment.wants.max(by: { $0.gap < $1.gap }) {
                let offering = mentors.indices.filter { (mentors[$0].enrollment.offers[goal.skill] ?? 0) > goal.current }
                let rules = Set(offering.compactMap { violation(mentee: i, mentor: $0) })
                if !offering.isEmpty, rules.count == 1, let rule = rules.first {
                    let count = offering.count
                    return
                        "the \(count == 1 ? "mentor" : "\(count) mentors") who offer\(count == 1 ? "s" : "") '\(displayName(ofSkill: goal.skill))' \(count == 1 ? "is" : "are all") \(describe(rule, plural: count != 1))"
                }
            }
            let parts = MatchingRules.Violation.allCases.compactMap { rule in
                byRule[rule].map { "\($0) \(describe(rule, plural: $0 != 1))" }
            }
            return "no mentor can be paired under the program's rules: of \(mentors.count) mentors, \(parts.joined(separator: ", "))"
        }
        // One pass over the assignment, not one per allowed mentor (that was cubic over all unmatched mentees).
        let busy = Set(assignment.lazy.compactMap { $0 })
        let taken = allowed.filter { busy.contains($0) }
        let capacity = allowed.map { mentors[$0].enrollment.capacity }.reduce(0, +)
        let who = allowed.count == 1 ? "the one mentor who could be paired is" : "all \(allowed.count) mentors who could be paired are"
        switch objective {
        case .stable:
            return "\(who) full with mentees they rank higher"
        case .total:
            if taken.count == allowed.count { return "\(who) at capacity (\(capacity) places) with other mentees" }
            return "pairing would not raise the total score"
        case .participation, .fair:
            return "\(who) at capacity (\(capacity) place\(capacity == 1 ? "" : "s")); taking one would leave another mentee unmatched"
        }
    }

    /// Why mentor `j` has no mentee in `assignment` (one entry per mentee).
    public func whyIdle(mentor j: Int, assignment: [Int?]) -> String {
        let (byRule, allowed) = Self.tally(mentees.indices) { violation(mentee: $0, mentor: j) }
        if mentees.isEmpty { return "the program has no mentees" }
        if allowed.isEmpty {
            let parts = MatchingRules.Violation.allCases.compactMap { rule -> String? in
                guard let count = byRule[rule] else { return nil }
                return "\(count) \(rule == .levelGap ? "not at least \(rules.minimumLevelGap) levels more senior" : describe(rule, plural: count != 1))"
            }
            return "no mentee can be paired under the program's rules: of \(mentees.count) mentees, \(parts.joined(separator: ", "))"
        }
        return "each of the \(allowed.count) mentee\(allowed.count == 1 ? "" : "s") who could be paired has a mentor who suits the whole program better"
    }

    /// How many candidates each rule rules out, and which candidates are allowed.
    static func tally(_ candidates: Range<Int>, _ violation: (Int) -> MatchingRules.Violation?) -> ([MatchingRules.Violation: Int], [Int]) {
        var byRule: [MatchingRules.Violation: Int] = [:]
        var allowed: [Int] = []
        for candidate in candidates {
            if let rule = violation(candidate) { byRule[rule, default: 0] += 1 } else { allowed.append(candidate) }
        }
        return (byRule, allowed)
    }

    public func describe(_ rule: MatchingRules.Violation, plural: Bool) -> String {
        switch rule {
        case .levelGap: "not at least \(rules.minimumLevelGap) levels more junior"
        case .reportingChain: "in your reporting chain"
        case .avoided: "on an avoid list"
        case .excluded: "excluded by the program manager or an earlier decline"
        case .sameDepartment: "in your department (the program pairs across departments only)"
        }
    }

    /// The best `count` mentors for mentee `i`, ignoring capacity: for programs where participants choose.
    public func suggestions(mentee i: Int, count: Int) -> [(mentor: Int, score: Double)] {
        var options: [(mentor: Int, score: Double)] = []
        for j in mentors.indices {
            if let score = score(mentee: i, mentor: j) { options.append((j, score)) }
        }
        options.sort { (a: (mentor: Int, score: Double), b: (mentor: Int, score: Double)) -> Bool in
            a.score > b.score || (a.score == b.score && a.mentor < b.mentor)
        }
        return Array(options.prefix(count))
    }
}
