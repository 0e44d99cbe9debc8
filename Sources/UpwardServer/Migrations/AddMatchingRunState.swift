import Fluent

/// Each matching run keeps the solver's state (``MatchingState`` as JSON) so the next run on the
/// program starts from it. Only the latest run of a program keeps one; older ones are cleared.
struct AddMatchingRunState: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MatchingRun.schema).field("solver_state", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MatchingRun.schema).deleteField("solver_state").update()
    }
}
