import Fluent

/// A pulse survey belongs to one pair and one window (first meeting, day 30, day 90 …).
struct CreatePulses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Survey.schema).field("pair_id", .uuid).update()
        try await database.schema(Survey.schema).field("window", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Survey.schema).deleteField("pair_id").update()
        try await database.schema(Survey.schema).deleteField("window").update()
    }
}
