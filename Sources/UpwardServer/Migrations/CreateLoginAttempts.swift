import Fluent
import SQLKit

struct CreateLoginAttempts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema)
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("attempted_at", .datetime, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "login_attempts_email_idx").on(LoginAttempt.schema).column("email").column("attempted_at").run()
        try await sql.create(index: "login_attempts_address_idx").on(LoginAttempt.schema).column("address").column("attempted_at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema).delete()
    }
}
