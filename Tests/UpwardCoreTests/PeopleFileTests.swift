import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("Validating the HR people export")
struct PeopleFileTests {
    func issues(_ rows: [String], header: String = Fixtures.peopleHeader) -> [ImportIssue] {
        do {
            let file = try PeopleFile.parse(Fixtures.csv(rows, header: header))
            _ = try DirectoryImport.plan(file: file, existing: [])
            return []
        } catch {
            return error.issues
        }
    }

    @Test("a valid file parses every field")
    func validFile() throws {
        let file = try PeopleFile.parse(Fixtures.csv(Fixtures.smallOrganization))
        #expect(file.entries.count == 6)
        let ceo = try #require(file.entries.first?.record)
        #expect(ceo.employeeID == "E1")
        #expect(ceo.level == 15)
        #expect(ceo.generation == .boomer)
        #expect(ceo.hireDate == CalendarDate("2020-01-15"))
        #expect(ceo.managerID == nil)
        #expect(file.entries[4].record.managerID == "E4")
    }

    @Test("columns may come in any order and case; unknown columns are a warning")
    func anyOrderAndUnknownColumns() throws {
        let data = Data("LEVEL,Name,Department,Email,Employee_Id,Shoe_Size\n7,Ada,Eng,ADA@Example.com,X1,42\n".utf8)
        let file = try PeopleFile.parse(data)
        #expect(file.entries.first?.record.email == "ada@example.com")
        #expect(file.entries.first?.record.level == 7)
        #expect(file.warnings.contains { $0.contains("Shoe_Size") })
    }

    @Test("a missing required column is reported against the header")
    func missingColumn() {
        let found = issues(["E1,E1@x.com,Ann,Eng"], header: "employee_id,email,name,department")
        #expect(found == [ImportIssue(line: 1, column: "level", message: "required column is missing from the header")])
    }

    @Test("a missing required value names its line and column")
    func missingValue() {
        let found = issues([Fixtures.personRow("E1", level: 15), "E2,e2@x.com,,Eng,Engineering,,,,E1,5,,,"])
        #expect(found.contains { $0.line == 3 && $0.column == "name" && $0.message.contains("missing") })
    }

    @Test("duplicate employee ids are reported with both lines")
    func duplicateID() {
        let found = issues([Fixtures.personRow("E1", level: 15), Fixtures.personRow("E1", level: 3, email: "other@x.com")])
        #expect(found.count == 1)
        #expect(found[0].line == 3)
        #expect(found[0].column == "employee_id")
        #expect(found[0].message.contains("first on line 2"))
    }

    @Test("duplicate emails are caught case-insensitively")
    func duplicateEmail() {
        let found = issues([Fixtures.personRow("E1", level: 15, email: "Same@x.com"), Fixtures.personRow("E2", manager: "E1", email: "same@X.com")])
        #expect(found.map(\.description) == ["line 3, column email: duplicate email \"same@x.com\" (first on line 2)"])
    }

    @Test("an invalid email is refused")
    func invalidEmail() {
        let found = issues([Fixtures.personRow("E1", level: 15, email: "not-an-email")])
        #expect(found.first?.description == "line 2, column email: \"not-an-email\" is not a valid email address")
    }

    @Test("an unknown manager names the missing id")
    func unknownManager() {
        let found = issues([Fixtures.personRow("E1", level: 15), Fixtures.personRow("E2", manager: "E99")])
        #expect(found.map(\.description) == ["line 3, column manager_id: manager \"E99\" is not in the file or the directory"])
    }

    @Test("a manager cycle is rejected and its members named")
    func managerCycle() {
        let found = issues([
            Fixtures.personRow("E1", level: 15),
            Fixtures.personRow("A", manager: "C"), Fixtures.personRow("B", manager: "A"), Fixtures.personRow("C", manager: "B"),
        ])
        #expect(found.count == 1)
        #expect(found[0].line == 3)
        #expect(found[0].column == "manager_id")
        #expect(found[0].message.contains("reporting cycle"))
        #expect(found[0].message.contains("lines 3, 4, 5"))
    }

