/// Sparse mode: candidate lists, a shortest-augmenting-path solve, and a proof over every
/// allowed pair that adds the candidates it finds missing and solves again, warm.
///
/// The proof is incremental. After a round's scan, every allowed pair's reduced cost is known
/// to be at least `-tolerance` under that round's duals, except the violations it found. A
/// later round's duals differ only where its solve moved them: a pair whose row dual and
/// column dual did not rise has a reduced cost no lower than before, so the next scan covers
/// only rows with violations or a risen dual (against every column) and columns with a risen
/// dual (against every row). A ``MatchingState`` from an earlier run is the same thing across
/// runs: its duals were proven over every pair, so only what changed needs checking.
extension MatchingEngine {
    /// The internal-cost bonus for one more matched mentee. Scores lie in [0, 100], so any
    /// bonus above 100 × rows makes cardinality come first; rounding the mentee count up to a
    /// power of two keeps it, and so the duals' meaning, the same across runs on a program
    /// that gains or loses a few people.
    static func cardinalityBonus(mentees: Int) -> Double { 100 * Double(powerOfTwo(atLeast: mentees + 1)) + 1 }

    static func powerOfTwo(atLeast count: Int) -> Int {
        var size = 1
        while size < count { size *= 2 }
        return size
    }

    func solveSparse(_ problem: SubProblem, cardinalityFirst: Bool, threshold: Double?, state previous: MatchingState? = nil)
        -> ([Int?], Proof, MatchingState?)
    {
        let model = problem.model
        let rows = problem.rows.count
        let columns = model.mentors.count
        let floor = threshold ?? -1
        let bonus = cardinalityFirst ? Self.cardinalityBonus(mentees: model.mentees.count) : 0
        let costScale = 100 + bonus
        // From the whole program's size rounded up, so locks and a few people joining or leaving leave it unchanged.
        let tolerance = OptimalityCertificate.tolerance(
            costScale: costScale, rows: Self.powerOfTwo(atLeast: model.mentees.count), columns: Self.powerOfTwo(atLeast: columns))
        // A kept pair must pass the certificate's own tightness check, which uses this problem's exact size.
        let tightness = OptimalityCertificate.tolerance(costScale: costScale, rows: rows, columns: columns)
        let perMentee = candidatesPerMentee

        var warm = previous.flatMap { WarmStart(state: $0, problem: problem, bonus: bonus, tolerance: tolerance, tightness: tightness, floor: floor) }
        var candidates: [[(column: Int, score: Double)]]
        if let carried = warm {
            candidates = carried.candidates
            let fresh = carried.needsFreshCandidates
            candidates.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let lists = buffer
                problem.parallelRows { row, _ in
                    guard fresh[row] else { return }
                    lists[row] = problem.bestMentors(row: row, count: perMentee, floor: floor)
                }
            }
        } else {
            candidates = problem.candidateLists(perRow: perMentee, floor: floor)
        }

        // What the last scan (or the state) proved: per row its dual then, nil when unproven; per column likewise.
        var provenRow: [Double?] = warm?.provenRowDuals ?? [Double?](repeating: nil, count: rows)
        var provenColumn: [Double?] = warm?.provenColumnDuals ?? [Double?](repeating: nil, count: columns)
        var start = warm?.start
        var inheritedWorst = warm?.worstReducedCost ?? 0
        let warmed = warm != nil
        warm = nil

