import Fluent
import Foundation
import UpwardCore
import Vapor

/// Where participants choose: a mentee requests one of their top suggestions; the mentor accepts
/// or declines; a request not answered in time passes to the mentee's next choice.
struct Suggestions {
    let db: any Database
    let clock: any UpwardClock

    static let count = 5

    struct Suggestion: Sendable {
        let mentor: Participant
        let person: Person
        let score: Double
        let reasons: [String]
    }

    static func requireChoosing(_ program: Program) throws {
        guard program.settings.selectionMode == .suggestions else {
            throw Abort(.conflict, reason: "In \(program.name) the program manager forms the pairs; there are no suggestions to choose from.")
        }
        try Matchmaking.requireMatching(program)
    }

    /// Mentors taken up to their capacity by published pairs and pending requests.
    func fullMentors(_ programID: UUID, built: ProgramModel) async throws -> Set<UUID> {
        var load: [UUID: Int] = [:]
        for pair in try await Pair.query(on: db).filter(\.$program.$id == programID)
            .filter(\.$status ~~ [Pair.Status.waiting.rawValue, Pair.Status.live.rawValue, Pair.Status.proposed.rawValue]).all()
        {
            load[pair.$mentor.id, default: 0] += 1
        }
        for request in try await MatchRequest.query(on: db).filter(\.$program.$id == programID).filter(\.$status == MatchRequest.Status.pending.rawValue).all()
        {
            load[request.$mentor.id, default: 0] += 1
        }
        return Set(built.mentors.filter { (load[$0.id!] ?? 0) >= ($0.answers?.capacity ?? 1) }.map { $0.id! })
    }

    /// The mentee's best mentors who still have room, with the engine's reasons.
    func suggestions(for mentee: Participant, in program: Program) async throws -> [Suggestion] {
        let built = try await Matchmaking(db: db, clock: clock).model(for: program)
        guard let i = built.menteeIndex[mentee.id!] else { return [] }
        let full = try await fullMentors(program.requireID(), built: built)
        var result: [Suggestion] = []
        for (j, score) in built.model.suggestions(mentee: i, count: built.mentors.count) where !full.contains(built.mentors[j].id!) {
            guard let person = built.person(built.mentors[j]) else { continue }
            result.append(Suggestion(mentor: built.mentors[j], person: person, score: score, reasons: built.model.reasons(mentee: i, mentor: j)))
            if result.count == Self.count { break }
        }
        return result
    }

    func pending(for mentee: Participant) async throws -> MatchRequest? {
        try await MatchRequest.query(on: db).filter(\.$mentee.$id == mentee.requireID()).filter(\.$status == MatchRequest.Status.pending.rawValue).first()
    }

    func incoming(for mentor: Participant) async throws -> [MatchRequest] {
        try await MatchRequest.query(on: db).filter(\.$mentor.$id == mentor.requireID()).filter(\.$status == MatchRequest.Status.pending.rawValue)
            .with(\.$mentee) { $0.with(\.$person) }.sort(\.$requestedAt).all()
    }

    /// The mentee asks `mentorID`, one of their suggestions; the others stay behind it as next choices.
    func request(_ mentorID: UUID, by mentee: Participant, in program: Program, viewer: Viewer) async throws -> MatchRequest {
        try Self.requireChoosing(program)
        guard mentee.enrollmentRole == .mentee else { throw Abort(.forbidden, reason: "Only mentees request a mentor; mentors answer requests.") }
        let programID = try program.requireID()
        if try await pending(for: mentee) != nil { throw Abort(.conflict, reason: "You already have a request waiting for an answer.") }
        if try await Pair.query(on: db).filter(\.$mentee.$id == mentee.requireID())
            .filter(\.$status ~~ [Pair.Status.waiting.rawValue, Pair.Status.live.rawValue, Pair.Status.paused.rawValue]).count() > 0
        {
            throw Abort(.conflict, reason: "You already have a mentor in this program.")
        }
        let options = try await suggestions(for: mentee, in: program)
        guard let chosen = options.first(where: { $0.mentor.id == mentorID }) else {
            throw ValidationFailure("mentorId", "is not one of your current suggestions")
        }
        let choices = [chosen] + options.filter { $0.mentor.id != mentorID }
        let request = MatchRequest()
        request.$program.id = programID
        request.$mentee.id = try mentee.requireID()
        request.$mentor.id = mentorID
        request.choicesJSON = JSONText.encode(choices.map { $0.mentor.id!.text })
        request.position = 0
        request.status = MatchRequest.Status.pending.rawValue
        request.requestedAt = clock.now
        request.dueAt = clock.now.addingTimeInterval(Double(program.requestTimeoutDays) * 86_400)
        let menteePerson = try await mentee.$person.get(on: db)
        try await db.writeTransaction { db in
            try await request.create(on: db)
            try await notifyMentor(chosen.person, mentee: menteePerson, program: program, request: request, on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: programID, action: "request.sent", object: "match_request", id: request.id, detail: "to \(chosen.person.email)")
        }
        return request
    }

    private func notifyMentor(_ mentor: Person, mentee: Person, program: Program, request: MatchRequest, on db: any Database) async throws {
        try await Notifications(db: db, clock: clock).send(
            to: mentor.requireID(), kind: "request.received", title: "\(mentee.name) asks you to be their mentor",
            body:
                "\(mentee.name) (\(mentee.department)) would like you as their mentor in \(program.name). Please answer within \(program.requestTimeoutDays) days.",
            link: SitePath.program(program.id!))
    }

