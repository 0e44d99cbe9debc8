import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Programs: creating, editing, the lifecycle, cloning, managers, and who may see which.
/// Pages, the JSON API and commands all call these.
struct Programs {
    let db: any Database
    let clock: any UpwardClock

    var audit: AuditLog { AuditLog(db: db, clock: clock) }

    // MARK: - Access

    /// Programs the viewer may see: their own as manager (all for organization admins), or where they take part.
    func visible(to viewer: Viewer) async throws -> [Program] {
        if viewer.isOrganizationAdmin { return try await Program.query(on: db).sort(\.$createdAt, .descending).all() }
        if viewer.isAdmin {
            let ids = try await ProgramManager.query(on: db).filter(\.$user.$id == viewer.id).all().map(\.$program.id)
            return try await Program.query(on: db).filter(\.$id ~~ ids).sort(\.$createdAt, .descending).all()
        }
        let ids = try await participations(of: viewer).map(\.$program.id)
        return try await Program.query(on: db).filter(\.$id ~~ ids).sort(\.$createdAt, .descending).all()
    }

    /// A viewer's accepted place in a program with the program's name and status, as one plain row:
    /// the home page lists them on every visit (see ``User/Row`` on why not models).
    struct Participation: SQLRowReadable {
        let id: UUID
        let program_id: UUID
        let person_id: UUID
        let role: String
        let accepted_at: Date?
        let enrolled_at: Date?
        let agreed_at: Date?
        let program_name: String
        let program_status: String

        init(row: some SQLRow) throws {
            id = try row.read("id")
            program_id = try row.read("program_id")
            person_id = try row.read("person_id")
            role = try row.read("role")
            accepted_at = try row.read("accepted_at")
            enrolled_at = try row.read("enrolled_at")
            agreed_at = try row.read("agreed_at")
            program_name = try row.read("program_name")
            program_status = try row.read("program_status")
        }

        var subject: Enrollments.ChecklistSubject {
            .init(id: id, person_id: person_id, role: role, accepted_at: accepted_at, enrolled_at: enrolled_at, agreed_at: agreed_at)
        }
        var programStatus: ProgramStatus { ProgramStatus(rawValue: program_status) ?? .draft }
    }

    /// The viewer's accepted places with their programs, newest program first, in one query.
    func participationRows(of viewer: Viewer) async throws -> [Participation] {
        guard let person = viewer.personID else { return [] }
        return try await db.sql().raw(
            """
            SELECT pa.id, pa.program_id, pa.person_id, pa.role, pa.accepted_at, pa.enrolled_at, pa.agreed_at,
                pr.name AS program_name, pr.status AS program_status
            FROM participants pa JOIN programs pr ON pr.id = pa.program_id
            WHERE pa.person_id = \(bind: person) AND pa.accepted_at IS NOT NULL ORDER BY pr.created_at DESC
            """
        ).all(reading: Participation.self)
    }

    /// The viewer's accepted places in programs.
    func participations(of viewer: Viewer) async throws -> [Participant] {
        guard let person = viewer.personID else { return [] }
        return try await Participant.query(on: db).filter(\.$person.$id == person).filter(\.$acceptedAt != nil).all()
    }

    func manages(_ program: Program, _ viewer: Viewer) async throws -> Bool {
        try await manages(programID: program.requireID(), viewer)
    }

    func manages(programID: UUID, _ viewer: Viewer) async throws -> Bool {
        guard viewer.isAdmin else { return false }
        if viewer.isOrganizationAdmin { return true }
        return try await ProgramManager.query(on: db).filter(\.$program.$id == programID).filter(\.$user.$id == viewer.id).count() > 0
    }

    static func notFound(_ id: UUID) -> Abort { Abort(.notFound, reason: "No program with id \(id.text) is visible to you.") }

    /// A program the viewer manages; 404 for everyone else, so ids of other programs reveal nothing.
    func managed(_ id: UUID, by viewer: Viewer) async throws -> Program {
        guard let program = try await Program.fetch(id, on: db), try await manages(program, viewer) else { throw Self.notFound(id) }
        return program
    }

