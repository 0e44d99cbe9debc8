import Foundation

/// The enrollments CSV: `email`, `role`, `offers`, `wants`, `interests`, `style`, `capacity`, `avoid`.
///
/// - `offers`: `skill:level; …` with levels 1-5
/// - `wants`: `skill:current>target; …` with 0 ≤ current < target ≤ 5
/// - `interests`, `avoid`: `;`-separated (avoid holds emails)
public enum EnrollmentsFile {
    public struct Entry: Sendable {
        public let line: Int
        public let enrollment: Enrollment

        public init(line: Int, enrollment: Enrollment) {
            self.line = line
            self.enrollment = enrollment
        }
    }

    public static let columns: [CSVColumn] = [
        CSVColumn("email", required: true, synonyms: ["e-mail", "email address", "work email"]),
        CSVColumn("role", required: true),
        CSVColumn("offers", synonyms: ["offered skills", "can teach"]),
        CSVColumn("wants", synonyms: ["learning goals", "wants to learn"]),
        CSVColumn("interests"),
        CSVColumn("style", synonyms: ["communication style"]),
        CSVColumn("capacity", synonyms: ["max mentees"]),
        CSVColumn("avoid", synonyms: ["do not pair with"]),
    ]

    /// Skill and interest names compare case-insensitively, with inner spaces collapsed.
    public static func normalize(_ name: String) -> String {
        name.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

    /// The rows that passed every check, and the problems of the others.
    public struct Parsed: Sendable {
        public var entries: [Entry]
        public var issues: [ImportIssue]
        public var warnings: [String]
    }

    /// Parses every row; throws when the file can't be read or any row has a problem.
    public static func parse(_ data: Data) throws(ImportFailure) -> (entries: [Entry], warnings: [String]) {
        let parsed = try read(data)
        guard parsed.issues.isEmpty else { throw ImportFailure(parsed.issues) }
        return (parsed.entries, parsed.warnings)
    }

    /// Parses every row, keeping row problems so callers can report them with problems that
    /// span files. Throws only when the file as a whole can't be read.
    public static func read(_ data: Data) throws(ImportFailure) -> Parsed {
        let (table, index) = try CSVTable.read(data, columns: columns)
        var issues: [ImportIssue] = []
        var entries: [Entry] = []
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            if let issue = index.shapeIssue(row) {
                issues.append(issue)
                continue
            }
            func text(_ column: String) -> String { index.text(column, in: row) }
            func fail(_ column: String, _ message: String) {
                issues.append(ImportIssue(line: row.line, column: column, message: message))
            }
            let before = issues.count
            let email = FieldRules.normalizeEmail(text("email"))
            if email.isEmpty {
                fail("email", "required value is missing")
            } else if !FieldRules.isValidEmail(email) {
                fail("email", "\"\(text("email"))\" is not a valid email address")
            } else if let first = firstLine[email] {
                fail("email", "\(email) is enrolled twice (first on line \(first))")
            } else {
                firstLine[email] = row.line
            }
            let role = Enrollment.Role(rawValue: text("role").lowercased())
            if role == nil { fail("role", "\"\(text("role"))\" must be mentor or mentee") }

            var offers: [String: Int] = [:]
            var displayNames: [String: String] = [:]
            for item in list(text("offers")) {
                let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, let level = Int(parts[1]), (1...5).contains(level) else {
                    fail("offers", "\"\(item)\" must be skill:level with a level from 1 to 5")
                    continue
                }
                let skill = normalize(parts[0])
                displayNames[skill] = displayNames[skill] ?? parts[0]
                if offers[skill] != nil { fail("offers", "\"\(parts[0])\" is offered twice") }
                offers[skill] = level
            }
            var wants: [Enrollment.Goal] = []
            for item in list(text("wants")) {
                let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                let levels = parts.count == 2 ? parts[1].split(separator: ">").map { $0.trimmingCharacters(in: .whitespaces) } : []
                guard parts.count == 2, !parts[0].isEmpty, levels.count == 2, let current = Int(levels[0]), let target = Int(levels[1]),
                    (0...4).contains(current), (1...5).contains(target), target > current
                else {
                    fail("wants", "\"\(item)\" must be skill:current>target with 0 ≤ current < target ≤ 5")
                    continue
                }
                let skill = normalize(parts[0])
                displayNames[skill] = displayNames[skill] ?? parts[0]
                if wants.contains(where: { $0.skill == skill }) { fail("wants", "\"\(parts[0])\" is wanted twice") }
                wants.append(Enrollment.Goal(skill: skill, current: current, target: target))
            }
            var capacity = 1
            let capacityText = text("capacity")
            if !capacityText.isEmpty {
                if let value = Int(capacityText), (1...20).contains(value) {
                    capacity = value
                    if role == .mentee, value != 1 { fail("capacity", "a mentee has exactly one mentor; leave capacity empty") }
                } else {
                    fail("capacity", "\"\(capacityText)\" must be a whole number from 1 to 20")
                }
            }
            var avoid: Set<String> = []
            for item in list(text("avoid")) {
                let other = FieldRules.normalizeEmail(item)
                if FieldRules.isValidEmail(other) { avoid.insert(other) } else { fail("avoid", "\"\(item)\" is not a valid email address") }
            }
            let style = text("style").isEmpty ? nil : normalize(text("style"))
            guard issues.count == before, let role else { continue }
            var enrollment = Enrollment(
                email: email, role: role, offers: offers, wants: wants, interests: Set(list(text("interests")).map(normalize)),
                style: style, capacity: role == .mentor ? capacity : 1, avoid: avoid)
            enrollment.displayNames = displayNames
            entries.append(Entry(line: row.line, enrollment: enrollment))
        }
        return Parsed(entries: entries, issues: issues, warnings: index.warnings)
    }

    static func list(_ text: String) -> [String] {
        text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
