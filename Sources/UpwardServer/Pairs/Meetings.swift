import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// A pair's meetings: the proposed series, changes by either side, and the log afterwards.
struct Meetings {
    let db: any Database
    let clock: any UpwardClock

    static let defaultDuration = 45
    static let defaultLocation = "Video call (add the link)"

    func list(pair: UUID) async throws -> [Meeting] {
        try await Meeting.query(on: db).filter(\.$pair.$id == pair).sort(\.$startsAt).all()
    }

    static func zone(_ person: Person) -> TimeZone? { person.timeZone.flatMap(TimeZone.init(identifier:)) }

    /// When a pair goes live: one meeting per cadence across the rest of the program, inside both
    /// people's working hours, in the mentee's time zone (the mentor's, then UTC, when unknown).
    @discardableResult
    func proposeSeries(for pair: Pair, program: Program, mentee: Person, mentor: Person) async throws -> [Meeting] {
        let host = Self.zone(mentee) ?? Self.zone(mentor) ?? TimeZone(identifier: "UTC")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = host
        let soon = calendar.dateComponents([.year, .month, .day], from: clock.now.addingTimeInterval(2 * 86_400))
        guard let earliest = CalendarDate(year: soon.year ?? 0, month: soon.month ?? 0, day: soon.day ?? 0) else { return [] }
        let settings = program.settings
        let first = max(settings.startsOn, earliest)
        let zones = [Self.zone(mentee), Self.zone(mentor)].compactMap { $0 }
        let plan = MeetingPlanner.series(
            from: first, to: settings.endsOn, cadenceDays: settings.cadenceDays, durationMinutes: Self.defaultDuration, host: host, zones: zones)
        let areas = settings.focusAreas
        var made: [Meeting] = []
        for (index, proposal) in plan.enumerated() {
            let meeting = Meeting()
            meeting.$pair.id = try pair.requireID()
            meeting.startsAt = proposal.start
            meeting.durationMinutes = Self.defaultDuration
            meeting.timeZone = host.identifier
            meeting.location = Self.defaultLocation
            let topic = areas.isEmpty ? [] : [areas[index % areas.count]]
            meeting.agenda = MeetingDraft.agendaTemplate(
                topics: index == 0 ? ["Getting to know each other", "Agree on your goals"] : topic + ["Progress on your goals"])
            meeting.status = MeetingStatus.scheduled.rawValue
            meeting.sequence = 0
            meeting.createdAt = clock.now
            meeting.updatedAt = clock.now
            try await meeting.create(on: db)
            made.append(meeting)
        }
        return made
    }

    func find(_ id: UUID) async throws -> Meeting? { try await Meeting.fetch(id, on: db) }

    func find(_ id: UUID, in context: PairContext) async throws -> Meeting {
        guard let meeting = try await Meeting.fetch(id, on: db), meeting.$pair.id == context.pairID else {
            throw Abort(.notFound, reason: "No meeting with id \(id.text) belongs to this pair.")
        }
        return meeting
    }

