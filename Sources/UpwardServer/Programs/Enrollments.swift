import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// Enrollment, training and the code of conduct; a pair goes live once both sides are ready.
struct Enrollments {
    let db: any Database
    let clock: any UpwardClock

    static func requireOpen(_ program: Program) throws {
        guard [.enrolling, .matching, .active].contains(program.programStatus) else {
            throw Abort(
                .conflict,
                reason: "\(program.name) is \(program.programStatus.label.lowercased()): enrollment is open while it is enrolling, matching or active.")
        }
    }

    func submit(_ input: EnrollmentForm.Input, for participant: Participant, in program: Program, by viewer: Viewer) async throws {
        try Self.requireOpen(program)
        let ownEmployeeID = try await participant.$person.get(on: db).employeeID
        let avoid = Set((input.avoid ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0.count <= 40 })
        let known = Set(try await Person.query(on: db).filter(\.$employeeID ~~ Array(avoid)).all().map(\.employeeID)).subtracting([ownEmployeeID])
        let answers = try EnrollmentForm.validate(
            input, role: participant.enrollmentRole, maximumCapacity: program.maximumMenteesPerMentor, knownEmployeeIDs: { known.contains($0) })
        participant.answersJSON = JSONText.encode(answers)
        participant.enrolledAt = participant.enrolledAt ?? clock.now
        try await db.writeTransaction { db in
            try await participant.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "enrollment.submitted", object: "participant", id: participant.id)
        }
    }

    func modules(of programID: UUID) async throws -> [TrainingModule] {
        try await TrainingModule.query(on: db).filter(\.$program.$id == programID).sort(\.$position).sort(\.$title).all()
    }

    struct ModuleInput: Content, Sendable {
        var title: String?
        var content: String?
        var audience: String?
    }

    func addModule(_ input: ModuleInput, to program: Program, by viewer: Viewer) async throws -> TrainingModule {
        var check = FieldChecker()
        let title = check.text(input.title, field: "title", limit: 120)
        let content = check.text(input.content, field: "content", limit: 50_000, multiline: true)
        let audience = TrainingModule.Audience(rawValue: input.audience ?? "both")
        if audience == nil { check.add("audience", "must be mentors, mentees or both") }
        try check.finish()
        let module = TrainingModule()
        module.$program.id = try program.requireID()
        module.title = title
        module.content = content
        module.audience = audience!.rawValue
        module.position = try await modules(of: program.requireID()).count + 1
        try await db.writeTransaction { db in
            try await module.create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "training.added", object: "training_module", id: module.id, detail: title)
        }
        return module
    }

    func completeModule(_ moduleID: UUID, for participant: Participant, in program: Program, by viewer: Viewer) async throws {
        try Self.requireOpen(program)
        guard let module = try await TrainingModule.fetch(moduleID, on: db), module.$program.id == program.id else {
            throw Abort(.notFound, reason: "No training module with id \(moduleID.text) is in this program.")
        }
        guard module.moduleAudience.applies(to: participant.enrollmentRole) else {
            throw Abort(.conflict, reason: "\"\(module.title)\" is for \(module.moduleAudience.label.lowercased()) only.")
        }
        let participantID = try participant.requireID()
        if try await TrainingCompletion.query(on: db).filter(\.$participant.$id == participantID).filter(\.$module.$id == moduleID).count() > 0 { return }
        try await db.writeTransaction { db in
            let completion = TrainingCompletion()
            completion.$participant.id = participantID
            completion.$module.id = moduleID
            completion.completedAt = clock.now
            try await completion.create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "training.completed", object: "training_module", id: moduleID, detail: module.title)
            try await PairLifecycle(db: db, clock: clock).promoteReady(in: program)
        }
    }

    func agree(_ participant: Participant, in program: Program, by viewer: Viewer) async throws {
        try Self.requireOpen(program)
        guard participant.agreedAt == nil else { return }
        participant.agreedAt = clock.now
        try await db.writeTransaction { db in
            try await participant.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: "agreement.accepted", object: "participant", id: participant.id)
            try await PairLifecycle(db: db, clock: clock).promoteReady(in: program)
        }
    }

    /// What each participant of the program still has to do.
    func checklists(_ programID: UUID, participants: [Participant]) async throws -> [UUID: ParticipantChecklist] {
        try await checklists(programID, subjects: participants.compactMap(ChecklistSubject.init))
    }

    /// What a checklist and a program's counts need of a participant, read as a plain row, so pages
    /// and reports over thousands of participants need not load models.
    struct ChecklistSubject: Sendable, Decodable, SQLRowReadable {
        let id: UUID
        let person_id: UUID
        let role: String
        let accepted_at: Date?
        let enrolled_at: Date?
        let agreed_at: Date?

        init(row: some SQLRow) throws {
            self.init(
                id: try row.read("id"), person_id: try row.read("person_id"), role: try row.read("role"), accepted_at: try row.read("accepted_at"),
                enrolled_at: try row.read("enrolled_at"), agreed_at: try row.read("agreed_at"))
        }

        init(id: UUID, person_id: UUID, role: String, accepted_at: Date?, enrolled_at: Date?, agreed_at: Date?) {
            self.id = id
            self.person_id = person_id
            self.role = role
            self.accepted_at = accepted_at
            self.enrolled_at = enrolled_at
            self.agreed_at = agreed_at
        }

        /// The same facts from a loaded participant (nil without an id).
        init?(_ participant: Participant) {
            guard let id = participant.id else { return nil }
            self.id = id
            person_id = participant.$person.id
            role = participant.role
            accepted_at = participant.acceptedAt
            enrolled_at = participant.enrolledAt
            agreed_at = participant.agreedAt
        }

        var enrollmentRole: Enrollment.Role { Enrollment.Role(rawValue: role) ?? .mentee }
    }

    /// Every participant of the program, as ``ChecklistSubject`` rows.
    func subjects(of programID: UUID) async throws -> [ChecklistSubject] {
        try await db.sql().select().columns("id", "person_id", "role", "accepted_at", "enrolled_at", "agreed_at").from(Participant.schema)
            .where("program_id", .equal, programID).all(reading: ChecklistSubject.self)
    }

    /// What a checklist needs of a program's training modules, in their order, as plain rows.
    struct ModuleRow: SQLRowReadable {
        let id: UUID
        let title: String
        let audience: String

        init(row: some SQLRow) throws {
            id = try row.read("id")
            title = try row.read("title")
            audience = try row.read("audience")
        }

        var moduleAudience: TrainingModule.Audience { TrainingModule.Audience(rawValue: audience) ?? .both }
    }

    /// Each program's modules, in their order, in one statement.
    func moduleRows(of programIDs: [UUID]) async throws -> [UUID: [ModuleRow]] {
        struct Row: SQLRowReadable {
            let program_id: UUID
            let module: ModuleRow

            init(row: some SQLRow) throws {
                program_id = try row.read("program_id")
                module = try ModuleRow(row: row)
            }
        }
        guard !programIDs.isEmpty else { return [:] }
        let ids = programIDs.map { $0 as any Encodable & Sendable }
        return Dictionary(
            grouping: try await db.sql().raw(
                """
                SELECT program_id, id, title, audience FROM \(ident: TrainingModule.schema) WHERE program_id IN (\(binds: ids)) ORDER BY position, title
                """
            ).all(reading: Row.self), by: \.program_id
        ).mapValues { $0.map(\.module) }
    }

    /// That a participant completed a module.
    struct Completion: SQLRowReadable {
        let participant_id: UUID
        let module_id: UUID

        init(row: some SQLRow) throws {
            participant_id = try row.read("participant_id")
            module_id = try row.read("module_id")
        }

        init(participant_id: UUID, module_id: UUID) {
            self.participant_id = participant_id
            self.module_id = module_id
        }
    }

    /// Each program's modules, in their order, with which of `participants` (at least one)
    /// completed each, in one statement: a home page needs both, and a second statement was 3% of it.
    func moduleRows(of programIDs: [UUID], completedBy participants: [UUID]) async throws -> (modules: [UUID: [ModuleRow]], completions: [Completion]) {
        struct Row: SQLRowReadable {
            let program_id: UUID
            let module: ModuleRow
            let participant_id: UUID?

            init(row: some SQLRow) throws {
                program_id = try row.read("program_id")
                module = try ModuleRow(row: row)
                participant_id = try row.read("participant_id")
            }
        }
        guard !programIDs.isEmpty, !participants.isEmpty else { return ([:], []) }
        let rows = try await db.sql().raw(
            """
            SELECT m.program_id AS program_id, m.id AS id, m.title AS title, m.audience AS audience, c.participant_id AS participant_id
            FROM \(ident: TrainingModule.schema) m LEFT JOIN \(ident: TrainingCompletion.schema) c
            ON c.module_id = m.id AND c.participant_id IN (\(binds: participants.map { $0 as any Encodable & Sendable }))
            WHERE m.program_id IN (\(binds: programIDs.map { $0 as any Encodable & Sendable })) ORDER BY m.position, m.title
            """
        ).all(reading: Row.self)
        var modules: [UUID: [ModuleRow]] = [:]
        var seen = Set<UUID>()
        var completions: [Completion] = []
        for row in rows {
            if seen.insert(row.module.id).inserted { modules[row.program_id, default: []].append(row.module) }
            if let participant = row.participant_id { completions.append(Completion(participant_id: participant, module_id: row.module.id)) }
        }
        return (modules, completions)
    }

    func checklists(_ programID: UUID, subjects: [ChecklistSubject]) async throws -> [UUID: ParticipantChecklist] {
        try await checklists(byProgram: [programID: subjects])
    }

    /// Checklists of participants of several programs (a participant's home page lists each of
    /// theirs): two statements in all, not two per program.
    func checklists(byProgram: [UUID: [ChecklistSubject]]) async throws -> [UUID: ParticipantChecklist] {
        let subjects = byProgram.values.flatMap { $0 }
        let wanted = Set(subjects.map(\.id))
        // Completions as plain rows (one per participant and module): for a few participants (a home
        // page) theirs, read with their programs' modules; for a whole program (its page, its report)
        // all of its modules' at once.
        let modulesByProgram: [UUID: [ModuleRow]]
        let completions: [Completion]
        if !subjects.isEmpty, subjects.count <= 500 {
            (modulesByProgram, completions) = try await moduleRows(of: Array(byProgram.keys), completedBy: Array(wanted))
        } else {
            modulesByProgram = try await moduleRows(of: Array(byProgram.keys))
            let ids = modulesByProgram.values.flatMap { $0 }.map { $0.id as any Encodable & Sendable }
            completions =
                ids.isEmpty || subjects.isEmpty
                ? []
                : try await db.sql().raw(
                    "SELECT participant_id, module_id FROM \(ident: TrainingCompletion.schema) WHERE module_id IN (\(binds: ids))"
                ).all(reading: Completion.self)
        }
        let modules = modulesByProgram.values.flatMap { $0 }
        // Each module's id as text once, and each role's modules once, not once per participant.
        let moduleText = Dictionary(modules.map { ($0.id, $0.id.text) }, uniquingKeysWith: { first, _ in first })
        var done: [UUID: Set<String>] = [:]
        for completion in completions where wanted.contains(completion.participant_id) {
            done[completion.participant_id, default: []].insert(moduleText[completion.module_id] ?? completion.module_id.text)
        }
        var result: [UUID: ParticipantChecklist] = [:]
        for (program, subjects) in byProgram {
            let modules = modulesByProgram[program] ?? []
            var requiredByRole: [String: [ParticipantChecklist.Module]] = [:]
            for subject in subjects {
                let required =
                    requiredByRole[subject.role]
                    ?? modules.filter { $0.moduleAudience.applies(to: subject.enrollmentRole) }
                    .map { ParticipantChecklist.Module(id: moduleText[$0.id] ?? $0.id.text, title: $0.title) }
                requiredByRole[subject.role] = required
                result[subject.id] = ParticipantChecklist(
                    enrolled: subject.enrolled_at != nil, agreed: subject.agreed_at != nil, requiredModules: required, completed: done[subject.id] ?? [])
            }
        }
        return result
    }
}

