import Fluent

/// Innovation ideas and success stories raised by pairs.
struct CreateRecognition: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Idea.schema).id()
            .field("program_id", .uuid, .required, .references(Program.schema, "id", onDelete: .cascade))
            .field("pair_id", .uuid, .required, .references(Pair.schema, "id", onDelete: .cascade))
            .field("raised_by_person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("title", .string, .required).field("description", .string, .required).field("status", .string, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required).create()
        try await database.schema(Story.schema).id()
            .field("program_id", .uuid, .required, .references(Program.schema, "id", onDelete: .cascade))
            .field("pair_id", .uuid, .required, .references(Pair.schema, "id", onDelete: .cascade))
            .field("title", .string, .required).field("body", .string, .required)
            .field("mentee_consent_at", .datetime).field("mentor_consent_at", .datetime)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required).create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Story.schema).delete()
        try await database.schema(Idea.schema).delete()
    }
}
