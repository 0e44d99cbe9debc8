import ConsoleKit
import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@testable import UpwardServer

extension AppTests {
    @Suite("Offline commands: match and assign")
    final class OfflineCommandTests {
        let folder = Fixtures.temporaryFolder("upward-cli")

        // Each test has an instance of its own, and its folder goes with it.
        deinit { try? FileManager.default.removeItem(at: folder) }

        func write(_ name: String, _ text: String) -> String {
            let path = folder.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            return path
        }

        let people = [
            Fixtures.peopleHeader,
            Fixtures.personRow("E1", level: 15, department: "Executive", generation: "Boomer"),
            Fixtures.personRow("E2", manager: "E1", level: 12, department: "Sales", generation: "Gen X"),
            Fixtures.personRow("E3", manager: "E1", level: 11, department: "Finance", generation: "Boomer"),
            Fixtures.personRow("E4", manager: "E2", level: 2, department: "Sales", generation: "Gen Z"),
            Fixtures.personRow("E5", manager: "E3", level: 3, department: "Engineering", generation: "Gen Z"),
        ].joined(separator: "\n")

        @Test("match writes one row per mentee with scores and reasons; the reporting chain is respected")
        func match() async throws {
            let peoplePath = write("people.csv", people)
            let enrollments = write(
                "enrollments.csv",
                """
                email,role,offers,wants,interests,style,capacity,avoid
                e2@example.com,mentee,strategy:5,AI tools:1>4,chess,direct,,
                e3@example.com,mentee,,social media:0>3,,,,
                e4@example.com,mentor,AI tools:5; social media:4,,chess,direct,1,
                e5@example.com,mentor,AI tools:3; social media:5,,,,1,
                """)
            let out = folder.appendingPathComponent("pairs.csv").path
            let scores = folder.appendingPathComponent("scores.npy").path
            let status = await OfflineCommands.run(arguments: [
                "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--scores-out", scores,
            ])
            #expect(status == 0)
            let table = try CSVTable(data: try #require(FileManager.default.contents(atPath: out)))
            #expect(table.header == ["mentee_email", "mentor_email", "score", "reasons"])
            let rows = Dictionary(uniqueKeysWithValues: table.rows.map { ($0.fields[0], $0.fields) })
            // E4 reports (via E2) to... E2 is E4's manager: they may not pair, so E2 gets E5 and E3 gets E4.
            #expect(rows["e2@example.com"]?[1] == "e5@example.com")
            #expect(rows["e3@example.com"]?[1] == "e4@example.com")
            #expect(rows["e2@example.com"]?[3].contains("covers 1 of 1 learning goals: AI tools (offers 3, needs 1 to 4)") == true)
            // The score matrix: 2 mentees × 2 mentors, NaN where the chain forbids.
            let npy = try #require(FileManager.default.contents(atPath: scores))
            try npy.withUnsafeBytes { bytes in
                let header = try NumPyFormat.parseHeader(bytes)
                #expect(header.rows == 2 && header.columns == 2)
                let values = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...]).bindMemory(to: Double.self)
                #expect(values[0].isNaN)  // e2 manages e4
                #expect(values[3].isNaN)  // e3 manages e5
                #expect(!values[1].isNaN && !values[2].isNaN)
            }
            let assigned = try AssignCommand.solve(path: scores, minimize: false, capacity: 1)
            #expect(assigned.hasPrefix("{\"pairs\": [[0, 1], [1, 0]], \"total\": "))
            #expect(assigned.hasSuffix("\"unmatched_rows\": []}"))
        }