    @Test("being one's own manager is rejected")
    func selfManager() {
        let found = issues([Fixtures.personRow("E1", manager: "E1", level: 15)])
        #expect(found.first?.message == "a person cannot be their own manager")
    }

    @Test("bad dates, levels, time zones and generations each name the value")
    func badValues() {
        let found = issues([
            Fixtures.personRow("E1", level: 15, hireDate: "2021-02-30"),
            Fixtures.personRow("E2", manager: "E1", level: 16),
            Fixtures.personRow("E3", manager: "E1", timeZone: "Mars/Olympus"),
            Fixtures.personRow("E4", manager: "E1", generation: "Alpha"),
            Fixtures.personRow("E5", manager: "E1", hireDate: "2022-01-01", terminationDate: "2021-01-01"),
            Fixtures.personRow("E6", manager: "E1", level: 0),
            Fixtures.personRow("E7", manager: "E1", hireDate: "15/01/2020"),
        ])
        let text = found.map(\.description)
        #expect(text.contains("line 2, column hire_date: \"2021-02-30\" is not a date written YYYY-MM-DD"))
        #expect(text.contains("line 3, column level: \"16\" is not a whole number from 1 to 15"))
        #expect(text.contains("line 4, column time_zone: \"Mars/Olympus\" is not an IANA time zone such as Europe/Berlin"))
        #expect(text.contains { $0.hasPrefix("line 5, column generation: \"Alpha\" is not one of") })
        #expect(text.contains("line 6, column termination_date: termination date 2021-01-01 is before the hire date 2022-01-01"))
        #expect(text.contains("line 7, column level: \"0\" is not a whole number from 1 to 15"))
        #expect(text.contains("line 8, column hire_date: \"15/01/2020\" is not a date written YYYY-MM-DD"))
        #expect(found.count == 7)
    }

    @Test("every problem in the file is reported, not just the first")
    func allProblems() {
        let found = issues([Fixtures.personRow("E1", level: 99, email: "bad"), Fixtures.personRow("E2", manager: "E1", hireDate: "x")])
        #expect(found.count == 3)
        #expect(found.map(\.line) == [2, 2, 3])
    }
}

@Test("a moment's UTC calendar date is the one Foundation's calendar gives, across leap years, month ends and before 1970")
func calendarDateOfMoment() {
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    var generator = SystemRandomNumberGenerator()
    let edges: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, 951_868_800, 4_107_542_400, -2_208_988_800]
    for seconds in edges + (0..<2_000).map({ _ in Double.random(in: -2_200_000_000...32_000_000_000, using: &generator) }) {
        let parts = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: seconds))
        #expect(CalendarDate(utcSecondsSince1970: seconds) == CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!), "\(seconds)")
    }
    #expect(CalendarDate(utcSecondsSince1970: .nan) == nil)
    #expect(CalendarDate(utcSecondsSince1970: 1e15) == nil)
    #expect(CalendarDate(utcSecondsSince1970: 40_000_000_000) == nil)
}

@Test("a date is read only as YYYY-MM-DD in ASCII digits, and only when the day exists")
func calendarDateText() {
    #expect(CalendarDate("2024-02-29") == CalendarDate(year: 2024, month: 2, day: 29))
    #expect(CalendarDate("1900-01-01")?.description == "1900-01-01")
    #expect(CalendarDate("2999-12-31")?.description == "2999-12-31")
    let refused = [
        "", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "1899-12-31", "3000-01-01", "2024-1-01", "2024-01-1", "24-01-01",
        "2024/01/01", "2024-01-01 ", " 2024-01-01", "2024-01-0a", "2024--1-01", "２０２４-01-01", "2024-01-0\u{0661}", "2024-01-01-", "+024-01-01",
        "2024-01-0\u{301}1", "2024-01-1:", "19:0-01-01",
    ]
    for text in refused { #expect(CalendarDate(text) == nil, "\(text)") }
}
