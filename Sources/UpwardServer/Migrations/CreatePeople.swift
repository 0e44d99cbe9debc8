import Fluent
import SQLKit

struct CreatePeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Person.schema)
            .id()
            .field("employee_id", .string, .required)
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("title", .string)
            .field("department", .string, .required)
            .field("business_unit", .string)
            .field("location", .string)
            .field("time_zone", .string)
            .field("manager_id", .uuid, .references(Person.schema, .id, onDelete: .setNull))
            .field("manager_employee_id", .string)
            .field("management_chain", .string, .required)
            .field("chain_depth", .int, .required)
            .field("level", .int, .required)
            .field("search_key", .string, .required)
            .field("hire_date", .string)
            .field("generation", .string)
            .field("termination_date", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "employee_id")
            .unique(on: "email")
            .create()
        let sql = database as! any SQLDatabase
        for column in ["department", "level", "generation", "manager_id", "name"] {
            try await sql.create(index: "people_\(column)_idx").on(Person.schema).column(column).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Person.schema).delete()
    }
}
