import Fluent
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport
import VaporTesting

@testable import UpwardServer

/// A small organization with two program managers and a program run through the services.
struct ProgramWorld {
    let app: Application
    let clock: FixedClock
    /// Runs program A (organization-wide: no; assigned).
    let managerA: User
    /// Runs only program B.
    let managerB: User
    let programA: Program
    let programB: Program
    /// Accepted participants of program A, by employee id.
    var participants: [String: Participant] = [:]
    var users: [String: User] = [:]
    static let password = "correct horse battery"
    /// A diversity answer every mentee gives; no page or API response other than their own may show it.
    static let privateMarker = "private-diversity-answer"

    /// Seniors (mentees) S1-S3 at level 12, juniors (mentors) J1-J4 at level 2-3, J9 has left.
    /// J1 reports (through L1) to S1, so S1-J1 breaks the reporting-chain rule.
    static let people: [PersonRecord] = {
        func person(
            _ id: String, _ name: String, _ dept: String, _ level: Int, _ manager: String?, _ gen: Generation, place: String = "Berlin", left: Bool = false
        ) -> PersonRecord {
            PersonRecord(
                employeeID: id, email: "\(id.lowercased())@example.com", name: name, title: level > 10 ? "Director" : "Associate", department: dept,
                businessUnit: nil, location: place, timeZone: "Europe/Berlin", managerID: manager, level: level, hireDate: nil, generation: gen,
                terminationDate: left ? CalendarDate(year: 2026, month: 3, day: 1) : nil)
        }
        return [
            person("CEO", "Casey Chief", "Executive", 15, nil, .genX),
            person("S1", "Sam Senior", "Sales", 12, "CEO", .genX),
            person("S2", "Sky Senior", "Finance", 12, "CEO", .boomer),
            person("S3", "Sol Senior", "Operations", 12, "CEO", .genX, place: "Lisbon"),
            person("L1", "Lee Lead", "Sales", 6, "S1", .millennial),
            person("J1", "Jo Junior", "Sales", 2, "L1", .genZ),
            person("J2", "Jay Junior", "Marketing", 2, "CEO", .genZ, place: "Lisbon"),
            person("J3", "Jin Junior", "Engineering", 3, "CEO", .genZ),
            person("J4", "Joy Junior", "Design", 2, "CEO", .millennial),
            person("J9", "Jamie Gone", "Design", 2, "CEO", .genZ, left: true),
        ]
    }()

    var services: (Programs, Invitations, Enrollments, Matchmaking, Suggestions) {
        (
            Programs(db: app.db, clock: clock), Invitations(db: app.db, clock: clock, lifetime: app.upward.configuration.invitationLifetime),
            Enrollments(db: app.db, clock: clock), Matchmaking(db: app.db, clock: clock), Suggestions(db: app.db, clock: clock)
        )
    }

    static func settings(_ name: String, mode: SelectionMode = .manager) throws -> ProgramSettings {
        var input = ProgramSettings.Input()
        input.name = name
        input.focusAreas = ["AI tools"]
        input.startsOn = "2026-01-01"
        input.endsOn = "2026-06-30"
        input.minimumLevelGap = 4
        input.selectionMode = mode.rawValue
        input.reviewThreshold = 40
        return try ProgramSettings.validate(input)
    }

    static func person(_ app: Application, _ employeeID: String) async throws -> Person {
        try #require(try await Person.query(on: app.db).filter(\.$employeeID == employeeID).first())
    }