        @Test("last run's pairs.csv can be locked, declined pairs excluded, and suggestions written")
        func lockedExcludedAndSuggestions() async throws {
            let peoplePath = write("people.csv", people)
            let enrollments = write(
                "enrollments.csv",
                """
                email,role,offers,wants,interests,style,capacity,avoid
                e2@example.com,mentee,,AI tools:1>4,,,,
                e3@example.com,mentee,,AI tools:1>4,,,,
                e4@example.com,mentor,AI tools:5,,,,1,
                e5@example.com,mentor,AI tools:2,,,,2,
                """)
            let out = folder.appendingPathComponent("pairs.csv").path
            let suggestions = folder.appendingPathComponent("suggestions.csv").path
            // e2 may only take e5 (e2 manages e4); e3 may only take e4 (e3 manages e5).
            #expect(
                await OfflineCommands.run(arguments: [
                    "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--suggestions-out", suggestions, "--suggestions",
                    "3",
                ]) == 0)
            let first = try CSVTable(data: try #require(FileManager.default.contents(atPath: out)))
            #expect(first.rows.map { $0.fields[1] } == ["e5@example.com", "e4@example.com"])
            let suggested = try CSVTable(data: try #require(FileManager.default.contents(atPath: suggestions)))
            #expect(suggested.header == ["mentee_email", "rank", "mentor_email", "score", "reasons"])
            #expect(
                suggested.rows.map { [$0.fields[0], $0.fields[1], $0.fields[2]] } == [
                    ["e2@example.com", "1", "e5@example.com"], ["e3@example.com", "1", "e4@example.com"],
                ])

            // e3 declined e4: with that pair excluded, e3 has nobody left and says why.
            let declined = write("declined.csv", "mentee_email,mentor_email\ne3@example.com,e4@example.com\n")
            #expect(
                await OfflineCommands.run(arguments: [
                    "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--exclude", declined,
                ]) == 0)
            let second = try CSVTable(data: try #require(FileManager.default.contents(atPath: out)))
            #expect(second.rows[1].fields[1] == "")
            #expect(second.rows[1].fields[3].hasPrefix("unmatched: "))

            // Feeding the first pairs.csv back as locked keeps those pairs.
            let previous = write("previous.csv", String(decoding: try #require(FileManager.default.contents(atPath: out)), as: UTF8.self))
            #expect(
                await OfflineCommands.run(arguments: [
                    "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--locked", previous,
                ]) == 0)
            let third = try CSVTable(data: try #require(FileManager.default.contents(atPath: out)))
            #expect(third.rows[0].fields[1] == "e5@example.com")

            // A locked pair that breaks a hard rule is refused, and nothing is written.
            try? FileManager.default.removeItem(atPath: out)
            let forbidden = write("forbidden.csv", "mentee_email,mentor_email\ne2@example.com,e4@example.com\n")
            #expect(
                await OfflineCommands.run(arguments: [
                    "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--locked", forbidden,
                ]) == 1)
            #expect(!FileManager.default.fileExists(atPath: out))
            let unknown = write("unknown.csv", "mentee_email,mentor_email\nghost@example.com,e4@example.com\n")
            #expect(
                await OfflineCommands.run(arguments: [
                    "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--locked", unknown,
                ]) == 1)
        }

