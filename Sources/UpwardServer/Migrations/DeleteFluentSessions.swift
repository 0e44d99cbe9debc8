import Fluent

/// Fluent's session table had no expiry and a row per anonymous visit; ``CreateSessions`` replaces it.
struct DeleteFluentSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("_fluent_sessions").delete()
    }

    func revert(on database: any Database) async throws {
        try await SessionRecord.migration.prepare(on: database)
    }
}
