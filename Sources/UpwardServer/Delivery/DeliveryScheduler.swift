import Fluent
import Foundation
import SQLKit
import UpwardCore

/// Messages that fall due with time: meeting reminders, "not logged yet" nudges and the weekly
/// digest. Each is claimed by a conditional update, so several instances never send one twice.
struct DeliveryScheduler {
    let db: any Database
    let clock: any UpwardClock
    let reminderLead: TimeInterval
    /// A meeting not logged this long after its end gets a nudge.
    static let unloggedGrace: TimeInterval = 24 * 3600

    func run() async throws {
        try await reminders()
        try await unlogged()
        try await digests()
    }

    /// Flips a nullable timestamp from null to now; true for the one caller that did.
    private func claim(_ table: String, _ column: String, id: UUID, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { return false }
        let rows = try await sql.update(table).set(column, to: clock.now).where("id", .equal, id).where(column, .is, SQLLiteral.null).returning("id").all()
        return !rows.isEmpty
    }

    private func people(of pairID: UUID, on db: any Database) async throws -> Pair? {
        try await Pair.loaded(pairID, on: db)
    }

    func reminders() async throws {
        let now = clock.now
        let due = try await Meeting.query(on: db).filter(\.$status == MeetingStatus.scheduled.rawValue).filter(\.$reminderSentAt == nil)
            .filter(\.$startsAt > now).filter(\.$startsAt <= now.addingTimeInterval(reminderLead)).all()
        for meeting in due {
            try await db.writeTransaction { db in
                guard try await claim(Meeting.schema, "reminder_sent_at", id: meeting.id!, on: db) else { return }
                for (person, other, link) in try await recipients(meeting, on: db) {
                    let zone = person.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: meeting.timeZone) ?? TimeZone(identifier: "UTC")!
                    try await Notifications(db: db, clock: clock).send(
                        to: person.requireID(), kind: "meeting.reminder", title: "Coming up: \(other)",
                        body: "\(Meetings.display(meeting.startsAt, in: zone)), \(meeting.durationMinutes) min, \(meeting.location).\n\n\(meeting.agenda)",
                        link: link)
                }
            }
        }
    }

    func unlogged() async throws {
        let cutoff = clock.now.addingTimeInterval(-Self.unloggedGrace)
        let candidates = try await Meeting.query(on: db).filter(\.$status == MeetingStatus.scheduled.rawValue).filter(\.$unloggedSentAt == nil)
            .filter(\.$pair.$id != nil).filter(\.$startsAt < cutoff).all()
        for meeting in candidates where DeliverySchedule.unloggedDue(end: meeting.endsAt, now: clock.now, grace: Self.unloggedGrace) {
            try await db.writeTransaction { db in
                guard try await claim(Meeting.schema, "unlogged_sent_at", id: meeting.id!, on: db) else { return }
                for (person, other, link) in try await recipients(meeting, on: db) {
                    try await Notifications(db: db, clock: clock).send(
                        to: person.requireID(), kind: "meeting.unlogged", title: "How did your meeting go? (\(other))",
                        body:
                            "Your meeting on \(Meetings.display(meeting.startsAt, in: TimeZone(identifier: meeting.timeZone) ?? TimeZone(identifier: "UTC")!)) isn't logged yet. Mark it held or missed and add a short summary.",
                        link: link)
                }
            }
        }
    }

    /// Pair meetings: both people of a live pair.
    private func recipients(_ meeting: Meeting, on db: any Database) async throws -> [(Person, String, String)] {
        guard let pairID = meeting.$pair.id, let pair = try await people(of: pairID, on: db), pair.pairStatus == .live else { return [] }
        return [
            (pair.mentee.person, "meeting with \(pair.mentor.person.name)", SitePath.pair(pairID)),
            (pair.mentor.person, "meeting with \(pair.mentee.person.name)", SitePath.pair(pairID)),
        ]
    }

    /// Once a week (Monday 08:00 in the person's zone) everything that waited for the digest goes out as one message.
    func digests() async throws {
        let waiting = try await Notification.query(on: db).filter(\.$inDigest == true).all()
        let byPerson = Dictionary(grouping: waiting, by: { $0.$person.id })
        for (personID, notes) in byPerson {
            guard let person = try await Person.fetch(personID, on: db) else { continue }
            let zone = person.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
            let user = try await User.query(on: db).filter(\.$person.$id == personID).first()
            let setting = try await DeliverySetting.forUser(user?.id, on: db)
            let since = setting?.lastDigestAt ?? notes.map(\.createdAt).min() ?? clock.now
            guard clock.now >= DeliverySchedule.nextDigest(after: since, zone: zone) else { continue }
            try await db.writeTransaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                let claimed = try await sql.update(Notification.schema).set("in_digest", to: false).where("person_id", .equal, personID)
                    .where("in_digest", .equal, true).returning("id").all()
                let ids = Set(try claimed.map { try $0.decode(column: "id", as: UUID.self) })
                let items = notes.filter { ids.contains($0.id!) }.sorted { $0.createdAt < $1.createdAt }
                guard !items.isEmpty else { return }
                let lines = items.map { "• \($0.title)" }.joined(separator: "\n")
                try await Notifications(db: db, clock: clock).send(
                    to: personID, kind: "digest", title: "Your week in Upward: \(items.count) update\(items.count == 1 ? "" : "s")",
                    body: lines, link: SitePath.notifications, countsAsRead: true)
                if let user {
                    let record = setting ?? DeliverySetting()
                    if setting == nil {
                        record.$user.id = try user.requireID()
                        record.preferencesJSON = JSONText.encode(DeliveryPreferences.defaults)
                    }
                    record.lastDigestAt = clock.now
                    try await record.save(on: db)
                }
            }
        }
    }
}