    func create(_ input: MeetingDraft.Input, in context: PairContext, by viewer: Viewer) async throws -> Meeting {
        let me = try context.requireParticipant("plan meetings")
        guard context.pair.pairStatus == .live else { throw Abort(.conflict, reason: "Meetings can be added only while the pair is live.") }
        let draft = try MeetingDraft.validate(input)
        let meeting = Meeting(draft: draft, defaultAgenda: MeetingDraft.agendaTemplate(topics: []), at: clock.now)
        meeting.$pair.id = context.pairID
        try await db.writeTransaction { db in
            try await meeting.create(on: db)
            try await tellPartner(context, me: me, on: db, kind: "meeting.added", title: "\(me.person.name) added a meeting", meeting: meeting)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "meeting.added", object: "meeting", id: meeting.id)
        }
        return meeting
    }

    /// Moves a meeting or changes its place, length or agenda; calendars see a higher SEQUENCE.
    func update(_ meeting: Meeting, with input: MeetingDraft.Input, in context: PairContext, by viewer: Viewer) async throws -> Meeting {
        let me = try context.requireParticipant("change meetings")
        try context.requireWorking("change meetings")
        guard meeting.meetingStatus == .scheduled else {
            throw Abort(.conflict, reason: "This meeting is \(meeting.status); only a scheduled meeting can be changed.")
        }
        var merged = input
        if merged.start == nil || merged.timeZone == nil {
            let zone = TimeZone(identifier: input.timeZone ?? meeting.timeZone) ?? TimeZone(identifier: "UTC")!
            merged.timeZone = merged.timeZone ?? meeting.timeZone
            merged.start = merged.start ?? Self.localText(meeting.startsAt, in: zone)
        }
        merged.durationMinutes = input.durationMinutes ?? meeting.durationMinutes
        merged.location = input.location ?? meeting.location
        merged.agenda = input.agenda ?? meeting.agenda
        let draft = try MeetingDraft.validate(merged)
        let moved = draft.start != meeting.startsAt || draft.durationMinutes != meeting.durationMinutes
        let changed = moved || draft.timeZone != meeting.timeZone || draft.location != meeting.location || draft.agenda != meeting.agenda
        guard changed else { return meeting }
        meeting.startsAt = draft.start
        meeting.durationMinutes = draft.durationMinutes
        meeting.timeZone = draft.timeZone
        meeting.location = draft.location
        meeting.agenda = draft.agenda
        meeting.sequence += 1
        meeting.updatedAt = clock.now
        if moved {
            meeting.reminderSentAt = nil
            meeting.unloggedSentAt = nil
        }
        try await db.writeTransaction { db in
            try await meeting.save(on: db)
            try await tellPartner(
                context, me: me, on: db, kind: "meeting.changed", title: moved ? "\(me.person.name) moved a meeting" : "\(me.person.name) changed a meeting",
                meeting: meeting)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "meeting.changed", object: "meeting", id: meeting.id)
        }
        return meeting
    }

    func cancel(_ meeting: Meeting, in context: PairContext, by viewer: Viewer) async throws -> Meeting {
        let me = try context.requireParticipant("cancel meetings")
        guard meeting.meetingStatus == .scheduled else { throw Abort(.conflict, reason: "This meeting is \(meeting.status) already.") }
        meeting.status = MeetingStatus.cancelled.rawValue
        meeting.sequence += 1
        meeting.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await meeting.save(on: db)
            try await tellPartner(context, me: me, on: db, kind: "meeting.cancelled", title: "\(me.person.name) cancelled a meeting", meeting: meeting)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "meeting.cancelled", object: "meeting", id: meeting.id)
        }
        return meeting
    }

    /// After a meeting: held or missed, with a short shared summary and follow-ups.
    func log(_ meeting: Meeting, outcome raw: String?, summary: String?, followUps: String?, in context: PairContext, by viewer: Viewer) async throws -> Meeting
    {
        _ = try context.requireParticipant("log meetings")
        try context.requireWorking("log meetings")
        var check = FieldChecker()
        let outcome = MeetingStatus(rawValue: raw ?? "")
        if outcome != .held && outcome != .missed { check.add("outcome", "must be held or missed") }
        let text = check.text(summary, field: "summary", required: false, limit: 2000, multiline: true)
        let follow = check.text(followUps, field: "followUps", required: false, limit: 2000, multiline: true)
        try check.finish()
        guard meeting.meetingStatus != .cancelled else { throw Abort(.conflict, reason: "A cancelled meeting can't be logged.") }
        guard meeting.startsAt <= clock.now else { throw Abort(.conflict, reason: "This meeting has not started yet; log it afterwards.") }
        meeting.status = (outcome ?? .held).rawValue
        meeting.summary = text.isEmpty ? nil : text
        meeting.followUps = follow.isEmpty ? nil : follow
        meeting.updatedAt = clock.now
        let id = try meeting.requireID()
        try await db.writeTransaction { db in
            // The four columns a log changes, in one plain UPDATE rather than the model's save (see
            // ``Notes/create(text:visibility:in:by:)``).
            try await db.sql().raw(
                """
                UPDATE meetings SET status = \(bind: meeting.status), summary = \(bind: meeting.summary), follow_ups = \(bind: meeting.followUps),
                  updated_at = \(bind: meeting.updatedAt) WHERE id = \(bind: id)
                """
            ).run()
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: context.program.id, action: "meeting.logged", object: "meeting", id: id, detail: meeting.status)
        }
        return meeting
    }

    /// Cancels every scheduled meeting still ahead (a pause or an ending).
    func cancelUpcoming(pair: UUID, on db: any Database) async throws {
        let upcoming = try await Meeting.query(on: db).filter(\.$pair.$id == pair).filter(\.$status == MeetingStatus.scheduled.rawValue)
            .filter(\.$startsAt > clock.now).all()
        for meeting in upcoming {
            meeting.status = MeetingStatus.cancelled.rawValue
            meeting.sequence += 1
            meeting.updatedAt = clock.now
            try await meeting.save(on: db)
        }
    }

    func tellPartner(_ context: PairContext, me: Participant, on db: any Database, kind: String, title: String, meeting: Meeting) async throws {
        guard let partner = context.partner else { return }
        let zone = Self.zone(partner.person) ?? TimeZone(identifier: meeting.timeZone) ?? TimeZone(identifier: "UTC")!
        try await Notifications(db: db, clock: clock).send(
            to: partner.person.requireID(), kind: kind, title: title,
            body: "\(Self.display(meeting.startsAt, in: zone)) (\(meeting.durationMinutes) min), \(meeting.location).",
            link: SitePath.pair(context.pairID))
    }

    /// `2026-03-10T10:00` in `zone`, the form the inputs take.
    static func localText(_ date: Date, in zone: TimeZone) -> String {
        DateText.local(date, in: zone)
    }

    /// `Tue 10 Mar 2026, 10:00 (Europe/Berlin)`.
    static func display(_ date: Date, in zone: TimeZone) -> String {
        "\(DateText.display(date, in: zone)) (\(zone.identifier))"
    }
}

extension Request {
    var meetings: Meetings { Meetings(db: database, clock: upward.clock) }
}
