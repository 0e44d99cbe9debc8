import FluentKit
import FluentSQL
import Foundation
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// The write gate's connection (see ``SQLiteWriter``) as a Fluent database that runs each
/// statement on the calling thread, through prepared statements kept for reuse.
///
/// Through SQLiteNIO every statement of a batch was a round trip to its thread pool and back to
/// the writer's event loop: two thread wake-ups per statement, and at least three statements per
/// write (its savepoint, its own statements, the release). On a machine whose cores are busy with
/// requests, each wake-up waited for a core, and the batches, which run one after another, spent
/// that time waiting rather than writing. Here a statement asked for on the writer's event loop
/// (where the gate runs its batches) runs there at once; one asked for on another thread is
/// sent to that loop, so the connection is still used by one thread at a time.
///
/// Queries are written as FluentSQLiteDriver writes them (the same converter, `RETURNING` the id
/// of a created row), values encoded by SQLiteKit's encoder, and rows decoded as
/// ``SQLiteReadRow``s, as SQLiteKit decodes its own.
struct DirectSQLiteConfiguration: DatabaseConfiguration {
    let connection: SQLiteReaders.Connection
    var middleware: [any AnyModelMiddleware] = []

    func makeDriver(for databases: Databases) -> any DatabaseDriver { DirectSQLiteDriver(connection: connection) }
}

struct DirectSQLiteDriver: DatabaseDriver {
    let connection: SQLiteReaders.Connection

    func makeDatabase(with context: DatabaseContext) -> any Database {
        DirectSQLiteDatabase(connection: connection, context: context, inTransaction: false)
    }

    func shutdown() {
        connection.close()
    }
}

struct DirectSQLiteDatabase: Database, SQLDatabase {
    let connection: SQLiteReaders.Connection
    let context: DatabaseContext
    let inTransaction: Bool

    var logger: Logger { context.logger }
    var eventLoop: any EventLoop { context.eventLoop }
    var dialect: any SQLDialect { SQLiteDialect() }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var queryLogLevel: Logger.Level? { .debug }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        var converted = SQLQueryConverter(delegate: DirectSQLiteConverter()).convert(query)
        // As FluentSQLiteDriver: a created row returns its id (an empty custom id key means none).
        if case .create = query.action, query.customIDKey != .some(.string("")) {
            converted = SQLKit.SQLList([converted, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
        }
        return execute(sql: converted) { onOutput(SQLRowOutput(row: $0, schema: nil)) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        eventLoop.makeFailedFuture(SQLiteStatementError(code: SQLITE_MISUSE, message: "schema changes do not run on the write gate's connection"))
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { eventLoop.makeSucceededVoidFuture() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        let text = serializer.sql
        let binds: [SQLiteData]
        do {
            binds = try SQLiteBinds.encode(serializer.binds)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        logger.debug("Executing query", metadata: ["sql": .string(text), "binds": .array(binds.map { .string("\($0)") })])
        guard eventLoop.inEventLoop else {
            return eventLoop.submit { [connection] in _ = try connection.run(text, binds, onRow) }
        }
        do {
            _ = try connection.run(text, binds, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }

    /// BEGIN, the body, COMMIT; ROLLBACK if the body or the COMMIT fails. Inside a transaction, the body alone.
    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction else { return closure(self) }
        let db = DirectSQLiteDatabase(connection: connection, context: context, inTransaction: true)
        return db.run("BEGIN TRANSACTION")
            .flatMap { closure(db).flatMap { value in db.run("COMMIT TRANSACTION").map { value } } }
            .flatMapError { error in db.run("ROLLBACK TRANSACTION").flatMapThrowing { throw error }.flatMapErrorThrowing { _ in throw error } }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }

    private func run(_ statement: String) -> EventLoopFuture<Void> {
        execute(sql: SQLRaw(statement)) { _ in }
    }
}

/// SQLite's column types for Fluent's, as FluentSQLiteDriver's converter has them.
private struct DirectSQLiteConverter: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        case .enum: SQLRaw("TEXT")
        default: nil
        }
    }
}

/// A plain SQL row as a Fluent model's output; with a schema (a joined model), its columns are `schema_field`.
struct SQLRowOutput: DatabaseOutput {
    let row: any SQLRow
    let schema: String?

    var description: String { String(describing: row) }

    private func column(_ key: FieldKey) -> String {
        (schema.map { FieldKey.prefix(.prefix(.string($0), "_"), key) } ?? key).description
    }

    func schema(_ schema: String) -> any DatabaseOutput { SQLRowOutput(row: row, schema: schema) }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try row.decode(column: column(key), as: T.self) }
}
