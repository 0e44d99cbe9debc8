import Fluent
import SQLKit

extension Database {
    /// A transaction that reads and then writes. On SQLite it takes the write lock with its first
    /// statement (as `BEGIN IMMEDIATE` would; Fluent always begins deferred): a transaction that
    /// begins as a reader and later writes fails with `SQLITE_BUSY_SNAPSHOT` when another
    /// connection committed in between, while one that is a writer from the start waits its turn
    /// (the busy timeout). PostgreSQL needs nothing here: it locks the rows it touches.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { db in
            if let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                // A write statement that changes nothing still takes the lock.
                try await sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
            }
            return try await body(db)
        }
    }
}
