import Fluent

/// Fluent's session table had no expiry and a row per anonymous visit; ``CreateSessions`` replaces it.
struct DeleteFluentSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("_fluent_sessions").delete()
    }

    func revert(on database: any Database) async throws {
        // Fluent's migration returns a future: wait for the table, or the next revert (which drops
        // it) can run first. Discarded, it did, now and then, on a loaded machine.
        try await SessionRecord.migration.prepare(on: database).get()
    }
}
