import Foundation

/// Retention of a program's participants against comparable colleagues who did not take part:
/// the same department and level band, employed when the program started.
public enum Retention {
    public struct Member: Sendable, Equatable {
        public let id: String
        public let department: String
        public let level: Int
        public let hireDate: CalendarDate?
        public let terminationDate: CalendarDate?

        public init(id: String, department: String, level: Int, hireDate: CalendarDate?, terminationDate: CalendarDate?) {
            self.id = id
            self.department = department
            self.level = level
            self.hireDate = hireDate
            self.terminationDate = terminationDate
        }
    }

    public struct Comparison: Sendable, Equatable {
        public let participants: Int
        public let participantsRetained: Int
        public let comparison: Int
        public let comparisonRetained: Int

        public init(participants: Int, participantsRetained: Int, comparison: Int, comparisonRetained: Int) {
            self.participants = participants
            self.participantsRetained = participantsRetained
            self.comparison = comparison
            self.comparisonRetained = comparisonRetained
        }

        public var participantRate: Double { participants > 0 ? Double(participantsRetained) / Double(participants) : .nan }
        public var comparisonRate: Double { comparison > 0 ? Double(comparisonRetained) / Double(comparison) : .nan }
    }

    /// Levels 1-3, 4-6, 7-9, 10-12, 13-15.
    public static func band(_ level: Int) -> Int { (max(level, 1) - 1) / 3 }

    /// Everyone employed on `start` (hired by then, not yet gone) counts; retained means still
    /// employed on `asOf`. The comparison group is everyone else in a (department, band) that
    /// some participant is in.
    public static func compare(participants ids: Set<String>, people: [Member], start: CalendarDate, asOf: CalendarDate) -> Comparison {
        func employed(_ member: Member, on day: CalendarDate) -> Bool {
            (member.hireDate.map { $0 <= day } ?? true) && (member.terminationDate.map { $0 > day } ?? true)
        }
        let atStart = people.filter { employed($0, on: start) }
        let joined = atStart.filter { ids.contains($0.id) }
        struct Cell: Hashable {
            let department: String
            let band: Int
        }
        let cells = Set(joined.map { Cell(department: $0.department, band: band($0.level)) })
        let others = atStart.filter { !ids.contains($0.id) && cells.contains(Cell(department: $0.department, band: band($0.level))) }
        return Comparison(
            participants: joined.count, participantsRetained: joined.filter { employed($0, on: asOf) }.count, comparison: others.count,
            comparisonRetained: others.filter { employed($0, on: asOf) }.count)
    }
}
