import Fluent
import Foundation
import NIOPosix
import SQLKit
import UpwardCore
import Vapor

/// A program's enrolled participants as the matching engine sees them.
struct ProgramModel: Sendable {
    let model: CompatibilityModel
    let mentees: [Participant]
    let mentors: [Participant]
    let menteeIndex: [UUID: Int]
    let mentorIndex: [UUID: Int]
    let people: [UUID: Person]

    func person(_ participant: Participant) -> Person? { people[participant.$person.id] }
}

/// Matching in the web app and the API: runs, review, pairs by hand, locks, approval, declines.
struct Matchmaking {
    let db: any Database
    let clock: any UpwardClock

    static let liveStatuses = [Pair.Status.proposed.rawValue, Pair.Status.waiting.rawValue, Pair.Status.live.rawValue, Pair.Status.paused.rawValue]

    // MARK: - The model

    func model(for program: Program) async throws -> ProgramModel {
        let programID = try program.requireID()
        let settings = program.settings
        let participants = try await Participant.query(on: db).filter(\.$program.$id == programID)
            .filter(\.$enrolledAt != nil).filter(\.$acceptedAt != nil).sort(\.$invitedAt).sort(\.$id).all()
        let directory = try await Person.query(on: db).all()
        let people = Dictionary(uniqueKeysWithValues: directory.compactMap { person in person.id.map { ($0, person) } })
        let emailOfEmployee = Dictionary(directory.map { ($0.employeeID, $0.email) }, uniquingKeysWith: { a, _ in a })
        var mentees: [Participant] = []
        var mentors: [Participant] = []
        var menteeParts: [CompatibilityModel.Participant] = []
        var mentorParts: [CompatibilityModel.Participant] = []
        for participant in participants {
            guard let person = people[participant.$person.id], !person.hasLeft, let answers = participant.answers else { continue }
            let avoid = Set(answers.avoid.compactMap { emailOfEmployee[$0] })
            let enrollment = answers.enrollment(email: person.email, role: participant.enrollmentRole, avoidEmails: avoid)
            let part = CompatibilityModel.Participant(person: person.record, enrollment: enrollment, line: mentees.count + mentors.count + 1)
            if participant.enrollmentRole == .mentee {
                mentees.append(participant)
                menteeParts.append(part)
            } else {
                mentors.append(participant)
                mentorParts.append(part)
            }
        }
        let byParticipant = Dictionary(uniqueKeysWithValues: participants.compactMap { p in people[p.$person.id].map { (p.id!, $0.email) } })
        var rules = settings.rules
        for exclusion in try await Exclusion.query(on: db).filter(\.$program.$id == programID).all() {
            if let mentee = byParticipant[exclusion.$mentee.id], let mentor = byParticipant[exclusion.$mentor.id] {
                rules.excludedPairs.insert(.init(mentee: mentee, mentor: mentor))
            }
        }
        let model = CompatibilityModel(
            mentees: menteeParts, mentors: mentorParts, directory: directory.map(\.record), weights: settings.weights, rules: rules)
        return ProgramModel(
            model: model, mentees: mentees, mentors: mentors,
            menteeIndex: Dictionary(uniqueKeysWithValues: mentees.enumerated().map { ($1.id!, $0) }),
            mentorIndex: Dictionary(uniqueKeysWithValues: mentors.enumerated().map { ($1.id!, $0) }), people: people)
    }

    /// Someone the engine matches, as a choice on the review page.
    struct Candidate: Sendable, SQLRowReadable {
        let id: UUID
        let role: String
        let name: String
        let department: String
        let level: Int

        init(row: some SQLRow) throws {
            id = try row.read("id")
            role = try row.read("role")
            name = try row.read("name")
            department = try row.read("department")
            level = try row.read("level")
        }
    }

