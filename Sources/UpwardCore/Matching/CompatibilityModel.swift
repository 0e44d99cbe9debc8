import Foundation

/// Everything needed to score and check any (mentee, mentor) pair quickly: participants'
/// features packed into flat arrays, so scoring millions of pairs stays cheap.
public struct CompatibilityModel: Sendable {
    public struct Participant: Sendable {
        public let person: PersonRecord
        public let enrollment: Enrollment
        /// The line of the enrollments file, for messages.
        public let line: Int

        public init(person: PersonRecord, enrollment: Enrollment, line: Int) {
            self.person = person
            self.enrollment = enrollment
            self.line = line
        }
    }

    /// The seven components of a pair's score, each in [0, 1].
    public struct Components: Equatable, Sendable {
        public var goals: Double
        public var growth: Double
        public var interests: Double
        public var style: Double
        public var crossDepartment: Double
        public var generation: Double
        public var workingHours: Double

        public var values: [Double] { [goals, growth, interests, style, crossDepartment, generation, workingHours] }
    }

    public let mentees: [Participant]
    public let mentors: [Participant]
    public let weights: ScoringWeights
    public let rules: MatchingRules
    /// How each skill was first written, by its normalized name.
    let skillDisplayNames: [String: String]
    let normalizedWeights: [Double]

    // Packed features. Mentee arrays are indexed by mentee, mentor arrays by mentor.
    let skillCount: Int
    let mentorOffers: [UInt8]  // mentor × skill
    let menteeOffers: [UInt8]  // mentee × skill
    let menteeGoals: PackedGoals
    let mentorGoals: PackedGoals
    let interestWords: Int
    let menteeInterests: [UInt64]
    let mentorInterests: [UInt64]
    let menteeInterestCount: [Int32]
    let mentorInterestCount: [Int32]
    let menteeStyle: [Int32]
    let mentorStyle: [Int32]
    let menteeDepartment: [Int32]
    let mentorDepartment: [Int32]
    let menteeUnit: [Int32]
    let mentorUnit: [Int32]
    let menteeGeneration: [Int8]
    let mentorGeneration: [Int8]
    let menteeOffset: [Int32]  // minutes from UTC, Int32.min when unknown
    let mentorOffset: [Int32]
    let menteeLevel: [Int32]
    let mentorLevel: [Int32]
    // Reporting tree as an Euler tour: A is above B when enter[A] < enter[B] && exit[B] <= exit[A].
    let menteeEnter: [Int32]
    let menteeExit: [Int32]
    let mentorEnter: [Int32]
    let mentorExit: [Int32]
    let blocked: Set<UInt64>  // mentee << 32 | mentor: avoid lists and exclusions
    let excluded: Set<UInt64>
    /// Stable hashes of what scores read (see ``MatchingState``): per mentee, per mentor, and global.
    let menteeFingerprints: [UInt64]
    let mentorFingerprints: [UInt64]
    let globalFingerprint: UInt64

    struct PackedGoals: Sendable {
        var start: [Int32]  // per person, into the arrays below
        var skill: [Int32]
        var current: [Double]
        var gap: [Double]
        var totalGap: [Double]

        func range(_ person: Int) -> Range<Int> { Int(start[person])..<Int(start[person + 1]) }
    }

    /// Reference instant for time-zone offsets, fixed so results don't change with the date.
    static let offsetReference = Date(timeIntervalSince1970: 1_767_268_800)  // 2026-01-01 12:00 UTC

