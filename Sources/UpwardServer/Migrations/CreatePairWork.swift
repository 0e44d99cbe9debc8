import Fluent
import SQLKit

/// Goals, meetings, notes, calendar feeds, concerns, mentor circles, delivery settings and the
/// delivery outbox; notifications learn when they were routed to channels.
struct CreatePairWork: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Goal.schema).id()
            .field("pair_id", .uuid, .required, .references(Pair.schema, "id", onDelete: .cascade))
            .field("owner", .string, .required).field("title", .string, .required).field("why", .string, .required)
            .field("measure", .string, .required).field("target_date", .string).field("focus_area", .string)
            .field("milestones", .string, .required).field("manual_progress", .int).field("status", .string, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required).create()
        try await database.schema(Circle.schema).id()
            .field("program_id", .uuid, .required, .references(Program.schema, "id", onDelete: .cascade))
            .field("audience", .string, .required).field("title", .string, .required).field("created_at", .datetime, .required).create()
        try await database.schema(Meeting.schema).id()
            .field("pair_id", .uuid, .references(Pair.schema, "id", onDelete: .cascade))
            .field("circle_id", .uuid, .references(Circle.schema, "id", onDelete: .cascade))
            .field("starts_at", .datetime, .required).field("duration_minutes", .int, .required).field("time_zone", .string, .required)
            .field("location", .string, .required).field("agenda", .string, .required).field("status", .string, .required)
            .field("summary", .string).field("follow_ups", .string).field("sequence", .int, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required)
            .field("reminder_sent_at", .datetime).field("unlogged_sent_at", .datetime).create()
        try await database.schema(PairNote.schema).id()
            .field("pair_id", .uuid, .required, .references(Pair.schema, "id", onDelete: .cascade))
            .field("author_person_id", .uuid, .required, .references(Person.schema, "id"))
            .field("visibility", .string, .required).field("body", .string, .required).field("created_at", .datetime, .required).create()
        try await database.schema(CalendarFeed.schema).id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_hash", .string, .required).field("created_at", .datetime, .required)
            .unique(on: "user_id").unique(on: "token_hash").create()
        try await database.schema(Concern.schema).id()
            .field("program_id", .uuid, .required, .references(Program.schema, "id", onDelete: .cascade))
            .field("pair_id", .uuid, .required, .references(Pair.schema, "id", onDelete: .cascade))
            .field("raised_by_participant_id", .uuid, .required, .references(Participant.schema, "id", onDelete: .cascade))
            .field("category", .string, .required).field("body", .string, .required).field("status", .string, .required)
            .field("created_at", .datetime, .required).field("updated_at", .datetime, .required).create()
        try await database.schema(ConcernNote.schema).id()
            .field("concern_id", .uuid, .required, .references(Concern.schema, "id", onDelete: .cascade))
            .field("author_user_id", .uuid, .required).field("author_name", .string, .required).field("body", .string, .required)
            .field("created_at", .datetime, .required).create()
        try await database.schema(DeliverySetting.schema).id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("preferences", .string, .required).field("slack_url", .string).field("teams_url", .string)
            .field("last_digest_at", .datetime).unique(on: "user_id").create()
        try await database.schema(Delivery.schema).id()
            .field("notification_id", .uuid).field("channel", .string, .required).field("address", .string, .required)
            .field("kind", .string, .required).field("title", .string, .required).field("body", .string, .required).field("link", .string)
            .field("status", .string, .required).field("attempts", .int, .required).field("next_attempt_at", .datetime, .required)
            .field("claimed_by", .string).field("claimed_at", .datetime).field("sent_at", .datetime).field("last_error", .string)
            .field("created_at", .datetime, .required).create()
        try await database.schema(Notification.schema).field("routed_at", .datetime).update()
        try await database.schema(Notification.schema).field("in_digest", .bool, .required, .sql(.default(false))).update()
        if let sql = database as? any SQLDatabase {
            // Messages from before delivery existed stay in-app only.
            try await sql.raw("UPDATE notifications SET routed_at = created_at").run()
            try await sql.raw("CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)").run()
            try await sql.raw("CREATE INDEX meetings_pair ON meetings (pair_id, starts_at)").run()
            try await sql.raw("CREATE INDEX notifications_unrouted ON notifications (routed_at)").run()
            try await sql.raw("CREATE INDEX pair_notes_pair ON pair_notes (pair_id)").run()
            try await sql.raw("CREATE INDEX goals_pair ON goals (pair_id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["deliveries_due", "meetings_pair", "notifications_unrouted", "pair_notes_pair", "goals_pair"] {
                try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: index)").run()
            }
        }
        for schema in [
            Delivery.schema, DeliverySetting.schema, ConcernNote.schema, Concern.schema, CalendarFeed.schema, PairNote.schema, Meeting.schema,
            Circle.schema, Goal.schema,
        ] {
            try await database.schema(schema).delete()
        }
        try await database.schema(Notification.schema).deleteField("routed_at").update()
        try await database.schema(Notification.schema).deleteField("in_digest").update()
    }
}
