import FluentKit
import NIOCore
import SQLKit

/// PostgreSQL storage whose every statement is answered or fails within a time limit.
///
/// PostgresNIO (1.33) never answers a query written to a connection that closed under it: the
/// write reaches no handler and the query's promise is dropped. When the database server dies
/// (killed, failed over, restarted), a request that was between two statements then waits forever
/// and keeps its pooled connection; after a few such requests the pool is empty and every later
/// request times out, long after PostgreSQL is back (found by `scripts/crash-test.py --postgres`).
/// A statement still unanswered after the limit fails with ``DatabaseOutage/Timeout`` (a 503), and
/// its connection goes back to the pool, which opens a fresh one in place of the closed one.
struct TimedDatabaseConfiguration: DatabaseConfiguration {
    var base: any DatabaseConfiguration
    let limit: TimeAmount

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        TimedDatabaseDriver(base: base.makeDriver(for: databases), limit: limit)
    }
}

struct TimedDatabaseDriver: DatabaseDriver {
    let base: any DatabaseDriver
    let limit: TimeAmount

    func makeDatabase(with context: DatabaseContext) -> any Database {
        TimedDatabase.wrap(base.makeDatabase(with: context), limit: limit)
    }

    func shutdown() { base.shutdown() }
    func shutdownAsync() async { await base.shutdownAsync() }
}

struct TimedDatabase: Database, SQLDatabase {
    let base: any Database
    let sql: any SQLDatabase
    let limit: TimeAmount

    /// The PostgreSQL driver's databases are all SQL databases; anything else is left as it is.
    static func wrap(_ base: any Database, limit: TimeAmount) -> any Database {
        guard let sql = base as? any SQLDatabase else { return base }
        return TimedDatabase(base: base, sql: sql, limit: limit)
    }

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { base.inTransaction }
    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var dialect: any SQLDialect { sql.dialect }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        bounded(base.execute(query: query, onOutput: onOutput))
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.execute(schema: schema) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.execute(enum: `enum`) }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        bounded(sql.execute(sql: query, onRow))
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await bounded(sql.execute(sql: query, onRow)).get()
    }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        base.transaction { closure(Self.wrap($0, limit: limit)) }
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        base.withConnection { closure(Self.wrap($0, limit: limit)) }
    }

    /// `future`, or a ``DatabaseOutage/Timeout`` failure once `limit` has passed without an answer.
    private func bounded(_ future: EventLoopFuture<Void>) -> EventLoopFuture<Void> {
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
