import Fluent
import SQLKit

/// Indexes for an organization of 10,000 people: every foreign key a page or the API filters by.
/// Without them a pair page or a program's dashboard scans whole tables on every request.
struct CreateScaleIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: String)] = [
        ("people_name_employee", "people", "name, employee_id"),
        ("pairs_program_status", "pairs", "program_id, status"),
        ("pairs_mentee", "pairs", "mentee_id"),
        ("pairs_mentor", "pairs", "mentor_id"),
        ("participants_user", "participants", "user_id"),
        ("participants_person", "participants", "person_id"),
        ("notifications_person", "notifications", "person_id, created_at"),
        ("audit_program", "audit_entries", "program_id, created_at"),
        ("api_tokens_user", "api_tokens", "user_id"),
        ("surveys_program", "surveys", "program_id"),
        ("survey_responses_person", "survey_responses", "person_id"),
        ("concerns_pair", "concerns", "pair_id"),
        ("concerns_program", "concerns", "program_id, status"),
        ("ideas_pair", "ideas", "pair_id"),
        ("ideas_program", "ideas", "program_id"),
        ("stories_pair", "stories", "pair_id"),
        ("stories_program", "stories", "program_id"),
        ("match_requests_program", "match_requests", "program_id"),
        ("match_requests_mentor", "match_requests", "mentor_id"),
        ("exclusions_program", "exclusions", "program_id"),
        ("meetings_circle", "meetings", "circle_id"),
        ("deliveries_notification", "deliveries", "notification_id"),
        ("matching_runs_program", "matching_runs", "program_id, created_at"),
        ("training_modules_program", "training_modules", "program_id"),
    ]

    func prepare(on database: any Database) async throws {
        try await Self.create(Self.indexes.map { ($0.name, "\($0.table) (\($0.columns))") }, on: database)
    }

    func revert(on database: any Database) async throws {
        try await Self.drop(Self.indexes.map(\.name), on: database)
    }

    /// Creates each index (`name`, `table (columns) [WHERE …]`) unless it exists; SQLite and PostgreSQL alike.
    static func create(_ indexes: [(name: String, definition: String)], on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in indexes {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(unsafeRaw: index.name) ON \(unsafeRaw: index.definition)").run()
        }
    }

    static func drop(_ names: [String], on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for name in names { try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: name)").run() }
    }
}
