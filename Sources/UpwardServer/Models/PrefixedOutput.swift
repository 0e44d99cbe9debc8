import FluentKit
import Foundation
import SQLKit

/// One model's columns in a plain SQL row, each named with a prefix (`pa_id`, `pa_status`): how a
/// query written as text fills several Fluent models from one row of a join.
struct PrefixedOutput: DatabaseOutput {
    let row: any SQLRow
    let prefix: String

    var description: String { "\(prefix)* of \(row)" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: prefix + key.description) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: prefix + key.description) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try row.decode(column: prefix + key.description, as: T.self) }

    /// A model read from the row's columns that begin with `prefix`, as Fluent would have loaded it.
    static func model<M: Model>(_ row: any SQLRow, _ prefix: String) throws -> M {
        let model = M()
        try model.output(from: PrefixedOutput(row: row, prefix: prefix))
        return model
    }

    /// The model's columns, each quoted, for a query's select list.
    static func quoted<M: Model>(_ model: M.Type) -> String {
        M.keys.map { "\"\($0.description)\"" }.joined(separator: ", ")
    }

    /// `alias.column AS alias_column` for each of the model's fields, for a query's select list.
    /// The names are the models' own (plain snake case), quoted since one (`window`) is a keyword in PostgreSQL.
    static func columns<M: Model>(_ model: M.Type, _ alias: String) -> String {
        M.keys.map { "\(alias).\"\($0.description)\" AS \(alias)_\($0.description)" }.joined(separator: ", ")
    }
}

extension Model where IDValue == UUID {
    /// The model with this id, as Fluent's `find` returns it, read by a plain query over the model's
    /// own column list: Fluent's query builder spends more time naming the columns than SQLite
    /// spends on the query.
    static func fetch(_ id: UUID?, on db: any Database) async throws -> Self? {
        guard let id else { return nil }
        let columns = PrefixedOutput.quoted(Self.self)
        let query: SQLQueryString = "SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: schema) WHERE id = \(bind: id)"
        guard let row = try await db.sql().raw(query).first() else { return nil }
        return try PrefixedOutput.model(row, "")
    }
}
