import Foundation

/// A list of (mentee, mentor) pairs by email, with the columns `mentee_email` and
/// `mentor_email` — the shape of the `pairs.csv` that `upward match` writes, so last run's
/// output can be fed back as locked pairs, and declined pairs as exclusions.
public enum PairsFile {
    public struct Row: Sendable, Equatable {
        public let line: Int
        public let mentee: String
        public let mentor: String

        public init(line: Int, mentee: String, mentor: String) {
            self.line = line
            self.mentee = mentee
            self.mentor = mentor
        }
    }

    static let columns = [
        CSVColumn("mentee_email", required: true),
        CSVColumn("mentor_email", required: true),
        CSVColumn("score"), CSVColumn("reasons"),
    ]

    /// Rows with an empty mentor (unmatched mentees) are skipped.
    public static func parse(_ data: Data) throws(ImportFailure) -> [Row] {
        let (table, columns) = try CSVTable.read(data, columns: Self.columns)
        var rows: [Row] = []
        var issues: [ImportIssue] = []
        for row in table.rows {
            // pairs.csv carries more columns than these two; only its own shape matters here.
            let mentee = FieldRules.normalizeEmail(columns.text("mentee_email", in: row))
            let mentor = FieldRules.normalizeEmail(columns.text("mentor_email", in: row))
            if mentor.isEmpty { continue }
            if !FieldRules.isValidEmail(mentee) {
                issues.append(ImportIssue(line: row.line, column: "mentee_email", message: "\"\(mentee)\" is not a valid email address"))
            }
            if !FieldRules.isValidEmail(mentor) {
                issues.append(ImportIssue(line: row.line, column: "mentor_email", message: "\"\(mentor)\" is not a valid email address"))
            }
            rows.append(Row(line: row.line, mentee: mentee, mentor: mentor))
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }
        return rows
    }

    /// Resolves rows to (mentee, mentor) indices of `model`, reporting rows that name someone not enrolled in that role.
    public static func resolve(_ rows: [Row], in model: CompatibilityModel) throws(ImportFailure) -> [(mentee: Int, mentor: Int)] {
        let mentees = Dictionary(model.mentees.enumerated().map { ($1.enrollment.email, $0) }, uniquingKeysWith: { a, _ in a })
        let mentors = Dictionary(model.mentors.enumerated().map { ($1.enrollment.email, $0) }, uniquingKeysWith: { a, _ in a })
        var pairs: [(mentee: Int, mentor: Int)] = []
        var issues: [ImportIssue] = []
        for row in rows {
            let mentee = mentees[row.mentee]
            let mentor = mentors[row.mentor]
            if mentee == nil { issues.append(ImportIssue(line: row.line, column: "mentee_email", message: "\(row.mentee) is not enrolled as a mentee")) }
            if mentor == nil { issues.append(ImportIssue(line: row.line, column: "mentor_email", message: "\(row.mentor) is not enrolled as a mentor")) }
            if let mentee, let mentor { pairs.append((mentee, mentor)) }
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }
        return pairs
    }
}
