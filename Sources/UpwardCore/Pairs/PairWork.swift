import Foundation

/// Whose learning a goal is: reverse mentoring runs both ways.
public enum GoalOwner: String, CaseIterable, Sendable, Codable {
    /// The senior mentee's goal (digital skills, AI, social media…).
    case mentee
    /// The junior mentor's goal (leadership, communication, strategic thinking…).
    case mentor
}

public enum GoalStatus: String, CaseIterable, Sendable, Codable {
    case open, achieved, dropped
}

public struct Milestone: Sendable, Codable, Equatable {
    public var title: String
    public var done: Bool
    public init(title: String, done: Bool) {
        self.title = title
        self.done = done
    }
}

/// A goal as submitted, checked field by field.
public struct GoalDraft: Sendable, Equatable {
    public var title: String
    public var why: String
    public var measure: String
    public var targetDate: CalendarDate?
    public var focusArea: String?
    public var owner: GoalOwner
    public var milestones: [Milestone]
    /// Progress set by hand (0-100); nil means computed from milestones.
    public var manualProgress: Int?
    public var status: GoalStatus

    public struct Input: Sendable {
        public var title: String?
        public var why: String?
        public var measure: String?
        public var targetDate: String?
        public var focusArea: String?
        public var owner: String?
        public var milestones: [Milestone]?
        public var progress: Int?
        public var status: String?
        public init(
            title: String? = nil, why: String? = nil, measure: String? = nil, targetDate: String? = nil, focusArea: String? = nil,
            owner: String? = nil, milestones: [Milestone]? = nil, progress: Int? = nil, status: String? = nil
        ) {
            self.title = title
            self.why = why
            self.measure = measure
            self.targetDate = targetDate
            self.focusArea = focusArea
            self.owner = owner
            self.milestones = milestones
            self.progress = progress
            self.status = status
        }
    }

    /// Validates a goal; `focusAreas` are the program's (a focus area must be one of them).
    public static func validate(_ input: Input, focusAreas: [String]) throws(ValidationFailure) -> GoalDraft {
        var check = FieldChecker()
        let title = check.text(input.title, field: "title", limit: 140)
        let why = check.text(input.why, field: "why", required: false, limit: 2000, multiline: true)
        let measure = check.text(input.measure, field: "measure", required: false, limit: 1000, multiline: true)
        var target: CalendarDate?
        if let raw = input.targetDate?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            target = CalendarDate(raw)
            if target == nil { check.add("targetDate", "must be a date like 2026-03-31") }
        }
        var area: String?
        if let raw = input.focusArea?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if focusAreas.contains(raw) {
                area = raw
            } else {
                check.add("focusArea", "must be one of the program's focus areas: \(focusAreas.joined(separator: ", "))")
            }
        }
        let owner = GoalOwner(rawValue: input.owner ?? "")
        if owner == nil { check.add("owner", "must be mentee or mentor") }
        let status = input.status.map { GoalStatus(rawValue: $0) } ?? .open
        if status == nil { check.add("status", "must be open, achieved or dropped") }
        var milestones: [Milestone] = []
        for (index, milestone) in (input.milestones ?? []).enumerated() {
            let text = check.text(milestone.title, field: "milestones[\(index)].title", required: false, limit: 200)
            if !text.isEmpty { milestones.append(Milestone(title: text, done: milestone.done)) }
        }
        if milestones.count > 20 { check.add("milestones", "at most 20 milestones") }
        if let progress = input.progress, !(0...100).contains(progress) { check.add("progress", "must be from 0 to 100 (got \(progress))") }
        try check.finish()
        return GoalDraft(
            title: title, why: why, measure: measure, targetDate: target, focusArea: area, owner: owner ?? .mentee, milestones: milestones,
            manualProgress: input.progress, status: status ?? .open)
    }

    /// Progress in percent: achieved is 100; otherwise the hand-set value, else the share of milestones done.
    public static func progress(milestones: [Milestone], manual: Int?, status: GoalStatus) -> Int {
        if status == .achieved { return 100 }
        if let manual { return manual }
        guard !milestones.isEmpty else { return 0 }
        return Int((Double(milestones.filter(\.done).count) / Double(milestones.count) * 100).rounded())
    }
}

