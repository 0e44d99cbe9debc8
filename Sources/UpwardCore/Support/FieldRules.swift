import Foundation

/// Small validators shared by imports and forms.
public enum FieldRules {
    /// The longest email address there can be (RFC 5321's path limit less the brackets).
    public static let maximumEmailLength = 254

    /// A pragmatic email check: one `@`, a non-empty local part, a dotted domain, no spaces.
    public static func isValidEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, value.utf8.count <= maximumEmailLength else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..")
        else { return false }
        return !value.contains { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }
    }

    /// Normalizes an email for comparison and storage.
    public static func normalizeEmail(_ value: String) -> String {
        value.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Parses a calendar date written `YYYY-MM-DD`; `nil` if the text is not a real date.
    public static func parseDate(_ value: String) -> CalendarDate? {
        CalendarDate(value)
    }

    /// Whether `value` is an IANA time zone identifier such as `Europe/Berlin`.
    public static func isValidTimeZone(_ value: String) -> Bool {
        TimeZone(identifier: value) != nil && value.contains("/") || value == "UTC"
    }
}

/// A calendar date without time or zone, written `YYYY-MM-DD`.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2999).contains(year), (1...12).contains(month), day >= 1,
            day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD` in ASCII digits, read byte by byte: a program's report reads the hire and
    /// leaving dates of the whole directory, and splitting each into strings and characters took
    /// 8% of its CPU.
    public init?(_ text: String) {
        var text = text
        let parsed = text.withUTF8 { bytes -> (year: Int, month: Int, day: Int)? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
            func number(_ positions: Range<Int>) -> Int? {
                var value = 0
                for position in positions {
                    let digit = bytes[position] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int(digit)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
            return (year, month, day)
        }
        guard let parsed else { return nil }
        self.init(year: parsed.year, month: parsed.month, day: parsed.day)
    }

    /// The calendar date in UTC of a moment, given in seconds since 1970, without a calendar or a
    /// formatter (Howard Hinnant's days-to-civil): reports place tens of thousands of meetings in
    /// their months. Nil outside the years 1900-2999.
    public init?(utcSecondsSince1970 seconds: Double) {
        guard seconds.isFinite, abs(seconds) < 1e11 else { return nil }
        let days = Int((seconds / 86_400).rounded(.down))
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD, got \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
