import Fluent
import Foundation
import SQLKit
import UpwardCore

/// Who did what, when, to which object: written in the same transaction as the change it records.
struct AuditLog {
    let db: any Database
    let clock: any UpwardClock

    func record(_ viewer: Viewer?, program: UUID?, action: String, object: String, id: UUID?, detail: String = "") async throws {
        // A plain INSERT, not a model's create: most writes record one, on the writer's one thread (see
        // ``Notes/create(text:visibility:in:by:)``).
        let actor = viewer.map { "\($0.name) <\($0.user.email)>" } ?? "Upward"
        try await db.sql().raw(
            """
            INSERT INTO audit_entries (id, program_id, actor_user_id, actor, action, object_type, object_id, detail, created_at)
            VALUES (\(bind: UUID()), \(bind: program), \(bind: viewer?.id), \(bind: actor), \(bind: action), \(bind: object), \(bind: id?.text),
              \(bind: String(detail.prefix(2000))), \(bind: clock.now))
            """
        ).run()
    }

    struct Filter: Sendable {
        var program: UUID?
        /// Only these programs (a program manager's own), or every entry when nil.
        var programs: [UUID]?
        var action: String?
        var actor: String?
        var limit = 500
    }

    func entries(_ filter: Filter) async throws -> [AuditEntry] {
        let query = AuditEntry.query(on: db)
        if let program = filter.program { query.filter(\.$programID == program) }
        if let programs = filter.programs { query.filter(\.$programID ~~ programs) }
        if let action = filter.action, !action.isEmpty { query.filter(\.$action == action) }
        if let actor = filter.actor, !actor.isEmpty { query.filter(\.$actor ~~ actor) }
        return try await query.sort(\.$createdAt, .descending).sort(\.$id).range(..<filter.limit).all()
    }

    /// RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote.
    static func csv(_ entries: [AuditEntry]) -> String {
        var lines = ["time,actor,action,object,object_id,program_id,detail"]
        for entry in entries {
            let cells = [
                DateText.iso8601(entry.createdAt), entry.actor, entry.action, entry.objectType, entry.objectID ?? "",
                entry.programID?.text ?? "", entry.detail,
            ]
            lines.append(cells.map(cell).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ raw: String) -> String {
        var value = raw
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static let actions = [
        "program.created", "program.updated", "program.transition", "program.cloned", "program.manager_added", "program.manager_removed",
        "invitation.sent", "invitation.reissued", "invitation.accepted", "enrollment.submitted", "training.added", "training.completed",
        "agreement.accepted", "matching.run", "pair.manual", "pair.swapped", "pair.locked", "pair.unlocked", "matching.approved", "pair.live",
        "pair.declined", "pair.rematch_requested", "request.sent", "request.accepted", "request.declined", "request.passed",
        "token.created", "token.revoked", "role.changed", "idea.raised", "idea.status", "story.written", "story.consented", "story.withdrawn",
    ]
}

/// The outbox: every message to a person. In-app now; email and chat delivery read the same rows later.
struct Notifications {
    let db: any Database
    let clock: any UpwardClock

    func send(to personID: UUID, kind: String, title: String, body: String, link: String? = nil, countsAsRead: Bool = false) async throws {
        let note = Notification()
        if countsAsRead { note.readAt = clock.now }
        note.$person.id = personID
        note.kind = kind
        note.title = title
        note.body = body
        note.link = link
        note.createdAt = clock.now
        note.inDigest = false
        try await note.create(on: db)
    }

    func list(for personID: UUID, limit: Int = 100) async throws -> [Notification] {
        try await Notification.query(on: db).filter(\.$person.$id == personID).sort(\.$createdAt, .descending).range(..<limit).all()
    }

    /// Marks the person's unread notifications read. A read first: a view with nothing unread (the
    /// usual one) writes nothing, so it neither waits for nor holds SQLite's one writer.
    func markAllRead(for personID: UUID) async throws {
        let unread = Notification.query(on: db).filter(\.$person.$id == personID).filter(\.$readAt == nil)
        guard try await unread.copy().field(\.$id).first() != nil else { return }
        try await unread.set(\.$readAt, to: clock.now).update()
    }
}