    /// A program the viewer takes part in, with their place in it; 404 otherwise.
    func joined(_ id: UUID, by viewer: Viewer) async throws -> (Program, Participant) {
        guard let person = viewer.personID, let program = try await Program.fetch(id, on: db),
            let participant = try await Participant.query(on: db).filter(\.$program.$id == id).filter(\.$person.$id == person)
                .filter(\.$acceptedAt != nil).first()
        else { throw Self.notFound(id) }
        return (program, participant)
    }

    /// Either: the program and, for a participant, their place.
    func visible(_ id: UUID, to viewer: Viewer) async throws -> (Program, Participant?) {
        if viewer.isAdmin { return (try await managed(id, by: viewer), nil) }
        let (program, participant) = try await joined(id, by: viewer)
        return (program, participant)
    }

    // MARK: - Changes

    func create(_ settings: ProgramSettings, by viewer: Viewer) async throws -> Program {
        let program = Program()
        program.apply(settings)
        program.status = ProgramStatus.draft.rawValue
        try await db.writeTransaction { db in
            try await program.create(on: db)
            try await ProgramManager(programID: program.requireID(), userID: viewer.id).create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "program.created", object: "program", id: program.id, detail: settings.name)
        }
        return program
    }

    func update(_ program: Program, with settings: ProgramSettings, by viewer: Viewer) async throws {
        let before = program.settings
        guard program.programStatus != .completed, program.programStatus != .cancelled else {
            throw Abort(.conflict, reason: "A \(program.programStatus.label.lowercased()) program can't be edited; clone it instead.")
        }
        program.apply(settings)
        let changed = Self.changedFields(before.input, settings.input)
        try await db.writeTransaction { db in
            try await program.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "program.updated", object: "program", id: program.id,
                detail: changed.isEmpty ? "no changes" : "changed " + changed.joined(separator: ", "))
        }
    }

    static func changedFields(_ a: ProgramSettings.Input, _ b: ProgramSettings.Input) -> [String] {
        var fields: [String] = []
        if a.name != b.name { fields.append("name") }
        if a.description != b.description { fields.append("description") }
        if a.focusAreas != b.focusAreas { fields.append("focusAreas") }
        if a.cadenceDays != b.cadenceDays { fields.append("cadenceDays") }
        if a.startsOn != b.startsOn { fields.append("startsOn") }
        if a.endsOn != b.endsOn { fields.append("endsOn") }
        if a.isPilot != b.isPilot { fields.append("isPilot") }
        if a.minimumLevelGap != b.minimumLevelGap { fields.append("minimumLevelGap") }
        if a.maximumMenteesPerMentor != b.maximumMenteesPerMentor { fields.append("maximumMenteesPerMentor") }
        if a.differentDepartmentOnly != b.differentDepartmentOnly { fields.append("differentDepartmentOnly") }
        if a.objective != b.objective { fields.append("objective") }
        if a.weights != b.weights { fields.append("weights") }
        if a.selectionMode != b.selectionMode { fields.append("selectionMode") }
        if a.reviewThreshold != b.reviewThreshold { fields.append("reviewThreshold") }
        if a.requestTimeoutDays != b.requestTimeoutDays { fields.append("requestTimeoutDays") }
        if a.codeOfConduct != b.codeOfConduct { fields.append("codeOfConduct") }
        return fields
    }

    func facts(_ program: Program) async throws -> ProgramLifecycle.Facts {
        let id = try program.requireID()
        let enrolled = try await Participant.query(on: db).filter(\.$program.$id == id).filter(\.$enrolledAt != nil).all()
        let published = try await Pair.query(on: db).filter(\.$program.$id == id)
            .filter(\.$status ~~ [Pair.Status.waiting.rawValue, Pair.Status.live.rawValue, Pair.Status.paused.rawValue]).count()
        return ProgramLifecycle.Facts(
            enrolledMentors: enrolled.filter { $0.enrollmentRole == .mentor }.count,
            enrolledMentees: enrolled.filter { $0.enrollmentRole == .mentee }.count, publishedPairs: published)
    }

    func transition(_ program: Program, to target: ProgramStatus, by viewer: Viewer) async throws {
        let from = program.programStatus
        try ProgramLifecycle.check(from: from, to: target, facts: try await facts(program))
        let id = try program.requireID()
        try await db.writeTransaction { db in
            program.status = target.rawValue
            try await program.save(on: db)
            if target == .completed || target == .cancelled {
                // Pairs end with the program; open requests are withdrawn.
                try await Pair.query(on: db).filter(\.$program.$id == id)
                    .filter(\.$status ~~ [Pair.Status.proposed.rawValue, Pair.Status.waiting.rawValue, Pair.Status.live.rawValue, Pair.Status.paused.rawValue])
                    .set(\.$status, to: Pair.Status.ended.rawValue).set(\.$endedAt, to: clock.now).update()
                try await MatchRequest.query(on: db).filter(\.$program.$id == id).filter(\.$status == MatchRequest.Status.pending.rawValue)
                    .set(\.$status, to: MatchRequest.Status.withdrawn.rawValue).update()
            }
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: id, action: "program.transition", object: "program", id: id, detail: "\(from.rawValue) → \(target.rawValue)")
        }
    }

    /// A new draft with the same settings, focus areas and training, for the next cohort.
    func clone(_ program: Program, by viewer: Viewer) async throws -> Program {
        var settings = program.settings
        settings.name = String("\(settings.name) (next cohort)".prefix(ProgramSettings.nameLimit))
        let copy = Program()
        copy.apply(settings)
        copy.status = ProgramStatus.draft.rawValue
        copy.clonedFrom = program.id
        let sourceID = try program.requireID()
        try await db.writeTransaction { db in
            try await copy.create(on: db)
            let copyID = try copy.requireID()
            let managers = try await ProgramManager.query(on: db).filter(\.$program.$id == sourceID).all()
            var managerIDs = Set(managers.map(\.$user.id))
            managerIDs.insert(viewer.id)
            for user in managerIDs { try await ProgramManager(programID: copyID, userID: user).create(on: db) }
            for module in try await TrainingModule.query(on: db).filter(\.$program.$id == sourceID).all() {
                let new = TrainingModule()
                new.$program.id = copyID
                new.title = module.title
                new.content = module.content
                new.audience = module.audience
                new.position = module.position
                try await new.create(on: db)
            }
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: copyID, action: "program.cloned", object: "program", id: copyID, detail: "from \(program.name) (\(sourceID))")
        }
        return copy
    }

    func managers(of program: Program) async throws -> [User] {
        let ids = try await ProgramManager.query(on: db).filter(\.$program.$id == program.requireID()).all().map(\.$user.id)
        return try await User.query(on: db).filter(\.$id ~~ ids).sort(\.$name).all()
    }

    func addManager(_ program: Program, email rawEmail: String, by viewer: Viewer) async throws {
        let email = FieldRules.normalizeEmail(rawEmail)
        guard let user = try await User.query(on: db).filter(\.$email == email).first() else {
            throw ValidationFailure("email", "no account has the email \(email.prefix(254))")
        }
        guard user.isAdmin else { throw ValidationFailure("email", "\(user.name) is a participant; only program manager accounts can run a program") }
        let programID = try program.requireID()
        let userID = try user.requireID()
        if try await ProgramManager.query(on: db).filter(\.$program.$id == programID).filter(\.$user.$id == userID).count() > 0 { return }
        try await db.writeTransaction { db in
            try await ProgramManager(programID: programID, userID: userID).create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "program.manager_added", object: "user", id: userID, detail: user.email)
        }
    }

    func removeManager(_ program: Program, userID: UUID, by viewer: Viewer) async throws {
        let programID = try program.requireID()
        let rows = try await ProgramManager.query(on: db).filter(\.$program.$id == programID).all()
        guard rows.contains(where: { $0.$user.id == userID }) else { throw Abort(.notFound, reason: "That account does not manage this program.") }
        guard rows.count > 1 else { throw Abort(.conflict, reason: "A program keeps at least one program manager; add another before removing this one.") }
        try await db.writeTransaction { db in
            try await ProgramManager.query(on: db).filter(\.$program.$id == programID).filter(\.$user.$id == userID).delete()
            try await AuditLog(db: db, clock: clock).record(viewer, program: programID, action: "program.manager_removed", object: "user", id: userID)
        }
    }
}
