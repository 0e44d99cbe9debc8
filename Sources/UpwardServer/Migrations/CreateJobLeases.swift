import Fluent

/// One row per scheduled job: which instance holds its current run and until when.
struct CreateJobLeases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(JobLease.schema)
            .field("name", .string, .required).unique(on: "name")
            .field("holder", .string, .required)
            .field("until_epoch", .double, .required)
            .field("runs", .int, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(JobLease.schema).delete()
    }
}
