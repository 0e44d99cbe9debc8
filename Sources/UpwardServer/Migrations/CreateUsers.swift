import Fluent

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("person_id", .uuid, .references(Person.schema, .id, onDelete: .setNull))
            .field("last_login_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "email")
            .unique(on: "person_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(User.schema).delete()
    }
}
