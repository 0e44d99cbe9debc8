import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// A pair as one viewer sees it: one of its two people, or a manager of its program.
struct PairContext: Sendable {
    let pair: Pair
    let program: Program
    /// The viewer's side of the pair, when the viewer is in it.
    let me: Participant?

    var isParticipant: Bool { me != nil }
    var partner: Participant? {
        guard let me else { return nil }
        return pair.$mentee.id == me.id ? pair.mentor : pair.mentee
    }
    var pairID: UUID { pair.id! }

    /// Only the two people in the pair may change its goals, meetings and notes, and only while it works.
    func requireParticipant(_ action: String) throws -> Participant {
        guard let me else { throw Abort(.forbidden, reason: "Only the two people in a pair can \(action).") }
        return me
    }

    func requireWorking(_ action: String) throws {
        guard pair.pairStatus.isWorking else {
            throw Abort(.conflict, reason: "This pair is \(pair.pairStatus.label.lowercased()); you can \(action) only while it is live or paused.")
        }
    }
}

/// A pair and its two people as one row: what a pair's card shows and what deciding who may see it needs.
struct PairCard: Sendable, SQLRowReadable {
    let id: UUID
    let program_id: UUID
    let status: String
    let score: Double
    let reasons: String
    let warnings: String
    let locked: Bool
    let source: String
    let manual_reason: String?
    let mentee_id: UUID
    let mentee_person_id: UUID
    let mentee_accepted_at: Date?
    let mentee_name: String
    let mentee_title: String?
    let mentee_department: String
    let mentor_id: UUID
    let mentor_person_id: UUID
    let mentor_accepted_at: Date?
    let mentor_name: String
    let mentor_title: String?
    let mentor_department: String
}

extension PairCard {
    /// Read column by column: every view of a pair (its page, the API's pair) starts here.
    init(row: some SQLRow) throws {
        self.init(
            id: try row.read("id"), program_id: try row.read("program_id"), status: try row.read("status"), score: try row.read("score"),
            reasons: try row.read("reasons"), warnings: try row.read("warnings"), locked: try row.read("locked"), source: try row.read("source"),
            manual_reason: try row.read("manual_reason"), mentee_id: try row.read("mentee_id"), mentee_person_id: try row.read("mentee_person_id"),
            mentee_accepted_at: try row.read("mentee_accepted_at"), mentee_name: try row.read("mentee_name"), mentee_title: try row.read("mentee_title"),
            mentee_department: try row.read("mentee_department"), mentor_id: try row.read("mentor_id"), mentor_person_id: try row.read("mentor_person_id"),
            mentor_accepted_at: try row.read("mentor_accepted_at"), mentor_name: try row.read("mentor_name"), mentor_title: try row.read("mentor_title"),
            mentor_department: try row.read("mentor_department"))
    }

    var pairStatus: Pair.Status { Pair.Status(rawValue: status) ?? .proposed }

    /// The card of a pair loaded with both sides and their people.
    init(_ pair: Pair) {
        self.init(
            id: pair.id!, program_id: pair.$program.id, status: pair.status, score: pair.score, reasons: pair.reasonsJSON, warnings: pair.warningsJSON,
            locked: pair.locked, source: pair.source, manual_reason: pair.manualReason, mentee_id: pair.mentee.id!, mentee_person_id: pair.mentee.$person.id,
            mentee_accepted_at: pair.mentee.acceptedAt, mentee_name: pair.mentee.person.name, mentee_title: pair.mentee.person.title,
            mentee_department: pair.mentee.person.department, mentor_id: pair.mentor.id!, mentor_person_id: pair.mentor.$person.id,
            mentor_accepted_at: pair.mentor.acceptedAt, mentor_name: pair.mentor.person.name, mentor_title: pair.mentor.person.title,
            mentor_department: pair.mentor.person.department)
    }
}

/// Finds pairs for a viewer. Everything on a pair's page and in its API goes through here.
struct PairSpace {
    let db: any Database

    /// As whom a viewer sees a pair.
    enum Role: Equatable { case manager, mentee, mentor }

    /// Who may see a pair: an admin who manages its program, or one of its two people once they
    /// accepted their place, and never while it is only proposed. Nobody else learns it exists.
    static func role(
        of viewer: Viewer, status: Pair.Status, mentee: (person: UUID, accepted: Bool), mentor: (person: UUID, accepted: Bool),
        manages: () async throws -> Bool
    ) async throws -> Role? {
        if viewer.isAdmin { return try await manages() ? .manager : nil }
        guard let person = viewer.personID, status != .proposed else { return nil }
        if mentee.person == person, mentee.accepted { return .mentee }
        if mentor.person == person, mentor.accepted { return .mentor }
        return nil
    }

    static func notFound(_ id: UUID) -> Abort { Abort(.notFound, reason: "No pair with id \(id.text) is visible to you.") }

