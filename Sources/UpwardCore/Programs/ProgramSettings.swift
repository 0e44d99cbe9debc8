/// Where a program is in its life. Transitions are checked by ``ProgramLifecycle``.
public enum ProgramStatus: String, CaseIterable, Sendable, Codable {
    case draft, enrolling, matching, active, completed, cancelled

    public var label: String {
        switch self {
        case .draft: "Draft"
        case .enrolling: "Enrolling"
        case .matching: "Matching"
        case .active: "Active"
        case .completed: "Completed"
        case .cancelled: "Cancelled"
        }
    }
}

/// The enforced lifecycle: draft → enrolling → matching → active → completed, and cancelled
/// from any state before completed.
public enum ProgramLifecycle {
    /// What the lifecycle needs to know about the program to allow a step.
    public struct Facts: Sendable {
        public var enrolledMentors: Int
        public var enrolledMentees: Int
        public var publishedPairs: Int

        public init(enrolledMentors: Int = 0, enrolledMentees: Int = 0, publishedPairs: Int = 0) {
            self.enrolledMentors = enrolledMentors
            self.enrolledMentees = enrolledMentees
            self.publishedPairs = publishedPairs
        }
    }

    public struct Refusal: Error, Sendable, CustomStringConvertible, Equatable {
        public let message: String
        public var description: String { message }
    }

    /// The states a program may move to next.
    public static func next(after status: ProgramStatus) -> [ProgramStatus] {
        switch status {
        case .draft: [.enrolling, .cancelled]
        case .enrolling: [.matching, .cancelled]
        case .matching: [.active, .cancelled]
        case .active: [.completed, .cancelled]
        case .completed, .cancelled: []
        }
    }

    /// Throws a refusal that says why when `from → to` is not allowed.
    public static func check(from: ProgramStatus, to: ProgramStatus, facts: Facts) throws(Refusal) {
        func refuse(_ message: String) -> Refusal { Refusal(message: message) }
        if from == to { throw refuse("The program is already \(from.label.lowercased()).") }
        switch from {
        case .completed: throw refuse("A completed program is final; it can't become \(to.label.lowercased()).")
        case .cancelled: throw refuse("A cancelled program is final; clone it to start again.")
        default: break
        }
        guard next(after: from).contains(to) else {
            let allowed = next(after: from).map { $0.label.lowercased() }.joined(separator: " or ")
            throw refuse(
                "A program in \(from.label.lowercased()) can only move to \(allowed), not to \(to.label.lowercased()): "
                    + "the order is draft → enrolling → matching → active → completed.")
        }
        switch to {
        case .matching where facts.enrolledMentors == 0 || facts.enrolledMentees == 0:
            throw refuse(
                "Matching needs at least one enrolled mentor and one enrolled mentee "
                    + "(now \(facts.enrolledMentors) mentors and \(facts.enrolledMentees) mentees have enrolled).")
        case .active where facts.publishedPairs == 0:
            throw refuse("A program becomes active when its pairs are approved; approve the matching first.")
        default: break
        }
    }
}

/// How often pairs meet.
public enum Cadence: Hashable, Sendable {
    case everyTwoWeeks, everyFourWeeks
    case custom(days: Int)

    public var days: Int {
        switch self {
        case .everyTwoWeeks: 14
        case .everyFourWeeks: 28
        case .custom(let days): days
        }
    }

    public init(days: Int) {
        switch days {
        case 14: self = .everyTwoWeeks
        case 28: self = .everyFourWeeks
        default: self = .custom(days: days)
        }
    }

    public var label: String {
        switch self {
        case .everyTwoWeeks: "Every 2 weeks"
        case .everyFourWeeks: "Every 4 weeks"
        case .custom(let days): "Every \(days) days"
        }
    }

    public static let allowedDays = 1...90
}

/// Who forms the pairs.
public enum SelectionMode: String, CaseIterable, Sendable, Codable {
    /// The program manager runs matching, reviews and approves.
    case manager
    /// Each mentee requests one of their top suggestions; the mentor accepts or declines.
    case suggestions

    public var label: String {
        switch self {
        case .manager: "The program manager matches"
        case .suggestions: "Participants choose from suggestions"
        }
    }
}

/// Focus areas a program can start from, plus any custom ones.
public enum FocusAreaTemplates {
    public static let all = [
        "AI tools", "Digital collaboration tools", "Social media", "How Gen Z and Millennials work", "Diversity and inclusion",
        "Workplace culture",
    ]
}

