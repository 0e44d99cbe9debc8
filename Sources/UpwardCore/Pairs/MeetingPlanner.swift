import Foundation

/// Working hours, 09:00-17:00 local time on weekdays: the same window the matching engine scores.
public struct WorkingHours: Sendable, Equatable {
    public var startMinute: Int
    public var endMinute: Int

    public init(startMinute: Int = 9 * 60, endMinute: Int = 17 * 60) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }
}

/// Proposes a pair's meeting series: one meeting every `cadence` days across the program's
/// dates, at a wall-clock time in the host's zone that lies inside everyone's working hours.
/// Each start is computed from the local date and time in the host's zone, so a series keeps its
/// wall-clock time across daylight-saving changes; when a change in one zone moves the shared
/// window, that meeting moves to the nearest time that still fits both.
public enum MeetingPlanner {
    public struct Proposal: Sendable, Equatable {
        public let start: Date
        /// Whether the meeting lies inside every person's working hours.
        public let fitsEveryone: Bool
    }

    /// Whether `[start, start + minutes]` lies on a weekday inside working hours in every zone.
    public static func fits(start: Date, minutes: Int, zones: [TimeZone], hours: WorkingHours = WorkingHours()) -> Bool {
        zones.allSatisfy { zone in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: start)
            guard let weekday = parts.weekday, (2...6).contains(weekday), let hour = parts.hour, let minute = parts.minute else { return false }
            let local = hour * 60 + minute
            return local >= hours.startMinute && local + minutes <= hours.endMinute
        }
    }

    /// The instant of a local date and minute of day in `zone`.
    public static func instant(_ date: CalendarDate, minute: Int, in zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: minute / 60, minute: minute % 60))
    }

    /// The date `days` after `date`.
    public static func adding(_ days: Int, to date: CalendarDate) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
        let moved = calendar.date(byAdding: .day, value: days, to: noon)!
        let parts = calendar.dateComponents([.year, .month, .day], from: moved)
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!) ?? date
    }

    /// Monday to Friday: Saturday and Sunday move to the Monday after.
    static func weekday(_ date: CalendarDate) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let noon = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))!
        switch calendar.component(.weekday, from: noon) {
        case 7: return adding(2, to: date)
        case 1: return adding(1, to: date)
        default: return date
        }
    }

    /// Candidate minutes of the day, nearest to `preferred` first, on half hours.
    static func candidates(preferred: Int, duration: Int) -> [Int] {
        let all = stride(from: 0, through: 24 * 60 - duration, by: 30).map { $0 }
        return all.sorted { (abs($0 - preferred), $0) < (abs($1 - preferred), $1) }
    }

    /// The series from `first` to `last` (inclusive, local dates in the host's zone).
    public static func series(
        from first: CalendarDate, to last: CalendarDate, cadenceDays: Int, durationMinutes: Int, host: TimeZone, zones: [TimeZone],
        preferredMinute: Int = 10 * 60, hours: WorkingHours = WorkingHours(), limit: Int = 200
    ) -> [Proposal] {
        guard cadenceDays > 0, durationMinutes > 0, durationMinutes < 24 * 60 else { return [] }
        let everyone = zones.isEmpty ? [host] : zones
        let options = candidates(preferred: preferredMinute, duration: durationMinutes)
        func fitting(on day: CalendarDate) -> Int? {
            options.first { minute in
                guard let start = instant(day, minute: minute, in: host) else { return false }
                return fits(start: start, minutes: durationMinutes, zones: everyone, hours: hours)
            }
        }
        let firstDay = weekday(first)
        // The series' own time: the best that fits on its first day, else the preferred time.
        let seriesMinute = fitting(on: firstDay) ?? preferredMinute
        var proposals: [Proposal] = []
        var nominal = first
        while proposals.count < limit {
            let day = weekday(nominal)
            if day > last { break }
            if let start = instant(day, minute: seriesMinute, in: host), fits(start: start, minutes: durationMinutes, zones: everyone, hours: hours) {
                proposals.append(Proposal(start: start, fitsEveryone: true))
            } else if let minute = fitting(on: day), let start = instant(day, minute: minute, in: host) {
                proposals.append(Proposal(start: start, fitsEveryone: true))
            } else if let start = instant(day, minute: seriesMinute, in: host) {
                proposals.append(Proposal(start: start, fitsEveryone: false))
            }
            nominal = adding(cadenceDays, to: nominal)
        }
        return proposals
    }
}