        var rounds = 0
        var checked = 0
        var augmented = 0
        var repaired = 0
        while true {
            rounds += 1
            let solver = SparseAssignmentSolver(rowCount: rows, columnCount: columns, capacities: problem.capacities, candidates: candidates, bonus: bonus)
            let solution = solver.solve(from: start)
            augmented += solution.augmentedRows
            repaired += solution.repairedColumns
            let u = solution.rowDuals
            let v = solution.columnDuals
            let rowsToCheck = (0..<rows).map { row in provenRow[row].map { u[row] > $0 } ?? true }
            let columnsToCheck = (0..<columns).filter { j in provenColumn[j].map { v[j] > $0 } ?? true }
            let rowCheckCount = rowsToCheck.count { $0 }
            checked += rowCheckCount * columns + (rows - rowCheckCount) * columnsToCheck.count

            // The proof: every allowed pair's reduced cost must be non-negative under these duals.
            var missing = [[(column: Int, score: Double)]](repeating: [], count: rows)
            var worstPerRow = [Double](repeating: 0, count: rows)
            missing.withUnsafeMutableBufferPointer { missingBuffer in
                worstPerRow.withUnsafeMutableBufferPointer { worstBuffer in
                    // Each row writes only its own slots, so sharing the buffers across threads is safe.
                    nonisolated(unsafe) let missing = missingBuffer
                    nonisolated(unsafe) let worstPerRow = worstBuffer
                    problem.parallelRows { row, mentee in
                        var worst = 0.0
                        var found: [(column: Int, score: Double, reduced: Double)] = []
                        // reduced < 0 exactly when score > limit - v[j]; a bound at or below that can't violate.
                        let limit = -bonus - u[row] + tolerance
                        func check(_ j: Int) {
                            if model.scoreUpperBound(mentee: mentee, mentor: j) <= limit - v[j] { return }
                            guard let score = model.score(mentee: mentee, mentor: j), score >= floor else { return }
                            let reduced = (-score - bonus) - u[row] - v[j]
                            if reduced < -tolerance {
                                found.append((j, score, reduced))
                                worst = min(worst, reduced)
                            }
                        }
                        if rowsToCheck[row] {
                            for j in 0..<columns { check(j) }
                        } else {
                            for j in columnsToCheck { check(j) }
                        }
                        // Add the most violated pairs first; a few per round keeps memory small.
                        if found.count > perMentee {
                            found.sort { $0.reduced < $1.reduced || ($0.reduced == $1.reduced && $0.column < $1.column) }
                            found.removeLast(found.count - perMentee)
                        }
                        missing[row] = found.map { ($0.column, $0.score) }
                        worstPerRow[row] = worst
                    }
                }
            }
            let worst = min(worstPerRow.min() ?? 0, inheritedWorst)
            if worst >= -tolerance || rounds >= 200 {
                let certificate = OptimalityCertificate.check(
                    columnOfRow: solution.columnOfRow, rowDuals: u, columnDuals: v, capacities: problem.capacities, unmatchedAllowed: true,
                    worstReducedCost: worst, costScale: costScale
                ) { row, j in
                    guard let score = model.score(mentee: problem.rows[row], mentor: j), score >= floor else { return nil }
                    return -score - bonus
                }
                var proof = Proof(mode: "sparse", rounds: rounds, checkedPairs: checked, certificate: certificate)
                proof.warmStart = warmed
                proof.augmentedRows = augmented
                proof.repairedColumns = repaired
                let state =
                    certificate.holds && threshold == nil
                    ? MatchingState(problem: problem, solution: solution, candidates: candidates, bonus: bonus, tolerance: tolerance, worst: worst)
                    : nil
                return (solution.columnOfRow, proof, state)
            }
            // Everything scanned now holds except the violations, which become candidates.
            for row in 0..<rows { provenRow[row] = missing[row].isEmpty ? u[row] : nil }
            for j in 0..<columns { provenColumn[j] = v[j] }
            inheritedWorst = 0
            for row in 0..<rows where !missing[row].isEmpty {
                candidates[row] += missing[row]
            }
            start = SparseAssignmentSolver.Start(
                columnDuals: v, rowDuals: u, columnOfRow: solution.columnOfRow.map { $0 ?? -2 }, tightness: tightness)
        }
    }
}

/// A ``MatchingState`` mapped onto the current program: what carries over, and what must be
/// checked again.
struct WarmStart {
    var start: SparseAssignmentSolver.Start
    /// Previous candidate lists, by current column; empty where `needsFreshCandidates`.
    var candidates: [[(column: Int, score: Double)]]
    var needsFreshCandidates: [Bool]
    var provenRowDuals: [Double?]
    var provenColumnDuals: [Double?]
    var worstReducedCost: Double

