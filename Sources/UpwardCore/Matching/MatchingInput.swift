import Foundation

/// Joins the people export and the enrollments into a ``CompatibilityModel``, checking that
/// every enrolled person is in the directory and still employed.
public enum MatchingInput {
    public struct Failure: Error, CustomStringConvertible {
        /// Problems in the people file and in the enrollments file, each with its line.
        public var people: [ImportIssue] = []
        public var enrollments: [ImportIssue] = []

        public var description: String {
            var lines: [String] = []
            if !people.isEmpty { lines += ["people file:"] + people.map { "  \($0)" } }
            if !enrollments.isEmpty { lines += ["enrollments file:"] + enrollments.map { "  \($0)" } }
            return lines.joined(separator: "\n")
        }
    }

    public static func build(
        people peopleData: Data, enrollments enrollmentsData: Data, weights: ScoringWeights = .init(), rules: MatchingRules = .init()
    ) throws(Failure) -> (model: CompatibilityModel, warnings: [String]) {
        var failure = Failure()
        var directory: [PersonRecord] = []
        // Everyone the people file names, valid rows or not, so an enrollment is checked against
        // the file even while the file has problems of its own: every problem is reported at once.
        var named: Set<String>?
        do {
            let file = try PeopleFile.parse(peopleData)
            named = Set(file.identities.compactMap(\.email))
            do {
                _ = try DirectoryImport.plan(file: file, existing: [])
            } catch {
                failure.people = error.issues
            }
            directory = file.entries.map(\.record)
        } catch {
            failure.people = error.issues
        }
        var parsed = EnrollmentsFile.Parsed(entries: [], issues: [], warnings: [])
        do {
            parsed = try EnrollmentsFile.read(enrollmentsData)
        } catch {
            failure.enrollments = error.issues
        }
        failure.enrollments += parsed.issues
        guard failure.people.isEmpty, failure.enrollments.isEmpty else {
            if let named {
                for entry in parsed.entries where !named.contains(entry.enrollment.email) {
                    failure.enrollments.append(Self.notInPeopleFile(entry))
                }
                failure.enrollments = ImportFailure(failure.enrollments).issues
            }
            throw failure
        }
        return try build(directory: directory, entries: parsed.entries, warnings: parsed.warnings, weights: weights, rules: rules)
    }

    static func notInPeopleFile(_ entry: EnrollmentsFile.Entry) -> ImportIssue {
        ImportIssue(line: entry.line, column: "email", message: "\(entry.enrollment.email) is not in the people file")
    }

    public static func build(
        directory: [PersonRecord], entries: [EnrollmentsFile.Entry], warnings: [String] = [], weights: ScoringWeights = .init(),
        rules: MatchingRules = .init()
    ) throws(Failure) -> (model: CompatibilityModel, warnings: [String]) {
        var failure = Failure()
        var warnings = warnings
        let byEmail = Dictionary(directory.map { ($0.email, $0) }, uniquingKeysWith: { a, _ in a })
        var mentees: [CompatibilityModel.Participant] = []
        var mentors: [CompatibilityModel.Participant] = []
        let enrolled = Set(entries.map(\.enrollment.email))
        for entry in entries {
            guard let person = byEmail[entry.enrollment.email] else {
                failure.enrollments.append(Self.notInPeopleFile(entry))
                continue
            }
            if let left = person.terminationDate {
                failure.enrollments.append(
                    ImportIssue(line: entry.line, column: "email", message: "\(entry.enrollment.email) left the organization on \(left)"))
                continue
            }
            for other in entry.enrollment.avoid.sorted() where !enrolled.contains(other) {
                warnings.append("line \(entry.line): \(other) on the avoid list is not enrolled; nothing to avoid")
            }
            let participant = CompatibilityModel.Participant(person: person, enrollment: entry.enrollment, line: entry.line)
            if entry.enrollment.role == .mentee { mentees.append(participant) } else { mentors.append(participant) }
        }
        guard failure.enrollments.isEmpty else { throw failure }
        return (CompatibilityModel(mentees: mentees, mentors: mentors, directory: directory, weights: weights, rules: rules), warnings)
    }
}