    /// The participants ``model(for:)`` matches (accepted, enrolled with answers, still employed),
    /// in its order, without the directory and the answers it reads besides: on 5,000 participants
    /// of a 10,000-person organization, building the model for the review page's two lists took
    /// half of that page's second. `MatchingReviewTests` checks the two agree.
    func candidates(of programID: UUID) async throws -> (mentees: [Candidate], mentors: [Candidate]) {
        let rows = try await db.sql().raw(
            """
            SELECT pa.id, pa.role, pe.name, pe.department, pe.level FROM participants pa JOIN people pe ON pe.id = pa.person_id
            WHERE pa.program_id = \(bind: programID) AND pa.enrolled_at IS NOT NULL AND pa.accepted_at IS NOT NULL
              AND pa.answers IS NOT NULL AND pe.termination_date IS NULL
            ORDER BY pa.invited_at, pa.id
            """
        ).all(reading: Candidate.self)
        let mentor = Enrollment.Role.mentor.rawValue
        return (rows.filter { $0.role != mentor }, rows.filter { $0.role == mentor })
    }

    static func requireMatching(_ program: Program) throws {
        guard [.matching, .active].contains(program.programStatus) else {
            throw Abort(
                .conflict,
                reason: "Matching works while a program is matching or active; \(program.name) is \(program.programStatus.label.lowercased()).")
        }
    }

    // MARK: - Runs

    struct Unmatched: Codable, Sendable {
        var participantID: UUID
        var name: String
        var role: String
        var reason: String
    }

