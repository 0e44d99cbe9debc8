import Fluent
import Foundation
import UpwardCore
import Vapor

/// Fills an empty database with the demo organization and a few accounts to try every role.
struct DemoSeeder {
    let db: any Database
    let accounts: Accounts

    struct Credential: Sendable {
        let role: String
        let name: String
        let email: String
        let password: String
    }

    func seed() async throws -> [Credential] {
        _ = try await PeopleDirectory(db: db).importPeople(PeopleFile(records: DemoOrganization.people()))
        var credentials: [Credential] = []
        let adminPassword = Self.generatePassword()
        try await accounts.createUser(email: "admin@upward.example", name: "Morgan Reyes", password: adminPassword, role: .admin)
        credentials.append(Credential(role: "program manager", name: "Morgan Reyes", email: "admin@upward.example", password: adminPassword))

        // Two junior mentors and two senior mentees-to-be, linked to their people records.
        let juniors = try await Person.query(on: db).filter(\.$level <= 3).filter(\.$generation == Generation.genZ.rawValue)
            .filter(\.$terminationDate == nil).sort(\.$employeeID).range(..<2).all()
        let seniors = try await Person.query(on: db).filter(\.$level >= 12).filter(\.$chainDepth >= 1)
            .sort(\.$employeeID).range(..<2).all()
        for (person, label) in juniors.map({ ($0, "participant (junior)") }) + seniors.map({ ($0, "participant (senior)") }) {
            let password = Self.generatePassword()
            try await accounts.createUser(email: person.email, name: person.name, password: password, role: .participant, personID: person.id)
            credentials.append(Credential(role: label, name: person.name, email: person.email, password: password))
        }
        return credentials
    }

    /// 20 characters from an alphabet without look-alikes, from the system's secure generator.
    static func generatePassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<20).map { _ in alphabet.randomElement(using: &generator)! }
        return stride(from: 0, to: 20, by: 5).map { String(characters[$0..<$0 + 5]) }.joined(separator: "-")
    }
}
