import Foundation

/// One column an import file may carry: its canonical name, whether every file must have it,
/// and the other names HR systems give it.
public struct CSVColumn: Sendable, Hashable {
    public let name: String
    public let required: Bool
    public let synonyms: [String]

    public init(_ name: String, required: Bool = false, synonyms: [String] = []) {
        self.name = name
        self.required = required
        self.synonyms = synonyms
    }
}

/// The columns of one file, matched against what the file's header says: the one reader of
/// headers for the people, enrollments and pairs files.
///
/// A header name matches a column when it is equal after case, spaces, hyphens, underscores and
/// dots are ignored (`Manager ID`, `manager-id`, `managerID`), or when it is a known synonym.
/// A name that is close to a known column but not equal (`manger_id`) is an error naming the
/// column it probably means, because reading it as absent would silently change data.
/// Other unknown columns are ignored with a warning. A column that is absent is reported as
/// absent (``has(_:)``), so callers can leave that field as it is instead of clearing it.
public struct CSVColumns: Sendable {
    /// Canonical column name to its position in the file.
    public let positions: [String: Int]
    public let headerCount: Int
    public let warnings: [String]

    /// Matches `table`'s header against `columns`; throws every header problem at once.
    public static func resolve(_ table: CSVTable, columns: [CSVColumn]) throws(ImportFailure) -> CSVColumns {
        var byKey: [String: String] = [:]
        for column in columns {
            byKey[key(column.name)] = column.name
            for synonym in column.synonyms { byKey[key(synonym)] = column.name }
        }
        var positions: [String: Int] = [:]
        var issues: [ImportIssue] = []
        var warnings: [String] = []
        for (position, raw) in table.rawHeader.enumerated() {
            let shown = raw.isEmpty ? "(blank)" : raw
            if let name = byKey[key(raw)] {
                if let first = positions[name] {
                    let firstName = table.rawHeader[first]
                    issues.append(
                        ImportIssue(
                            line: 1, column: raw,
                            message: "the column \(name) appears twice in the header (\"\(firstName)\" and \"\(raw)\")"))
                } else {
                    positions[name] = position
                }
            } else if let guess = nearMiss(key(raw), in: columns) {
                issues.append(
                    ImportIssue(line: 1, column: shown, message: "unknown column \"\(raw)\"; did you mean \(guess)? Rename it, or remove it"))
            } else {
                warnings.append("Ignored unknown column \"\(shown)\".")
            }
        }
        for column in columns where column.required && positions[column.name] == nil {
            issues.append(ImportIssue(line: 1, column: column.name, message: "required column is missing from the header"))
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }
        return CSVColumns(positions: positions, headerCount: table.rawHeader.count, warnings: warnings)
    }

    /// Whether the file has the column at all.
    public func has(_ name: String) -> Bool { positions[name] != nil }

    /// The trimmed value of `name` in `row`; `nil` when the column is absent or the cell empty.
    public func value(_ name: String, in row: CSVTable.Row) -> String? {
        guard let position = positions[name], position < row.fields.count else { return nil }
        let value = row.fields[position].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// The trimmed value, or "" when absent or empty.
    public func text(_ name: String, in row: CSVTable.Row) -> String { value(name, in: row) ?? "" }

    /// A row with more fields than the header has no column for some of its values: an error,
    /// since the values may have shifted (an unquoted comma). Fewer fields read as empty cells.
    public func shapeIssue(_ row: CSVTable.Row) -> ImportIssue? {
        guard row.fields.count > headerCount else { return nil }
        return ImportIssue(
            line: row.line, column: nil,
            message: "the row has \(row.fields.count) fields but the header has \(headerCount); quote values that contain commas")
    }

    /// Lower-cased, without spaces, hyphens, underscores and dots.
    static func key(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { !" -_.\t".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// A known column within two edits of `key`, for names long enough that two edits is a typo.
    static func nearMiss(_ key: String, in columns: [CSVColumn]) -> String? {
        guard key.count >= 4 else { return nil }
        var best: (name: String, distance: Int)?
        for column in columns {
            for candidate in [column.name] + column.synonyms {
                let distance = editDistance(key, Self.key(candidate), limit: 2)
                if distance <= 2, distance < (best?.distance ?? 3) { best = (column.name, distance) }
            }
        }
        return best?.name
    }

    /// Levenshtein distance, stopping early once it exceeds `limit`.
    static func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        if abs(x.count - y.count) > limit { return limit + 1 }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            current[0] = i
            var rowBest = current[0]
            for j in stride(from: 1, through: y.count, by: 1) {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowBest = min(rowBest, current[j])
            }
            if rowBest > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return x.isEmpty ? y.count : previous[y.count]
    }
}

extension CSVTable {
    /// Reads `data` as CSV and matches its header to `columns`, with read errors as an import failure.
    public static func read(_ data: Data, columns: [CSVColumn]) throws(ImportFailure) -> (CSVTable, CSVColumns) {
        let table: CSVTable
        do { table = try CSVTable(data: data) } catch { throw ImportFailure([ImportIssue(line: nil, column: nil, message: error.description)]) }
        return (table, try CSVColumns.resolve(table, columns: columns))
    }
}
