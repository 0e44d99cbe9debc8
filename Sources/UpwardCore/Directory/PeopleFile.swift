import Foundation

/// The people export of an HR system, parsed and validated row by row.
///
/// Columns may come in any order and any case; unknown columns are ignored with a
/// warning. Cross-row rules (unique ids and emails, known managers, no cycles) are
/// checked by ``DirectoryImport`` against the directory as a whole.
public struct PeopleFile: Sendable {
    public struct Entry: Sendable {
        public let line: Int
        public let record: PersonRecord

        public init(line: Int, record: PersonRecord) {
            self.line = line
            self.record = record
        }
    }

    public init(entries: [Entry], warnings: [String] = []) {
        self.init(
            entries: entries,
            identities: entries.map { Identity(line: $0.line, employeeID: $0.record.employeeID, email: $0.record.email, managerID: $0.record.managerID) },
            issues: [], warnings: warnings)
    }

    init(entries: [Entry], identities: [Identity], issues: [ImportIssue], warnings: [String]) {
        self.entries = entries
        self.identities = identities
        self.issues = issues
        self.warnings = warnings
    }

    /// Records that did not come from a file (demo data, other sources), numbered as if they had.
    public init(records: [PersonRecord]) {
        self.init(entries: records.enumerated().map { Entry(line: $0.offset + 2, record: $0.element) })
    }

    /// What cross-row checks need from every row that names an employee id, valid or not,
    /// so one bad row doesn't hide (or fake) problems in the rows that point at it.
    public struct Identity: Sendable {
        public let line: Int
        public let employeeID: String
        /// `nil` when the row's email is missing or invalid (already reported).
        public let email: String?
        public let managerID: String?
    }

    /// The rows that passed every row-level check.
    public let entries: [Entry]
    /// Every row with an employee id, in file order.
    public let identities: [Identity]
    /// Row-level problems; ``DirectoryImport`` reports them together with the cross-row ones.
    public let issues: [ImportIssue]
    /// Things worth telling the importer that do not stop the import.
    public let warnings: [String]

    public enum Column: String, CaseIterable, Sendable {
        case employeeID = "employee_id"
        case email, name, title, department
        case businessUnit = "business_unit"
        case location
        case timeZone = "time_zone"
        case managerID = "manager_id"
        case level
        case hireDate = "hire_date"
        case generation
        case terminationDate = "termination_date"

        public static let required: [Column] = [.employeeID, .email, .name, .department, .level]
    }

    /// Parses and checks every row. Throws only when the file as a whole can't be read
    /// (not CSV, missing required columns); row problems are kept in ``issues``.
    public static func parse(_ data: Data) throws(ImportFailure) -> PeopleFile {
        let table: CSVTable
        do { table = try CSVTable(data: data) } catch { throw ImportFailure([ImportIssue(line: nil, column: nil, message: error.description)]) }
        return try parse(table)
    }

    public static func parse(_ table: CSVTable) throws(ImportFailure) -> PeopleFile {
        var issues: [ImportIssue] = []
        var warnings: [String] = []
        var index: [Column: Int] = [:]
        for (position, name) in table.header.enumerated() {
            if let column = Column(rawValue: name) {
                if index[column] != nil {
                    issues.append(ImportIssue(line: 1, column: name, message: "the column appears twice in the header"))
                } else {
                    index[column] = position
                }
            } else {
                warnings.append("Ignored unknown column \"\(name.isEmpty ? "(blank)" : name)\".")
            }
        }
        for column in Column.required where index[column] == nil {
            issues.append(ImportIssue(line: 1, column: column.rawValue, message: "required column is missing from the header"))
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }

        var entries: [Entry] = []
        var identities: [Identity] = []
        entries.reserveCapacity(table.rows.count)
        identities.reserveCapacity(table.rows.count)
        for row in table.rows {
            var reader = RowReader(row: row, index: index)
            if let record = reader.record() {
                entries.append(Entry(line: row.line, record: record))
            }
            if let identity = reader.identity() { identities.append(identity) }
            issues += reader.issues
        }
        if table.rows.isEmpty { warnings.append("The file has a header but no people.") }
        return PeopleFile(entries: entries, identities: identities, issues: issues, warnings: warnings)
    }
}

/// Reads one row's fields, collecting every problem rather than stopping at the first.
private struct RowReader {
    let row: CSVTable.Row
    let index: [PeopleFile.Column: Int]
    var issues: [ImportIssue] = []

    init(row: CSVTable.Row, index: [PeopleFile.Column: Int]) {
        self.row = row
        self.index = index
    }

    func text(_ column: PeopleFile.Column) -> String? {
        guard let position = index[column], position < row.fields.count else { return nil }
        let value = row.fields[position].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    mutating func fail(_ column: PeopleFile.Column, _ message: String) {
        issues.append(ImportIssue(line: row.line, column: column.rawValue, message: message))
    }

    mutating func required(_ column: PeopleFile.Column) -> String? {
        guard let value = text(column) else {
            fail(column, "required value is missing")
            return nil
        }
        return value
    }

    mutating func date(_ column: PeopleFile.Column) -> CalendarDate? {
        guard let value = text(column) else { return nil }
        guard let date = CalendarDate(value) else {
            fail(column, "\"\(value)\" is not a date written YYYY-MM-DD")
            return nil
        }
        return date
    }

    /// The row's id, email and manager, whatever else is wrong with it.
    func identity() -> PeopleFile.Identity? {
        guard let employeeID = text(.employeeID) else { return nil }
        let email = text(.email).map(FieldRules.normalizeEmail).flatMap { FieldRules.isValidEmail($0) ? $0 : nil }
        let managerID = text(.managerID).flatMap { $0 == employeeID ? nil : $0 }
        return PeopleFile.Identity(line: row.line, employeeID: employeeID, email: email, managerID: managerID)
    }

    mutating func record() -> PersonRecord? {
        let employeeID = required(.employeeID)
        let name = required(.name)
        let department = required(.department)

        var email: String?
        if let raw = required(.email) {
            let normalized = FieldRules.normalizeEmail(raw)
            if FieldRules.isValidEmail(normalized) { email = normalized } else { fail(.email, "\"\(raw)\" is not a valid email address") }
        }

        var level: Int?
        if let raw = required(.level) {
            if let value = Int(raw), PersonRecord.levels.contains(value) {
                level = value
            } else {
                fail(.level, "\"\(raw)\" is not a whole number from 1 to 15")
            }
        }

        let timeZone = text(.timeZone)
        if let timeZone, !FieldRules.isValidTimeZone(timeZone) {
            fail(.timeZone, "\"\(timeZone)\" is not an IANA time zone such as Europe/Berlin")
        }

        var generation: Generation?
        if let raw = text(.generation) {
            generation = Generation(parsing: raw)
            if generation == nil {
                fail(.generation, "\"\(raw)\" is not one of \(Generation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        let hireDate = date(.hireDate)
        let terminationDate = date(.terminationDate)
        if let hireDate, let terminationDate, terminationDate < hireDate {
            fail(.terminationDate, "termination date \(terminationDate) is before the hire date \(hireDate)")
        }

        let managerID = text(.managerID)
        if let managerID, managerID == employeeID {
            fail(.managerID, "a person cannot be their own manager")
        }

        guard issues.isEmpty, let employeeID, let email, let name, let department, let level else { return nil }
        return PersonRecord(
            employeeID: employeeID, email: email, name: name, title: text(.title), department: department,
            businessUnit: text(.businessUnit), location: text(.location), timeZone: timeZone,
            managerID: managerID, level: level, hireDate: hireDate, generation: generation,
            terminationDate: terminationDate)
    }
}
