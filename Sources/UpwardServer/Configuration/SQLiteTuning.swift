import FluentSQLiteDriver
import SQLKit
import Vapor

/// SQLite settings for a file database: WAL for concurrent readers, full fsync,
/// a bounded wait on locks. Applied to every pooled connection at start-up.
enum SQLiteTuning {
    static let busyTimeoutMilliseconds = 5000

    static func apply(to app: Application, markAsDemo: Bool) async throws {
        // One connection per event loop; touch each so each gets the per-connection settings.
        for eventLoop in app.eventLoopGroup.makeIterator() {
            guard let db = app.databases.database(.sqlite, logger: app.logger, on: eventLoop) as? any SQLDatabase else { continue }
            try await tune(db, markAsDemo: markAsDemo)
        }
        if let writer = app.sqliteWriter?.database(logger: app.logger) as? any SQLDatabase {
            try await tune(writer, markAsDemo: markAsDemo)
        }
    }

    private static func tune(_ db: any SQLDatabase, markAsDemo: Bool) async throws {
        if markAsDemo {
            try await db.raw(SQLQueryString("PRAGMA application_id = \(unsafeRaw: String(DemoDatabase.applicationID))")).run()
        }
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await db.raw("PRAGMA synchronous = FULL").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        // Deleted content is overwritten, so an erased person leaves nothing in free pages.
        try await db.raw("PRAGMA secure_delete = ON").run()
        // No checkpoint inside a commit: ``SQLiteCheckpointer`` runs them from a thread of its own.
        try await db.raw("PRAGMA wal_autocheckpoint = 0").run()
        try await db.raw(SQLQueryString("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))")).run()
    }
}

extension DatabaseID {
    /// The same SQLite file as `.sqlite`, on the connection only write transactions use (see ``SQLiteWriter``).
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
}
