import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("Import files: headers, columns, shapes")
struct ImportColumnTests {
    @Test("near-miss header names are recognised: case, spaces, hyphens and known synonyms")
    func synonyms() throws {
        let data = Data("Employee ID,E-Mail,Full Name,Dept,Job Level,Manager-ID,TimeZone\nX1,a@b.co,Ada,Eng,7,,Europe/Paris\n".utf8)
        let file = try PeopleFile.parse(data)
        #expect(file.issues.isEmpty)
        let record = try #require(file.entries.first?.record)
        #expect(record.employeeID == "X1")
        #expect(record.level == 7)
        #expect(record.timeZone == "Europe/Paris")
        #expect(file.presentColumns.contains(.managerID))
        #expect(!file.presentColumns.contains(.title))
    }

    @Test("a misspelled column is an error naming the column it probably means, not silently ignored")
    func misspelledColumn() {
        let data = Data("employee_id,email,name,department,level,manger_id\nX1,a@b.co,Ada,Eng,7,X0\n".utf8)
        #expect {
            try PeopleFile.parse(data)
        } throws: { error in
            let text = "\(error)"
            return text.contains("unknown column \"manger_id\"; did you mean manager_id?") && text.contains("line 1")
        }
    }

    @Test("a row with more fields than the header is an error with its line number")
    func extraFields() throws {
        let data = Data("employee_id,email,name,department,level\nX1,a@b.co,Ada,Eng,7\nX2,b@b.co,Lovelace, Ada,Eng,7\n".utf8)
        let file = try PeopleFile.parse(data)
        #expect(file.entries.count == 1)
        #expect(file.issues.map(\.description) == ["line 3: the row has 6 fields but the header has 5; quote values that contain commas"])
    }

    @Test("a column absent from a re-import leaves the field as it is; a present empty cell clears it")
    func absentColumnKeepsValues() throws {
        let first = try PeopleFile.parse(Fixtures.csv(Fixtures.smallOrganization))
        let directory = try DirectoryImport.plan(file: first, existing: []).added
        // No manager_id, title or time_zone column: nothing about them changes.
        let partial = Data("employee_id,email,name,department,level,generation\nE5,e5@example.com,Person E5,Engineering,4,Gen Z\n".utf8)
        let plan = try DirectoryImport.plan(file: try PeopleFile.parse(partial), existing: directory)
        let updated = try #require(plan.updated.first)
        #expect(updated.level == 4)
        #expect(updated.managerID == "E4")
        #expect(updated.title == "Engineer")
        #expect(updated.timeZone == "Europe/Berlin")
        #expect(plan.tree.isAbove("E4", "E5"))
        // The same columns present but empty clear the fields.
        let clearing = Data(
            "employee_id,email,name,department,level,generation,title,time_zone\nE5,e5@example.com,Person E5,Engineering,4,Gen Z,,\n".utf8)
        let cleared = try #require(try DirectoryImport.plan(file: try PeopleFile.parse(clearing), existing: directory).updated.first)
        #expect(cleared.title == nil)
        #expect(cleared.timeZone == nil)
        #expect(cleared.managerID == "E4")
    }

    @Test("an enrollment for someone not in the people file is reported together with the files' other problems")
    func crossFileTogether() {
        let people = Fixtures.csv([
            Fixtures.personRow("E1", level: 14), Fixtures.personRow("E2", manager: "E1", level: 2),
            Fixtures.personRow("E3", manager: "E1", level: 99),
        ])
        let enrollments = Data("email,role,offers,wants\nghost@example.com,mentee,,ai:1>3\ne2@example.com,mentor,ai:9,\n".utf8)
        do {
            _ = try MatchingInput.build(people: people, enrollments: enrollments)
            Issue.record("expected errors")
        } catch {
            #expect(error.people.contains { $0.line == 4 && $0.column == "level" })
            #expect(error.enrollments.map(\.description).contains("line 2, column email: ghost@example.com is not in the people file"))
            #expect(error.enrollments.contains { $0.line == 3 && $0.column == "offers" })
        }
    }
}