    public init(mentees: [Participant], mentors: [Participant], directory: [PersonRecord], weights: ScoringWeights = .init(), rules: MatchingRules = .init()) {
        self.mentees = mentees
        self.mentors = mentors
        self.weights = weights
        self.rules = rules
        let sum = weights.values.reduce(0, +)
        normalizedWeights = weights.values.map { sum > 0 ? $0 / sum : 0 }

        // Vocabularies.
        var skills: [String: Int32] = [:]
        var interests: [String: Int] = [:]
        var styles: [String: Int32] = [:]
        var departments: [String: Int32] = [:]
        var units: [String: Int32] = [:]
        func id(_ key: String, _ table: inout [String: Int32]) -> Int32 {
            if let existing = table[key] { return existing }
            let next = Int32(table.count)
            table[key] = next
            return next
        }
        for participant in mentees + mentors {
            for skill in participant.enrollment.offers.keys.sorted() { _ = id(skill, &skills) }
            for goal in participant.enrollment.wants { _ = id(goal.skill, &skills) }
            for interest in participant.enrollment.interests.sorted() where interests[interest] == nil { interests[interest] = interests.count }
        }
        skillCount = skills.count
        var display: [String: String] = [:]
        for participant in mentees + mentors {
            for (key, name) in participant.enrollment.displayNames where display[key] == nil { display[key] = name }
        }
        skillDisplayNames = display
        let words = max(1, (interests.count + 63) / 64)
        interestWords = words

        func offers(_ group: [Participant]) -> [UInt8] {
            var packed = [UInt8](repeating: 0, count: group.count * skills.count)
            for (index, participant) in group.enumerated() {
                for (skill, level) in participant.enrollment.offers { packed[index * skills.count + Int(skills[skill]!)] = UInt8(level) }
            }
            return packed
        }
        func goals(_ group: [Participant]) -> PackedGoals {
            var packed = PackedGoals(start: [0], skill: [], current: [], gap: [], totalGap: [])
            for participant in group {
                var total = 0.0
                for goal in participant.enrollment.wants {
                    packed.skill.append(skills[goal.skill]!)
                    packed.current.append(Double(goal.current))
                    packed.gap.append(Double(goal.gap))
                    total += Double(goal.gap)
                }
                packed.totalGap.append(total)
                packed.start.append(Int32(packed.skill.count))
            }
            return packed
        }
        func interestBits(_ group: [Participant]) -> [UInt64] {
            var bits = [UInt64](repeating: 0, count: group.count * words)
            for (index, participant) in group.enumerated() {
                for interest in participant.enrollment.interests {
                    let bit = interests[interest]!
                    bits[index * words + bit / 64] |= 1 << UInt64(bit % 64)
                }
            }
            return bits
        }
        mentorOffers = offers(mentors)
        menteeOffers = offers(mentees)
        menteeGoals = goals(mentees)
        mentorGoals = goals(mentors)
        menteeInterests = interestBits(mentees)
        mentorInterests = interestBits(mentors)
        menteeInterestCount = mentees.map { Int32($0.enrollment.interests.count) }
        mentorInterestCount = mentors.map { Int32($0.enrollment.interests.count) }
        menteeStyle = mentees.map { $0.enrollment.style.map { id($0, &styles) } ?? -1 }
        mentorStyle = mentors.map { $0.enrollment.style.map { id($0, &styles) } ?? -1 }
        menteeDepartment = mentees.map { id($0.person.department, &departments) }
        mentorDepartment = mentors.map { id($0.person.department, &departments) }
        menteeUnit = mentees.map { $0.person.businessUnit.map { id($0, &units) } ?? -1 }
        mentorUnit = mentors.map { $0.person.businessUnit.map { id($0, &units) } ?? -1 }
        menteeGeneration = mentees.map { $0.person.generation.map { Int8($0.order) } ?? -1 }
        mentorGeneration = mentors.map { $0.person.generation.map { Int8($0.order) } ?? -1 }
        func offset(_ person: PersonRecord) -> Int32 {
            guard let name = person.timeZone, let zone = TimeZone(identifier: name) else { return Int32.min }
            return Int32(zone.secondsFromGMT(for: Self.offsetReference) / 60)
        }
        menteeOffset = mentees.map { offset($0.person) }
        mentorOffset = mentors.map { offset($0.person) }
        menteeLevel = mentees.map { Int32($0.person.level) }
        mentorLevel = mentors.map { Int32($0.person.level) }

        // Euler tour of the whole directory's reporting tree.
        let tour = EulerTour(directory)
        menteeEnter = mentees.map { tour.enter[$0.person.employeeID] ?? -1 }
        menteeExit = mentees.map { tour.exit[$0.person.employeeID] ?? -1 }
        mentorEnter = mentors.map { tour.enter[$0.person.employeeID] ?? -1 }
        mentorExit = mentors.map { tour.exit[$0.person.employeeID] ?? -1 }

        let menteeIndex = Dictionary(mentees.enumerated().map { ($1.enrollment.email, $0) }, uniquingKeysWith: { a, _ in a })
        let mentorIndex = Dictionary(mentors.enumerated().map { ($1.enrollment.email, $0) }, uniquingKeysWith: { a, _ in a })
        var blocked: Set<UInt64> = []
        for (i, mentee) in mentees.enumerated() {
            for email in mentee.enrollment.avoid { if let j = mentorIndex[email] { blocked.insert(Self.key(i, j)) } }
        }
        for (j, mentor) in mentors.enumerated() {
            for email in mentor.enrollment.avoid { if let i = menteeIndex[email] { blocked.insert(Self.key(i, j)) } }
        }
        var excluded: Set<UInt64> = []
        for pair in rules.excludedPairs {
            if let i = menteeIndex[pair.mentee], let j = mentorIndex[pair.mentor] { excluded.insert(Self.key(i, j)) }
        }
        self.blocked = blocked
        self.excluded = excluded

        let managerOf = Dictionary(directory.compactMap { person in person.managerID.map { (person.employeeID, $0) } }, uniquingKeysWith: { a, _ in a })
        menteeFingerprints = mentees.map { Self.participantFingerprint($0, managerOf: managerOf) }
        mentorFingerprints = mentors.map { Self.participantFingerprint($0, managerOf: managerOf) }
        globalFingerprint = Self.globalFingerprint(weights: normalizedWeights, rules: rules)
    }

