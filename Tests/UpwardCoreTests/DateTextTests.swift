import Foundation
import Testing
import UpwardTestSupport

@testable import UpwardCore

@Suite("Dates as text")
struct DateTextTests {
    static let zones = [
        "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Asia/Kathmandu",
        "Pacific/Kiritimati", "America/Sao_Paulo",
    ].compactMap(TimeZone.init(identifier:))

    /// Random moments from 1990 to 2040 and the hours around 2026's clock changes, some with fractions of a second.
    static func moments() -> [Date] {
        var generator = SeededGenerator(seed: 20261206)
        var dates = (0..<3_000).map { _ in Date(timeIntervalSince1970: Double.random(in: 631_152_000...2_208_988_800, using: &generator)) }
        for start in [1_774_746_000.0, 1_792_893_600, 1_772_953_200, 1_793_512_800] {
            dates += stride(from: start - 7_200, through: start + 7_200, by: 900).map { Date(timeIntervalSince1970: $0) }
        }
        return dates + [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_796_000_000.999)]
    }

    static func formatter(_ format: String, _ zone: TimeZone) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }

    @Test("Each form is what a DateFormatter of its pattern writes, in every time zone, across clock changes")
    func sameAsFormatters() {
        let dates = Self.moments()
        for zone in Self.zones {
            let day = Self.formatter("yyyy-MM-dd", zone), minute = Self.formatter("yyyy-MM-dd HH:mm", zone)
            let local = Self.formatter("yyyy-MM-dd'T'HH:mm", zone), display = Self.formatter("EEE d MMM yyyy, HH:mm", zone)
            let long = Self.formatter("d MMMM yyyy", zone)
            var differences = 0
            for date in dates {
                let pairs = [
                    (DateText.day(date, in: zone), day.string(from: date)), (DateText.minute(date, in: zone), minute.string(from: date)),
                    (DateText.local(date, in: zone), local.string(from: date)), (DateText.display(date, in: zone), display.string(from: date)),
                    (DateText.long(date, in: zone), long.string(from: date)),
                ]
                for (mine, theirs) in pairs where mine != theirs {
                    differences += 1
                    if differences <= 3 { Issue.record("\(zone.identifier) \(date.timeIntervalSince1970): \(mine) ≠ \(theirs)") }
                }
            }
            #expect(differences == 0, "\(zone.identifier)")
        }
        #expect(DateText.display(Date(timeIntervalSince1970: 1_773_133_200), in: TimeZone(identifier: "Europe/Berlin")!) == "Tue 10 Mar 2026, 10:00")
        #expect(DateText.long(Date(timeIntervalSince1970: 1_773_133_200), in: TimeZone(identifier: "UTC")!) == "10 March 2026")
    }

    @Test("ISO 8601 text is what ISO8601DateFormatter writes by default, but a second's last half millisecond stays in that second")
    func iso8601() {
        let formatter = ISO8601DateFormatter()
        for date in Self.moments() where date.timeIntervalSince1970.truncatingRemainder(dividingBy: 1) < 0.999 {
            #expect(DateText.iso8601(date) == formatter.string(from: date))
        }
        #expect(DateText.iso8601(Date(timeIntervalSince1970: 1_773_133_200.75)) == "2026-03-10T09:00:00Z")
        // The formatter rounds to milliseconds first, so 09:00:00.99998 was written as 09:00:01;
        // the API's dates (`formatted(.iso8601)`) never did, and the pages now agree with them.
        #expect(DateText.iso8601(Date(timeIntervalSince1970: 1_773_133_200.99998)) == "2026-03-10T09:00:00Z")
        #expect(formatter.string(from: Date(timeIntervalSince1970: 1_773_133_200.99998)) == "2026-03-10T09:00:01Z")
    }
}