@Suite("Score matrices: malformed headers and infinities")
struct MatrixInputTests {
    func header(_ shape: String) -> [UInt8] {
        var dictionary = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }"
        dictionary += String(repeating: " ", count: 40) + "\n"
        let length = dictionary.utf8.count
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
    }

    @Test("negative and overflowing shapes are refused with a reason, not a crash")
    func badShapes() {
        for (shape, expected) in [
            ("(-3, 4)", "must be two whole numbers of 0 or more"), ("(4611686018427387904, 4)", "too large"),
            ("(9223372036854775807, 9223372036854775807)", "too large"), ("(3,)", "2-dimensional"),
        ] {
            let bytes = header(shape) + [UInt8](repeating: 0, count: 64)
            _ = bytes.withUnsafeBytes { buffer in
                #expect {
                    try NumPyFormat.parseHeader(buffer)
                } throws: { error in
                    "\(error)".contains(expected)
                }
            }
        }
    }

    @Test("-inf when maximizing and +inf when minimizing are forbidden pairs; the other infinity is found")
    func infinities() {
        let scores: [Double] = [-.infinity, 5, 4, 1]
        let maximized = scores.withUnsafeBufferPointer { AssignmentSolver.solve($0, rows: 2, columns: 2, options: .init(maximize: true)) }
        #expect(maximized.columnOfRow == [1, 0])
        #expect(maximized.total == 9)
        let costs: [Double] = [.infinity, 1, 2, 7]
        let minimized = costs.withUnsafeBufferPointer { AssignmentSolver.solve($0, rows: 2, columns: 2, options: .init(maximize: false)) }
        #expect(minimized.columnOfRow == [1, 0])
        #expect(minimized.total == 3)
        let unbounded: [Double] = [1, 2, .infinity, 4]
        #expect(unbounded.withUnsafeBufferPointer { AssignmentSolver.firstUnboundedEntry($0, rows: 2, columns: 2, maximize: true) }! == (1, 0))
        #expect(unbounded.withUnsafeBufferPointer { AssignmentSolver.firstUnboundedEntry($0, rows: 2, columns: 2, maximize: false) } == nil)
    }
}

@Suite("Training Markdown")
struct TrainingMarkdownTests {
    @Test("raw HTML is escaped and only http(s) and mailto links are kept")
    func safety() {
        let html = TrainingMarkdown.html(
            """
            # Welcome
            <script>alert(1)</script>

            Hello <b onclick="x()">there</b> and [guide](https://example.com/guide), [mail](mailto:pm@example.com),
            [bad](javascript:alert(1)), [sneaky](http://a.example/"onmouseover="x) and ![img](https://tracker.example/p.png).
            """)
        #expect(html.contains("<h1>Welcome</h1>"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(!html.contains("<b onclick"))
        #expect(html.contains("<a href=\"https://example.com/guide\" rel=\"nofollow noopener\">guide</a>"))
        #expect(html.contains("<a href=\"mailto:pm@example.com\""))
        #expect(!html.contains("javascript:alert(1)\""))
        #expect(!html.contains("href=\"javascript"))
        #expect(!html.contains("onmouseover=\""))
        #expect(!html.contains("<img"))
    }

    @Test("ProgramSettings names every bad field, and EnrollmentForm checks levels, targets and consent")
    func validation() throws {
        var input = ProgramSettings.Input()
        input.startsOn = "2026-02-30"
        input.endsOn = "soon"
        input.weights = ["goals": 0, "growth": 0, "interests": 0, "style": 0, "crossDepartment": 0, "generation": 0, "workingHours": 0]
        #expect(throws: ValidationFailure.self) { try ProgramSettings.validate(input) }
        do {
            _ = try ProgramSettings.validate(input)
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["name", "focusAreas", "startsOn", "endsOn", "weights"])
        }
        var form = EnrollmentForm.Input()
        form.goals = [.init(skill: "AI", current: 2, target: 2)]
        form.diversity = ["gender": "f"]
        do {
            _ = try EnrollmentForm.validate(form, role: .mentor, maximumCapacity: 1) { _ in true }
            Issue.record("accepted")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["goals[0].target", "offers", "diversityConsent"])
        }
    }
}
