import CSV
import Foundation

/// A score or cost matrix written as CSV without a header; an empty cell is a forbidden pair.
public enum MatrixCSV {
    public struct Matrix: Sendable {
        public var rows: Int
        public var columns: Int
        /// Row-major values, NaN for forbidden pairs.
        public var values: [Double]
    }

    public static func parse(_ data: Data) throws(ImportFailure) -> Matrix {
        guard var text = String(data: data, encoding: .utf8) else {
            throw ImportFailure([ImportIssue(line: nil, column: nil, message: "the file is not valid UTF-8 text")])
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let reader: CSVReader
        do { reader = try CSVReader(string: text) } catch {
            throw ImportFailure([ImportIssue(line: nil, column: nil, message: "the file is not valid CSV: \(error)")])
        }
        var values: [Double] = []
        var columns = -1
        var rows = 0
        var issues: [ImportIssue] = []
        var line = 0
        while let fields = reader.next() {
            line += 1
            if fields.count == 1, fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if columns < 0 { columns = fields.count }
            guard fields.count == columns else {
                issues.append(ImportIssue(line: line, column: nil, message: "has \(fields.count) cells, but the first row has \(columns)"))
                continue
            }
            for (index, field) in fields.enumerated() {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.lowercased() == "nan" {
                    values.append(.nan)
                } else if let value = Double(trimmed) {
                    // Infinities are read as written; `upward assign` treats the worsening one as
                    // forbidden and refuses the improving one, as for .npy files.
                    values.append(value)
                } else {
                    issues.append(ImportIssue(line: line, column: String(index + 1), message: "\"\(trimmed)\" is not a number"))
                    values.append(.nan)
                }
            }
            rows += 1
        }
        if issues.isEmpty, rows == 0 { issues.append(ImportIssue(line: nil, column: nil, message: "the file has no rows")) }
        guard issues.isEmpty else { throw ImportFailure(issues) }
        return Matrix(rows: rows, columns: columns, values: values)
    }
}
