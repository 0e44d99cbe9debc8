import Foundation

/// Dates as the pages write them, built from calendar fields.
///
/// Making a `DateFormatter` or an `ISO8601DateFormatter` costs 100-130 µs here, more than
/// rendering a participant's whole home page; a pair page made two for each of its meetings. These
/// write the same text (English names, a Gregorian calendar) for a few microseconds, and being
/// values of no state they are safe on any thread. `DateTextTests` compares each with the formatter
/// it replaces.
public enum DateText {
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    struct Fields {
        let year: Int
        let month: Int
        let day: Int
        let hour: Int
        let minute: Int
        let weekday: Int
    }

    static func fields(_ date: Date, _ zone: TimeZone) -> Fields {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        return Fields(
            year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0,
            weekday: parts.weekday ?? 1)
    }

    /// `value` in decimal, zero-padded to at least `width` digits.
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    static func name(_ names: [String], _ number: Int) -> String {
        names.indices.contains(number - 1) ? names[number - 1] : String(number)
    }

    /// `2026-03-10` and `10:00` of the fields.
    static func ymd(_ f: Fields) -> String { "\(digits(f.year, 4))-\(digits(f.month, 2))-\(digits(f.day, 2))" }
    static func hm(_ f: Fields) -> String { "\(digits(f.hour, 2)):\(digits(f.minute, 2))" }

    /// `2026-03-10` (`yyyy-MM-dd`).
    public static func day(_ date: Date, in zone: TimeZone) -> String { ymd(fields(date, zone)) }

    /// `2026-03-10 10:00` (`yyyy-MM-dd HH:mm`).
    public static func minute(_ date: Date, in zone: TimeZone) -> String {
        let f = fields(date, zone)
        return "\(ymd(f)) \(hm(f))"
    }

    /// `2026-03-10T10:00` (`yyyy-MM-dd'T'HH:mm`), the form a `datetime-local` input takes.
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        let f = fields(date, zone)
        return "\(ymd(f))T\(hm(f))"
    }

    /// `Tue 10 Mar 2026, 10:00` (`EEE d MMM yyyy, HH:mm`).
    public static func display(_ date: Date, in zone: TimeZone) -> String {
        let f = fields(date, zone)
        return "\(name(weekdays, f.weekday)) \(f.day) \(name(months, f.month)) \(digits(f.year, 4)), \(hm(f))"
    }

    /// `10 March 2026` (`d MMMM yyyy`).
    public static func long(_ date: Date, in zone: TimeZone) -> String {
        let f = fields(date, zone)
        return "\(f.day) \(name(monthNames, f.month)) \(digits(f.year, 4))"
    }

    /// `2026-03-10T09:00:00Z`, as `ISO8601DateFormatter` writes it by default.
    public static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
