import Fluent
import Foundation
import UpwardCore
import Vapor

/// Calendar files: one meeting's `.ics`, and a personal subscription feed behind a secret token.
struct Calendars {
    let db: any Database
    let clock: any UpwardClock
    let publicURL: String

    static let refreshMinutes = 60

    /// A meeting the viewer may download: one of their pair's, a circle they are invited to, or any in a program they manage.
    func meeting(_ id: UUID, viewer: Viewer) async throws -> (Meeting, CalendarEvent) {
        let notFound = Abort(.notFound, reason: "No meeting with id \(id.text) is visible to you.")
        guard let meeting = try await Meeting.fetch(id, on: db) else { throw notFound }
        if let pairID = meeting.$pair.id {
            let context = try await PairSpace(db: db).context(pairID, viewer: viewer)
            return (meeting, event(meeting, pair: context.pair))
        }
        guard let circleID = meeting.$circle.id, let circle = try await Circle.query(on: db).filter(\.$id == circleID).with(\.$program).first() else {
            throw notFound
        }
        if viewer.isAdmin {
            guard try await Programs(db: db, clock: clock).manages(circle.program, viewer) else { throw notFound }
        } else {
            guard let person = viewer.personID,
                try await Participant.query(on: db).filter(\.$program.$id == circle.$program.id).filter(\.$person.$id == person)
                    .filter(\.$role == circle.audience).filter(\.$acceptedAt != nil).count() > 0
            else { throw notFound }
        }
        return (meeting, event(meeting, circle: circle))
    }

    func event(_ meeting: Meeting, pair: Pair) -> CalendarEvent {
        let description = meeting.agenda + "\n\nPair page: \(publicURL)\(SitePath.pair(pair.id!))"
        return CalendarEvent(
            uid: "meeting-\(meeting.id!.text.lowercased())@upward", sequence: meeting.sequence, start: meeting.startsAt, end: meeting.endsAt,
            stamp: meeting.updatedAt, summary: "Reverse mentoring: \(pair.mentee.person.name) & \(pair.mentor.person.name)",
            description: description, location: meeting.location, url: publicURL + SitePath.pair(pair.id!),
            cancelled: meeting.meetingStatus == .cancelled)
    }

    func event(_ meeting: Meeting, circle: Circle) -> CalendarEvent {
        CalendarEvent(
            uid: "meeting-\(meeting.id!.text.lowercased())@upward", sequence: meeting.sequence, start: meeting.startsAt, end: meeting.endsAt,
            stamp: meeting.updatedAt, summary: circle.title, description: meeting.agenda, location: meeting.location,
            cancelled: meeting.meetingStatus == .cancelled)
    }

    // MARK: - Subscription feed

    /// A new secret feed address for the user; any earlier one stops working.
    func regenerate(for viewer: Viewer) async throws -> String {
        let token = SessionStore.newToken()
        try await db.writeTransaction { db in
            try await CalendarFeed.query(on: db).filter(\.$user.$id == viewer.id).delete()
            let feed = CalendarFeed()
            feed.$user.id = viewer.id
            feed.tokenHash = SessionStore.hash(token)
            feed.createdAt = clock.now
            try await feed.create(on: db)
            try await AuditLog(db: db, clock: clock).record(viewer, program: nil, action: "calendar.regenerated", object: "user", id: viewer.id)
            try await Outbox.security(
                to: viewer.user, title: "A new calendar address was created",
                body:
                    "A calendar subscription address was created for your Upward account; any earlier one stopped working. If this wasn't you, revoke it on your account page.",
                on: db, clock: clock)
        }
        return token
    }

    func revoke(for viewer: Viewer) async throws {
        try await CalendarFeed.query(on: db).filter(\.$user.$id == viewer.id).delete()
        try await AuditLog(db: db, clock: clock).record(viewer, program: nil, action: "calendar.revoked", object: "user", id: viewer.id)
    }

    func hasFeed(_ viewer: Viewer) async throws -> Bool {
        try await CalendarFeed.query(on: db).filter(\.$user.$id == viewer.id).count() > 0
    }

    static func feedPath(_ token: String) -> String { "/calendar/\(token).ics" }

    /// The meetings of these circles as events, in one query.
    func circleEvents(_ circles: [Circle]) async throws -> [CalendarEvent] {
        guard !circles.isEmpty else { return [] }
        let byID = Dictionary(uniqueKeysWithValues: circles.map { ($0.id!, $0) })
        return try await Meeting.query(on: db).filter(\.$circle.$id ~~ Array(byID.keys)).sort(\.$startsAt).all().compactMap { meeting in
            meeting.$circle.id.flatMap { byID[$0] }.map { event(meeting, circle: $0) }
        }
    }

