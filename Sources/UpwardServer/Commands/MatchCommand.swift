import CSV
import ConsoleKit
import Foundation
import UpwardCore

/// `upward match`: pairs a program offline from CSV files, with no database.
struct MatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "people", help: "the HR people export (CSV)")
        var people: String?
        @Option(name: "enrollments", help: "enrollments CSV: email, role, offers, wants, interests, style, capacity, avoid")
        var enrollments: String?
        @Option(name: "out", help: "where to write pairs.csv (one row per mentee)")
        var out: String?
        @Option(name: "objective", help: "participation (default), total, fair or stable")
        var objective: String?
        @Option(name: "weights", help: "JSON object of scoring weights")
        var weights: String?
        @Option(name: "min-level-gap", help: "minimum level gap between mentee and mentor (default 2)")
        var minLevelGap: Int?
        @Flag(name: "different-department-only", help: "only pair people from different departments")
        var differentDepartmentOnly: Bool
        @Option(name: "scores-out", help: "also write the full score matrix as .npy (rows = mentees, columns = mentors, NaN = forbidden)")
        var scoresOut: String?
        @Option(name: "locked", help: "pairs to keep (mentee_email, mentor_email; last run's pairs.csv works): newcomers are matched around them")
        var locked: String?
        @Option(name: "exclude", help: "pairs never to make (mentee_email, mentor_email): declines, rematch requests, manager exclusions")
        var exclude: String?
        @Option(name: "suggestions-out", help: "also write each mentee's best mentors, for programs where participants choose")
        var suggestionsOut: String?
        @Option(name: "suggestions", help: "how many suggestions per mentee (default 5)")
        var suggestions: Int?
        @Flag(name: "allow-unproven", help: "write pairs.csv even when the optimality proof fails")
        var allowUnproven: Bool
        @Option(
            name: "state",
            help:
                "solver state file: a re-run with a few more locks, exclusions or people starts from it and repairs only what changed; written after each proven run"
        )
        var state: String?
    }

    var help: String { "Pairs mentees with mentors from CSV files and writes pairs.csv with scores and reasons." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let started = ContinuousClock.now
        guard let peoplePath = signature.people else { throw CommandFailure("--people is required.") }
        guard let enrollmentsPath = signature.enrollments else { throw CommandFailure("--enrollments is required.") }
        guard let outPath = signature.out else { throw CommandFailure("--out is required.") }
        let objectiveName = signature.objective ?? "participation"
        guard let objective = MatchingObjective(rawValue: objectiveName) else {
            throw CommandFailure("--objective must be one of \(MatchingObjective.allCases.map(\.rawValue).joined(separator: ", ")), not \(objectiveName).")
        }
        var rules = MatchingRules()
        if let gap = signature.minLevelGap {
            guard (0...14).contains(gap) else { throw CommandFailure("--min-level-gap must be from 0 to 14, not \(gap).") }
            rules.minimumLevelGap = gap
        }
        rules.differentDepartmentOnly = signature.differentDepartmentOnly
        if let path = signature.exclude {
            let rows = try Self.load(path, PairsFile.parse)
            rules.excludedPairs = Set(rows.map { MatchingRules.EmailPair(mentee: $0.mentee, mentor: $0.mentor) })
        }
        let suggestionCount = signature.suggestions ?? 5
        guard (1...50).contains(suggestionCount) else { throw CommandFailure("--suggestions must be from 1 to 50, not \(suggestionCount).") }
        var weights = ScoringWeights()
        if let path = signature.weights { weights = try Self.load(path, ScoringWeights.parse) }
        let model: CompatibilityModel
        let warnings: [String]
        do {
            (model, warnings) = try MatchingInput.build(
                people: try Self.read(peoplePath), enrollments: try Self.read(enrollmentsPath), weights: weights, rules: rules)
        } catch let failure as MatchingInput.Failure {
            throw CommandFailure(
                "nothing was written; fix these problems:\n"
                    + failure.description.replacingOccurrences(of: "people file:", with: "\(peoplePath):")
                    .replacingOccurrences(of: "enrollments file:", with: "\(enrollmentsPath):"))
        }
        for warning in warnings { context.console.warning("warning: \(warning)") }
        let loaded = ContinuousClock.now

        var locked: [(mentee: Int, mentor: Int)] = []
        if let path = signature.locked {
            locked = try Self.load(path) { data in try PairsFile.resolve(try PairsFile.parse(data), in: model) }
        }
        var engine = MatchingEngine(model: model)
        var previous: MatchingState?
        if let path = signature.state {
            // Sparse mode always, so every run leaves duals for the next.
            engine.denseLimit = 0
            if let data = FileManager.default.contents(atPath: path) {
                do {
                    previous = try JSONDecoder().decode(MatchingState.self, from: data)
                } catch {
                    context.console.warning("warning: \(path) is not a solver state this version reads; solving from scratch")
                }
            }
        }
        let solving = ContinuousClock.now
        let result: MatchingEngine.Result
        do {
            result = try engine.match(objective: objective, locked: locked, state: previous)
        } catch {
            throw CommandFailure("nothing was written: \(error)")
        }
        let solved = ContinuousClock.now
        try Self.checkProof(result.proof, allowUnproven: signature.allowUnproven, console: context.console)

        try Self.writePairs(result, model: model, to: outPath)
        if let path = signature.state, let state = result.state {
            try Self.writeAtomically(try JSONEncoder().encode(state), to: path)
        }
        if let scoresPath = signature.scoresOut { try Self.writeScores(model, to: scoresPath) }
        if let path = signature.suggestionsOut { try Self.writeSuggestions(model, count: suggestionCount, to: path) }

        let matched = result.pairs.count
        if !locked.isEmpty { context.console.print("kept \(locked.count) locked pair\(locked.count == 1 ? "" : "s")") }
        var summary = "\(objective.rawValue): matched \(matched) of \(model.mentees.count) mentees with \(model.mentors.count) mentors"
        summary += String(format: ", total score %.2f", result.totalScore)
        if let lowest = result.lowestScore { summary += String(format: ", lowest %.2f", lowest) }
        if let proof = result.proof {
            summary +=
                "; optimality proof \(proof.holds ? "holds" : "FAILED") (\(proof.mode), \(proof.rounds) round\(proof.rounds == 1 ? "" : "s"), \(proof.checkedPairs) pairs checked)"
            if proof.warmStart {
                summary += "; warm start: \(proof.augmentedRows) mentees re-placed, \(proof.repairedColumns) mentors refilled"
            }
        }
        summary += String(
            format: "; read %.2f s, solver %.3f s, total %.2f s", Self.seconds(loaded - started), Self.seconds(solved - solving),
            Self.seconds(ContinuousClock.now - started))
        context.console.print(summary)
        let taken = Set(result.pairs.map(\.mentor))
        let idle = model.mentors.indices.filter { !taken.contains($0) }
        if !idle.isEmpty {
            context.console.print("\(idle.count) mentor\(idle.count == 1 ? " has" : "s have") no mentee:")
            for j in idle.prefix(20) {
                context.console.print("  \(model.mentors[j].enrollment.email): \(model.whyIdle(mentor: j, assignment: result.mentorOfMentee))")
            }
            if idle.count > 20 { context.console.print("  … and \(idle.count - 20) more") }
        }
    }

    /// An unproven optimum is not written unless the operator says so.
    static func checkProof(_ proof: MatchingEngine.Proof?, allowUnproven: Bool, console: any Console) throws {
        guard let proof, !proof.holds else { return }
        let detail = proof.certificate.failures.joined(separator: "; ")
        guard allowUnproven else {
            throw CommandFailure("the optimality proof failed (\(detail)); nothing was written. Add --allow-unproven to write the pairs anyway.")
        }
        console.warning("warning: the optimality proof failed (\(detail)); writing the pairs because of --allow-unproven")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Reads and parses one input file; its problems become one message listing each with its line.
    static func load<T>(_ path: String, _ parse: (Data) throws -> T) throws -> T {
        do {
            return try parse(try read(path))
        } catch let failure as ImportFailure {
            throw CommandFailure("\(path): nothing was written; fix these problems:\n" + failure.issues.map { "  \($0)" }.joined(separator: "\n"))
        }
    }

    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("Cannot read \(path): no such file or not readable.") }
        return data
    }

    /// pairs.csv: mentee_email, mentor_email (empty if unmatched), score, reasons. Written whole or not at all.
    static func writePairs(_ result: MatchingEngine.Result, model: CompatibilityModel, to path: String) throws {
        try writeCSV(to: path, header: ["mentee_email", "mentor_email", "score", "reasons"]) { writer in
            for (mentee, mentor) in result.mentorOfMentee.enumerated() {
                let email = model.mentees[mentee].enrollment.email
                if let mentor {
                    let score = model.score(mentee: mentee, mentor: mentor)!
                    try writer.write(row: [
                        email, model.mentors[mentor].enrollment.email, String(format: "%.2f", score),
                        model.reasons(mentee: mentee, mentor: mentor).joined(separator: "; "),
                    ])
                } else {
                    try writer.write(row: [
                        email, "", "", "unmatched: " + model.whyUnmatched(mentee: mentee, assignment: result.mentorOfMentee, objective: result.objective),
                    ])
                }
            }
        }
    }

    /// Writes `data` next to `path` and moves it into place only when complete.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { throw CommandFailure("Cannot write \(path).") }
        try moveIntoPlace(temporary, path)
    }

    /// Writes a CSV next to `path` and moves it into place only when complete.
    static func writeCSV(to path: String, header: [String], rows: (CSVWriter) throws -> Void) throws {
        let temporary = path + ".partial"
        guard let stream = OutputStream(toFileAtPath: temporary, append: false) else { throw CommandFailure("Cannot write \(path).") }
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: header)
        try rows(writer)
        writer.stream.close()
        try moveIntoPlace(temporary, path)
    }

    /// Replaces `path` with the finished `temporary` file.
    static func moveIntoPlace(_ temporary: String, _ path: String) throws {
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }

    /// suggestions.csv: mentee_email, rank, mentor_email, score, reasons — best first, capacity ignored.
    static func writeSuggestions(_ model: CompatibilityModel, count: Int, to path: String) throws {
        try writeCSV(to: path, header: ["mentee_email", "rank", "mentor_email", "score", "reasons"]) { writer in
            for mentee in model.mentees.indices {
                for (rank, suggestion) in model.suggestions(mentee: mentee, count: count).enumerated() {
                    try writer.write(row: [
                        model.mentees[mentee].enrollment.email, String(rank + 1), model.mentors[suggestion.mentor].enrollment.email,
                        String(format: "%.2f", suggestion.score), model.reasons(mentee: mentee, mentor: suggestion.mentor).joined(separator: "; "),
                    ])
                }
            }
        }
    }

    /// The full score matrix as float64 .npy, streamed a row at a time.
    static func writeScores(_ model: CompatibilityModel, to path: String) throws {
        let rows = model.mentees.count
        let columns = model.mentors.count
        guard FileManager.default.createFile(atPath: path, contents: Data(NumPyFormat.header(rows: rows, columns: columns, elementType: .float64))),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw CommandFailure("Cannot write \(path).") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        var row = [Double](repeating: .nan, count: columns)
        for i in 0..<rows {
            row.withUnsafeMutableBufferPointer { model.scoreRow(mentee: i, into: $0) }
            try handle.write(contentsOf: row.withUnsafeBytes { Data($0) })
        }
    }
}
