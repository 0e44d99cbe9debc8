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

    public static func plan(file: PeopleFile, existing: [PersonRecord]) throws(ImportFailure) -> DirectoryImport {
        var issues: [ImportIssue] = []

        // Within the file: each id and email at most once.
        var lineOfID: [String: Int] = [:]
        var lineOfEmail: [String: Int] = [:]
        for entry in file.entries {
            let record = entry.record
            if let first = lineOfID[record.employeeID] {
                issues.append(ImportIssue(line: entry.line, column: "employee_id", message: "duplicate employee_id \"\(record.employeeID)\" (first on line \(first))"))
            } else {
                lineOfID[record.employeeID] = entry.line
            }
            if let first = lineOfEmail[record.email] {
                issues.append(ImportIssue(line: entry.line, column: "email", message: "duplicate email \"\(record.email)\" (first on line \(first))"))
            } else {
                lineOfEmail[record.email] = entry.line
            }
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }

        // The directory after the import: existing people, overridden by the file.
        var merged: [String: PersonRecord] = [:]
        merged.reserveCapacity(existing.count + file.entries.count)
        for record in existing { merged[record.employeeID] = record }
        for entry in file.entries { merged[entry.record.employeeID] = entry.record }

        // Emails stay unique across the whole directory.
        var ownerOfEmail: [String: String] = [:]
        for record in merged.values {
            if let other = ownerOfEmail[record.email], other != record.employeeID {
                // At least one of the two comes from the file; report it there.
                for id in [record.employeeID, other] {
                    if let line = lineOfID[id] {
                        let holder = id == record.employeeID ? other : record.employeeID
                        issues.append(ImportIssue(line: line, column: "email", message: "email \"\(record.email)\" already belongs to employee \(holder)"))
                    }
                }
            } else {
                ownerOfEmail[record.email] = record.employeeID
            }
        }

        let tree: ReportingTree
        do {
            tree = try ReportingTree(managers: merged.mapValues(\.managerID))
        } catch {
            for problem in error.problems {
                switch problem {
                case .unknownManager(let person, let manager):
                    issues.append(ImportIssue(line: lineOfID[person], column: "manager_id", message: "manager \"\(manager)\" is not in the file or the directory"))
                case .cycle(let members):
                    let loop = (members + [members[0]]).joined(separator: " → ")
                    let lines = members.compactMap { lineOfID[$0] }.sorted()
                    issues.append(ImportIssue(line: lines.first, column: "manager_id", message: "reporting cycle \(loop) (lines \(lines.map(String.init).joined(separator: ", ")))"))
                }
            }
            throw ImportFailure(issues)
        }
        guard issues.isEmpty else { throw ImportFailure(issues) }

        let before = Dictionary(existing.map { ($0.employeeID, $0) }, uniquingKeysWith: { first, _ in first })
        var added: [PersonRecord] = []
        var updated: [PersonRecord] = []
        var unchanged = 0
        for entry in file.entries {
            switch before[entry.record.employeeID] {
            case nil: added.append(entry.record)
            case let old? where old == entry.record: unchanged += 1
            default: updated.append(entry.record)
            }
        }
        // Store managers before their reports, so references always point at stored rows.
        let rank = Dictionary(uniqueKeysWithValues: tree.topologicalOrder.enumerated().map { ($1, $0) })
        added.sort { rank[$0.employeeID]! < rank[$1.employeeID]! }
        updated.sort { rank[$0.employeeID]! < rank[$1.employeeID]! }
        return DirectoryImport(added: added, updated: updated, unchangedCount: unchanged, tree: tree, warnings: file.warnings)
    }
}
