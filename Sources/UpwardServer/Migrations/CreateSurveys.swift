import Fluent

/// Surveys, named responses, anonymous tallies and comments, and the separate "already answered" marks.
struct CreateSurveys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Survey.schema).id()
            .field("program_id", .uuid, .required, .references(Program.schema, "id", onDelete: .cascade))
            .field("phase", .string, .required).field("title", .string, .required).field("anonymous", .bool, .required)
            .field("audience", .string, .required).field("questions", .string, .required).field("created_at", .datetime, .required)
            .field("closed_at", .datetime).create()
        try await database.schema(SurveyResponse.schema).id()
            .field("survey_id", .uuid, .required, .references(Survey.schema, "id", onDelete: .cascade))
            .field("person_id", .uuid, .required, .references(Person.schema, "id")).field("role", .string, .required)
            .field("answers", .string, .required).field("created_at", .datetime, .required).unique(on: "survey_id", "person_id").create()
        try await database.schema(SurveyTally.schema).id()
            .field("survey_id", .uuid, .required, .references(Survey.schema, "id", onDelete: .cascade))
            .field("question", .string, .required).field("value", .string, .required).field("count", .int, .required)
            .unique(on: "survey_id", "question", "value").create()
        try await database.schema(SurveyComments.schema).id()
            .field("survey_id", .uuid, .required, .references(Survey.schema, "id", onDelete: .cascade))
            .field("question", .string, .required).field("comments", .string, .required).unique(on: "survey_id", "question").create()
        try await database.schema(SurveyAnswered.schema).id()
            .field("survey_id", .uuid, .required, .references(Survey.schema, "id", onDelete: .cascade))
            .field("people", .string, .required).unique(on: "survey_id").create()
    }

    func revert(on database: any Database) async throws {
        for schema in [SurveyAnswered.schema, SurveyComments.schema, SurveyTally.schema, SurveyResponse.schema, Survey.schema] {
            try await database.schema(schema).delete()
        }
    }
}