    /// Program A: S1-S3 invited as mentees, J1-J4 as mentors, all accepted; enrolled and trained when asked.
    static func make(
        _ app: Application, clock: FixedClock, mode: SelectionMode = .manager, enroll: Bool = true, ready: Bool = true, modules: Bool = true
    ) async throws -> ProgramWorld {
        _ = try await PeopleDirectory(db: app.db).importPeople(PeopleFile(records: people))
        let accounts = Accounts(db: app.db, hasher: app.password.async, environment: app.upward)
        let managerA = try await accounts.createUser(email: "pm-a@example.com", name: "Pat A", password: password, role: .admin)
        let managerB = try await accounts.createUser(email: "pm-b@example.com", name: "Pat B", password: password, role: .admin)
        let programs = Programs(db: app.db, clock: clock)
        let programA = try await programs.create(try settings("Program A", mode: mode), by: Viewer(managerA))
        let programB = try await programs.create(try settings("Program B"), by: Viewer(managerB))
        var world = ProgramWorld(app: app, clock: clock, managerA: managerA, managerB: managerB, programA: programA, programB: programB)
        let (_, invitations, enrollments, _, _) = world.services
        if modules {
            _ = try await enrollments.addModule(.init(title: "Basics", content: "# Hello", audience: "both"), to: programA, by: Viewer(managerA))
            _ = try await enrollments.addModule(.init(title: "For mentors", content: "Teach", audience: "mentors"), to: programA, by: Viewer(managerA))
        }
        try await programs.transition(programA, to: .enrolling, by: Viewer(managerA))
        for (ids, role) in [(["S1", "S2", "S3"], Enrollment.Role.mentee), (["J1", "J2", "J3", "J4"], .mentor)] {
            var personIDs: [UUID] = []
            for id in ids { personIDs.append(try await person(app, id).requireID()) }
            let outcome = try await invitations.invite(personIDs, role: role, to: programA, by: Viewer(managerA))
            for link in outcome.links {
                let user = try await invitations.accept(token: link.token, password: password, name: nil, signedIn: nil, accounts: accounts)
                world.participants[link.person.employeeID] = link.participant
                world.users[link.person.employeeID] = user
                if enroll {
                    try await enrollments.submit(answers(role: role), for: link.participant, in: programA, by: Viewer(user))
                }
                if ready { try await world.makeReady(link.person.employeeID) }
            }
        }
        return world
    }

    static func answers(role: Enrollment.Role) -> EnrollmentForm.Input {
        var input = EnrollmentForm.Input()
        if role == .mentor {
            input.offers = [.init(skill: "AI tools", level: 5)]
            input.goals = [.init(skill: "Leadership", current: 1, target: 3)]
        } else {
            input.offers = [.init(skill: "Leadership", level: 5)]
            input.goals = [.init(skill: "AI tools", current: 1, target: 4)]
            // Private answers that must never reach the partner (the CEO is no mentor, so matching is unchanged).
            input.avoid = ["CEO"]
            input.diversityConsent = true
            input.diversity = ["gender": privateMarker]
        }
        return input
    }

    /// Completes every module and the agreement for one participant.
    func makeReady(_ employeeID: String) async throws {
        let (_, _, enrollments, _, _) = services
        let participant = participants[employeeID]!
        let viewer = Viewer(users[employeeID]!)
        for module in try await enrollments.modules(of: programA.requireID()) where module.moduleAudience.applies(to: participant.enrollmentRole) {
            try await enrollments.completeModule(module.requireID(), for: participant, in: programA, by: viewer)
        }
        try await enrollments.agree(participant, in: programA, by: viewer)
    }

    func signIn(_ employeeID: String) async throws -> Browser {
        let browser = Browser(app)
        let response = try await browser.signIn("\(employeeID.lowercased())@example.com", Self.password)
        #expect(response.status == .seeOther)
        return browser
    }

    func signIn(manager: User) async throws -> Browser {
        let browser = Browser(app)
        try await browser.signIn(manager.email, Self.password)
        return browser
    }

    func token(_ user: User) async throws -> String {
        try await APITokens(db: app.db, clock: clock).create(for: user, name: "test", by: nil).1
    }

    func api(_ method: HTTPMethod, _ path: String, token: String, json: String? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if json != nil { headers.add(name: .contentType, value: "application/json") }
        return try await app.testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    func pairs(status: Pair.Status? = nil) async throws -> [Pair] {
        let query = Pair.query(on: app.db).filter(\.$program.$id == programA.id!).with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }
        if let status { query.filter(\.$status == status.rawValue) }
        return try await query.all()
    }

    func actions() async throws -> Set<String> {
        Set(try await AuditEntry.query(on: app.db).all().map(\.action))
    }
}

extension Pair {
    var names: String { "\(mentee.person.employeeID)-\(mentor.person.employeeID)" }
}
