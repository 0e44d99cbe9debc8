import Foundation
import Testing
import UpwardCore
import UpwardTestSupport

@Suite("The optimality certificate")
struct OptimalityCertificateTests {
    /// A small cost matrix (minimize) with a known optimum: rows 0→1, 1→0, 2→2, total 1 + 2 + 1 = 4.
    static let costs: [[Double]] = [[4, 1, 3], [2, 0, 5], [3, 2, 1]]

    func check(_ columnOfRow: [Int?], _ u: [Double], _ v: [Double], unmatchedAllowed: Bool = false, capacities: [Int] = [1, 1, 1])
        -> OptimalityCertificate
    {
        OptimalityCertificate.check(
            columnOfRow: columnOfRow, rowDuals: u, columnDuals: v, capacities: capacities, unmatchedAllowed: unmatchedAllowed
        ) { i, j in Self.costs[i][j] }
    }

    @Test("the solver's own answer and duals pass")
    func solverPasses() {
        let solution = AssignmentSolver.solve(Self.costs, options: .init(maximize: false))
        let certificate = check(solution.columnOfRow, solution.rowDuals, solution.columnDuals)
        #expect(certificate.holds, "\(certificate)")
        #expect(abs(certificate.gap) < 1e-12)
        #expect(solution.total == 4)
    }

    @Test("very negative duals satisfy every reduced cost but prove nothing: refused")
    func negativeDualsFail() {
        // Reduced costs c - u - v are all hugely positive, the old check's only condition.
        let wrong: [Int?] = [0, 1, 2]  // total 4 + 0 + 1 = 5, not optimal
        let certificate = check(wrong, [-1e6, -1e6, -1e6], [0, 0, 0])
        #expect(certificate.worstReducedCost >= 0)
        #expect(!certificate.holds)
        #expect(certificate.failures.contains { $0.contains("not tight") })
    }

    @Test("a wrong assignment fails with the right duals, and right duals fail with a wrong assignment")
    func wrongAssignmentFails() {
        let solution = AssignmentSolver.solve(Self.costs, options: .init(maximize: false))
        #expect(!check([0, 1, 2], solution.rowDuals, solution.columnDuals).holds)
        // Two rows in one column is not even feasible.
        let infeasible = check([1, 1, 2], solution.rowDuals, solution.columnDuals)
        #expect(infeasible.failures.contains { $0.contains("capacity") })
        // Duals moved off the optimum: a pair's reduced cost turns negative.
        var u = solution.rowDuals
        u[0] += 5
        #expect(!check(solution.columnOfRow, u, solution.columnDuals).holds)
    }

    @Test("with unmatched rows allowed, a row left out while it could gain is refused")
    func unmatchedRows() {
        // Maximize-style internal costs: every pair is worth taking (negative cost).
        let costs: [[Double]] = [[-5, -1], [-4, -3]]
        let verify = { (assignment: [Int?], u: [Double], v: [Double]) in
            OptimalityCertificate.check(columnOfRow: assignment, rowDuals: u, columnDuals: v, capacities: [1, 1], unmatchedAllowed: true) {
                costs[$0][$1]
            }
        }
        // Optimum: 0→0, 1→1 (total -8). Duals u = (-4, -3), v = (-1, 0) are tight and feasible.
        #expect(verify([0, 1], [-4, -3], [-1, 0]).holds, "\(verify([0, 1], [-4, -3], [-1, 0]))")
        // Leaving row 1 unmatched (total -5) cannot be certified with any duals the check accepts.
        #expect(!verify([0, nil], [-5, 0], [0, 0]).holds)
        #expect(!verify([0, nil], [-5, -3], [0, 0]).holds)
    }

    @Test("every random dense solve carries a certificate that holds, and a swapped pair breaks it")
    func randomSolves() {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<200 {
            let rows = Int.random(in: 2...7, using: &generator)
            let columns = Int.random(in: 2...7, using: &generator)
            var matrix = (0..<rows).map { _ in (0..<columns).map { _ in Double(Int.random(in: 0...20, using: &generator)) } }
            if Bool.random(using: &generator) { matrix[0][0] = .nan }
            let solution = AssignmentSolver.solve(matrix, options: .init(maximize: true))
            let cost = { (i: Int, j: Int) -> Double? in matrix[i][j].isNaN ? nil : -matrix[i][j] - solution.bonus }
            let certificate = OptimalityCertificate.check(
                columnOfRow: solution.columnOfRow, rowDuals: solution.rowDuals, columnDuals: solution.columnDuals,
                capacities: Array(repeating: 1, count: columns), unmatchedAllowed: solution.unmatchedAllowed, cost: cost)
            #expect(certificate.holds, "\(certificate)")
        }
    }
}
