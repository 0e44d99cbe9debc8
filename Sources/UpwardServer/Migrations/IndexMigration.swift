import Fluent

/// A migration that only adds indexes (`name`, `table (columns) [WHERE …]`) and drops them on revert.
protocol IndexMigration: AsyncMigration {
    static var indexes: [(name: String, definition: String)] { get }
}

extension IndexMigration {
    func prepare(on database: any Database) async throws {
        try await CreateScaleIndexes.create(Self.indexes, on: database)
    }

    func revert(on database: any Database) async throws {
        try await CreateScaleIndexes.drop(Self.indexes.map(\.name), on: database)
    }
}
