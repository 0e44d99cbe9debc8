import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("Planning a directory import")
struct DirectoryImportTests {
    func file(_ rows: [String]) throws -> PeopleFile { try PeopleFile.parse(Fixtures.csv(rows)) }

    @Test("a first import adds everyone, managers before their reports")
    func firstImport() throws {
        let plan = try DirectoryImport.plan(file: file(Fixtures.smallOrganization.reversed()), existing: [])
        #expect(plan.added.count == 6)
        #expect(plan.updated.isEmpty)
        #expect(plan.added.first?.employeeID == "E1")
        let order = plan.added.map(\.employeeID)
        #expect(order.firstIndex(of: "E4")! < order.firstIndex(of: "E5")!)
    }

    @Test("importing the same file again changes nothing")
    func idempotent() throws {
        let first = try DirectoryImport.plan(file: file(Fixtures.smallOrganization), existing: [])
        let second = try DirectoryImport.plan(file: file(Fixtures.smallOrganization), existing: first.added)
        #expect(second.added.isEmpty)
        #expect(second.updated.isEmpty)
        #expect(second.unchangedCount == 6)
    }

    @Test("a changed row is an update, matched by employee id")
    func update() throws {
        let existing = try DirectoryImport.plan(file: file(Fixtures.smallOrganization), existing: []).added
        var rows = Fixtures.smallOrganization
        rows[4] = Fixtures.personRow("E5", manager: "E3", level: 4, department: "Marketing", generation: "Gen Z")
        let plan = try DirectoryImport.plan(file: file(rows), existing: existing)
        #expect(plan.updated.map(\.employeeID) == ["E5"])
        #expect(plan.unchangedCount == 5)
        #expect(plan.tree.isAbove("E3", "E5"))
        #expect(!plan.tree.isAbove("E2", "E5"))
    }

    @Test("a partial file may name managers already in the directory")
    func partialFile() throws {
        let existing = try DirectoryImport.plan(file: file(Fixtures.smallOrganization), existing: []).added
        let plan = try DirectoryImport.plan(file: file([Fixtures.personRow("E7", manager: "E4", level: 2)]), existing: existing)
        #expect(plan.added.map(\.employeeID) == ["E7"])
        #expect(plan.tree.ancestors["E7"] == ["E4", "E2", "E1"])
    }

    @Test("a cycle through people already in the directory is caught")
    func cycleThroughDirectory() throws {
        let existing = try DirectoryImport.plan(file: file(Fixtures.smallOrganization), existing: []).added
        // E2 now reports to E5, who reports (via E4) to E2.
        let rows = [Fixtures.personRow("E2", manager: "E5", level: 13, generation: "Gen X")]
        #expect(throws: ImportFailure.self) { try DirectoryImport.plan(file: file(rows), existing: existing) }
    }

    @Test("an email already held by someone else in the directory is refused")
    func emailTakenInDirectory() throws {
        let existing = try DirectoryImport.plan(file: file(Fixtures.smallOrganization), existing: []).added
        let rows = [Fixtures.personRow("E9", manager: "E1", email: "e2@example.com")]
        do {
            _ = try DirectoryImport.plan(file: file(rows), existing: existing)
            Issue.record("expected a failure")
        } catch let failure as ImportFailure {
            #expect(failure.issues.map(\.description) == ["line 2, column email: email \"e2@example.com\" already belongs to employee E2"])
        }
    }
}

@Suite("Passwords")
struct PasswordPolicyTests {
    @Test("12 characters is the minimum")
    func minimum() throws {
        #expect(throws: PasswordPolicy.Violation.tooShort(characters: 11)) { try PasswordPolicy.check("abcdefghijk") }
        try PasswordPolicy.check("abcdefghijkl")
    }

    @Test("more than 72 bytes is refused, counting UTF-8 bytes rather than characters")
    func maximumBytes() throws {
        try PasswordPolicy.check(String(repeating: "a", count: 72))
        #expect(throws: PasswordPolicy.Violation.tooLong(bytes: 73)) { try PasswordPolicy.check(String(repeating: "a", count: 73)) }
        // 25 characters, but 75 bytes: refused, since bcrypt would silently drop the end.
        #expect(throws: PasswordPolicy.Violation.tooLong(bytes: 75)) { try PasswordPolicy.check(String(repeating: "€", count: 25)) }
    }
}

@Suite("Demo organization")
struct DemoOrganizationTests {
    let people = DemoOrganization.people()

    @Test("is large, varied and deep enough to try every feature")
    func shape() throws {
        #expect(people.count >= 300)
        #expect(Set(people.map(\.department)).count >= 6)
        #expect(Set(people.compactMap(\.generation)).count >= 4)
        let tree = try ReportingTree(managers: Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0.managerID) }))
        #expect(people.map { tree.depth(of: $0.employeeID) }.max()! >= 4)
        #expect(Set(people.map(\.email)).count == people.count)
    }

    @Test("is the same on every run and passes the import's own validation")
    func deterministicAndValid() throws {
        #expect(DemoOrganization.people() == people)
        let plan = try DirectoryImport.plan(file: PeopleFile(records: people), existing: [])
        #expect(plan.added.count == people.count)
    }
}