        @Test("--state: a re-run starts from the last run's state and writes what a cold run writes; a damaged state is ignored")
        func stateFile() async throws {
            let peoplePath = write("people.csv", people)
            let enrollments = write(
                "enrollments.csv",
                """
                email,role,offers,wants,interests,style,capacity,avoid
                e2@example.com,mentee,,AI tools:1>4,chess,,,
                e3@example.com,mentee,,AI tools:1>4,,,,
                e4@example.com,mentor,AI tools:5,,chess,,1,
                e5@example.com,mentor,AI tools:2,,,,2,
                """)
            let state = folder.appendingPathComponent("state.json").path
            let warm = folder.appendingPathComponent("warm.csv").path
            let cold = folder.appendingPathComponent("cold.csv").path
            let base = ["upward", "match", "--people", peoplePath, "--enrollments", enrollments]
            try? FileManager.default.removeItem(atPath: state)
            #expect(await OfflineCommands.run(arguments: base + ["--out", warm, "--state", state]) == 0)
            let saved = try JSONDecoder().decode(MatchingState.self, from: try #require(FileManager.default.contents(atPath: state)))
            #expect(Set(saved.mentees.map(\.email)) == ["e2@example.com", "e3@example.com"])
            #expect(saved.mentors.map(\.email) == ["e4@example.com", "e5@example.com"])

            // e3 declined e4, its only allowed mentor: the warm re-run and a cold run agree, and the state moves on.
            let declined = write("declined.csv", "mentee_email,mentor_email\ne3@example.com,e4@example.com\n")
            #expect(await OfflineCommands.run(arguments: base + ["--out", warm, "--state", state, "--exclude", declined]) == 0)
            #expect(await OfflineCommands.run(arguments: base + ["--out", cold, "--exclude", declined]) == 0)
            #expect(FileManager.default.contents(atPath: warm) == FileManager.default.contents(atPath: cold))
            let next = try JSONDecoder().decode(MatchingState.self, from: try #require(FileManager.default.contents(atPath: state)))
            #expect(next.excluded == [["e3@example.com", "e4@example.com"]])

            // A state file that isn't one: a warning, a cold run, the same pairs.
            #expect(FileManager.default.createFile(atPath: state, contents: Data("{not json".utf8)))
            #expect(await OfflineCommands.run(arguments: base + ["--out", warm, "--state", state, "--exclude", declined]) == 0)
            #expect(FileManager.default.contents(atPath: warm) == FileManager.default.contents(atPath: cold))
            #expect((try? JSONDecoder().decode(MatchingState.self, from: try #require(FileManager.default.contents(atPath: state)))) != nil)
        }

        @Test("--locked keeps a pair the optimum would not choose, and matches the others around it")
        func lockedNonOptimalPair() async throws {
            let peoplePath = write(
                "people-locked.csv",
                people + "\n" + Fixtures.personRow("E6", manager: "E1", level: 2, department: "Marketing", generation: "Gen Z"))
            let enrollments = write(
                "enrollments-locked.csv",
                """
                email,role,offers,wants,interests,style,capacity,avoid
                e2@example.com,mentee,,AI tools:1>4,,,,
                e5@example.com,mentor,AI tools:5,,,,1,
                e6@example.com,mentor,AI tools:2,,,,1,
                """)
            let out = folder.appendingPathComponent("pairs-locked.csv").path
            let arguments = ["upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out]
            #expect(await OfflineCommands.run(arguments: arguments) == 0)
            let optimum = try CSVTable(data: try #require(FileManager.default.contents(atPath: out)))
            #expect(optimum.rows.map { $0.fields[1] } == ["e5@example.com"])
            // Lock e2 to e6, the weaker mentor: the lock wins over the optimum.
            let lock = write("lock.csv", "mentee_email,mentor_email\ne2@example.com,e6@example.com\n")
            #expect(await OfflineCommands.run(arguments: arguments + ["--locked", lock]) == 0)
            let locked = try CSVTable(data: try #require(FileManager.default.contents(atPath: out)))
            #expect(locked.rows.map { $0.fields[1] } == ["e6@example.com"])
        }

        @Test("an unproven optimum is not written unless --allow-unproven says so")
        func unprovenIsNotWritten() throws {
            let bogus = OptimalityCertificate.check(
                columnOfRow: [0], rowDuals: [-1e6], columnDuals: [0], capacities: [1], unmatchedAllowed: false, cost: { _, _ in -50 })
            #expect(!bogus.holds)
            let proof = MatchingEngine.Proof(mode: "dense", rounds: 1, checkedPairs: 1, certificate: bogus)
            #expect(throws: CommandFailure.self) { try MatchCommand.checkProof(proof, allowUnproven: false, console: Terminal()) }
            #expect(throws: Never.self) { try MatchCommand.checkProof(proof, allowUnproven: true, console: Terminal()) }
        }

        @Test("assign treats -inf as forbidden when maximizing and refuses +inf by its position")
        func assignInfinities() async throws {
            let scores: [Double] = [-.infinity, 5, 4, 1]
            var bytes = NumPyFormat.header(rows: 2, columns: 2, elementType: .float64)
            scores.withUnsafeBytes { bytes += $0 }
            let path = folder.appendingPathComponent("inf.npy").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let json = try AssignCommand.solve(path: path, minimize: false, capacity: 1)
            #expect(json.contains("\"pairs\": [[0, 1], [1, 0]]"))
            #expect(json.contains("\"total\": 9.0"))
            let unbounded: [Double] = [1, 2, .infinity, 4]
            var bad = NumPyFormat.header(rows: 2, columns: 2, elementType: .float64)
            unbounded.withUnsafeBytes { bad += $0 }
            let badPath = folder.appendingPathComponent("unbounded.npy").path
            #expect(FileManager.default.createFile(atPath: badPath, contents: Data(bad)))
            #expect {
                try AssignCommand.solve(path: badPath, minimize: false, capacity: 1)
            } throws: { error in
                "\(error)".contains("row 1, column 0 is +inf")
            }
        }

        @Test("match with a bad row writes nothing and exits non-zero")
        func matchErrors() async {
            let peoplePath = write("people.csv", people)
            let enrollments = write("enrollments.csv", "email,role,offers\ne2@example.com,mentee,\nnobody@example.com,mentor,AI:9\n")
            let out = folder.appendingPathComponent("pairs.csv").path
            let status = await OfflineCommands.run(arguments: ["upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out])
            #expect(status == 1)
            #expect(!FileManager.default.fileExists(atPath: out))
            let badObjective = await OfflineCommands.run(arguments: [
                "upward", "match", "--people", peoplePath, "--enrollments", enrollments, "--out", out, "--objective", "luck",
            ])
            #expect(badObjective == 1)
        }

        @Test("assign reads CSV matrices, honours --minimize and --capacity, and refuses bad cells")
        func assign() throws {
            let csv = write("m.csv", "1,2,\n3,,4\n5,6,7\n")
            struct Output: Decodable {
                let pairs: [[Int]]
                let total: Double
                let unmatched_rows: [Int]
            }
            let cheapest = try JSONDecoder().decode(Output.self, from: Data(try AssignCommand.solve(path: csv, minimize: true, capacity: 1).utf8))
            #expect(cheapest.total == 11)  // 1 + 4 + 6 or 2 + 4 + 5; never an empty (forbidden) cell
            #expect(cheapest.pairs.count == 3)
            // Two places per column: the best scores per row are 2, 4 and 7.
            let best = try JSONDecoder().decode(Output.self, from: Data(try AssignCommand.solve(path: csv, minimize: false, capacity: 2).utf8))
            #expect(best.total == 13)
            #expect(best.unmatched_rows.isEmpty)
            let bad = write("bad.csv", "1,x\n3\n")
            #expect(throws: CommandFailure.self) { try AssignCommand.solve(path: bad, minimize: false, capacity: 1) }
            #expect(throws: CommandFailure.self) {
                try AssignCommand.solve(path: folder.appendingPathComponent("missing.npy").path, minimize: false, capacity: 1)
            }
            #expect(throws: CommandFailure.self) { try AssignCommand.solve(path: csv, minimize: false, capacity: 0) }
        }
    }
}