    /// A skill's name as the enrollments file wrote it.
    public func displayName(ofSkill skill: String) -> String { skillDisplayNames[skill] ?? skill }

    @inline(__always) static func key(_ mentee: Int, _ mentor: Int) -> UInt64 { UInt64(mentee) << 32 | UInt64(mentor) }

    // MARK: - Hard rules

    /// The first hard rule the pair breaks, or nil when it may be paired.
    @inline(__always)
    public func violation(mentee i: Int, mentor j: Int) -> MatchingRules.Violation? {
        if menteeLevel[i] - mentorLevel[j] < Int32(rules.minimumLevelGap) { return .levelGap }
        let (a, b) = (menteeEnter[i], mentorEnter[j])
        if a >= 0, b >= 0 {
            if (a < b && mentorExit[j] <= menteeExit[i]) || (b < a && menteeExit[i] <= mentorExit[j]) { return .reportingChain }
        }
        if rules.differentDepartmentOnly, menteeDepartment[i] == mentorDepartment[j] { return .sameDepartment }
        if !blocked.isEmpty, blocked.contains(Self.key(i, j)) { return .avoided }
        if !excluded.isEmpty, excluded.contains(Self.key(i, j)) { return .excluded }
        return nil
    }

    // MARK: - Scoring

    /// Coverage of `goals` of person `p` by the offers row starting at `offerBase`.
    @inline(__always)
    func coverage(_ goals: PackedGoals, _ p: Int, offers: [UInt8], offerBase: Int) -> Double {
        let total = goals.totalGap[p]
        guard total > 0 else { return 0 }
        var covered = 0.0
        for k in goals.range(p) {
            let offered = Double(offers[offerBase + Int(goals.skill[k])])
            let gap = goals.gap[k]
            covered += min(max(offered - goals.current[k], 0), gap)
        }
        return covered / total
    }

    public func components(mentee i: Int, mentor j: Int) -> Components {
        let cheap = cheapComponents(mentee: i, mentor: j)
        let goals = coverage(menteeGoals, i, offers: mentorOffers, offerBase: j * skillCount)
        let growth = coverage(mentorGoals, j, offers: menteeOffers, offerBase: i * skillCount)
        var shared = 0
        var either = 0
        for w in 0..<interestWords {
            let a = menteeInterests[i * interestWords + w]
            let b = mentorInterests[j * interestWords + w]
            shared += (a & b).nonzeroBitCount
            either += (a | b).nonzeroBitCount
        }
        let interests = either == 0 ? 0 : Double(shared) / Double(either)
        return Components(
            goals: goals, growth: growth, interests: interests, style: cheap.style, crossDepartment: cheap.crossDepartment,
            generation: cheap.generation, workingHours: cheap.workingHours)
    }