/// Where a meeting is in its life.
public enum MeetingStatus: String, CaseIterable, Sendable, Codable {
    case scheduled, cancelled, held, missed
}

/// A meeting as submitted: a local start in a named zone, a duration, a place, an agenda.
public struct MeetingDraft: Sendable, Equatable {
    public var start: Date
    public var timeZone: String
    public var durationMinutes: Int
    public var location: String
    public var agenda: String

    public struct Input: Sendable {
        /// `2026-03-10T10:00` local time in `timeZone`.
        public var start: String?
        public var timeZone: String?
        public var durationMinutes: Int?
        public var location: String?
        public var agenda: String?
        public init(start: String? = nil, timeZone: String? = nil, durationMinutes: Int? = nil, location: String? = nil, agenda: String? = nil) {
            self.start = start
            self.timeZone = timeZone
            self.durationMinutes = durationMinutes
            self.location = location
            self.agenda = agenda
        }
    }

    public static func validate(_ input: Input) throws(ValidationFailure) -> MeetingDraft {
        var check = FieldChecker()
        let zoneName = check.text(input.timeZone, field: "timeZone", limit: 64)
        let zone = TimeZone(identifier: zoneName)
        if !zoneName.isEmpty && zone == nil { check.add("timeZone", "must be a time zone name such as Europe/Berlin") }
        let duration = check.integer(input.durationMinutes, field: "durationMinutes", in: 15...480)
        let location = check.text(input.location, field: "location", required: false, limit: 500)
        let agenda = check.text(input.agenda, field: "agenda", required: false, limit: 4000, multiline: true)
        var start: Date?
        let raw = (input.start ?? "").trimmingCharacters(in: .whitespaces)
        if raw.isEmpty {
            check.add("start", "is required (a local date and time like 2026-03-10T10:00)")
        } else if let parsed = localDateTime(raw) {
            if let zone {
                start = MeetingPlanner.instant(parsed.date, minute: parsed.minute, in: zone)
                if start == nil { check.add("start", "is not a time that exists in \(zoneName)") }
            }
        } else {
            check.add("start", "must be a local date and time like 2026-03-10T10:00")
        }
        try check.finish()
        return MeetingDraft(start: start ?? Date(), timeZone: zoneName, durationMinutes: duration, location: location, agenda: agenda)
    }

    /// `YYYY-MM-DDTHH:MM` (or with a space) → the date and the minute of day.
    public static func localDateTime(_ text: String) -> (date: CalendarDate, minute: Int)? {
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        let parts = normalized.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let date = CalendarDate(String(parts[0])) else { return nil }
        let time = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3, time.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(time[0]), let minute = Int(time[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return (date, hour * 60 + minute)
    }

    /// The agenda a new meeting starts with: planned topics, then open time.
    public static func agendaTemplate(topics: [String]) -> String {
        let planned = topics.isEmpty ? ["Progress on your goals"] : topics
        return "Planned topics:\n" + planned.map { "- \($0)" }.joined(separator: "\n") + "\n\nOpen time: anything either of you wants to bring."
    }
}

/// What a concern is about. Raised to the program manager only; the partner never sees it.
public enum ConcernCategory: String, CaseIterable, Sendable, Codable {
    case feelsPatronizing = "feels_patronizing"
    case lostInterest = "lost_interest"
    case conflict
    case conduct
    case scheduling
    case other

    public var label: String {
        switch self {
        case .feelsPatronizing: "I feel patronized or not listened to"
        case .lostInterest: "My partner seems to have lost interest"
        case .conflict: "We have a conflict"
        case .conduct: "Code of conduct"
        case .scheduling: "We can't find time"
        case .other: "Something else"
        }
    }
}

public enum ConcernStatus: String, CaseIterable, Sendable, Codable {
    case open
    case inProgress = "in_progress"
    case resolved

    public var label: String {
        switch self {
        case .open: "Open"
        case .inProgress: "In progress"
        case .resolved: "Resolved"
        }
    }
}
