import Testing

@testable import UpwardCore

/// The dense solver's start on square matrices: the auction with ε-scaling on near-ties (low-rank
/// scores, the shape of real compatibility scores), Jonker and Volgenant's row reduction on exact
/// ties, and the exact repair that hands every row the auction left imprecise to the shortest paths.
@Suite("Dense solver start")
struct DenseSolverStartTests {
    /// Scores `a_i · b_j` from `rank`-dimensional random vectors, scaled to 0-100 like the benchmark's.
    static func lowRank(_ n: Int, rank: Int, using random: inout SeededGenerator) -> [[Double]] {
        let a = (0..<n).map { _ in (0..<rank).map { _ in Double.random(in: 0..<1, using: &random) } }
        let b = (0..<n).map { _ in (0..<rank).map { _ in Double.random(in: 0..<1, using: &random) } }
        return a.map { x in b.map { y in 100 * zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } / Double(rank) } }
    }

    /// Solves with the start (square, nothing forbidden) and checks the duals over every pair.
    static func solveWithStart(_ m: [[Double]], maximize: Bool = true, bidsPerRow: Int = 64) -> (AssignmentSolver.Solution, OptimalityCertificate) {
        let n = m.count
        let flat = m.flatMap { $0 }
        let solution = flat.withUnsafeBufferPointer { buffer in
            var solver = DenseSolver(matrix: buffer, rows: n, columns: n, options: .init(maximize: maximize))
            solver.auctionBidsPerRow = bidsPerRow
            return solver.run()
        }
        let certificate = OptimalityCertificate.check(
            columnOfRow: solution.columnOfRow, rowDuals: solution.rowDuals, columnDuals: solution.columnDuals,
            capacities: Array(repeating: 1, count: n), unmatchedAllowed: solution.unmatchedAllowed,
            cost: { i, j in maximize ? -m[i][j] : m[i][j] })
        return (solution, certificate)
    }

    /// The same problem without the start: one more column no row should take (rectangular
    /// matrices go straight to the shortest augmenting paths).
    static func solveWithoutStart(_ m: [[Double]]) -> AssignmentSolver.Solution {
        let low = m.flatMap { $0 }.min() ?? 0
        return AssignmentSolver.solve(m.map { $0 + [low - 1e6] })
    }

    @Test("low-rank scores (near-ties everywhere, where the auction starts) equal brute force")
    func lowRankMatchesBruteForce() {
        var random = SeededGenerator(seed: 31)
        var failures: [String] = []
        for trial in 0..<1200 {
            let n = Int.random(in: 2...8, using: &random)
            let m = Self.lowRank(n, rank: 1 + trial % 3, using: &random)
            let maximize = trial % 4 != 0
            let (solution, certificate) = Self.solveWithStart(m, maximize: maximize)
            let expected = BruteForce.best(m, capacities: [1], maximize: maximize, cardinalityFirst: true)
            if solution.matchedCount != n || abs(solution.total - expected.total) > 1e-9 || !certificate.holds {
                failures.append("trial \(trial): \(solution.total) vs \(expected.total), \(certificate)")
            }
        }
        #expect(failures.count == 0, "\(failures.prefix(3))")
    }

    @Test("at 300 x 300 the start's answer equals the shortest paths' alone, and its duals prove it")
    func mediumLowRank() {
        var random = SeededGenerator(seed: 8)
        for rank in [1, 2, 4, 8] {
            let m = Self.lowRank(300, rank: rank, using: &random)
            let (solution, certificate) = Self.solveWithStart(m)
            #expect(certificate.holds, "rank \(rank): \(certificate)")
            let reference = Self.solveWithoutStart(m)
            #expect(abs(solution.total - reference.total) <= 1e-9 * abs(reference.total), "rank \(rank)")
        }
    }

    @Test("an auction stopped by its budget hands every row it left to the shortest paths, still exact")
    func budgetHandOver() {
        var random = SeededGenerator(seed: 12)
        for bids in [0, 1, 3] {
            let m = Self.lowRank(120, rank: 3, using: &random)
            let (solution, certificate) = Self.solveWithStart(m, bidsPerRow: bids)
            #expect(solution.matchedCount == 120)
            #expect(certificate.holds, "\(bids) bids per row: \(certificate)")
            let reference = Self.solveWithoutStart(m)
            #expect(abs(solution.total - reference.total) <= 1e-9 * abs(reference.total))
        }
    }

    @Test("exact ties (small integer scores) take the row-reduction start and stay exact")
    func integerTies() {
        var random = SeededGenerator(seed: 4)
        for _ in 0..<20 {
            let m = (0..<150).map { _ in (0..<150).map { _ in Double(Int.random(in: 0...10, using: &random)) } }
            let (solution, certificate) = Self.solveWithStart(m)
            #expect(certificate.holds, "\(certificate)")
            #expect(solution.total == Self.solveWithoutStart(m).total)
        }
    }

    @Test("equal scores everywhere, and scores far from zero with tiny differences, stay exact")
    func degenerate() {
        let flat = Array(repeating: Array(repeating: 42.0, count: 40), count: 40)
        let (constant, constantProof) = Self.solveWithStart(flat)
        #expect(constant.matchedCount == 40 && constant.total == 40 * 42 && constantProof.holds)

        var random = SeededGenerator(seed: 2)
        let shifted = Self.lowRank(80, rank: 2, using: &random).map { row in row.map { 1e9 + $0 * 1e-3 } }
        let (solution, certificate) = Self.solveWithStart(shifted)
        #expect(certificate.holds, "\(certificate)")
        #expect(abs(solution.total - Self.solveWithoutStart(shifted).total) <= 1e-9 * abs(solution.total))
    }
}
