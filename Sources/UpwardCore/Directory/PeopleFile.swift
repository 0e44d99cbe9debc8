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

    init(entries: [Entry], identities: [Identity], issues: [ImportIssue], warnings: [String], presentColumns: Set<Column> = Set(Column.allCases)) {
        self.entries = entries
        self.identities = identities
        self.issues = issues
        self.warnings = warnings
        self.presentColumns = presentColumns
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

        /// Other names HR exports use for the column.
        var synonyms: [String] {
            switch self {
            case .employeeID: ["employee number", "employee no", "emp id", "staff id", "worker id", "personnel number"]
            case .email: ["e-mail", "email address", "work email", "mail"]
            case .name: ["full name", "display name", "employee name"]
            case .title: ["job title", "position"]
            case .department: ["dept", "department name"]
            case .businessUnit: ["bu", "division"]
            case .location: ["office", "site"]
            case .timeZone: ["timezone", "tz"]
            case .managerID: ["manager employee id", "supervisor id", "line manager id", "reports to id"]
            case .level: ["grade", "job level"]
            case .hireDate: ["start date", "date hired"]
            case .generation: []
            case .terminationDate: ["end date", "leave date", "exit date"]
            }
        }

        static let specs: [CSVColumn] = allCases.map { CSVColumn($0.rawValue, required: required.contains($0), synonyms: $0.synonyms) }
    }

    /// The optional columns this file has. An absent column leaves that field of existing people
    /// as it is; a present column with an empty cell clears it.
    public let presentColumns: Set<Column>

    /// Parses and checks every row. Throws only when the file as a whole can't be read
    /// (not CSV, a missing required column, a header name that looks like a typo);
    /// row problems are kept in ``issues``.
    public static func parse(_ data: Data) throws(ImportFailure) -> PeopleFile {
        let (table, columns) = try CSVTable.read(data, columns: Column.specs)
        var issues: [ImportIssue] = []
        var warnings = columns.warnings
        let present = Set(Column.allCases.filter { columns.has($0.rawValue) })

        var entries: [Entry] = []
        var identities: [Identity] = []
        entries.reserveCapacity(table.rows.count)
        identities.reserveCapacity(table.rows.count)
        for row in table.rows {
            if let issue = columns.shapeIssue(row) {
                issues.append(issue)
                continue
            }
            var reader = RowReader(row: row, columns: columns)
            if let record = reader.record() {
                entries.append(Entry(line: row.line, record: record))
            }
            if let identity = reader.identity() { identities.append(identity) }
            issues += reader.issues
        }
        if table.rows.isEmpty { warnings.append("The file has a header but no people.") }
        return PeopleFile(entries: entries, identities: identities, issues: issues, warnings: warnings, presentColumns: present)
    }
}

/// Reads one row's fields, collecting every problem rather than stopping at the first.
private struct RowReader {
    let row: CSVTable.Row
    let columns: CSVColumns
    var issues: [ImportIssue] = []

    init(row: CSVTable.Row, columns: CSVColumns) {
        self.row = row
        self.columns = columns
    }

    func text(_ column: PeopleFile.Column) -> String? { columns.value(column.rawValue, in: row) }

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
