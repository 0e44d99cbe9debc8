/// What a sparse solve leaves behind so the next run on the same program can start from it:
/// the assignment, the duals that proved it optimal, each row's candidate mentors, and
/// fingerprints of everything a pair's score depends on.
///
/// A re-run after a few locks, exclusions, unlocks or new participants keeps every previous
/// pair that is still tight under the kept duals, re-prices only mentors who gained room, and
/// augments from the rows that lost their place (``SparseAssignmentSolver/solve(from:)``).
/// The proof is redone only where it could have changed: a pair whose mentee's dual and
/// mentor's dual did not rise, and whose participants' fingerprints are unchanged, keeps the
/// reduced cost the previous proof checked, or a larger one.
///
/// Everything is keyed by email, so the state outlives the order participants are listed in.
public struct MatchingState: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public struct Mentee: Codable, Sendable, Equatable {
        public var email: String
        /// Hex of ``CompatibilityModel/menteeFingerprint(_:)``.
        public var fingerprint: String
        /// The row's dual in the solver's internal costs.
        public var dual: Double
        /// Index into ``MatchingState/mentors``, or nil when unmatched.
        public var mentor: Int?
        /// Indices into ``MatchingState/mentors``: the row's candidate list when the proof held.
        public var candidates: [Int]
    }

    public struct Mentor: Codable, Sendable, Equatable {
        public var email: String
        public var fingerprint: String
        public var dual: Double
    }

    public var version: Int
    /// A matched pair's internal cost is `-score - bonus`; duals from another bonus don't carry over.
    public var bonus: Double
    /// The proof's tolerance; a run with a smaller one can't inherit what this proved.
    public var tolerance: Double
    /// Hex of ``CompatibilityModel/globalFingerprint`` (weights and rules other than exclusions).
    public var global: String
    /// The most negative reduced cost of any allowed pair under these duals (the proof's worst).
    public var worstReducedCost: Double
    /// Excluded (mentee, mentor) email pairs; an exclusion lifted since means that mentee is checked again.
    public var excluded: [[String]]
    public var mentees: [Mentee]
    public var mentors: [Mentor]
}

/// FNV-1a, 64-bit: a hash that is the same in every process (Swift's `Hasher` is seeded per run).
struct StableHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
    }

    mutating func combine(_ string: String?) {
        guard let string else { return combine(bytes: [0xff]) }
        combine(bytes: string.utf8)
        combine(bytes: [0])  // "ab","c" differs from "a","bc"
    }

    mutating func combine(_ number: Int) { withUnsafeBytes(of: Int64(number).littleEndian) { combine(bytes: $0) } }

    mutating func combine(_ number: Double) { combine(Int(truncatingIfNeeded: number.bitPattern)) }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension CompatibilityModel {
    /// Everything global a score or a hard rule depends on, except exclusions.
    static func globalFingerprint(weights: [Double], rules: MatchingRules) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine("v1")
        for weight in weights { hasher.combine(weight) }
        hasher.combine(rules.minimumLevelGap)
        hasher.combine(rules.differentDepartmentOnly ? 1 : 0)
        return hasher.value
    }

    /// Everything about one participant that a score or a hard rule reads: their directory
    /// fields, their whole management chain, and their enrollment answers (not their capacity,
    /// which the solver repairs directly).
    static func participantFingerprint(_ participant: Participant, managerOf: [String: String]) -> UInt64 {
        var hasher = StableHasher()
        let person = participant.person
        let enrollment = participant.enrollment
        hasher.combine(enrollment.email)
        hasher.combine(enrollment.role.rawValue)
        hasher.combine(person.employeeID)
        hasher.combine(person.department)
        hasher.combine(person.businessUnit)
        hasher.combine(person.timeZone)
        hasher.combine(person.level)
        hasher.combine(person.generation?.rawValue)
        // The chain up to the top (bounded, in case the directory has a cycle).
        var manager = managerOf[person.employeeID]
        var steps = 0
        while let current = manager, steps <= managerOf.count {
            hasher.combine(current)
            manager = managerOf[current]
            steps += 1
        }
        hasher.combine("|")
        for (skill, level) in enrollment.offers.sorted(by: { $0.key < $1.key }) {
            hasher.combine(skill)
            hasher.combine(level)
        }
        hasher.combine("|")
        for goal in enrollment.wants {
            hasher.combine(goal.skill)
            hasher.combine(goal.current)
            hasher.combine(goal.target)
        }
        hasher.combine("|")
        for interest in enrollment.interests.sorted() { hasher.combine(interest) }
        hasher.combine("|")
        hasher.combine(enrollment.style)
        for email in enrollment.avoid.sorted() { hasher.combine(email) }
        return hasher.value
    }
}