    /// The viewer's own published pair, or a pair of a program they manage; 404 otherwise.
    func context(_ id: UUID, viewer: Viewer) async throws -> PairContext {
        guard let (pair, program) = try await Pair.loadedWithProgram(id, on: db) else { throw Self.notFound(id) }
        let role = try await Self.role(
            of: viewer, status: pair.pairStatus, mentee: (pair.mentee.$person.id, pair.mentee.acceptedAt != nil),
            mentor: (pair.mentor.$person.id, pair.mentor.acceptedAt != nil)
        ) { try await Programs(db: db, clock: SystemClock()).manages(program, viewer) }
        switch role {
        case .manager: return PairContext(pair: pair, program: program, me: nil)
        case .mentee: return PairContext(pair: pair, program: program, me: pair.mentee)
        case .mentor: return PairContext(pair: pair, program: program, me: pair.mentor)
        case nil: throw Self.notFound(id)
        }
    }

    /// A pair's card (what `GET /api/v1/pairs/{id}` shows) in one plain query, for the same viewers
    /// as ``context(_:viewer:)``: reading it needs none of the models behind a pair's page.
    func card(_ id: UUID, viewer: Viewer) async throws -> (PairCard, Role) {
        let side = { (alias: String, person: String) in
            "\(alias).id AS \(alias)_id, \(alias).person_id AS \(alias)_person_id, \(alias).accepted_at AS \(alias)_accepted_at, "
                + "\(person).name AS \(alias)_name, \(person).title AS \(alias)_title, \(person).department AS \(alias)_department"
        }
        let query: SQLQueryString = """
            SELECT p.id, p.program_id, p.status, p.score, p.reasons, p.warnings, p.locked, p.source, p.manual_reason, \(unsafeRaw: side("mentee", "mentee_person")), \(unsafeRaw: side("mentor", "mentor_person"))
            FROM pairs p JOIN participants mentee ON mentee.id = p.mentee_id JOIN people mentee_person ON mentee_person.id = mentee.person_id
            JOIN participants mentor ON mentor.id = p.mentor_id JOIN people mentor_person ON mentor_person.id = mentor.person_id
            WHERE p.id = \(bind: id)
            """
        guard let card = try await db.sql().raw(query).first(reading: PairCard.self) else { throw Self.notFound(id) }
        let role = try await Self.role(
            of: viewer, status: card.pairStatus, mentee: (card.mentee_person_id, card.mentee_accepted_at != nil),
            mentor: (card.mentor_person_id, card.mentor_accepted_at != nil)
        ) { try await Programs(db: db, clock: SystemClock()).manages(programID: card.program_id, viewer) }
        guard let role else { throw Self.notFound(id) }
        return (card, role)
    }

    /// A published pair as one of its people sees it on their pages: the partner's side as a plain row.
    struct PartnerRow: SQLRowReadable {
        /// The viewer's own participant id in the pair.
        let own_id: UUID
        let id: UUID
        let status: String
        let reasons: String
        let partner_role: String
        let partner_name: String
        let partner_title: String?
        let partner_department: String

        init(row: some SQLRow) throws {
            own_id = try row.read("own_id")
            id = try row.read("id")
            status = try row.read("status")
            reasons = try row.read("reasons")
            partner_role = try row.read("partner_role")
            partner_name = try row.read("partner_name")
            partner_title = try row.read("partner_title")
            partner_department = try row.read("partner_department")
        }

        var pairStatus: Pair.Status { Pair.Status(rawValue: status) ?? .proposed }
    }

    /// The waiting, live and paused pairs of these participants, with each partner, in one query
    /// (the home page and a participant's program page show them on every visit).
    func partners(of participants: [UUID]) async throws -> [PartnerRow] {
        guard !participants.isEmpty else { return [] }
        let ids = participants.map { $0 as any Encodable & Sendable }
        let statuses = [Pair.Status.waiting, .live, .paused].map { $0.rawValue as any Encodable & Sendable }
        let side = { (own: String, other: String) -> SQLQueryString in
            """
            SELECT p.\(unsafeRaw: own) AS own_id, p.id, p.status, p.reasons, s.role AS partner_role, pe.name AS partner_name,
                pe.title AS partner_title, pe.department AS partner_department
            FROM pairs p JOIN participants s ON s.id = p.\(unsafeRaw: other) JOIN people pe ON pe.id = s.person_id
            WHERE p.\(unsafeRaw: own) IN (\(binds: ids)) AND p.status IN (\(binds: statuses))
            """
        }
        return try await db.sql().raw(side("mentee_id", "mentor_id") + " UNION ALL " + side("mentor_id", "mentee_id") + " ORDER BY partner_name")
            .all(reading: PartnerRow.self)
    }

    /// Every pair the person is in (any status but proposed), with both people loaded.
    func pairs(ofPerson person: UUID) async throws -> [Pair] {
        let mine = try await Participant.query(on: db).filter(\.$person.$id == person).filter(\.$acceptedAt != nil).all().compactMap(\.id)
        guard !mine.isEmpty else { return [] }
        let pairs = try await Pair.query(on: db).group(.or) { $0.filter(\.$mentee.$id ~~ mine).filter(\.$mentor.$id ~~ mine) }
            .filter(\.$status != Pair.Status.proposed.rawValue)
            .joiningSides().all()
        for pair in pairs { try pair.takeJoinedSides() }
        return pairs
    }
}

extension Request {
    var pairSpace: PairSpace { PairSpace(db: database) }

    func pairContext(_ parameter: String = "pairID") async throws -> PairContext {
        try await pairSpace.context(try IDParameter.parse(self, parameter), viewer: viewer)
    }
}