    /// The components that take a few comparisons: style, departments, generations, hours.
    @inline(__always)
    func cheapComponents(mentee i: Int, mentor j: Int) -> (style: Double, crossDepartment: Double, generation: Double, workingHours: Double) {
        let style: Double = menteeStyle[i] < 0 || mentorStyle[j] < 0 ? 0.5 : (menteeStyle[i] == mentorStyle[j] ? 1 : 0)
        let crossDepartment: Double
        if menteeDepartment[i] == mentorDepartment[j] {
            crossDepartment = 0
        } else if menteeUnit[i] >= 0, menteeUnit[i] == mentorUnit[j] {
            crossDepartment = 0.6
        } else {
            crossDepartment = 1
        }
        let generation: Double =
            menteeGeneration[i] < 0 || mentorGeneration[j] < 0 ? 0.5 : min(1, Double(abs(Int(menteeGeneration[i]) - Int(mentorGeneration[j]))) / 3)
        return (style, crossDepartment, generation, sharedHours(mentee: i, mentor: j).map { $0 / 8 } ?? 0.5)
    }

    /// A bound no lower than the pair's score, from the cheap components alone: lets the
    /// solver skip pairs that cannot matter without computing their full score.
    @inline(__always)
    public func scoreUpperBound(mentee i: Int, mentor j: Int) -> Double {
        let cheap = cheapComponents(mentee: i, mentor: j)
        let w = normalizedWeights
        let a = menteeInterestCount[i]
        let b = mentorInterestCount[j]
        let interests = a == 0 || b == 0 ? 0 : Double(min(a, b)) / Double(max(a, b))
        let sum =
            w[0] * (menteeGoals.totalGap[i] > 0 ? 1 : 0) + w[1] * (mentorGoals.totalGap[j] > 0 ? 1 : 0) + w[2] * interests
            + w[3] * cheap.style + w[4] * cheap.crossDepartment + w[5] * cheap.generation + w[6] * cheap.workingHours
        return sum * 100 + 1e-5
    }

    /// Hours both work, each 09:00-17:00 local time; nil when a time zone is unknown.
    public func sharedHours(mentee i: Int, mentor j: Int) -> Double? {
        guard menteeOffset[i] != Int32.min, mentorOffset[j] != Int32.min else { return nil }
        var difference = abs(Int(menteeOffset[i]) - Int(mentorOffset[j])) % (24 * 60)
        difference = min(difference, 24 * 60 - difference)
        return max(0, 8 - Double(difference) / 60)
    }

    /// The pair's compatibility in [0, 100], or nil when a hard rule forbids it.
    @inline(__always)
    public func score(mentee i: Int, mentor j: Int) -> Double? {
        guard violation(mentee: i, mentor: j) == nil else { return nil }
        return unrestrictedScore(mentee: i, mentor: j)
    }

    public func unrestrictedScore(mentee i: Int, mentor j: Int) -> Double {
        let parts = components(mentee: i, mentor: j)
        let w = normalizedWeights
        let sum =
            w[0] * parts.goals + w[1] * parts.growth + w[2] * parts.interests + w[3] * parts.style + w[4] * parts.crossDepartment
            + w[5] * parts.generation + w[6] * parts.workingHours
        return (sum * 100 * 1e6).rounded() / 1e6
    }

    /// Writes mentee `i`'s scores against every mentor into `row` (NaN where forbidden).
    public func scoreRow(mentee i: Int, into row: UnsafeMutableBufferPointer<Double>) {
        for j in 0..<mentors.count { row[j] = score(mentee: i, mentor: j) ?? .nan }
    }
}

/// Enter and exit times of a depth-first walk of the reporting tree.
struct EulerTour {
    var enter: [String: Int32] = [:]
    var exit: [String: Int32] = [:]

    init(_ people: [PersonRecord]) {
        var children: [String: [String]] = [:]
        let ids = Set(people.map(\.employeeID))
        var roots: [String] = []
        for person in people {
            if let manager = person.managerID, ids.contains(manager) {
                children[manager, default: []].append(person.employeeID)
            } else {
                roots.append(person.employeeID)
            }
        }
        var clock: Int32 = 0
        // Iterative walk: deep organizations must not overflow the stack.
        var stack: [(String, Bool)] = roots.reversed().map { ($0, false) }
        while let (node, done) = stack.popLast() {
            if done {
                exit[node] = clock
                clock += 1
                continue
            }
            if enter[node] != nil { continue }  // a cycle; the import refuses those, so ignore here
            enter[node] = clock
            clock += 1
            stack.append((node, true))
            for child in (children[node] ?? []).reversed() { stack.append((child, false)) }
        }
    }
}
