import Fluent
import Foundation
import UpwardCore
import Vapor

/// Fills an empty database with the demo organization, an active pilot with live pairs and a
/// second program still enrolling. Everything goes through the same services as the pages.
struct DemoSeeder {
    let db: any Database
    let accounts: Accounts

    struct Credential: Sendable {
        let role: String
        let name: String
        let email: String
        let password: String
    }

    var clock: any UpwardClock { accounts.environment.clock }

    func seed() async throws -> [Credential] {
        _ = try await PeopleDirectory(db: db).importPeople(PeopleFile(records: DemoOrganization.people()))
        var credentials: [Credential] = []
        let adminPassword = Self.generatePassword()
        let admin = try await accounts.createUser(
            email: "admin@upward.example", name: "Morgan Reyes", password: adminPassword, role: .admin, organizationAdmin: true)
        credentials.append(Credential(role: "program manager", name: "Morgan Reyes", email: "admin@upward.example", password: adminPassword))
        let scopedPassword = Self.generatePassword()
        let scoped = try await accounts.createUser(email: "pm@upward.example", name: "Jordan Lee", password: scopedPassword, role: .admin)
        credentials.append(Credential(role: "manager (spring only)", name: "Jordan Lee", email: "pm@upward.example", password: scopedPassword))

        // Round-robin over departments, so pairs can cross departments and reporting chains.
        let juniors = Self.spread(
            try await Person.query(on: db).filter(\.$level <= 3).filter(\.$generation == Generation.genZ.rawValue)
                .filter(\.$terminationDate == nil).sort(\.$employeeID).all(), count: 16)
        let seniors = Self.spread(
            try await Person.query(on: db).filter(\.$level >= 11).filter(\.$chainDepth >= 1).sort(\.$employeeID).all(), count: 12)
        let manager = Viewer(admin)
        let programs = Programs(db: db, clock: clock)
        let invitations = Invitations(db: db, clock: clock, lifetime: accounts.environment.configuration.invitationLifetime)
        let enrollments = Enrollments(db: db, clock: clock)
        var random = SeededGenerator(seed: 7)

        // The pilot: invited, enrolled, trained, matched, approved and live.
        let pilot = try await programs.create(try ProgramSettings.validate(Self.settings(name: "Digital Leadership Pilot", pilot: true)), by: manager)
        for module in Self.modules { _ = try await enrollments.addModule(module, to: pilot, by: manager) }
        try await programs.transition(pilot, to: .enrolling, by: manager)
        let pilotMentors = try await invitations.invite(juniors.prefix(6).compactMap(\.id), role: .mentor, to: pilot, by: manager)
        let pilotMentees = try await invitations.invite(seniors.prefix(6).compactMap(\.id), role: .mentee, to: pilot, by: manager)
        var livePeople: [(Person, String, Enrollment.Role)] = []
        for (link, role) in pilotMentors.links.map({ ($0, Enrollment.Role.mentor) }) + pilotMentees.links.map({ ($0, Enrollment.Role.mentee) }) {
            let password = Self.generatePassword()
            let user = try await invitations.accept(token: link.token, password: password, name: nil, signedIn: nil, accounts: accounts)
            let viewer = Viewer(user)
            try await enrollments.submit(Self.answers(role: role, using: &random), for: link.participant, in: pilot, by: viewer)
            for module in try await enrollments.modules(of: pilot.requireID()) where module.moduleAudience.applies(to: role) {
                try await enrollments.completeModule(module.requireID(), for: link.participant, in: pilot, by: viewer)
            }
            try await enrollments.agree(link.participant, in: pilot, by: viewer)
            livePeople.append((link.person, password, role))
        }
        try await programs.transition(pilot, to: .matching, by: manager)
        _ = try await Matchmaking(db: db, clock: clock).run(pilot, by: manager)
        _ = try await Matchmaking(db: db, clock: clock).approve(pilot, by: manager)
        // Print one live mentor and one live mentee.
        let live = try await Pair.query(on: db).filter(\.$program.$id == pilot.requireID()).filter(\.$status == Pair.Status.live.rawValue)
            .with(\.$mentee) { $0.with(\.$person) }.with(\.$mentor) { $0.with(\.$person) }.sort(\.$createdAt).first()
        if let live {
            for (person, password, role) in livePeople where person.id == live.mentor.$person.id || person.id == live.mentee.$person.id {
                credentials.append(Credential(role: "pilot \(role.rawValue) (live)", name: person.name, email: person.email, password: password))
            }
        }

        // The spring cohort: enrolling, with invitations out, some accepted, some enrollments in progress.
        let spring = try await programs.create(
            try ProgramSettings.validate(Self.settings(name: "Spring Cohort: AI and Social Media", pilot: false)), by: manager)
        try await programs.addManager(spring, email: "pm@upward.example", by: manager)
        for module in Self.modules { _ = try await enrollments.addModule(module, to: spring, by: manager) }
        try await programs.transition(spring, to: .enrolling, by: manager)
        let springMentors = try await invitations.invite(juniors.dropFirst(6).prefix(6).compactMap(\.id), role: .mentor, to: spring, by: Viewer(scoped))
        let springMentees = try await invitations.invite(seniors.dropFirst(6).prefix(4).compactMap(\.id), role: .mentee, to: spring, by: Viewer(scoped))
        for (index, link) in (springMentors.links.prefix(3) + springMentees.links.prefix(2)).enumerated() {
            let role = link.participant.enrollmentRole
            let password = Self.generatePassword()
            let user = try await invitations.accept(token: link.token, password: password, name: nil, signedIn: nil, accounts: accounts)
            if index == 0 {
                credentials.append(Credential(role: "spring mentor (to enroll)", name: link.person.name, email: link.person.email, password: password))
                continue
            }
            try await enrollments.submit(Self.answers(role: role, using: &random), for: link.participant, in: spring, by: Viewer(user))
            if index.isMultiple(of: 2) { try await enrollments.agree(link.participant, in: spring, by: Viewer(user)) }
        }
        return credentials
    }

