import Fluent
import Foundation
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

/// Finds pairs for a viewer. Everything on a pair's page and in its API goes through here.
struct PairSpace {
    let db: any Database

    /// The viewer's own published pair, or a pair of a program they manage; 404 otherwise.
    func context(_ id: UUID, viewer: Viewer) async throws -> PairContext {
        let notFound = Abort(.notFound, reason: "No pair with id \(id.uuidString) is visible to you.")
        guard let (pair, program) = try await Pair.loadedWithProgram(id, on: db) else { throw notFound }
        if viewer.isAdmin {
            guard try await Programs(db: db, clock: SystemClock()).manages(program, viewer) else { throw notFound }
            return PairContext(pair: pair, program: program, me: nil)
        }
        guard let person = viewer.personID, pair.pairStatus != .proposed else { throw notFound }
        if pair.mentee.$person.id == person, pair.mentee.acceptedAt != nil { return PairContext(pair: pair, program: program, me: pair.mentee) }
        if pair.mentor.$person.id == person, pair.mentor.acceptedAt != nil { return PairContext(pair: pair, program: program, me: pair.mentor) }
        throw notFound
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
    var pairSpace: PairSpace { PairSpace(db: db) }

    func pairContext(_ parameter: String = "pairID") async throws -> PairContext {
        try await pairSpace.context(try IDParameter.parse(self, parameter), viewer: viewer)
    }
}
