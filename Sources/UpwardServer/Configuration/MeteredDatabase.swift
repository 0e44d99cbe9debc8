import FluentKit
import FluentPostgresDriver
import NIOConcurrencyHelpers
import NIOCore
import Prometheus
import SQLKit
import SQLiteKit

/// Storage that reports how many pooled connections are in use, and on PostgreSQL answers or fails
/// every statement within a time limit.
///
/// In use: a statement outside a transaction holds a connection while it runs; a transaction (or
/// any `withConnection`) holds one from start to end. Their sum is `upward_db_connections_in_use`,
/// beside `upward_db_connections` (the pool's size) in `/metrics`.
///
/// The limit: PostgresNIO (1.33) never answers a query written to a connection that closed under
/// it; the write reaches no handler and the query's promise is dropped. When the database server
/// dies (killed, failed over, restarted), a request that was between two statements then waits
/// forever and keeps its pooled connection; after a few such requests the pool is empty and every
/// later request times out, long after PostgreSQL is back (found by `scripts/crash-test.py
/// --postgres`). A statement unanswered after the limit fails with ``DatabaseOutage/Timeout`` (a
/// 503) and its connection goes back to the pool, which replaces a closed one.
struct MeteredDatabaseConfiguration: DatabaseConfiguration {
    var base: any DatabaseConfiguration
    let limit: TimeAmount?
    let inUse: Gauge
    /// SQLite only: write transactions take turns in this process (see ``WriteGate``).
    var writeGate: WriteGate? = nil
    /// SQLite file only: reads outside transactions run on the caller's thread (see ``SQLiteReaders``).
    var readers: SQLiteReaders? = nil
    /// PostgreSQL only: reads outside transactions run as prepared statements (see ``PostgresPreparedReads``).
    var prepared: PostgresPreparedReads? = nil

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        MeteredDatabaseDriver(base: base.makeDriver(for: databases), limit: limit, inUse: inUse, writeGate: writeGate, readers: readers, prepared: prepared)
    }
}

struct MeteredDatabaseDriver: DatabaseDriver {
    let base: any DatabaseDriver
    let limit: TimeAmount?
    let inUse: Gauge
    let writeGate: WriteGate?
    let readers: SQLiteReaders?
    let prepared: PostgresPreparedReads?

    func makeDatabase(with context: DatabaseContext) -> any Database {
        MeteredDatabase.wrap(
            base.makeDatabase(with: context), limit: limit, inUse: inUse, leased: false, writeGate: writeGate, readers: readers, prepared: prepared)
    }

    func shutdown() {
        readers?.close()
        base.shutdown()
    }

    func shutdownAsync() async {
        readers?.close()
        await base.shutdownAsync()
    }
}

struct MeteredDatabase: Database, SQLDatabase {
    let base: any Database
    let sql: any SQLDatabase
    let limit: TimeAmount?
    let inUse: Gauge
    /// Inside a transaction or `withConnection`: the connection is already counted.
    let leased: Bool
    let writeGate: WriteGate?
    let readers: SQLiteReaders?
    let prepared: PostgresPreparedReads?

