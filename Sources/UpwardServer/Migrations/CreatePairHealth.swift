import Fluent

/// Pair health as last assessed, and when closing an idle pair was proposed.
struct CreatePairHealth: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Pair.schema).field("health", .string).update()
        try await database.schema(Pair.schema).field("closing_proposed_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Pair.schema).deleteField("health").update()
        try await database.schema(Pair.schema).deleteField("closing_proposed_at").update()
    }
}
