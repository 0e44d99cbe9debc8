import SQLKit

/// A plain row type read column by column. Reports read tens of thousands of rows (a program's
/// meetings, its participants, the whole directory); through `Decodable` each row built a keyed
/// decoding container and looked up generic metadata for every column, which took a third of a
/// program report's CPU. Reading a column asks the row directly, so SQLite's rows take their
/// direct path (see ``SQLiteReadRow``) and PostgreSQL's decode as before.
protocol SQLRowReadable: Sendable {
    init(row: some SQLRow) throws
}

extension SQLRow {
    /// The value of `column` as `T`.
    func read<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try decode(column: column, as: T.self)
    }

    /// The value of `column` as `T`, or nil for NULL.
    func read<T: Decodable>(_ column: String, as type: T?.Type = T?.self) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }
}

extension SQLQueryFetcher {
    /// Every row of the result, read as `Row`.
    func all<Row: SQLRowReadable>(reading: Row.Type) async throws -> [Row] {
        try await all().map { try Row(row: $0) }
    }

    /// The first row of the result read as `Row`, or nil when there is none.
    func first<Row: SQLRowReadable>(reading: Row.Type) async throws -> Row? {
        try await first().map { try Row(row: $0) }
    }
}