    /// The mentor's answer. A decline passes the request on to the mentee's next choice.
    func answer(_ request: MatchRequest, accept: Bool, by mentor: Participant, in program: Program, viewer: Viewer) async throws -> Pair? {
        guard request.$mentor.id == mentor.id, request.status == MatchRequest.Status.pending.rawValue else {
            throw Abort(.notFound, reason: "No request with id \(request.id!.text) is waiting for your answer.")
        }
        try Self.requireChoosing(program)
        let programID = try program.requireID()
        if !accept {
            try await db.writeTransaction { db in
                try await Exclusion(
                    programID: programID, mentee: request.$mentee.id, mentor: request.$mentor.id, reason: "request-declined", by: mentor.id,
                    at: clock.now
                ).create(on: db)
                try await AuditLog(db: db, clock: clock).record(viewer, program: programID, action: "request.declined", object: "match_request", id: request.id)
                try await Suggestions(db: db, clock: clock).pass(request, in: program, because: .declined)
            }
            return nil
        }
        let built = try await Matchmaking(db: db, clock: clock).model(for: program)
        guard let i = built.menteeIndex[request.$mentee.id], let j = built.mentorIndex[mentor.id!] else {
            throw Abort(.conflict, reason: "The mentee is no longer enrolled.")
        }
        if let refusal = built.model.manualRefusal(mentee: i, mentor: j) { throw Abort(.conflict, reason: refusal) }
        let pair = Matchmaking.newPair(
            built, mentee: i, mentor: j, threshold: program.reviewThreshold, source: "request", locked: true, reason: nil, now: clock.now, status: .waiting)
        try await db.writeTransaction { db in
            request.status = MatchRequest.Status.accepted.rawValue
            request.answeredAt = clock.now
            try await request.save(on: db)
            try await pair.create(on: db)
            if let mentee = built.person(built.mentees[i]), let mentorPerson = built.person(built.mentors[j]) {
                try await Notifications(db: db, clock: clock).send(
                    to: mentee.requireID(), kind: "request.accepted", title: "\(mentorPerson.name) accepted your request",
                    body: "\(mentorPerson.name) is your mentor in \(program.name).", link: SitePath.pair(pair.id!))
            }
            try await AuditLog(db: db, clock: clock).record(viewer, program: programID, action: "request.accepted", object: "pair", id: pair.id)
            try await PairLifecycle(db: db, clock: clock).promoteReady(in: program)
        }
        return pair
    }

    enum PassReason { case declined, timedOut }

    /// Sends the request to the mentee's next choice that still has room, and tells the mentee.
    func pass(_ request: MatchRequest, in program: Program, because why: PassReason) async throws {
        let choices = request.choices
        let built = try await Matchmaking(db: db, clock: clock).model(for: program)
        let full = try await fullMentors(program.requireID(), built: built)
        let before = built.mentorIndex[request.$mentor.id].flatMap { built.person(built.mentors[$0]) }
        let menteeIndex = built.menteeIndex[request.$mentee.id]
        var next: (position: Int, mentor: Participant)?
        for position in (request.position + 1)..<max(request.position + 1, choices.count) {
            // The request itself still counts against the current mentor; any other full mentor is skipped.
            guard let j = built.mentorIndex[choices[position]], !full.contains(choices[position]) || choices[position] == request.$mentor.id else { continue }
            if let i = menteeIndex, built.model.violation(mentee: i, mentor: j) != nil { continue }
            next = (position, built.mentors[j])
            break
        }
        let who = before?.name ?? "Your mentor"
        let why = why == .declined ? "\(who) can't take you on" : "\(who) did not answer within \(program.requestTimeoutDays) days"
        let menteePerson = try await Person.fetch(try await Participant.fetch(request.$mentee.id, on: db)?.$person.id, on: db)
        request.answeredAt = clock.now
        if let next, let person = built.person(next.mentor) {
            request.$mentor.id = next.mentor.id!
            request.position = next.position
            request.requestedAt = clock.now
            request.dueAt = clock.now.addingTimeInterval(Double(program.requestTimeoutDays) * 86_400)
            try await request.save(on: db)
            if let menteePerson {
                try await Notifications(db: db, clock: clock).send(
                    to: menteePerson.requireID(), kind: "request.passed", title: "Your request passed to \(person.name)",
                    body: "\(why), so your request went to your next choice, \(person.name).", link: SitePath.program(program.id!))
                try await notifyMentor(person, mentee: menteePerson, program: program, request: request, on: db)
            }
            try await AuditLog(db: db, clock: clock).record(
                nil, program: program.id, action: "request.passed", object: "match_request", id: request.id, detail: "\(why); now to \(person.email)")
        } else {
            request.status = MatchRequest.Status.exhausted.rawValue
            try await request.save(on: db)
            if let menteePerson {
                try await Notifications(db: db, clock: clock).send(
                    to: menteePerson.requireID(), kind: "request.exhausted", title: "None of your choices could take you",
                    body: "\(why), and none of your other choices has room. Your program manager will match you.", link: SitePath.program(program.id!))
            }
            try await AuditLog(db: db, clock: clock).record(
                nil, program: program.id, action: "request.passed", object: "match_request", id: request.id, detail: "\(why); no choices left")
        }
    }

    /// Passes on every request whose time is up. Run by housekeeping and before pages that show requests.
    func passOverdue() async throws {
        let due = try await MatchRequest.query(on: db).filter(\.$status == MatchRequest.Status.pending.rawValue).filter(\.$dueAt <= clock.now).all()
        for request in due {
            guard let program = try await Program.fetch(request.$program.id, on: db) else { continue }
            try await db.writeTransaction { db in try await Suggestions(db: db, clock: clock).pass(request, in: program, because: .timedOut) }
        }
    }
}