/// Everything a program manager sets on a program, validated.
public struct ProgramSettings: Sendable, Equatable {
    public var name: String
    public var description: String
    public var focusAreas: [String]
    public var cadenceDays: Int
    public var startsOn: CalendarDate
    public var endsOn: CalendarDate
    public var isPilot: Bool
    public var minimumLevelGap: Int
    public var maximumMenteesPerMentor: Int
    public var differentDepartmentOnly: Bool
    public var objective: MatchingObjective
    public var weights: ScoringWeights
    public var selectionMode: SelectionMode
    /// A manual pair scoring below this needs a written reason.
    public var reviewThreshold: Double
    /// Days a mentee's request waits for the mentor before passing to their next choice.
    public var requestTimeoutDays: Int
    public var codeOfConduct: String

    public init(
        name: String, description: String, focusAreas: [String], cadenceDays: Int, startsOn: CalendarDate, endsOn: CalendarDate,
        isPilot: Bool, minimumLevelGap: Int, maximumMenteesPerMentor: Int, differentDepartmentOnly: Bool, objective: MatchingObjective,
        weights: ScoringWeights, selectionMode: SelectionMode, reviewThreshold: Double, requestTimeoutDays: Int, codeOfConduct: String
    ) {
        self.name = name
        self.description = description
        self.focusAreas = focusAreas
        self.cadenceDays = cadenceDays
        self.startsOn = startsOn
        self.endsOn = endsOn
        self.isPilot = isPilot
        self.minimumLevelGap = minimumLevelGap
        self.maximumMenteesPerMentor = maximumMenteesPerMentor
        self.differentDepartmentOnly = differentDepartmentOnly
        self.objective = objective
        self.weights = weights
        self.selectionMode = selectionMode
        self.reviewThreshold = reviewThreshold
        self.requestTimeoutDays = requestTimeoutDays
        self.codeOfConduct = codeOfConduct
    }

    public static let nameLimit = 120
    public static let descriptionLimit = 4000
    public static let focusAreaLimit = 60
    public static let codeLimit = 20_000

    /// The raw values of a form or API body; every field optional so every problem can be named.
    public struct Input: Sendable, Codable, Equatable {
        public var name: String?
        public var description: String?
        public var focusAreas: [String]?
        public var cadenceDays: Int?
        public var startsOn: String?
        public var endsOn: String?
        public var isPilot: Bool?
        public var minimumLevelGap: Int?
        public var maximumMenteesPerMentor: Int?
        public var differentDepartmentOnly: Bool?
        public var objective: String?
        public var weights: [String: Double]?
        public var selectionMode: String?
        public var reviewThreshold: Double?
        public var requestTimeoutDays: Int?
        public var codeOfConduct: String?

        public init() {}
    }

