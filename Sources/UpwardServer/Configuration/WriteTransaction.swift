import Fluent
import SQLKit

extension Database {
    /// A transaction that reads and then writes. On SQLite it takes the write lock with its first
    /// statement (as `BEGIN IMMEDIATE` would; Fluent always begins deferred): a transaction that
    /// begins as a reader and later writes fails with `SQLITE_BUSY_SNAPSHOT` when another
    /// connection committed in between, while one that is a writer from the start waits its turn
    /// (the busy timeout). PostgreSQL needs nothing here: it locks the rows it touches.
    ///
    /// On PostgreSQL the transaction is driven here rather than by Fluent: when the database server
    /// dies mid-transaction, Fluent sends ROLLBACK on the dead connection, which PostgresNIO never
    /// answers (see ``MeteredDatabase``). After a connection failure no ROLLBACK is sent; the server
    /// has already rolled the transaction back.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql", !inTransaction {
            return try await withConnection { connection in
                guard let conn = connection as? any SQLDatabase else { return try await connection.transaction(body) }
                try await conn.raw("BEGIN").run()
                let result: T
                do {
                    result = try await body(connection)
                } catch {
                    if !DatabaseOutage.matches(error) {
                        try? await conn.raw("ROLLBACK").run()
                    }
                    throw error
                }
                try await conn.raw("COMMIT").run()
                return result
            }
        }
        let run: @Sendable (any Database) async throws -> T = { (target: any Database) in
            try await target.transaction { db in
                if let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                    // A write statement that changes nothing still takes the lock.
                    try await sql.raw("UPDATE _fluent_migrations SET batch = batch WHERE 0").run()
                }
                return try await body(db)
            }
        }
        // SQLite: this process's writers take turns before they take a connection, on connections
        // of their own, and those waiting together commit together (see WriteGate).
        if !inTransaction, let gate = (self as? MeteredDatabase)?.writeGate {
            if let result = try await gate.transaction(on: eventLoop, body) { return result }
            return try await gate.withTurn { try await run(self) }
        }
        return try await run(self)
    }
}

extension Database {
    /// This database as SQLKit's, for plain queries; both drivers (SQLite, PostgreSQL) are SQL databases.
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw NotSQLDatabase() }
        return sql
    }
}

struct NotSQLDatabase: Error, CustomStringConvertible {
    var description: String { "Upward needs an SQL database (SQLite or PostgreSQL)." }
}
