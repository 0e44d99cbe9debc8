import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("Matching input and explanations")
struct MatchingInputTests {
    let people = Fixtures.csv([
        Fixtures.personRow("E1", level: 15, department: "Executive", generation: "Boomer"),
        Fixtures.personRow("E2", manager: "E1", level: 12, department: "Sales", generation: "Gen X", timeZone: "America/New_York"),
        Fixtures.personRow("E3", manager: "E1", level: 11, department: "Finance", generation: "Boomer"),
        Fixtures.personRow("E4", manager: "E2", level: 2, department: "Sales", generation: "Gen Z"),
        Fixtures.personRow("E5", manager: "E3", level: 3, department: "Engineering", generation: "Gen Z"),
        Fixtures.personRow("E6", manager: "E3", level: 1, department: "Engineering", generation: "Gen Z", terminationDate: "2026-01-31", title: "Left"),
    ])

    func enrollments(_ rows: [String]) -> Data {
        Data((["email,role,offers,wants,interests,style,capacity,avoid"] + rows).joined(separator: "\n").utf8)
    }

    @Test("every bad enrollment row is reported with its line and column")
    func enrollmentErrors() {
        let data = enrollments([
            "e2@example.com,mentee,,AI tools:1>4,chess,,,",
            "e2@example.com,mentor,AI tools:5,,,,,",
            "e4@example.com,coach,AI tools:9,AI tools:4>2,,,0,notanemail",
        ])
        do {
            _ = try EnrollmentsFile.parse(data)
            Issue.record("expected errors")
        } catch {
            let text = error.issues.map(\.description)
            #expect(text.contains("line 3, column email: e2@example.com is enrolled twice (first on line 2)"))
            #expect(text.contains("line 4, column role: \"coach\" must be mentor or mentee"))
            #expect(text.contains("line 4, column offers: \"AI tools:9\" must be skill:level with a level from 1 to 5"))
            #expect(text.contains("line 4, column wants: \"AI tools:4>2\" must be skill:current>target with 0 ≤ current < target ≤ 5"))
            #expect(text.contains("line 4, column capacity: \"0\" must be a whole number from 1 to 20"))
            #expect(text.contains("line 4, column avoid: \"notanemail\" is not a valid email address"))
        }
    }

    @Test("enrollees must be in the people file and still employed")
    func crossFileChecks() {
        do {
            _ = try MatchingInput.build(people: people, enrollments: enrollments(["ghost@example.com,mentee,,,,,,", "e6@example.com,mentor,ai:3,,,,,"]))
            Issue.record("expected errors")
        } catch {
            #expect(
                error.enrollments.map(\.description) == [
                    "line 2, column email: ghost@example.com is not in the people file",
                    "line 3, column email: e6@example.com left the organization on 2026-01-31",
                ])
        }
    }

    @Test("explanations name the real components, in plain words")
    func explanations() throws {
        let (model, _) = try MatchingInput.build(
            people: people,
            enrollments: enrollments([
                "e2@example.com,mentee,strategy:5,AI tools:1>4; social media:2>4; TikTok:0>2,chess; hiking,direct,,",
                "e5@example.com,mentor,AI tools:5; social media:4,strategy:1>3,chess; hiking; film,direct,2,",
            ]))
        let reasons = model.reasons(mentee: 0, mentor: 0, limit: 10)
        #expect(reasons.contains("covers 2 of 3 learning goals: AI tools (offers 5, needs 1 to 4), social media (offers 4, needs 2 to 4)"))
        #expect(reasons.contains("covers 1 of 1 growth goals of the mentor: strategy (offers 5, needs 1 to 3)"))
        #expect(reasons.contains("shares 2 interests: chess, hiking"))
        #expect(reasons.contains("same communication style (direct)"))
        #expect(reasons.contains("different business units (Technology / Technology)") == false)
        #expect(reasons.contains("different departments (Sales / Engineering)"))
        #expect(reasons.contains("Gen X and Gen Z: 2 generations apart"))
        #expect(reasons.contains("2 hours of shared working time"))  // New York and Berlin are 6 hours apart in January
        let parts = model.components(mentee: 0, mentor: 0)
        #expect(abs(parts.goals - 5.0 / 7.0) < 1e-9)  // 3 of 3 gap + 2 of 2 gap, out of 3 + 2 + 2
        #expect(parts.growth == 1)
        #expect(abs(parts.interests - 2.0 / 3.0) < 1e-9)
        #expect(model.reasons(mentee: 0, mentor: 0).count == 3)
        let suggestions = model.suggestions(mentee: 0, count: 5)
        #expect(suggestions.map(\.mentor) == [0])
    }

    @Test("weights files are checked: unknown keys and negative numbers are refused")
    func weights() throws {
        let weights = try ScoringWeights.parse(Data(#"{"goals": 2, "working_hours": 0}"#.utf8))
        #expect(weights.goals == 2)
        #expect(weights.workingHours == 0)
        #expect(weights.interests == ScoringWeights().interests)
        do {
            _ = try ScoringWeights.parse(Data(#"{"goals": -1, "luck": 3}"#.utf8))
            Issue.record("expected errors")
        } catch {
            #expect(
                error.issues.map(\.description).sorted() == [
                    "column goals: must be a number of 0 or more",
                    "column luck: is not a weight; use goals, growth, interests, style, crossDepartment, generation, workingHours",
                ])
        }
    }

    @Test(".npy headers round-trip and bad files are refused with a reason")
    func numpyHeader() throws {
        let header = NumPyFormat.header(rows: 3, columns: 4, elementType: .float64)
        #expect(header.count % 64 == 0)
        let bytes = header + [UInt8](repeating: 0, count: 3 * 4 * 8)
        let parsed = try bytes.withUnsafeBytes { try NumPyFormat.parseHeader($0) }
        #expect(parsed.elementType == .float64)
        #expect(parsed.rows == 3 && parsed.columns == 4)
        #expect(parsed.dataOffset == header.count)
        let truncated = header + [UInt8](repeating: 0, count: 10)
        #expect(throws: NumPyFormat.FormatError.self) { try truncated.withUnsafeBytes { try NumPyFormat.parseHeader($0) } }
        #expect(throws: NumPyFormat.FormatError.self) { try [UInt8]("hello".utf8).withUnsafeBytes { try NumPyFormat.parseHeader($0) } }
    }
}

@Suite("Pairs files")
struct PairsFileTests {
    @Test("reads mentee and mentor emails, skips unmatched rows, reports bad emails by line")
    func parse() throws {
        let rows = try PairsFile.parse(Data("mentee_email,mentor_email,score\nA@x.com,b@x.com,50\nc@x.com,,\n".utf8))
        #expect(rows == [PairsFile.Row(line: 2, mentee: "a@x.com", mentor: "b@x.com")])
        #expect(throws: ImportFailure.self) { try PairsFile.parse(Data("mentee,mentor\na@x.com,b@x.com\n".utf8)) }
        do {
            _ = try PairsFile.parse(Data("mentee_email,mentor_email\nnope,b@x.com\n".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.issues.map(\.description) == ["line 2, column mentee_email: \"nope\" is not a valid email address"])
        }
    }
}