    /// Both drivers' databases are SQL databases; anything else is left as it is.
    static func wrap(
        _ base: any Database, limit: TimeAmount?, inUse: Gauge, leased: Bool, writeGate: WriteGate?, readers: SQLiteReaders?,
        prepared: PostgresPreparedReads? = nil
    ) -> any Database {
        guard let sql = base as? any SQLDatabase else { return base }
        return MeteredDatabase(base: base, sql: sql, limit: limit, inUse: inUse, leased: leased, writeGate: writeGate, readers: readers, prepared: prepared)
    }

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { base.inTransaction }
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        switch query.action {
        case .create, .update, .delete:
            if let gated = takingTurn({ $0.execute(query: query, onOutput: onOutput) }) { return gated }
        default: break
        }
        return statement { base.execute(query: query, onOutput: onOutput) }
    }

    // Schema changes (migrations) are counted but not bounded: a long one is not an outage.
    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { lease { base.execute(schema: schema) } }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { lease { base.execute(enum: `enum`) } }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        run(query, kind(of: query), onRow)
    }

    /// A direct read (SQLite, below) is over before this returns, rows and all: it gives no future
    /// to wait for, so the caller's task goes on without a trip to the back of its event loop's
    /// queue. Every other statement waits for its future as before.
    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let kind = kind(of: query)
        if case .read(let text, let binds) = kind, let readers {
            if try readDirectly(text, binds, on: readers, onRow) { return }
            return try await readElsewhere(query, text, binds, on: readers, onRow).get()
        }
        try await run(query, kind, onRow).get()
    }

    private func run(_ query: any SQLExpression, _ kind: Kind, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        switch kind {
        case .write:
            if let gated = takingTurn({ ($0 as? any SQLDatabase)?.execute(sql: query, onRow) ?? $0.eventLoop.makeFailedFuture(NotSQLDatabase()) }) {
                return gated
            }
        case .read(let text, let binds):
            if let readers { return read(query, text, binds, on: readers, onRow) }
        case .prepared(let statement):
            if let prepared { return read(query, statement, with: prepared, onRow) }
        case .other: break
        }
        return statement { sql.execute(sql: query, onRow) }
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        lease {
            base.transaction { closure(Self.wrap($0, limit: limit, inUse: inUse, leased: true, writeGate: writeGate, readers: readers, prepared: prepared)) }
        }
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        lease {
            base.withConnection { closure(Self.wrap($0, limit: limit, inUse: inUse, leased: true, writeGate: writeGate, readers: readers, prepared: prepared)) }
        }
    }

    /// SQLite: a statement that writes outside a transaction (a note added, a session saved) takes
    /// its turn at the write gate and runs on the writer's connection, as write transactions do. On a
    /// reader's connection it would meet the writer's lock and sleep in SQLite's busy handler, in
    /// steps of up to 100 ms, holding the only connection of its event loop while every read queued
    /// behind it waited too. Nil: not SQLite, or already inside a transaction (which holds the turn).
    private func takingTurn(_ run: @escaping @Sendable (any Database) -> EventLoopFuture<Void>) -> EventLoopFuture<Void>? {
        guard let gate = writeGate, !inTransaction else { return nil }
        let loop = eventLoop
        let alone = MeteredDatabase(base: base, sql: sql, limit: limit, inUse: inUse, leased: leased, writeGate: nil, readers: nil, prepared: nil)
        return loop.makeFutureWithTask {
            if try await gate.transaction(on: loop, single: true, { try await run($0).get() }) != nil { return }
            try await gate.withTurn { try await run(alone).get() }
        }
    }

    private enum Kind {
        /// Writes outside a transaction, with a write gate: takes its turn.
        case write
        /// A SELECT (or WITH) outside any transaction and leased connection, with direct readers: its text and binds.
        case read(String, [SQLiteData])
        /// PostgreSQL: a SELECT outside any transaction and leased connection, to run prepared.
        case prepared(PostgresPreparedReads.Statement)
        case other
    }

    /// What a plain SQL statement does: SQLKit's insert, update, delete and select, or raw SQL by its first word.
    private func kind(of query: any SQLExpression) -> Kind {
        // A leased connection (`withConnection`) may hold a transaction of its caller's own making:
        // its writes still take their turn, but its reads stay on it.
        let readers = leased ? nil : self.readers
        let prepared = leased ? nil : self.prepared
        guard !inTransaction, writeGate != nil || readers != nil || prepared != nil else { return .other }
        if query is SQLInsert || query is SQLUpdate || query is SQLDelete { return writeGate == nil ? .other : .write }
        guard readers != nil || prepared != nil || query is SQLQueryString || query is SQLRaw else { return .other }
        var serializer = SQLSerializer(database: self)
        query.serialize(to: &serializer)
        let head = serializer.sql.drop { $0.isWhitespace || $0 == "(" }.prefix(7).uppercased()
        if ["INSERT", "UPDATE", "DELETE", "REPLACE"].contains(where: { head.hasPrefix($0) }) { return writeGate == nil ? .other : .write }
        // Only a plain SELECT runs prepared: a WITH may write, and a failed read may be run again.
        if let prepared {
            guard head.hasPrefix("SELECT"), let statement = prepared.statement(serializer.sql, serializer.binds) else { return .other }
            return .prepared(statement)
        }
        guard readers != nil, head.hasPrefix("SELECT") || head.hasPrefix("WITH") else { return .other }
        do {
            return .read(serializer.sql, try SQLiteBinds.encode(serializer.binds))
        } catch {
            return .other
        }
    }

    /// A read on this thread through ``SQLiteReaders``, its rows handed over before this returns;
    /// false when it is not read here (a slow statement, or every reader connection in use).
    private func readDirectly(_ text: String, _ binds: [SQLiteData], on readers: SQLiteReaders, _ onRow: (any SQLRow) -> Void) throws -> Bool {
        if let level = queryLogLevel {
            logger.log(level: level, "Executing query", metadata: ["sql": .string(text), "binds": .array(binds.map { .string("\($0)") })])
        }
        inUse.increment()
        defer { inUse.decrement() }
        return try readers.read(text, binds, onRow)
    }

    /// A read through ``SQLiteReaders``: directly when it can be, else offloaded or on the pool.
    private func read(
        _ query: any SQLExpression, _ text: String, _ binds: [SQLiteData], on readers: SQLiteReaders,
        _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        do {
            if try readDirectly(text, binds, on: readers, onRow) { return eventLoop.makeSucceededVoidFuture() }
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        return readElsewhere(query, text, binds, on: readers, onRow)
    }

    /// A read that was not read directly: a slow statement on the thread pool, anything else on the pool's connection.
    private func readElsewhere(
        _ query: any SQLExpression, _ text: String, _ binds: [SQLiteData], on readers: SQLiteReaders,
        _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        if readers.isSlow(text), let rows = readers.readOffloaded(text, binds, on: eventLoop) {
            return statement { rows.map { rows in rows.forEach(onRow) } }
        }
        return statement { sql.execute(sql: query, onRow) }
    }

    /// PostgreSQL: a read prepared on a pooled connection (see ``PostgresPreparedReads``). A
    /// statement the server refused is run once more unnamed, as it would have been, unless a row
    /// already reached the caller.
    private func read(
        _ query: any SQLExpression, _ statement: PostgresPreparedReads.Statement, with prepared: PostgresPreparedReads,
        _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        guard let postgres = base as? any PostgresDatabase else { return self.statement { sql.execute(sql: query, onRow) } }
        if let level = queryLogLevel {
            logger.log(level: level, "Executing query", metadata: ["sql": .string(statement.sql), "prepared": .string(statement.name)])
        }
        let delivered = NIOLockedValueBox(false)
        return self.statement {
            postgres.withConnection { prepared.run(statement, on: $0, delivered: delivered, onRow) }
                .flatMapError { [sql] error in
                    guard !delivered.withLockedValue({ $0 }), prepared.refusedByServer(statement, error) else { return sql.eventLoop.makeFailedFuture(error) }
                    return sql.execute(sql: query, onRow)
                }
        }
    }

    private func lease<T>(_ body: () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !leased else { return body() }
        inUse.increment()
        return body().always { [inUse] _ in inUse.decrement() }
    }

    /// One statement: counted unless its connection already is, and bounded by the limit.
    private func statement(_ run: () -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        let future = lease(run)
        guard let limit else { return future }
        let loop = future.eventLoop
        let promise = loop.makePromise(of: Void.self)
        let timeout = loop.scheduleTask(in: limit) { promise.fail(DatabaseOutage.Timeout()) }
        future.whenComplete { result in
            timeout.cancel()
            promise.completeWith(result)
        }
        return promise.futureResult
    }
}