    /// `earlier` are problems found before (a form's number that didn't parse); they are reported with the rest.
    public static func validate(_ input: Input, earlier: [FieldIssue] = []) throws(ValidationFailure) -> ProgramSettings {
        var check = FieldChecker()
        for issue in earlier { check.add(issue.field, issue.message) }
        let name = check.text(input.name, field: "name", limit: nameLimit)
        let description = check.text(input.description, field: "description", required: false, limit: descriptionLimit, multiline: true)
        var areas: [String] = []
        for (index, raw) in (input.focusAreas ?? []).enumerated() {
            let area = check.text(raw, field: "focusAreas[\(index)]", required: false, limit: focusAreaLimit)
            if !area.isEmpty, !areas.contains(where: { $0.lowercased() == area.lowercased() }) { areas.append(area) }
        }
        if areas.isEmpty { check.add("focusAreas", "choose at least one focus area") }
        if areas.count > 20 { check.add("focusAreas", "at most 20 focus areas") }
        let cadence = check.integer(input.cadenceDays ?? 14, field: "cadenceDays", in: Cadence.allowedDays)
        var starts = CalendarDate(year: 2000, month: 1, day: 1)!
        var ends = starts
        if let raw = input.startsOn, let date = CalendarDate(raw) {
            starts = date
        } else {
            check.add("startsOn", input.startsOn == nil ? "is required (YYYY-MM-DD)" : "must be a date written YYYY-MM-DD")
        }
        if let raw = input.endsOn, let date = CalendarDate(raw) {
            ends = date
            if input.startsOn.flatMap(CalendarDate.init) != nil, ends <= starts { check.add("endsOn", "must be after the start date (\(starts))") }
        } else {
            check.add("endsOn", input.endsOn == nil ? "is required (YYYY-MM-DD)" : "must be a date written YYYY-MM-DD")
        }
        let gap = check.integer(input.minimumLevelGap ?? 2, field: "minimumLevelGap", in: 0...14)
        let capacity = check.integer(input.maximumMenteesPerMentor ?? 1, field: "maximumMenteesPerMentor", in: 1...10)
        var objective = MatchingObjective.participation
        if let raw = input.objective {
            if let value = MatchingObjective(rawValue: raw) {
                objective = value
            } else {
                check.add("objective", "must be one of \(MatchingObjective.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var mode = SelectionMode.manager
        if let raw = input.selectionMode {
            if let value = SelectionMode(rawValue: raw) {
                mode = value
            } else {
                check.add("selectionMode", "must be manager or suggestions")
            }
        }
        var weights = ScoringWeights()
        if let raw = input.weights {
            for (key, value) in raw.sorted(by: { $0.key < $1.key }) {
                guard value.isFinite, value >= 0, value <= 100 else {
                    check.add("weights.\(key)", "must be a number from 0 to 100")
                    continue
                }
                if !weights.set(key, value) {
                    check.add("weights.\(key)", "is not a weight; use \(ScoringWeights.componentNames.joined(separator: ", "))")
                }
            }
            if weights.total <= 0 { check.add("weights", "at least one weight must be above 0") }
        }
        let threshold = input.reviewThreshold ?? 40
        if !threshold.isFinite || threshold < 0 || threshold > 100 { check.add("reviewThreshold", "must be a score from 0 to 100") }
        let timeout = check.integer(input.requestTimeoutDays ?? 3, field: "requestTimeoutDays", in: 1...30)
        let code = check.text(input.codeOfConduct, field: "codeOfConduct", required: false, limit: codeLimit, multiline: true)
        try check.finish()
        return ProgramSettings(
            name: name, description: description, focusAreas: areas, cadenceDays: cadence, startsOn: starts, endsOn: ends,
            isPilot: input.isPilot ?? false, minimumLevelGap: gap, maximumMenteesPerMentor: capacity,
            differentDepartmentOnly: input.differentDepartmentOnly ?? false, objective: objective, weights: weights,
            selectionMode: mode, reviewThreshold: threshold, requestTimeoutDays: timeout,
            codeOfConduct: code.isEmpty ? ProgramSettings.defaultCodeOfConduct : code)
    }

    public var input: Input {
        var input = Input()
        input.name = name
        input.description = description
        input.focusAreas = focusAreas
        input.cadenceDays = cadenceDays
        input.startsOn = startsOn.description
        input.endsOn = endsOn.description
        input.isPilot = isPilot
        input.minimumLevelGap = minimumLevelGap
        input.maximumMenteesPerMentor = maximumMenteesPerMentor
        input.differentDepartmentOnly = differentDepartmentOnly
        input.objective = objective.rawValue
        input.weights = weights.dictionary
        input.selectionMode = selectionMode.rawValue
        input.reviewThreshold = reviewThreshold
        input.requestTimeoutDays = requestTimeoutDays
        input.codeOfConduct = codeOfConduct
        return input
    }

    public var rules: MatchingRules { MatchingRules(minimumLevelGap: minimumLevelGap, differentDepartmentOnly: differentDepartmentOnly) }

    public static let defaultCodeOfConduct = """
        We meet as equals: each of us is here to teach and to learn.
        What we share in our sessions stays between us unless we agree otherwise.
        We keep our meetings, or say early when we can't.
        We give feedback with care, and we ask before we assume.
        Either of us may ask the program manager for a new match, without having to give a reason.
        """
}

extension ScoringWeights {
    /// Sets a component by its name; false when the name is not a weight.
    public mutating func set(_ name: String, _ value: Double) -> Bool {
        switch name {
        case "goals": goals = value
        case "growth": growth = value
        case "interests": interests = value
        case "style": style = value
        case "crossDepartment", "cross_department": crossDepartment = value
        case "generation": generation = value
        case "workingHours", "working_hours": workingHours = value
        default: return false
        }
        return true
    }

    public var total: Double { values.reduce(0, +) }

    public var dictionary: [String: Double] { Dictionary(uniqueKeysWithValues: zip(Self.componentNames, values)) }
}
