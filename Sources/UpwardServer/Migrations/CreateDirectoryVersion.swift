import Fluent
import SQLKit

/// A count of the directory's changes, kept by the database itself: every statement that adds or
/// removes a person, or changes a name, an employee id or a leaving date, raises `version`, whoever
/// runs it (an import, an erasure, another instance, a hand-written fix in `sqlite3` or `psql`).
/// ``DirectoryOrderCache`` keeps the directory's name order while the version stays the same.
/// (``WidenDirectoryVersion`` adds a person's department, generation and reporting depth.)
///
/// SQLite raises it from a trigger per row, in the writing transaction. PostgreSQL raises it once
/// per transaction, at commit (a deferred constraint trigger, which a setting local to the
/// transaction skips after the first row): the version row is locked only while committing, when
/// the transaction waits for nothing else, so two writers cannot deadlock on it, and an import of
/// 10,000 people updates it once.
struct CreateDirectoryVersion: AsyncMigration {
    static let triggers = ["people_version_insert", "people_version_update", "people_version_delete"]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = sql.dialect.name == "postgresql"
        try await database.transaction { database in
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw(
                "CREATE TABLE directory_version (id INTEGER PRIMARY KEY CHECK (id = 1), version \(unsafeRaw: postgres ? "BIGINT" : "INTEGER") NOT NULL)"
            ).run()
            try await sql.raw("INSERT INTO directory_version (id, version) VALUES (1, 0)").run()
            if postgres {
                try await sql.raw(
                    """
                    CREATE FUNCTION upward_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF coalesce(current_setting('upward.directory_changed', true), '') <> 'yes' THEN
                            UPDATE directory_version SET version = version + 1 WHERE id = 1;
                            PERFORM set_config('upward.directory_changed', 'yes', true);
                        END IF;
                        RETURN NULL;
                    END $$
                    """
                ).run()
                try await sql.raw(
                    """
                    CREATE CONSTRAINT TRIGGER people_version AFTER INSERT OR DELETE OR UPDATE OF name, employee_id, termination_date
                    ON people DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION upward_directory_changed()
                    """
                ).run()
            } else {
                let bump = "BEGIN UPDATE directory_version SET version = version + 1 WHERE id = 1; END"
                try await sql.raw("CREATE TRIGGER people_version_insert AFTER INSERT ON people \(unsafeRaw: bump)").run()
                try await sql.raw(
                    "CREATE TRIGGER people_version_update AFTER UPDATE OF name, employee_id, termination_date ON people \(unsafeRaw: bump)"
                ).run()
                try await sql.raw("CREATE TRIGGER people_version_delete AFTER DELETE ON people \(unsafeRaw: bump)").run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "postgresql" {
            try await sql.raw("DROP TRIGGER IF EXISTS people_version ON people").run()
            try await sql.raw("DROP FUNCTION IF EXISTS upward_directory_changed()").run()
        } else {
            for name in Self.triggers { try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)").run() }
        }
        try await sql.raw("DROP TABLE IF EXISTS directory_version").run()
    }
}
