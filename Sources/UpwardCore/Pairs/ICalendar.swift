import Foundation

/// One event in an iCalendar document.
public struct CalendarEvent: Sendable, Equatable {
    public var uid: String
    public var sequence: Int
    public var start: Date
    public var end: Date
    /// When the event last changed (DTSTAMP, LAST-MODIFIED).
    public var stamp: Date
    public var summary: String
    public var description: String
    public var location: String
    public var url: String?
    public var cancelled: Bool

    public init(
        uid: String, sequence: Int, start: Date, end: Date, stamp: Date, summary: String, description: String = "", location: String = "",
        url: String? = nil, cancelled: Bool = false
    ) {
        self.uid = uid
        self.sequence = sequence
        self.start = start
        self.end = end
        self.stamp = stamp
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.cancelled = cancelled
    }
}

/// Writes RFC 5545 calendars: CRLF line ends, lines folded at 75 octets without splitting a
/// character, TEXT values escaped, times in UTC (so no VTIMEZONE is needed and daylight-saving
/// changes cannot shift them), a stable UID and a SEQUENCE per event, cancelled events as
/// STATUS:CANCELLED.
public enum ICalendar {
    public static let productID = "-//Upward//Reverse Mentoring//EN"

    /// A whole calendar. `refreshMinutes` adds the refresh hints subscription clients read.
    public static func document(_ events: [CalendarEvent], name: String? = nil, method: String? = "PUBLISH", refreshMinutes: Int? = nil) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(productID)", "CALSCALE:GREGORIAN"]
        if let method { lines.append("METHOD:\(method)") }
        if let name {
            lines.append("NAME:\(escape(name))")
            lines.append("X-WR-CALNAME:\(escape(name))")
        }
        if let refreshMinutes {
            lines.append("REFRESH-INTERVAL;VALUE=DURATION:PT\(refreshMinutes)M")
            lines.append("X-PUBLISHED-TTL:PT\(refreshMinutes)M")
        }
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:\(escape(event.uid))")
            lines.append("DTSTAMP:\(utc(event.stamp))")
            lines.append("LAST-MODIFIED:\(utc(event.stamp))")
            lines.append("SEQUENCE:\(event.sequence)")
            lines.append("DTSTART:\(utc(event.start))")
            lines.append("DTEND:\(utc(event.end))")
            lines.append("SUMMARY:\(escape(event.summary))")
            if !event.description.isEmpty { lines.append("DESCRIPTION:\(escape(event.description))") }
            if !event.location.isEmpty { lines.append("LOCATION:\(escape(event.location))") }
            if let url = event.url, !url.isEmpty { lines.append("URL:\(url)") }
            lines.append("STATUS:\(event.cancelled ? "CANCELLED" : "CONFIRMED")")
            lines.append("TRANSP:\(event.cancelled ? "TRANSPARENT" : "OPAQUE")")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A UTC date-time, `20260309T150000Z`.
    public static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", p.year ?? 0, p.month ?? 0, p.day ?? 0, p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
    }

    /// A TEXT value: backslash, semicolon and comma escaped, line breaks as `\n`, other control characters dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            default:
                if scalar.properties.generalCategory == .control && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Folds a content line so no physical line exceeds 75 octets; continuation lines start with
    /// one space, which counts toward their 75. A character's UTF-8 bytes are never split (folding is between scalars).
    public static func fold(_ line: String) -> String {
        var result = ""
        var octets = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if octets + size > limit {
                result += "\r\n "
                octets = 1
                limit = 75
            }
            result.unicodeScalars.append(scalar)
            octets += size
        }
        return result
    }
}
