import Fluent

/// Covering indexes for the figures a program page and its outcomes report compute over a whole
/// program (every working pair's health, the pair list, the meetings by month). Each holds every
/// column its statement reads, so SQLite answers from the index without looking the rows up in
/// their tables. Each extends an older index by columns at its end and replaces it: a statement
/// that used the older one finds the same leading columns, and a write has no more indexes to
/// update than before. `revert` puts the older ones back.
struct AddProgramFigureIndexes: AsyncMigration {
    static let indexes: [(name: String, definition: String)] = [
        ("pairs_program_list", "pairs (program_id, status, id, mentee_id, mentor_id, live_at, created_at)"),
        ("meetings_pair_figures", "meetings (pair_id, starts_at, status, duration_minutes, updated_at)"),
        ("goals_pair_updated", "goals (pair_id, updated_at)"),
        ("pair_notes_pair_created", "pair_notes (pair_id, created_at)"),
        ("concerns_pair_status", "concerns (pair_id, status)"),
    ]

    /// The indexes replaced, each a leading part of one above, as they were created.
    static let replaced: [(name: String, definition: String)] = [
        ("pairs_program_status", "pairs (program_id, status)"),
        ("meetings_pair", "meetings (pair_id, starts_at)"),
        ("goals_pair", "goals (pair_id)"),
        ("pair_notes_pair", "pair_notes (pair_id)"),
        ("concerns_pair", "concerns (pair_id)"),
    ]

    func prepare(on database: any Database) async throws {
        try await CreateScaleIndexes.create(Self.indexes, on: database)
        try await CreateScaleIndexes.drop(Self.replaced.map(\.name), on: database)
    }

    func revert(on database: any Database) async throws {
        try await CreateScaleIndexes.create(Self.replaced, on: database)
        try await CreateScaleIndexes.drop(Self.indexes.map(\.name), on: database)
    }
}