    /// Runs the engine on everyone enrolled, keeping published and locked pairs; replaces the other proposals.
    func run(_ program: Program, by viewer: Viewer) async throws -> MatchingRun {
        try Self.requireMatching(program)
        let programID = try program.requireID()
        let built = try await model(for: program)
        let existing = try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$status ~~ Self.liveStatuses).all()
        var locked: [(mentee: Int, mentor: Int)] = []
        for pair in existing where pair.pairStatus.isPublished || pair.locked {
            guard let i = built.menteeIndex[pair.$mentee.id], let j = built.mentorIndex[pair.$mentor.id] else { continue }
            locked.append((i, j))
        }
        let objective = program.settings.objective
        // Sparse mode always, so each run leaves the duals the next one starts from.
        let engine = MatchingEngine(model: built.model, denseLimit: 0)
        let previous = try await MatchingRun.query(on: db).filter(\.$program.$id == programID).filter(\.$solverState != nil)
            .sort(\.$createdAt, .descending).first()?.solverState.flatMap { try? JSONDecoder().decode(MatchingState.self, from: Data($0.utf8)) }
        let started = DispatchTime.now().uptimeNanoseconds
        // Seconds of CPU at scale: on a thread of its own, not on an event loop that serves other
        // requests (Swift tasks run on the event loops; see UpwardMain).
        let kept = locked
        let solved = try await NIOThreadPool.singleton.runIfActive {
            Result { () throws(MatchingEngine.Problem) in try engine.match(objective: objective, locked: kept, state: previous) }
        }
        let result: MatchingEngine.Result
        switch solved {
        case .success(let value): result = value
        case .failure(let error):
            throw Abort(.conflict, reason: "The kept pairs can't all stand: \(error.description). Unlock or remove one and run again.")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let threshold = program.reviewThreshold
        var unmatched: [Unmatched] = []
        for i in result.unmatched {
            let person = built.person(built.mentees[i])
            unmatched.append(
                .init(
                    participantID: built.mentees[i].id!, name: person?.name ?? "?", role: "mentee",
                    reason: built.model.whyUnmatched(mentee: i, assignment: result.mentorOfMentee, objective: objective)))
        }
        let busy = Set(result.mentorOfMentee.compactMap { $0 })
        for j in built.mentors.indices where !busy.contains(j) {
            let person = built.person(built.mentors[j])
            unmatched.append(
                .init(
                    participantID: built.mentors[j].id!, name: person?.name ?? "?", role: "mentor",
                    reason: built.model.whyIdle(mentor: j, assignment: result.mentorOfMentee)))
        }
        let run = MatchingRun()
        run.$program.id = programID
        run.objective = objective.rawValue
        run.totalScore = result.totalScore
        run.matched = result.pairs.count
        run.unmatchedJSON = JSONText.encode(unmatched)
        if let proof = result.proof {
            let start =
                proof.warmStart
                ? "from the last run: \(proof.augmentedRows) mentee\(proof.augmentedRows == 1 ? "" : "s") re-placed, \(proof.repairedColumns) mentor\(proof.repairedColumns == 1 ? "" : "s") refilled, \(proof.checkedPairs) pairs checked"
                : "from scratch, \(proof.checkedPairs) pairs checked"
            run.proof =
                proof.holds
                ? "optimal: duality certificate holds (\(proof.mode), \(start), worst reduced cost \(String(format: "%.2e", proof.worstReducedCost)))"
                : "not proven optimal (\(proof.mode), \(start))"
        } else {
            run.proof = "stable: no mentee and mentor would both rather have each other"
        }
        run.solverSeconds = seconds
        run.createdAt = clock.now
        run.solverState = try result.state.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let keptCount = locked.count
        try await db.writeTransaction { db in
            try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$status == Pair.Status.proposed.rawValue)
                .filter(\.$locked == false).delete()
            try await MatchingRun.query(on: db).filter(\.$program.$id == programID).filter(\.$solverState != nil)
                .set(\.$solverState, to: nil).update()
            try await run.create(on: db)
            for pair in result.pairs where !pair.locked {
                try await Self.newPair(
                    built, mentee: pair.mentee, mentor: pair.mentor, threshold: threshold, source: "engine", locked: false, reason: nil, now: clock.now
                ).create(on: db)
            }
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "matching.run", object: "matching_run", id: run.id,
                detail:
                    "\(objective.rawValue): \(result.pairs.count) pairs, \(keptCount) kept, total \(String(format: "%.1f", result.totalScore)), \(result.unmatched.count) mentees unmatched"
            )
        }
        return run
    }

    static func newPair(
        _ built: ProgramModel, mentee i: Int, mentor j: Int, threshold: Double, source: String, locked: Bool, reason: String?, now: Date,
        status: Pair.Status = .proposed
    ) -> Pair {
        let pair = Pair()
        pair.$program.id = built.mentees[i].$program.id
        pair.$mentee.id = built.mentees[i].id!
        pair.$mentor.id = built.mentors[j].id!
        pair.score = built.model.unrestrictedScore(mentee: i, mentor: j)
        pair.reasonsJSON = JSONText.encode(built.model.reasons(mentee: i, mentor: j))
        pair.warningsJSON = JSONText.encode(built.model.warnings(mentee: i, mentor: j, threshold: threshold))
        pair.status = status.rawValue
        pair.locked = locked
        pair.source = source
        pair.manualReason = reason
        pair.createdAt = now
        if status.isPublished { pair.publishedAt = now }
        return pair
    }

    func latestRun(_ programID: UUID) async throws -> MatchingRun? {
        try await MatchingRun.query(on: db).filter(\.$program.$id == programID).sort(\.$createdAt, .descending).first()
    }

    // MARK: - By hand

    /// Pairs a mentee with a mentor by hand (kept in re-runs). A hard-rule break is refused with the rule
    /// named; a score below the program's review threshold needs a written reason.
    func assign(_ program: Program, mentee menteeID: UUID, mentor mentorID: UUID, reason rawReason: String?, by viewer: Viewer) async throws -> Pair {
        try Self.requireMatching(program)
        let programID = try program.requireID()
        let built = try await model(for: program)
        guard let i = built.menteeIndex[menteeID] else { throw ValidationFailure("menteeId", "is not an enrolled mentee of this program") }
        guard let j = built.mentorIndex[mentorID] else { throw ValidationFailure("mentorId", "is not an enrolled mentor of this program") }
        if let refusal = built.model.manualRefusal(mentee: i, mentor: j) { throw ValidationFailure("mentorId", refusal) }
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$status ~~ Self.liveStatuses).all()
        if pairs.contains(where: { $0.$mentee.id == menteeID && $0.pairStatus.isPublished }) {
            throw Abort(.conflict, reason: "This mentee's pair is already published; they can decline it or ask for a rematch.")
        }
        // Kept pairs (locked or published) count against the mentor's capacity; an unlocked proposal
        // of theirs gives way, and its mentee waits for the next run.
        let others = pairs.filter { $0.$mentor.id == mentorID && $0.$mentee.id != menteeID }
        let kept = others.filter { $0.locked || $0.pairStatus.isPublished }
        let capacity = built.mentors[j].answers?.capacity ?? 1
        let mentorName = built.person(built.mentors[j])?.name ?? "This mentor"
        if kept.count >= capacity {
            throw Abort(
                .conflict, reason: "\(mentorName) already has \(kept.count) kept mentee\(kept.count == 1 ? "" : "s"), their capacity; unlock or move one first."
            )
        }
        let displaced = Array(others.filter { !$0.locked && !$0.pairStatus.isPublished }.prefix(max(0, others.count - capacity + 1)))
        let reason = try Self.reasonIfNeeded(rawReason, score: built.model.unrestrictedScore(mentee: i, mentor: j), threshold: program.reviewThreshold)
        let pair = Self.newPair(built, mentee: i, mentor: j, threshold: program.reviewThreshold, source: "manual", locked: true, reason: reason, now: clock.now)
        try await db.writeTransaction { db in
            try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$mentee.$id == menteeID)
                .filter(\.$status == Pair.Status.proposed.rawValue).delete()
            for other in displaced { try await other.delete(on: db) }
            try await pair.create(on: db)
            let menteeName = built.person(built.mentees[i])?.email ?? "?"
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "pair.manual", object: "pair", id: pair.id,
                detail: "\(menteeName) with \(built.person(built.mentors[j])?.email ?? "?"), score \(Int(pair.score.rounded()))"
                    + (reason.map { ": \($0)" } ?? ""))
        }
        return pair
    }

    static func reasonIfNeeded(_ raw: String?, score: Double, threshold: Double) throws -> String? {
        let reason = raw?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if reason.count > 1000 { throw ValidationFailure("reason", "must be at most 1000 characters") }
        if score < threshold, reason.isEmpty {
            throw ValidationFailure(
                "reason", "a written reason is needed: this pair scores \(Int(score.rounded())), below the review threshold of \(Int(threshold.rounded()))")
        }
        return reason.isEmpty ? nil : reason
    }

    /// Exchanges the mentors of two proposed pairs.
    func swap(_ program: Program, _ firstID: UUID, _ secondID: UUID, reason rawReason: String?, by viewer: Viewer) async throws {
        try Self.requireMatching(program)
        let programID = try program.requireID()
        guard firstID != secondID else { throw ValidationFailure("with", "choose a different pair to swap with") }
        let pairs = try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$id ~~ [firstID, secondID]).all()
        guard pairs.count == 2 else { throw Abort(.notFound, reason: "Both pairs must be in this program.") }
        guard pairs.allSatisfy({ $0.pairStatus == .proposed }) else {
            throw Abort(.conflict, reason: "Only proposed pairs can be swapped; published pairs are final.")
        }
        let built = try await model(for: program)
        guard let a = built.menteeIndex[pairs[0].$mentee.id], let b = built.menteeIndex[pairs[1].$mentee.id],
            let x = built.mentorIndex[pairs[0].$mentor.id], let y = built.mentorIndex[pairs[1].$mentor.id]
        else { throw Abort(.conflict, reason: "Someone in these pairs is no longer enrolled; run matching again.") }
        for (i, j) in [(a, y), (b, x)] {
            if let refusal = built.model.manualRefusal(mentee: i, mentor: j) { throw ValidationFailure("with", refusal) }
        }
        let lowest = min(built.model.unrestrictedScore(mentee: a, mentor: y), built.model.unrestrictedScore(mentee: b, mentor: x))
        let reason = try Self.reasonIfNeeded(rawReason, score: lowest, threshold: program.reviewThreshold)
        let first = Self.newPair(
            built, mentee: a, mentor: y, threshold: program.reviewThreshold, source: "manual", locked: true, reason: reason, now: clock.now)
        let second = Self.newPair(
            built, mentee: b, mentor: x, threshold: program.reviewThreshold, source: "manual", locked: true, reason: reason, now: clock.now)
        try await db.writeTransaction { db in
            for pair in pairs { try await pair.delete(on: db) }
            try await first.create(on: db)
            try await second.create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "pair.swapped", object: "pair", id: first.id, detail: "swapped mentors of \(firstID) and \(secondID)")
        }
    }

    func setLocked(_ pair: Pair, _ locked: Bool, in program: Program, by viewer: Viewer) async throws {
        guard pair.pairStatus == .proposed else {
            throw Abort(.conflict, reason: "Only proposed pairs are locked or unlocked; published pairs are always kept.")
        }
        pair.locked = locked
        try await db.writeTransaction { db in
            try await pair.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: program.id, action: locked ? "pair.locked" : "pair.unlocked", object: "pair", id: pair.id)
        }
    }

    /// Publishes every proposed pair: participants see them; they go live once both are ready.
    func approve(_ program: Program, by viewer: Viewer) async throws -> Int {
        try Self.requireMatching(program)
        let programID = try program.requireID()
        let proposed = try await Pair.query(on: db).filter(\.$program.$id == programID).filter(\.$status == Pair.Status.proposed.rawValue)
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.all()
        guard !proposed.isEmpty else { throw Abort(.conflict, reason: "Nothing to approve: run matching or pair people by hand first.") }
        try await db.writeTransaction { db in
            for pair in proposed {
                pair.status = Pair.Status.waiting.rawValue
                pair.publishedAt = clock.now
                try await pair.save(on: db)
                for (me, partner, role) in [(pair.mentee, pair.mentor, "mentor"), (pair.mentor, pair.mentee, "mentee")] {
                    try await Notifications(db: db, clock: clock).send(
                        to: me.person.requireID(), kind: "pair.matched", title: "You have been matched with \(partner.person.name)",
                        body:
                            "\(partner.person.name) (\(partner.person.department)) is your \(role) in \(program.name). See why you were paired, and finish your training to start.",
                        link: SitePath.pair(pair.id!))
                }
            }
            if program.programStatus == .matching {
                program.status = ProgramStatus.active.rawValue
                try await program.save(on: db)
                try await AuditLog(db: db, clock: clock).record(
                    viewer, program: programID, action: "program.transition", object: "program", id: programID, detail: "matching → active")
            }
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "matching.approved", object: "program", id: programID, detail: "\(proposed.count) pairs published")
            try await PairLifecycle(db: db, clock: clock).promoteReady(in: program)
        }
        return proposed.count
    }

    // MARK: - Participants step back

    /// A participant declines a published pair before it goes live, or asks to rematch a live one.
    /// The partner is not told why; the program manager sees the note. The next run excludes the pair.
    func stepBack(from pair: Pair, participant: Participant, note rawNote: String?, in program: Program, by viewer: Viewer) async throws {
        let note = rawNote?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > 2000 { throw ValidationFailure("note", "must be at most 2000 characters") }
        let rematch: Bool
        switch pair.pairStatus {
        case .waiting: rematch = false
        case .live: rematch = true
        default: throw Abort(.conflict, reason: "This pair is \(pair.pairStatus.label.lowercased()); only a published pair can be declined or rematched.")
        }
        let programID = try program.requireID()
        let partnerID = pair.$mentee.id == participant.id ? pair.$mentor.id : pair.$mentee.id
        let partner = try await Participant.query(on: db).filter(\.$id == partnerID).with(\.$person).first()
        try await db.writeTransaction { db in
            pair.status = (rematch ? Pair.Status.rematched : .declined).rawValue
            pair.endedAt = clock.now
            try await pair.save(on: db)
            try await Exclusion(
                programID: programID, mentee: pair.$mentee.id, mentor: pair.$mentor.id, reason: rematch ? "rematch" : "declined",
                note: note?.isEmpty == false ? note : nil, by: participant.id, at: clock.now
            ).create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: rematch ? "pair.rematch_requested" : "pair.declined", object: "pair", id: pair.id)
            if let partner {
                try await Notifications(db: db, clock: clock).send(
                    to: partner.person.requireID(), kind: "pair.ended", title: "Your pair will be rematched",
                    body: "Your pair in \(program.name) won't continue. Your program manager will find you a new partner.", link: SitePath.program(programID))
            }
        }
    }
}
