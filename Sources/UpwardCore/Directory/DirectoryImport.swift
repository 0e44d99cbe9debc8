/// Plans an import of a ``PeopleFile`` into an existing directory: validates the
/// rules that span rows and the directory (unique ids and emails, known managers,
/// no reporting cycles) and works out what to add and update.
///
/// Re-importing updates people by `employeeID`; a second import of the same file
/// changes nothing. People already in the directory but absent from the file are
/// kept as they are, so a partial export (one department) is a valid import.
public struct DirectoryImport: Sendable {
    public let added: [PersonRecord]
    public let updated: [PersonRecord]
    public let unchangedCount: Int
    /// The reporting lines of the whole directory after the import.
    public let tree: ReportingTree
    public let warnings: [String]

    public var changedCount: Int { added.count + updated.count }

    /// Checks every rule that spans rows or the directory and reports every problem in the
    /// file at once, row-level ones included; plans the changes only when there are none.
    public static func plan(file: PeopleFile, existing: [PersonRecord]) throws(ImportFailure) -> DirectoryImport {
        var issues = file.issues

        // Within the file: each id and email at most once.
        var lineOfID: [String: Int] = [:]
        var lineOfEmail: [String: Int] = [:]
        var duplicateLines: Set<Int> = []
        for row in file.identities {
            if let first = lineOfID[row.employeeID] {
                issues.append(
                    ImportIssue(line: row.line, column: "employee_id", message: "duplicate employee_id \"\(row.employeeID)\" (first on line \(first))"))
                duplicateLines.insert(row.line)
            } else {
                lineOfID[row.employeeID] = row.line
            }
            guard let email = row.email else { continue }
            if let first = lineOfEmail[email] {
                issues.append(ImportIssue(line: row.line, column: "email", message: "duplicate email \"\(email)\" (first on line \(first))"))
            } else {
                lineOfEmail[email] = row.line
            }
        }

        // The directory after the import: existing people, overridden by the file.
        var managers: [String: String?] = [:]
        var emails: [String: String] = [:]
        for record in existing {
            managers[record.employeeID] = record.managerID
            emails[record.employeeID] = record.email
        }
        let hasManagerColumn = file.presentColumns.contains(.managerID)
        for row in file.identities where !duplicateLines.contains(row.line) {
            // Without a manager_id column, people keep the manager they have (newcomers have none).
            if hasManagerColumn || managers[row.employeeID] == nil { managers[row.employeeID] = hasManagerColumn ? row.managerID : nil }
            emails[row.employeeID] = row.email
        }

        // Emails stay unique across the whole directory.
        var ownerOfEmail: [String: String] = [:]
        for (id, email) in emails.sorted(by: { $0.key < $1.key }) {
            if let other = ownerOfEmail[email] {
                // Report it on the file's rows, unless both are in the file (reported above as a duplicate).
                guard lineOfID[id] == nil || lineOfID[other] == nil else { continue }
                for (row, holder) in [(id, other), (other, id)] {
                    if let line = lineOfID[row] {
                        issues.append(ImportIssue(line: line, column: "email", message: "email \"\(email)\" already belongs to employee \(holder)"))
                    }
                }
            } else {
                ownerOfEmail[email] = id
            }
        }

        var tree: ReportingTree?
        do {
            tree = try ReportingTree(managers: managers)
        } catch {
            for problem in error.problems {
                switch problem {
                case .unknownManager(let person, let manager):
                    issues.append(
                        ImportIssue(line: lineOfID[person], column: "manager_id", message: "manager \"\(manager)\" is not in the file or the directory"))
                case .tooDeep(let person, let depth):
                    issues.append(
                        ImportIssue(
                            line: lineOfID[person], column: "manager_id",
                            message:
                                "\(person)'s reporting line is \(depth) levels deep; Upward accepts at most \(ReportingTree.maximumDepth) levels below the top"
                        ))
                case .cycle(let members):
                    let loop = (members + [members[0]]).joined(separator: " → ")
                    let lines = members.compactMap { lineOfID[$0] }.sorted()
                    issues.append(
                        ImportIssue(
                            line: lines.first, column: "manager_id",
                            message: "reporting cycle \(loop) (lines \(lines.map(String.init).joined(separator: ", ")))"))
                }
            }
        }
        guard issues.isEmpty, let tree else { throw ImportFailure(issues) }

        let before = Dictionary(existing.map { ($0.employeeID, $0) }, uniquingKeysWith: { first, _ in first })
        var added: [PersonRecord] = []
        var updated: [PersonRecord] = []
        var unchanged = 0
        for entry in file.entries {
            switch before[entry.record.employeeID] {
            case nil: added.append(entry.record)
            case let old?:
                let record = entry.record.keeping(old, for: Set(PeopleFile.Column.allCases).subtracting(file.presentColumns))
                if record == old { unchanged += 1 } else { updated.append(record) }
            }
        }
        // Store managers before their reports, so references always point at stored rows.
        let rank = Dictionary(uniqueKeysWithValues: tree.topologicalOrder.enumerated().map { ($1, $0) })
        added.sort { rank[$0.employeeID]! < rank[$1.employeeID]! }
        updated.sort { rank[$0.employeeID]! < rank[$1.employeeID]! }
        return DirectoryImport(added: added, updated: updated, unchangedCount: unchanged, tree: tree, warnings: file.warnings)
    }
}

extension PersonRecord {
    /// This record with the fields of `absent` columns taken from `old`: a column missing from
    /// the file leaves the field as it was.
    func keeping(_ old: PersonRecord, for absent: Set<PeopleFile.Column>) -> PersonRecord {
        var record = self
        for column in absent {
            switch column {
            case .title: record.title = old.title
            case .businessUnit: record.businessUnit = old.businessUnit
            case .location: record.location = old.location
            case .timeZone: record.timeZone = old.timeZone
            case .managerID: record.managerID = old.managerID
            case .hireDate: record.hireDate = old.hireDate
            case .generation: record.generation = old.generation
            case .terminationDate: record.terminationDate = old.terminationDate
            case .employeeID, .email, .name, .department, .level: break  // required: always present
            }
        }
        return record
    }
}