/// Moves approved pairs to live once both people are ready, and tells them.
struct PairLifecycle {
    let db: any Database
    let clock: any UpwardClock

    func promoteReady(in program: Program) async throws {
        let programID = try program.requireID()
        let waiting = try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$status == Pair.Status.waiting.rawValue).all()
        guard !waiting.isEmpty else { return }
        let participantIDs = Array(Set(waiting.flatMap { [$0.$mentee.id, $0.$mentor.id] }))
        let participants = try await Participant.query(on: db).filter(\.$id ~~ participantIDs).with(\.$person).all()
        let byID = Dictionary(uniqueKeysWithValues: participants.map { ($0.id!, $0) })
        let lists = try await Enrollments(db: db, clock: clock).checklists(programID, participants: participants)
        for pair in waiting {
            guard let mentee = byID[pair.$mentee.id], let mentor = byID[pair.$mentor.id], lists[mentee.id!]?.isReady == true,
                lists[mentor.id!]?.isReady == true
            else { continue }
            pair.status = Pair.Status.live.rawValue
            pair.liveAt = clock.now
            try await pair.save(on: db)
            try await Meetings(db: db, clock: clock).proposeSeries(for: pair, program: program, mentee: mentee.person, mentor: mentor.person)
            try await AuditLog(db: db, clock: clock).record(
                nil, program: programID, action: "pair.live", object: "pair", id: pair.id,
                detail: "\(mentee.person.email) with \(mentor.person.email)")
            for (me, partner) in [(mentee, mentor), (mentor, mentee)] {
                try await Notifications(db: db, clock: clock).send(
                    to: me.person.requireID(), kind: "pair.live", title: "Your pair with \(partner.person.name) is live",
                    body: "You and \(partner.person.name) have both finished training and accepted the code of conduct. Time to meet!",
                    link: SitePath.pair(pair.id!))
            }
        }
    }
}
