import Foundation

/// A before-and-after file for analysts: `id,skill,before,after` (more columns ignored).
/// `summaries` gives one summary per skill plus `all` (every row pooled).
public enum PrePostFile {
    public struct Row: Sendable, Equatable {
        public let line: Int
        public let id: String
        public let skill: String
        public let before: Double
        public let after: Double
    }

    static let columns = [
        CSVColumn("id", required: true), CSVColumn("skill", required: true), CSVColumn("before", required: true), CSVColumn("after", required: true),
    ]

    public static func parse(_ data: Data) throws(ImportFailure) -> [Row] {
        let (table, columns) = try CSVTable.read(data, columns: Self.columns)
        var rows: [Row] = []
        var issues: [ImportIssue] = []
        for row in table.rows {
            let id = columns.text("id", in: row)
            let skill = columns.text("skill", in: row)
            if id.isEmpty { issues.append(ImportIssue(line: row.line, column: "id", message: "is empty")) }
            if skill.isEmpty { issues.append(ImportIssue(line: row.line, column: "skill", message: "is empty")) }
            var values: [Double] = []
            for name in ["before", "after"] {
                let text = columns.text(name, in: row)
                if let value = Double(text), value.isFinite, text.count <= 40 {
                    values.append(value)
                } else {
                    issues.append(ImportIssue(line: row.line, column: name, message: "\"\(text.prefix(40))\" is not a number"))
                }
            }
            if values.count == 2 { rows.append(Row(line: row.line, id: id, skill: skill, before: values[0], after: values[1])) }
        }
        if rows.isEmpty && issues.isEmpty { issues.append(ImportIssue(line: nil, column: nil, message: "the file has no rows")) }
        guard issues.isEmpty else { throw ImportFailure(issues) }
        return rows
    }

    /// Per skill in first-seen order, then `all`.
    public static func summaries(_ rows: [Row]) -> [(skill: String, summary: PrePostSummary)] {
        var order: [String] = []
        var groups: [String: [Row]] = [:]
        for row in rows {
            if groups[row.skill] == nil { order.append(row.skill) }
            groups[row.skill, default: []].append(row)
        }
        var result = order.map { skill in
            (skill, PairedStatistics.summary(before: groups[skill]!.map(\.before), after: groups[skill]!.map(\.after)))
        }
        result.append(("all", PairedStatistics.summary(before: rows.map(\.before), after: rows.map(\.after))))
        return result
    }

    /// The JSON `upward stats prepost` prints: one object per skill plus `all`; NaN and infinities as null.
    public static func json(_ summaries: [(skill: String, summary: PrePostSummary)]) -> String {
        func number(_ value: Double) -> String {
            guard value.isFinite else { return "null" }
            return "\(value)"
        }
        func text(_ value: String) -> String {
            let data = (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        let objects = summaries.map { skill, s in
            let fields: [(String, String)] = [
                ("skill", text(skill)), ("n", "\(s.n)"), ("mean_before", number(s.meanBefore)), ("mean_after", number(s.meanAfter)),
                ("mean_change", number(s.meanChange)), ("ci_low", number(s.ciLow)), ("ci_high", number(s.ciHigh)), ("t", number(s.t)),
                ("t_p", number(s.tP)), ("wilcoxon_statistic", number(s.wilcoxonStatistic)), ("wilcoxon_p", number(s.wilcoxonP)),
                ("wilcoxon_method", text(s.wilcoxonMethod.rawValue)), ("d_z", number(s.dZ)), ("rank_biserial", number(s.rankBiserial)),
            ]
            return "  {" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]"
    }
}