    /// The first `count` people taking one from each department in turn.
    static func spread(_ people: [Person], count: Int) -> [Person] {
        var byDepartment: [String: [Person]] = [:]
        var order: [String] = []
        for person in people {
            if byDepartment[person.department] == nil { order.append(person.department) }
            byDepartment[person.department, default: []].append(person)
        }
        var result: [Person] = []
        var round = 0
        while result.count < count, round < people.count {
            for department in order where result.count < count {
                if let list = byDepartment[department], round < list.count { result.append(list[round]) }
            }
            round += 1
        }
        return result
    }

    static func settings(name: String, pilot: Bool) -> ProgramSettings.Input {
        var input = ProgramSettings.Input()
        input.name = name
        input.description =
            pilot
            ? "Six junior colleagues coach six senior leaders on AI tools and digital collaboration, every two weeks for a quarter."
            : "The second cohort, open to more departments: AI, social media and how Gen Z works."
        input.focusAreas = pilot ? ["AI tools", "Digital collaboration tools"] : ["AI tools", "Social media", "How Gen Z and Millennials work"]
        input.cadenceDays = 14
        input.startsOn = pilot ? "2026-10-01" : "2027-01-15"
        input.endsOn = pilot ? "2026-12-31" : "2027-06-30"
        input.isPilot = pilot
        input.minimumLevelGap = 4
        input.maximumMenteesPerMentor = 1
        input.differentDepartmentOnly = false
        input.objective = "participation"
        input.selectionMode = "manager"
        return input
    }

    static let modules: [Enrollments.ModuleInput] = [
        .init(
            title: "What reverse mentoring is",
            content: """
                ## Both sides teach, both sides learn
                The junior colleague shares **digital skills** and a fresh view; the senior leader shares **leadership, strategy and context**.

                - Agree on goals in the first meeting
                - Keep a regular rhythm, with room for open talk
                - What is said in a session stays there

                Read more in the [program guide](https://upward.example/guide).
                """, audience: "both"),
        .init(
            title: "Mentoring a senior leader",
            content: """
                ## Speaking up
                You are the expert here. Bring examples from your own work, ask what your mentee wants to try, and give honest feedback.
                """, audience: "mentors"),
    ]

    static let skills = ["AI tools", "Social media", "Collaboration tools", "Data literacy", "Video editing", "Prompt writing"]
    static let growth = ["Leadership", "Strategic thinking", "Public speaking", "Negotiation", "Stakeholder management"]
    static let interests = ["music", "running", "cooking", "travel", "gaming", "photography", "books", "climate"]

    static func answers(role: Enrollment.Role, using random: inout SeededGenerator) -> EnrollmentForm.Input {
        var input = EnrollmentForm.Input()
        let teach = role == .mentor ? skills : growth
        let learn = role == .mentor ? growth : skills
        input.offers = teach.shuffled(using: &random).prefix(3).map { .init(skill: $0, level: Int.random(in: 3...5, using: &random)) }
        input.goals = learn.shuffled(using: &random).prefix(2).map {
            let current = Int.random(in: 0...2, using: &random)
            return .init(skill: $0, current: current, target: min(5, current + Int.random(in: 2...3, using: &random)))
        }
        input.interests = Array(interests.shuffled(using: &random).prefix(3))
        input.style = EnrollmentForm.styles.randomElement(using: &random)
        input.capacity = 1
        return input
    }

    /// 20 characters from an alphabet without look-alikes, from the system's secure generator.
    static func generatePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<20).map { _ in alphabet.randomElement(using: &generator)! }
        return stride(from: 0, to: 20, by: 5).map { String(characters[$0..<$0 + 5]) }.joined(separator: "-")
    }
}
