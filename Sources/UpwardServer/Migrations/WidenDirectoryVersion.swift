import Fluent
import SQLKit

/// Raises `directory_version` (see ``CreateDirectoryVersion``) also when a person's department,
/// generation, depth in the reporting lines, level or hiring date changes: the program manager's
/// figures (``DirectoryOverviewCache``) count people by the first three, the outcomes report's
/// retention comparison (``DirectoryMembersCache``) groups them by department, level and dates,
/// and both are kept while the version stays the same. A title or any other column still leaves the version, and every kept value, as it is.
struct WidenDirectoryVersion: AsyncMigration {
    static let narrow = "name, employee_id, termination_date"
    static let wide = "name, employee_id, termination_date, department, generation, chain_depth, level, hire_date"

    func prepare(on database: any Database) async throws {
        try await Self.watch(Self.wide, on: database)
    }

    func revert(on database: any Database) async throws {
        try await Self.watch(Self.narrow, on: database)
    }

    /// Replaces the update trigger with one that watches `columns`, in one transaction.
    static func watch(_ columns: String, on database: any Database) async throws {
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { return }
            if sql.dialect.name == "postgresql" {
                try await sql.raw("DROP TRIGGER IF EXISTS people_version ON people").run()
                try await sql.raw(
                    """
                    CREATE CONSTRAINT TRIGGER people_version AFTER INSERT OR DELETE OR UPDATE OF \(unsafeRaw: columns)
                    ON people DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION upward_directory_changed()
                    """
                ).run()
            } else {
                try await sql.raw("DROP TRIGGER IF EXISTS people_version_update").run()
                try await sql.raw(
                    """
                    CREATE TRIGGER people_version_update AFTER UPDATE OF \(unsafeRaw: columns) ON people
                    BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END
                    """
                ).run()
            }
        }
    }
}