    /// The feed behind a token: the person's pair meetings (cancelled ones as cancelled) and their circles.
    func feed(token: String) async throws -> String {
        guard token.count <= 100, let feed = try await CalendarFeed.query(on: db).filter(\.$tokenHash == SessionStore.hash(token)).first(),
            let user = try await User.fetch(feed.$user.id, on: db)
        else { throw Abort(.notFound, reason: "This calendar address is not valid; it may have been revoked or replaced.") }
        var events: [CalendarEvent] = []
        if let person = user.$person.id {
            let pairs = try await PairSpace(db: db).pairs(ofPerson: person)
            let byID = Dictionary(uniqueKeysWithValues: pairs.map { ($0.id!, $0) })
            if !pairs.isEmpty {
                let meetings = try await Meeting.query(on: db).filter(\.$pair.$id ~~ Array(byID.keys)).sort(\.$startsAt).all()
                for meeting in meetings {
                    guard let pairID = meeting.$pair.id, let pair = byID[pairID] else { continue }
                    events.append(event(meeting, pair: pair))
                }
            }
            let places = try await Participant.query(on: db).filter(\.$person.$id == person).filter(\.$acceptedAt != nil).all()
            for place in places {
                events += try await circleEvents(
                    try await Circle.query(on: db).filter(\.$program.$id == place.$program.id).filter(\.$audience == place.role).all())
            }
        }
        if user.isAdmin {
            let programs = try await Programs(db: db, clock: clock).visible(to: Viewer(user)).compactMap(\.id)
            events += try await circleEvents(try await Circle.query(on: db).filter(\.$program.$id ~~ programs).all())
        }
        return ICalendar.document(events, name: "Upward · \(user.name)", method: "PUBLISH", refreshMinutes: Self.refreshMinutes)
    }
}

/// Mentor circles: group check-ins for one side of the program only. Nothing is recorded against a pair.
struct Circles {
    let db: any Database
    let clock: any UpwardClock

    func list(program: UUID) async throws -> [(Circle, [Meeting])] {
        let circles = try await Circle.query(on: db).filter(\.$program.$id == program).sort(\.$createdAt).all()
        var result: [(Circle, [Meeting])] = []
        for circle in circles {
            result.append((circle, try await Meeting.query(on: db).filter(\.$circle.$id == circle.requireID()).sort(\.$startsAt).all()))
        }
        return result
    }

    /// Schedules a circle meeting and invites everyone of that side who has joined the program.
    func schedule(
        in program: Program, audience raw: String?, title rawTitle: String?, meeting input: MeetingDraft.Input, by viewer: Viewer
    ) async throws -> (Circle, Meeting, Int) {
        var check = FieldChecker()
        let audience = Enrollment.Role(rawValue: raw ?? "")
        if audience == nil { check.add("audience", "must be mentor (the junior mentors) or mentee (the senior mentees)") }
        let title = check.text(rawTitle, field: "title", limit: 140)
        try check.finish()
        guard let audience else { throw ValidationFailure("audience", "must be mentor or mentee") }
        let draft = try MeetingDraft.validate(input)
        let programID = try program.requireID()
        let invitees = try await Participant.query(on: db).filter(\.$program.$id == programID).filter(\.$role == audience.rawValue)
            .filter(\.$acceptedAt != nil).all()
        return try await db.writeTransaction { db in
            let circle = Circle()
            circle.$program.id = programID
            circle.audience = audience.rawValue
            circle.title = title
            circle.createdAt = clock.now
            try await circle.create(on: db)
            let meeting = Meeting(
                draft: draft, defaultAgenda: "Compare notes with your peers. Nothing said here is recorded against a pair.", at: clock.now)
            meeting.$circle.id = try circle.requireID()
            try await meeting.create(on: db)
            let zone = TimeZone(identifier: draft.timeZone) ?? TimeZone(identifier: "UTC")!
            for invitee in invitees {
                try await Notifications(db: db, clock: clock).send(
                    to: invitee.$person.id, kind: "circle.invited", title: "You're invited: \(title)",
                    body: "\(Meetings.display(draft.start, in: zone)), \(meeting.location). Only \(audience == .mentor ? "mentors" : "mentees") are invited.",
                    link: SitePath.meetingICS(meeting.id!))
            }
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "circle.scheduled", object: "circle", id: circle.id,
                detail: "\(audience.rawValue)s, \(invitees.count) invited")
            return (circle, meeting, invitees.count)
        }
    }
}

extension Request {
    var calendars: Calendars { Calendars(db: database, clock: upward.clock, publicURL: upward.configuration.publicURL) }
    var circles: Circles { Circles(db: database, clock: upward.clock) }
}
