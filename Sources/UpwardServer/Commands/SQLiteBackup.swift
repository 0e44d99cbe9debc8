import Foundation
import SQLiteNIO

/// `upward backup FILE` and `upward restore FILE` for the SQLite database (PostgreSQL: pg_dump,
/// see the README). They run before the application starts, on their own connection.
///
/// Backup is online: `VACUUM INTO` reads one consistent snapshot while the server keeps writing
/// (WAL), and writes a compact file. Restore is offline: it checks the backup (integrity, the
/// migrations it has), refuses while anything else has the database open, keeps the current file
/// as `<database>.before-restore-<time>`, and puts a copy of the backup in its place.
enum SQLiteBackup {
    struct Summary: Sendable, Equatable {
        let bytes: Int
        let migrations: Int
    }

    /// Runs `body` on a connection of its own, closed before returning.
    static func with<T: Sendable>(_ path: String, _ body: @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func backup(database: String, to target: String) async throws(CommandFailure) -> Summary {
        guard FileManager.default.fileExists(atPath: database) else { throw CommandFailure("No database at \(database).") }
        guard !FileManager.default.fileExists(atPath: target) else {
            throw CommandFailure("\(target) already exists; choose a new file name (a backup never overwrites).")
        }
        do {
            try await with(database) { connection in
                _ = try await connection.query("PRAGMA busy_timeout = 5000")
                _ = try await connection.query("VACUUM INTO ?", [.text(target)])
            }
        } catch {
            throw CommandFailure("Backup of \(database) failed: \(error)")
        }
        return try await verify(target)
    }

    /// Checks a backup: SQLite's integrity check passes and it holds Upward's migrations.
    static func verify(_ file: String) async throws(CommandFailure) -> Summary {
        guard FileManager.default.fileExists(atPath: file) else { throw CommandFailure("No backup at \(file).") }
        do {
            let (check, hasTable, migrations) = try await with(file) { connection in
                let check = try await connection.query("PRAGMA integrity_check").compactMap { $0.column("integrity_check")?.string }
                let tables = try await connection.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_fluent_migrations'")
                let count = tables.isEmpty ? 0 : try await connection.query("SELECT COUNT(*) AS n FROM _fluent_migrations").first?.column("n")?.integer ?? 0
                return (check, !tables.isEmpty, count)
            }
            guard check == ["ok"] else { throw CommandFailure("\(file) fails SQLite's integrity check: \(check.prefix(3).joined(separator: "; "))") }
            guard hasTable else { throw CommandFailure("\(file) is not an Upward database (it has no migrations table).") }
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int ?? 0
            return Summary(bytes: bytes, migrations: migrations)
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("\(file) cannot be read as an SQLite database: \(error)")
        }
    }

    /// Replaces the database with the backup; returns where the previous file was kept.
    static func restore(_ backup: String, into database: String, now: Date = Date()) async throws(CommandFailure) -> String {
        _ = try await verify(backup)
        let manager = FileManager.default
        var kept = ""
        if manager.fileExists(atPath: database) {
            // Nothing else may have it open: with the server running, the exclusive lock is refused.
            do {
                try await with(database) { connection in
                    _ = try await connection.query("PRAGMA busy_timeout = 0")
                    _ = try await connection.query("PRAGMA locking_mode = EXCLUSIVE")
                    _ = try await connection.query("BEGIN EXCLUSIVE")
                    _ = try await connection.query("COMMIT")
                    // Fold the WAL into the file so the kept copy is whole.
                    _ = try await connection.query("PRAGMA wal_checkpoint(TRUNCATE)")
                }
            } catch {
                throw CommandFailure("\(database) is in use (is `upward serve` running?); stop the server, then restore.")
            }
            let stamp = ISO8601DateFormatter().string(from: now).replacingOccurrences(of: ":", with: "")
            kept = "\(database).before-restore-\(stamp)"
            do {
                try manager.moveItem(atPath: database, toPath: kept)
                for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: database + suffix) {
                    try manager.removeItem(atPath: database + suffix)
                }
            } catch {
                throw CommandFailure("Could not move \(database) aside: \(error)")
            }
        }
        do {
            // A fresh copy of the backup (the backup file itself stays untouched).
            try await with(backup) { connection in _ = try await connection.query("VACUUM INTO ?", [.text(database)]) }
        } catch {
            throw CommandFailure("Restoring \(backup) into \(database) failed: \(error)")
        }
        _ = try await verify(database)
        return kept
    }
}
