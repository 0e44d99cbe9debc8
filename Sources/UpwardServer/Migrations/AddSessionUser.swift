import Fluent

/// Sessions name their account in a column, so a signed-in page reads the session and the account
/// in one joined query. Sessions stored before this keep a null and are read as before.
struct AddSessionUser: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StoredSession.schema).field("user_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StoredSession.schema).deleteField("user_id").update()
    }
}
