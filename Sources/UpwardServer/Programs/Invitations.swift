import Fluent
import Foundation
import UpwardCore
import Vapor

/// Inviting people from the directory, and accepting an invitation. Tokens are one-time,
/// expire, and only their SHA-256 is stored: the link is shown once, when it is made.
struct Invitations {
    let db: any Database
    let clock: any UpwardClock
    let lifetime: TimeInterval

    struct Link: Sendable {
        let participant: Participant
        let person: Person
        let token: String
        var path: String { SitePath.invitation(token) }
    }

    struct Outcome: Sendable {
        var links: [Link] = []
        /// People not invited, and why (already invited, left the organization).
        var skipped: [(name: String, reason: String)] = []
    }

    static let bulkLimit = 500

    /// Invites people as mentors or mentees; each gets a one-time link and an in-app notification.
    func invite(_ personIDs: [UUID], role: Enrollment.Role, to program: Program, by viewer: Viewer) async throws -> Outcome {
        guard [.draft, .enrolling, .matching, .active].contains(program.programStatus) else {
            throw Abort(.conflict, reason: "A \(program.programStatus.label.lowercased()) program takes no new participants.")
        }
        guard !personIDs.isEmpty else { throw ValidationFailure("people", "choose at least one person to invite") }
        guard personIDs.count <= Self.bulkLimit else {
            throw ValidationFailure("people", "at most \(Self.bulkLimit) people at a time (\(personIDs.count) chosen); narrow the filters")
        }
        let programID = try program.requireID()
        let people = try await Person.query(on: db).filter(\.$id ~~ personIDs).sort(\.$name).all()
        let missing = Set(personIDs).subtracting(people.compactMap(\.id))
        if let first = missing.first { throw ValidationFailure("people", "no person with id \(first.text) is in the directory") }
        let existing = Set(try await Participant.query(on: db).filter(\.$program.$id == programID).filter(\.$person.$id ~~ personIDs).all().map(\.$person.id))
        return try await db.writeTransaction { db -> Outcome in
            var outcome = Outcome()
            for person in people {
                if let left = person.terminationDate {
                    outcome.skipped.append((person.name, "left the organization on \(left)"))
                    continue
                }
                if existing.contains(try person.requireID()) {
                    outcome.skipped.append((person.name, "already invited to this program"))
                    continue
                }
                let token = SessionStore.newToken()
                let participant = Participant()
                participant.$program.id = programID
                participant.$person.id = try person.requireID()
                participant.role = role.rawValue
                participant.invitationHash = SessionStore.hash(token)
                participant.invitationExpiresAt = clock.now.addingTimeInterval(lifetime)
                participant.invitedAt = clock.now
                // Someone whose account exists is linked now; they still accept to join.
                participant.$user.id = try await User.query(on: db).filter(\.$person.$id == person.requireID()).first()?.id
                try await participant.create(on: db)
                try await Notifications(db: db, clock: clock).send(
                    to: person.requireID(), kind: "invitation", title: "You're invited to \(program.name)",
                    body: "You are invited to \(program.name) as a \(role.rawValue). Use this link to join; it works once, for \(Int(lifetime / 86_400)) days.",
                    link: SitePath.invitation(token))
                try await AuditLog(db: db, clock: clock).record(
                    viewer, program: programID, action: "invitation.sent", object: "participant", id: participant.id,
                    detail: "\(person.email) as \(role.rawValue)")
                outcome.links.append(Link(participant: participant, person: person, token: token))
            }
            return outcome
        }
    }

    /// A fresh link for someone who has not accepted yet; the old one stops working.
    func reissue(_ participant: Participant, by viewer: Viewer) async throws -> String {
        guard participant.acceptedAt == nil else { throw Abort(.conflict, reason: "This invitation was already accepted.") }
        let token = SessionStore.newToken()
        participant.invitationHash = SessionStore.hash(token)
        participant.invitationExpiresAt = clock.now.addingTimeInterval(lifetime)
        try await db.writeTransaction { db in
            try await participant.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: participant.$program.id, action: "invitation.reissued", object: "participant", id: participant.id)
            let program = try await Program.fetch(participant.$program.id, on: db)
            try await Notifications(db: db, clock: clock).send(
                to: participant.$person.id, kind: "invitation", title: "Your new link to join \(program?.name ?? "the program")",
                body: "Your program manager sent a new invitation link; the earlier one no longer works. It works once, for \(Int(lifetime / 86_400)) days.",
                link: SitePath.invitation(token))
        }
        return token
    }

    /// The invitation behind a token: unknown, used and expired links are refused with a message.
    func find(token: String) async throws -> (Participant, Program, Person) {
        guard SessionStore.isWellFormed(token),
            let participant = try await Participant.query(on: db).filter(\.$invitationHash == SessionStore.hash(token)).first()
        else {
            throw Abort(.notFound, reason: "This invitation link is not valid. It may have been used already or replaced by a newer one.")
        }
        guard participant.invitationExpiresAt > clock.now else {
            throw Abort(.gone, reason: "This invitation link expired. Ask your program manager for a new one.")
        }
        let program = try await participant.$program.get(on: db)
        let person = try await participant.$person.get(on: db)
        return (participant, program, person)
    }

    /// Accepts: creates the account with `password` when there is none, or joins the signed-in account.
    /// Returns the account to sign in.
    func accept(token: String, password: String?, name: String?, signedIn: Viewer?, accounts: Accounts) async throws -> User {
        let (participant, program, person) = try await find(token: token)
        guard [.draft, .enrolling, .matching, .active].contains(program.programStatus) else {
            throw Abort(.conflict, reason: "\(program.name) is \(program.programStatus.label.lowercased()); it takes no new participants.")
        }
        guard !person.hasLeft else { throw Abort(.forbidden, reason: "\(person.name) has left the organization.") }
        let personID = try person.requireID()
        let existing = try await User.query(on: db).filter(\.$person.$id == personID).first()
        if let existing {
            guard let signedIn, signedIn.id == existing.id else {
                throw Abort(
                    .forbidden,
                    reason: "This invitation is for \(person.name), who already has an account: sign in as \(person.email) first, then open the link again.")
            }
        } else {
            if let signedIn, signedIn.personID != personID {
                throw Abort(.forbidden, reason: "This invitation is for \(person.name); sign out first to accept it.")
            }
            guard let password, !password.isEmpty else { throw ValidationFailure("password", "choose a password for your new account") }
            do { try PasswordPolicy.check(password) } catch { throw ValidationFailure("password", error.description) }
        }
        let chosen = name?.trimmingCharacters(in: .whitespaces) ?? ""
        // The new account and the accepted invitation are written together, or neither is.
        let user = try await db.writeTransaction { db -> User in
            let user: User
            if let existing {
                user = existing
            } else {
                user = try await Accounts(db: db, hasher: accounts.hasher, environment: accounts.environment).createUser(
                    email: person.email, name: chosen.isEmpty ? person.name : String(chosen.prefix(120)), password: password ?? "",
                    role: .participant, personID: personID)
            }
            participant.$user.id = try user.requireID()
            participant.acceptedAt = clock.now
            participant.invitationHash = nil
            try await participant.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                Viewer(user), program: program.id, action: "invitation.accepted", object: "participant", id: participant.id, detail: person.email)
            return user
        }
        return user
    }
}
