import Fluent
import Foundation
import UpwardCore
import Vapor

/// Concerns raised to the program manager, pauses and no-fault endings. The partner is never
/// told a concern exists; the audit log records each step without its words.
struct Concerns {
    let db: any Database
    let clock: any UpwardClock

    func raise(category raw: String?, body: String?, in context: PairContext, by viewer: Viewer) async throws -> Concern {
        let me = try context.requireParticipant("raise a concern about it")
        var check = FieldChecker()
        let category = ConcernCategory(rawValue: raw ?? "")
        if category == nil { check.add("category", "must be one of \(ConcernCategory.allCases.map(\.rawValue).joined(separator: ", "))") }
        let text = check.text(body, field: "body", limit: 5000, multiline: true)
        try check.finish()
        let concern = Concern()
        concern.$program.id = try context.program.requireID()
        concern.$pair.id = context.pairID
        concern.$raisedBy.id = try me.requireID()
        concern.category = (category ?? .other).rawValue
        concern.body = text
        concern.status = ConcernStatus.open.rawValue
        concern.createdAt = clock.now
        concern.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await concern.create(on: db)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "concern.raised", object: "concern", id: concern.id)
            try await Outbox.toManagers(
                of: context.program, kind: "concern.raised", title: "A concern was raised in \(context.program.name)",
                body: "A participant raised a concern (\(concern.concernCategory.label.lowercased())). Open the concerns queue to respond.",
                link: SitePath.concerns, on: db, clock: clock)
        }
        return concern
    }

    /// The concerns the viewer raised themselves (never their partner's).
    func mine(_ context: PairContext) async throws -> [Concern] {
        guard let me = context.me else { return [] }
        return try await Concern.query(on: db).filter(\.$raisedBy.$id == me.requireID()).filter(\.$pair.$id == context.pairID)
            .sort(\.$createdAt, .descending).all()
    }

    /// The queue: concerns in the programs the viewer manages, open ones first.
    func queue(for viewer: Viewer, programs: Programs) async throws -> [Concern] {
        let visible = try await programs.visible(to: viewer).compactMap(\.id)
        guard !visible.isEmpty else { return [] }
        let all = try await Concern.query(on: db).filter(\.$program.$id ~~ visible)
            .with(\.$program).with(\.$raisedBy) { $0.with(\.$person) }.sort(\.$createdAt, .descending).all()
        return all.sorted { ($0.concernStatus == .resolved ? 1 : 0, $1.createdAt) < ($1.concernStatus == .resolved ? 1 : 0, $0.createdAt) }
    }

    func find(_ id: UUID, viewer: Viewer, programs: Programs) async throws -> Concern {
        guard let concern = try await Concern.query(on: db).filter(\.$id == id).with(\.$program).with(\.$raisedBy, { $0.with(\.$person) }).first(),
            try await programs.manages(concern.program, viewer)
        else { throw Abort(.notFound, reason: "No concern with id \(id.text) is visible to you.") }
        return concern
    }

    func notes(_ concern: Concern) async throws -> [ConcernNote] {
        try await ConcernNote.query(on: db).filter(\.$concern.$id == concern.requireID()).sort(\.$createdAt).all()
    }

    /// A manager moves a concern along and may add a private handling note.
    func handle(_ concern: Concern, status raw: String?, note: String?, by viewer: Viewer) async throws {
        var check = FieldChecker()
        var status = concern.concernStatus
        if let raw, !raw.isEmpty {
            if let parsed = ConcernStatus(rawValue: raw) { status = parsed } else { check.add("status", "must be open, in_progress or resolved") }
        }
        let text = check.text(note, field: "note", required: false, limit: 5000, multiline: true)
        try check.finish()
        let chosen = status
        try await db.writeTransaction { db in
            let status = chosen
            if status != concern.concernStatus {
                concern.status = status.rawValue
                concern.updatedAt = clock.now
                try await concern.save(on: db)
                try await AuditLog(db: db, clock: clock).record(
                    viewer, program: concern.$program.id, action: "concern.status", object: "concern", id: concern.id, detail: status.rawValue)
                try await Notifications(db: db, clock: clock).send(
                    to: concern.raisedBy.$person.id, kind: "concern.updated", title: "Your concern is \(status.label.lowercased())",
                    body: "Your program manager updated the concern you raised in \(concern.program.name).", link: SitePath.pair(concern.$pair.id))
            }
            if !text.isEmpty {
                let entry = ConcernNote()
                entry.$concern.id = try concern.requireID()
                entry.authorUserID = viewer.id
                entry.authorName = viewer.name
                entry.body = text
                entry.createdAt = clock.now
                try await entry.create(on: db)
                try await AuditLog(db: db, clock: clock).record(viewer, program: concern.$program.id, action: "concern.note", object: "concern", id: concern.id)
            }
        }
    }

    // MARK: - Pause, resume, end

    func pause(_ context: PairContext, by viewer: Viewer) async throws {
        let me = try context.requireParticipant("pause it")
        guard context.pair.pairStatus == .live else {
            throw Abort(.conflict, reason: "Only a live pair can be paused (this one is \(context.pair.pairStatus.label.lowercased())).")
        }
        try await db.writeTransaction { db in
            context.pair.status = Pair.Status.paused.rawValue
            try await context.pair.save(on: db)
            try await Meetings(db: db, clock: clock).cancelUpcoming(pair: context.pairID, on: db)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "pair.paused", object: "pair", id: context.pairID)
            if let partner = context.partner {
                try await Notifications(db: db, clock: clock).send(
                    to: partner.$person.id, kind: "pair.paused", title: "Your pair is paused",
                    body: "\(me.person.name) paused your pair for now; upcoming meetings are cancelled. Either of you can resume it.",
                    link: SitePath.pair(context.pairID))
            }
            try await Outbox.toManagers(
                of: context.program, kind: "pair.paused", title: "A pair paused in \(context.program.name)",
                body: "\(context.pair.mentee.person.name) and \(context.pair.mentor.person.name) paused their pair.", link: SitePath.pair(context.pairID),
                on: db, clock: clock)
        }
    }

    func resume(_ context: PairContext, by viewer: Viewer) async throws {
        let me = try context.requireParticipant("resume it")
        guard context.pair.pairStatus == .paused else { throw Abort(.conflict, reason: "Only a paused pair can resume.") }
        try await db.writeTransaction { db in
            context.pair.status = Pair.Status.live.rawValue
            try await context.pair.save(on: db)
            try await Meetings(db: db, clock: clock).proposeSeries(
                for: context.pair, program: context.program, mentee: context.pair.mentee.person, mentor: context.pair.mentor.person)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "pair.resumed", object: "pair", id: context.pairID)
            if let partner = context.partner {
                try await Notifications(db: db, clock: clock).send(
                    to: partner.$person.id, kind: "pair.resumed", title: "Your pair is back on",
                    body: "\(me.person.name) resumed your pair; a new meeting series is on your calendar.", link: SitePath.pair(context.pairID))
            }
        }
    }

    /// A no-fault exit: the pair ends, upcoming meetings are cancelled, the partner is told it ended and nothing more.
    func end(_ context: PairContext, by viewer: Viewer) async throws {
        _ = try context.requireParticipant("end it")
        guard context.pair.pairStatus.isWorking else { throw Abort(.conflict, reason: "Only a live or paused pair can end.") }
        try await db.writeTransaction { db in
            context.pair.status = Pair.Status.ended.rawValue
            context.pair.endedAt = clock.now
            try await context.pair.save(on: db)
            try await Meetings(db: db, clock: clock).cancelUpcoming(pair: context.pairID, on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: context.program.id, action: "pair.ended", object: "pair", id: context.pairID, detail: "no-fault exit")
            if let partner = context.partner {
                try await Notifications(db: db, clock: clock).send(
                    to: partner.$person.id, kind: "pair.ended", title: "Your pair has ended",
                    body:
                        "Your pair in \(context.program.name) has ended. It's a no-fault exit: nobody is blamed, and your program manager can help you continue.",
                    link: SitePath.program(context.program.id!))
            }
            try await Outbox.toManagers(
                of: context.program, kind: "pair.ended", title: "A pair ended in \(context.program.name)",
                body: "\(context.pair.mentee.person.name) and \(context.pair.mentor.person.name) ended their pair (no-fault exit).",
                link: SitePath.pair(context.pairID), on: db, clock: clock)
        }
    }
}

extension Request {
    var concerns: Concerns { Concerns(db: database, clock: upward.clock) }
}
