import Fluent
import Foundation
import UpwardCore
import Vapor

/// Innovation ideas and success stories of a pair, the program's published stories, and the
/// certificate a participant receives after a completed program.
struct Recognition {
    let db: any Database
    let clock: any UpwardClock

    // MARK: - Ideas

    func ideas(pair: UUID) async throws -> [Idea] {
        try await Idea.query(on: db).filter(\.$pair.$id == pair).with(\.$raisedBy).sort(\.$createdAt).all()
    }

    func ideas(program: UUID) async throws -> [Idea] {
        try await Idea.query(on: db).filter(\.$program.$id == program).with(\.$raisedBy).sort(\.$createdAt).all()
    }

    /// Either person raises an idea while the pair is live or paused; the managers hear of it.
    func raiseIdea(title: String?, description: String?, in context: PairContext, by viewer: Viewer) async throws -> Idea {
        let me = try context.requireParticipant("raise ideas")
        try context.requireWorking("raise ideas")
        let draft = try IdeaDraft.validate(title: title, description: description)
        let idea = Idea()
        idea.$program.id = try context.program.requireID()
        idea.$pair.id = context.pairID
        idea.$raisedBy.id = me.$person.id
        idea.title = draft.title
        idea.description = draft.description
        idea.status = IdeaStatus.proposed.rawValue
        idea.createdAt = clock.now
        idea.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await idea.create(on: db)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "idea.raised", object: "idea", id: idea.id)
            try await Outbox.toManagers(
                of: context.program, kind: "idea", title: "New idea from a pair: \(draft.title)", body: draft.description,
                link: SitePath.pair(context.pairID), on: db, clock: clock)
        }
        return idea
    }

    /// Moves an idea of `program` (one the viewer manages: callers get it from `Programs.managed`)
    /// to proposed, piloted or adopted; the pair is told.
    func setStatus(_ id: UUID, in program: Program, to raw: String?, by viewer: Viewer) async throws -> Idea {
        guard let idea = try await Idea.fetch(id, on: db), idea.$program.id == program.id else {
            throw Abort(.notFound, reason: "No idea with id \(id.text) is visible to you.")
        }
        let status = try IdeaDraft.status(raw)
        guard status != idea.ideaStatus else { return idea }
        idea.status = status.rawValue
        idea.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await idea.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "idea.status", object: "idea", id: idea.id, detail: status.rawValue)
            if let pair = try await Pair.loaded(idea.$pair.id, on: db) {
                for person in [pair.mentee.$person.id, pair.mentor.$person.id] {
                    try await Notifications(db: db, clock: clock).send(
                        to: person, kind: "idea", title: "Your idea \"\(idea.title)\" is now \(status.label.lowercased())",
                        body: "The program team moved your idea to \(status.label.lowercased()).", link: SitePath.pair(pair.id!))
                }
            }
        }
        return idea
    }

    // MARK: - Stories

    func stories(pair: UUID) async throws -> [Story] {
        try await Story.query(on: db).filter(\.$pair.$id == pair).sort(\.$createdAt).all()
    }

    /// Stories both people consent to, newest first, with the pair's people.
    func published(program: UUID) async throws -> [(story: Story, pair: Pair)] {
        let stories = try await Story.query(on: db).filter(\.$program.$id == program).filter(\.$menteeConsentAt != nil)
            .filter(\.$mentorConsentAt != nil).sort(\.$updatedAt, .descending).all()
        let pairs = try await Pair.query(on: db).filter(\.$id ~~ stories.map(\.$pair.id))
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
        let byID = Dictionary(uniqueKeysWithValues: pairs.map { ($0.id!, $0) })
        return stories.compactMap { story in byID[story.$pair.id].map { (story, $0) } }
    }

    static func side(_ context: PairContext, _ me: Participant) -> StoryConsent.Side {
        context.pair.$mentee.id == me.id ? .mentee : .mentor
    }

    /// Writes a new story or a new text of one; the writer's consent is as they chose, the
    /// partner is asked again (nothing is published on one person's word).
    func writeStory(_ storyID: UUID?, title: String?, body: String?, consent: Bool, in context: PairContext, by viewer: Viewer) async throws -> Story {
        let me = try context.requireParticipant("write success stories")
        guard context.pair.pairStatus.isWorking || context.pair.pairStatus == .ended else {
            throw Abort(.conflict, reason: "Success stories are written by live, paused or ended pairs.")
        }
        let draft = try StoryDraft.validate(title: title, body: body)
        let story = if let storyID { try await findStory(storyID, in: context) } else { Story() }
        if story.id == nil {
            story.$program.id = try context.program.requireID()
            story.$pair.id = context.pairID
            story.createdAt = clock.now
        }
        story.title = draft.title
        story.body = draft.body
        story.apply(story.consent.edited(by: Self.side(context, me), consenting: consent), at: clock.now)
        story.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await story.save(on: db)
            try await AuditLog(db: db, clock: clock).record(viewer, program: context.program.id, action: "story.written", object: "story", id: story.id)
            if let partner = context.partner {
                try await Notifications(db: db, clock: clock).send(
                    to: partner.$person.id, kind: "story", title: "\(me.person.name) wrote your success story \"\(draft.title)\"",
                    body: "It is published only if you agree too. Read it and decide on your pair page.", link: SitePath.pair(context.pairID))
            }
        }
        return story
    }

    func findStory(_ id: UUID, in context: PairContext) async throws -> Story {
        guard let story = try await Story.fetch(id, on: db), story.$pair.id == context.pairID else {
            throw Abort(.notFound, reason: "No story with id \(id.text) belongs to this pair.")
        }
        return story
    }

    /// Gives or withdraws the viewer's consent; the story is public only while both consent.
    func consent(_ id: UUID, agree: Bool, in context: PairContext, by viewer: Viewer) async throws -> Story {
        let me = try context.requireParticipant("consent to success stories")
        let story = try await findStory(id, in: context)
        let wasPublished = story.consent.isPublished
        story.apply(story.consent.setting(Self.side(context, me), to: agree), at: clock.now)
        story.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await story.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: context.program.id, action: agree ? "story.consented" : "story.withdrawn", object: "story", id: story.id,
                detail: story.consent.isPublished ? "published" : (wasPublished ? "unpublished" : "not published"))
        }
        return story
    }

    // MARK: - Certificates

    struct Certificate: Sendable {
        let person: Person
        let role: Enrollment.Role
        let program: Program
        let partners: [String]
        let meetingsHeld: Int
        let goalsAchieved: Int
        let ideas: Int
    }

    /// The certificate of a participant of a completed program who took part in a pair that met.
    /// The participant sees their own; the program's managers see everyone's.
    func certificate(_ participantID: UUID, program programID: UUID, viewer: Viewer) async throws -> Certificate {
        let notFound = Abort(.notFound, reason: "No certificate with id \(participantID.text) is visible to you.")
        guard let participant = try await Participant.query(on: db).filter(\.$id == participantID).filter(\.$program.$id == programID).with(\.$person).first(),
            let program = try await Program.fetch(programID, on: db)
        else { throw notFound }
        let manages = viewer.isAdmin ? try await Programs(db: db, clock: clock).manages(program, viewer) : false
        guard manages || (viewer.personID == participant.$person.id && participant.acceptedAt != nil) else { throw notFound }
        guard program.programStatus == .completed else {
            throw Abort(.conflict, reason: "Certificates are issued when the program is completed; \(program.name) is \(program.status).")
        }
        let pairs = try await Pair.query(on: db).group(.or) { $0.filter(\.$mentee.$id == participantID).filter(\.$mentor.$id == participantID) }
            .filter(\.$status ~~ [Pair.Status.ended.rawValue, Pair.Status.live.rawValue, Pair.Status.paused.rawValue])
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
        let pairIDs = pairs.compactMap(\.id)
        let held = pairIDs.isEmpty ? 0 : try await Meeting.query(on: db).filter(\.$pair.$id ~~ pairIDs).filter(\.$status == MeetingStatus.held.rawValue).count()
        guard held > 0 else {
            throw Abort(.conflict, reason: "\(participant.person.name) has no held meeting in \(program.name), so there is no certificate to issue.")
        }
        let achieved = try await Goal.query(on: db).filter(\.$pair.$id ~~ pairIDs).filter(\.$status == GoalStatus.achieved.rawValue).count()
        let ideas = try await Idea.query(on: db).filter(\.$pair.$id ~~ pairIDs).count()
        return Certificate(
            person: participant.person, role: participant.enrollmentRole, program: program,
            partners: pairs.map { $0.$mentee.id == participantID ? $0.mentor.person.name : $0.mentee.person.name }.sorted(), meetingsHeld: held,
            goalsAchieved: achieved, ideas: ideas)
    }
}

extension Request {
    var recognition: Recognition { Recognition(db: database, clock: upward.clock) }
}
