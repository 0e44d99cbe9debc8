import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// PostgreSQL: reads outside transactions run as named prepared statements, each prepared once per
/// connection, so the server plans a query once instead of on every request.
///
/// PostgresNIO (1.33) sends every other query as an unnamed statement, which the server parses and
/// plans anew each time. For Upward's reads, planning costs far more than running: with
/// `pg_stat_statements` on the large demo, a pair's query took 0.59 ms to plan and 0.04 ms to
/// run, the API token's 0.13 ms and 0.02 ms; planning was most of the database server's CPU.
///
/// A statement's text and parameter types name it (`upward_1`, `upward_2` … in the order first
/// seen). It is prepared with the same parameter types and encoded binds that PostgresKit would
/// send unnamed, so the server reads exactly the same values. Left as they were: statements with
/// more than ``bindLimit`` binds (long `IN` lists, whose texts vary with their length), binds
/// PostgresNIO cannot encode itself (PostgresKit's slower paths), texts past ``statementLimit``,
/// any text the server once refused to prepare or to run prepared, and any text that once
/// returned more than ``rowLimit`` rows.
///
/// Each prepared statement costs its connection's server process memory for the plan it keeps:
/// `pg_log_backend_memory_contexts` after the whole load benchmark showed 23-30 statements and
/// 1.45-1.74 MB of cached plans per connection, about 60 KB a statement. ``statementLimit`` keeps
/// that under about 8 MB a connection whatever a future page reads.
///
/// That last rule is measured: PostgresNIO hands a prepared statement's rows over as an async
/// sequence, a few microseconds a row more than the callback unnamed statements use. A page of
/// people (50 rows) still gains; a program's figures (tens of thousands of rows, where planning
/// is a small part of the cost) took twice the CPU until they ran unnamed again.
final class PostgresPreparedReads: Sendable {
    static let bindLimit = 32
    static let statementLimit = 128
    static let rowLimit = 64

    /// One read, ready to run prepared.
    struct Statement: Sendable {
        let name: String
        let key: String
        let sql: String
        let types: [PostgresDataType]
        let bindings: PostgresBindings
    }

    private struct State {
        var names: [String: String] = [:]
        var refused: Set<String> = []
        var large: Set<String> = []
        var count = 0
    }

    private let state = NIOLockedValueBox(State())

    /// The prepared form of a read, or nil when it runs as it is (see the type's notes).
    func statement(_ sql: String, _ binds: [any Encodable & Sendable]) -> Statement? {
        guard binds.count <= Self.bindLimit else { return nil }
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        for bind in binds {
            // As PostgresKit encodes a bind on its fast paths: a nil, or PostgresNIO's own encoding.
            if (bind as Optional<Any>) == nil {
                bindings.appendNull()
                types.append(.null)
            } else if let value = bind as? any PostgresThrowingDynamicTypeEncodable {
                do { try bindings.append(value, context: .default) } catch { return nil }
                types.append(value.psqlType)
            } else {
                return nil
            }
        }
        let key = types.map { "\($0.rawValue)" }.joined(separator: ",") + ";" + sql
        let name: String? = state.withLockedValue { state in
            guard !state.refused.contains(key), !state.large.contains(key) else { return nil }
            if let name = state.names[key] { return name }
            guard state.count < Self.statementLimit else { return nil }
            state.count += 1
            let name = "upward_\(state.count)"
            state.names[key] = name
            return name
        }
        return name.map { Statement(name: $0, key: key, sql: sql, types: types, bindings: bindings) }
    }

    /// Runs a read prepared on `connection`; `delivered` is set once a row has reached `onRow`.
    func run(
        _ statement: Statement, on connection: PostgresConnection, delivered: NIOLockedValueBox<Bool>, _ onRow: @escaping @Sendable (any SQLRow) -> Void
    ) -> EventLoopFuture<Void> {
        connection.eventLoop.makeFutureWithTask {
            try await PreparedRead.$current.withValue(statement) {
                let rows = try await connection.execute(PreparedRead(bindings: statement.bindings), logger: connection.logger)
                var count = 0
                for try await row in rows {
                    if count == 0 { delivered.withLockedValue { $0 = true } }
                    count += 1
                    onRow(row.sql())
                }
                if count > Self.rowLimit { _ = self.state.withLockedValue { $0.large.insert(statement.key) } }
            }
        }
    }

    /// Whether a failed prepared read is run again unnamed, before any row reached its caller: when
    /// the server refused the statement itself (a syntax or undefined-object error, class 42; a
    /// feature it will not do prepared, class 0A, such as a cached plan whose result type changed
    /// under a migration; or a statement name it does not know, class 26). That text is then never
    /// prepared again by this process. Any other error is the read's own and is passed on.
    func refusedByServer(_ statement: Statement, _ error: any Error) -> Bool {
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState], ["42", "0A", "26"].contains(where: state.hasPrefix) else { return false }
        _ = self.state.withLockedValue { $0.refused.insert(statement.key) }
        return true
    }

    /// The name a read's text runs under, or nil while it runs unnamed (for tests).
    func name(of sql: String) -> String? {
        state.withLockedValue { state in
            state.names.first { $0.key.hasSuffix(";" + sql) && !state.refused.contains($0.key) && !state.large.contains($0.key) }?.value
        }
    }
}

/// PostgresNIO names a prepared statement by its type's static `name` and `sql`, read when
/// ``PostgresConnection/execute(_:logger:file:line:)`` starts; this type gives them from the
/// statement bound for the running task, so one type serves every read.
private struct PreparedRead: PostgresPreparedStatement {
    typealias Row = PostgresRow

    @TaskLocal static var current: PostgresPreparedReads.Statement?

    static var name: String { current?.name ?? "" }
    static var sql: String { current?.sql ?? "" }
    static var bindingDataTypes: [PostgresDataType] { current?.types ?? [] }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