    /// Nil when nothing carries over: another version, objective, scoring, or a tighter tolerance.
    /// With a `floor`, pairs scoring below it are gone, as if excluded: what the state proved still holds.
    init?(state: MatchingState, problem: SubProblem, bonus: Double, tolerance: Double, tightness: Double, floor: Double) {
        let model = problem.model
        guard state.version == MatchingState.currentVersion, state.bonus == bonus, state.tolerance <= tolerance,
            state.global == StableHasher.hex(model.globalFingerprint)
        else { return nil }
        let mentorIndex = Dictionary(model.mentors.indices.map { (model.mentors[$0].enrollment.email, $0) }, uniquingKeysWith: { a, _ in a })
        // The state's mentors as current columns (nil when gone), and whether each still scores the same.
        let column = state.mentors.map { mentorIndex[$0.email] }
        var columnDuals = [Double](repeating: 0, count: model.mentors.count)
        var provenColumns = [Double?](repeating: nil, count: model.mentors.count)
        for (k, mentor) in state.mentors.enumerated() {
            guard let j = column[k] else { continue }
            columnDuals[j] = mentor.dual
            if mentor.fingerprint == StableHasher.hex(model.mentorFingerprints[j]) { provenColumns[j] = mentor.dual }
        }
        // A lifted exclusion makes a pair allowed that the earlier proof never looked at.
        let excludedNow = model.rules.excludedPairs
        let lifted = Set(
            state.excluded.compactMap { pair in
                pair.count == 2 && !excludedNow.contains(.init(mentee: pair[0], mentor: pair[1])) ? pair[0] : nil
            })
        let byEmail = Dictionary(state.mentees.map { ($0.email, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = problem.rows.count
        var place = [Int](repeating: -1, count: rows)
        var rowDuals = [Double?](repeating: nil, count: rows)
        var provenRows = [Double?](repeating: nil, count: rows)
        var fresh = [Bool](repeating: true, count: rows)
        var candidates = [[(column: Int, score: Double)]](repeating: [], count: rows)
        for (row, mentee) in problem.rows.enumerated() {
            let email = model.mentees[mentee].enrollment.email
            guard let entry = byEmail[email], entry.fingerprint == StableHasher.hex(model.menteeFingerprints[mentee]) else { continue }
            fresh[row] = false
            for k in entry.candidates where state.mentors.indices.contains(k) {
                guard let j = column[k], let score = model.score(mentee: mentee, mentor: j), score >= floor else { continue }
                candidates[row].append((j, score))
            }
            rowDuals[row] = entry.dual
            if let k = entry.mentor {
                place[row] = state.mentors.indices.contains(k) ? column[k] ?? -1 : -1
            } else {
                place[row] = -2
            }
            if !lifted.contains(email) { provenRows[row] = entry.dual }
        }
        start = .init(columnDuals: columnDuals, rowDuals: rowDuals, columnOfRow: place, tightness: tightness)
        self.candidates = candidates
        needsFreshCandidates = fresh
        provenRowDuals = provenRows
        provenColumnDuals = provenColumns
        worstReducedCost = state.worstReducedCost
    }
}

extension MatchingState {
    init(
        problem: SubProblem, solution: SparseAssignmentSolver.Solution, candidates: [[(column: Int, score: Double)]], bonus: Double,
        tolerance: Double, worst: Double
    ) {
        let model = problem.model
        version = Self.currentVersion
        self.bonus = bonus
        self.tolerance = tolerance
        global = StableHasher.hex(model.globalFingerprint)
        worstReducedCost = worst
        excluded = model.rules.excludedPairs.map { [$0.mentee, $0.mentor] }.sorted { $0.lexicographicallyPrecedes($1) }
        mentors = model.mentors.indices.map { j in
            Mentor(email: model.mentors[j].enrollment.email, fingerprint: StableHasher.hex(model.mentorFingerprints[j]), dual: solution.columnDuals[j])
        }
        mentees = problem.rows.enumerated().map { row, mentee in
            Mentee(
                email: model.mentees[mentee].enrollment.email, fingerprint: StableHasher.hex(model.menteeFingerprints[mentee]),
                dual: solution.rowDuals[row], mentor: solution.columnOfRow[row], candidates: candidates[row].map(\.column))
        }
    }
}
